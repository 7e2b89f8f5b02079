package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.FormatLimits;
import io.zeroframe.dmabuf.negotiation.FormatOffer;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The device-free parts of the plane and render endpoints: offers, limits, refusal classes, dumb layouts. */
@ExtendWith(NoLeaks.class)
class NegotiationEndpointsTest {
    private static final Mode MODE = new Mode(65000, 1024, 1048, 1184, 1344, 0, 768, 771, 777, 806, 0, 60, 0, 0,
            "1024x768");
    private static final Resources RESOURCES = new Resources(List.of(), List.of(), List.of(), List.of(), List.of(),
            0, 8192, 0, 8192);
    private static final long INTEL_X_TILED = 0x0100000000000001L;

    private static Plane plane(List<DrmFormat> formats, Map<DrmFormat, List<Modifier>> modifiers) {
        PlaneId id = new PlaneId(31);
        return new Plane(id, PlaneType.OVERLAY, List.of(new CrtcId(40)), Optional.empty(), Optional.empty(), formats,
                modifiers, true, new ObjectProperties(id, Map.of()));
    }

    @Test
    void offersFollowThePlanesOrderWithItsModifiersAndSkipFormatsTheFrameModelLacks() {
        DrmFormat xr24 = DrmFormat.of("XR24");
        DrmFormat xr48 = DrmFormat.of("XR48"); // vkms lists it; the frame model has no such PixelFormat
        DrmFormat nv12 = DrmFormat.of("NV12");
        Map<DrmFormat, List<Modifier>> modifiers = new LinkedHashMap<>();
        modifiers.put(nv12, List.of(Modifier.of(INTEL_X_TILED), Modifier.LINEAR));
        modifiers.put(xr24, List.of(Modifier.LINEAR));
        modifiers.put(xr48, List.of(Modifier.LINEAR));
        FormatLimits limits = FormatLimits.builder().pitchAlignment(64).build();
        List<FormatOffer> offers = PlaneEndpoint.offers(plane(List.of(nv12, xr48, xr24), modifiers), limits);
        assertEquals(List.of(PixelFormat.NV12, PixelFormat.XRGB8888), offers.stream().map(FormatOffer::format).toList());
        assertEquals(List.of(Modifier.of(INTEL_X_TILED), Modifier.LINEAR), offers.getFirst().modifiers());
        assertSame(limits, offers.getLast().limits());
        assertTrue(offers.getFirst().reads(PixelFormat.NV12M), "separate planes are fine for ADDFB2");
    }

    @Test
    void aPlaneThatCoversItsCrtcTakesTheModesSizeAndOthersTheModeConfigRange() {
        FormatLimits whole = PlaneEndpoint.limits(RESOURCES, true, MODE, 1);
        assertEquals(List.of(1024, 1024, 768, 768),
                List.of(whole.minWidth(), whole.maxWidth(), whole.minHeight(), whole.maxHeight()));
        FormatLimits placed = PlaneEndpoint.limits(RESOURCES, false, MODE, 64);
        assertEquals(List.of(1, 8192, 1, 8192),
                List.of(placed.minWidth(), placed.maxWidth(), placed.minHeight(), placed.maxHeight()));
        assertEquals(64, placed.pitchAlignment());
    }

    @Test
    void aSizeRefusalOutsideThePlanesLimitsIsNotFixableAndEverythingElseStaysAsItWas() {
        FormatLimits whole = PlaneEndpoint.limits(RESOURCES, true, MODE, 1);
        TrialResult einval = TrialResult.fixable("DRM_IOCTL_MODE_ATOMIC", "EINVAL", "refused");
        TrialResult small = PlaneEndpoint.classify(einval, 640, 480, "vkms plane 31", MODE, whole, true);
        assertEquals(TrialResult.Outcome.NOT_FIXABLE, small.outcome());
        assertEquals("EINVAL", small.errno());
        assertTrue(small.reason().contains("must cover its whole CRTC (1024x768)"), small.reason());
        TrialResult erange = TrialResult.fixable("DRM_IOCTL_MODE_ATOMIC", "ERANGE", "scaling");
        assertEquals(TrialResult.Outcome.NOT_FIXABLE,
                PlaneEndpoint.classify(erange, 640, 480, "p", MODE, whole, true).outcome());
        // the mode's size: the refusal is about something else (format, pitch), another buffer may pass
        assertSame(einval, PlaneEndpoint.classify(einval, 1024, 768, "p", MODE, whole, true));
        TrialResult enospc = TrialResult.fixable("DRM_IOCTL_MODE_ATOMIC", "ENOSPC", "small buffer");
        assertSame(enospc, PlaneEndpoint.classify(enospc, 640, 480, "p", MODE, whole, true));
        FormatLimits placed = PlaneEndpoint.limits(RESOURCES, false, MODE, 1);
        assertSame(einval, PlaneEndpoint.classify(einval, 640, 480, "p", MODE, placed, false));
        assertSame(TrialResult.ACCEPTED, PlaneEndpoint.classify(TrialResult.ACCEPTED, 640, 480, "p", MODE, whole,
                true));
    }

    @Test
    void dumbBuffersRefuseLayoutsInSeveralBuffersAndTiledModifiersBeforeAskingTheDevice() {
        Allocator dumb = new Allocator("vkms plane 31", Allocator.Source.DRM_DUMB_EXPORT, 1, false, false,
                Optional.empty());
        DumbBufferSource source = new DumbBufferSource(null, dumb); // no device call is made for these
        assertSame(dumb, source.allocator());
        Attempt<?> separate = source.allocate(new Candidate(dumb, PixelFormat.NV12M, Modifier.LINEAR,
                FrameLayout.of(PixelFormat.NV12M, 640, 480)));
        assertFalse(separate.accepted());
        assertEquals(TrialResult.fixable("DRM_IOCTL_MODE_CREATE_DUMB", "EINVAL",
                "a dumb buffer is one buffer and NV12M takes 2"), separate.result());
        Attempt<?> tiled = source.allocate(new Candidate(dumb, PixelFormat.XRGB8888, Modifier.of(INTEL_X_TILED),
                FrameLayout.of(PixelFormat.XRGB8888, 640, 480)));
        assertEquals(TrialResult.Outcome.FIXABLE_BY_REALLOCATION, tiled.result().outcome());
        assertTrue(tiled.result().reason().startsWith("dumb buffers are linear"), tiled.result().reason());
        source.release(); // nothing held: does nothing
    }
}

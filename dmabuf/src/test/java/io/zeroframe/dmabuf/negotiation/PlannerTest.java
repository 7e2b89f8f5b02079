package io.zeroframe.dmabuf.negotiation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The planner on described endpoints, no devices: issue 15's "Must show" cases, each asserting the chosen plan
 * and the reasons in its explanation, plus the preference override and the fallback order. The trials are
 * {@link ScriptedTrials}; every step they are not told to refuse is accepted.
 */
class PlannerTest {
    private static final String CAMERA = "vivid /dev/video0 capture";
    private static final String PLANE = "virtio_gpu plane 31";
    private static final TrialResult FOREIGN_REFUSED = TrialResult.fixable("DRM_IOCTL_PRIME_FD_TO_HANDLE", "ENODEV",
            "the driver refuses foreign buffers");
    private static final Modifier Y_TILED = Modifier.of(0x0100000000000002L);

    private static Endpoint.Builder camera(FormatOffer... offers) {
        Endpoint.Builder camera = Endpoint.builder(CAMERA, Role.PRODUCER).holds(2);
        List.of(offers).forEach(camera::offer);
        return camera;
    }

    /** A plane that imports, allocates dumb buffers (pitch aligned to 1) and has ADDFB2 modifiers. */
    private static Endpoint.Builder plane(FormatOffer... offers) {
        Endpoint.Builder plane = Endpoint.builder(PLANE, Role.CONSUMER).scanout(true).imports(true).exportsDumb(1)
                .holds(2);
        List.of(offers).forEach(plane::offer);
        return plane;
    }

    private static Planner.Builder planner(int width, int height, Endpoint producer, Endpoint... consumers) {
        Planner.Builder planner = Planner.builder(width, height).producer(producer)
                .allocator(Allocator.heap("system", false)).allocator(Allocator.udmabuf());
        List.of(consumers).forEach(planner::consumer);
        return planner;
    }

    private static final FormatOffer XR24 = FormatOffer.linear(PixelFormat.XRGB8888);

    @Test
    void cameraThatOnlyExportsAllocatesAndTheFramebufferUsesItsBytesperline() throws NoPlanException {
        Endpoint camera = camera(XR24).exportsV4l2(false).build();
        Endpoint plane = plane(XR24).build();
        ScriptedTrials trials = new ScriptedTrials();

        Plan plan = planner(640, 480, camera, plane).build().plan(trials);

        assertEquals(Plan.Kind.ZERO_COPY, plan.kind());
        assertEquals(camera.exports().orElseThrow(), plan.allocator());
        assertEquals(2560, plan.layout().plane(0).pitch());
        assertEquals(List.of(PLANE), plan.importers());
        assertTrue(trials.calls().contains("REGISTER_FRAMEBUFFER " + PLANE + " as XRGB8888 with modifier flag <- "
                + "XRGB8888 LINEAR pitch 2560 from V4L2 MMAP " + CAMERA), trials.calls().toString());

        // Asked to prefer the display's buffers, the planner still cannot use them: the camera does not import.
        Plan preferDisplay = planner(640, 480, camera, plane)
                .preference(Preference.DEFAULT.allocatorsFirst(PLANE)).build().plan(new ScriptedTrials());
        assertEquals(camera.exports().orElseThrow(), preferDisplay.allocator());
        assertEquals(List.of("XRGB8888 LINEAR pitch 2560 from DRM dumb " + PLANE + ": " + CAMERA
                + ": does not import dma-bufs"), preferDisplay.reasons().subList(0, 1));
    }

    @Test
    void displayThatClaimsImportButRefusesItAllocatesAndTheCameraImports() throws NoPlanException {
        Endpoint camera = camera(XR24).exportsV4l2(true).imports(true).build();
        Endpoint plane = plane(XR24).build();
        ScriptedTrials trials = refusingForeignBuffers();

        Plan plan = planner(640, 480, camera, plane).build().plan(trials);

        assertEquals(plane.exports().orElseThrow(), plan.allocator());
        assertEquals(List.of(CAMERA), plan.importers());
        assertEquals(List.of(
                "XRGB8888 LINEAR pitch 2560 from V4L2 MMAP " + CAMERA + ": " + PLANE
                        + ": DRM_IOCTL_PRIME_FD_TO_HANDLE of a V4L2 MMAP buffer: ENODEV, the driver refuses foreign "
                        + "buffers",
                "XRGB8888 LINEAR pitch 2560 from dma-heap system: " + PLANE
                        + ": DRM_IOCTL_PRIME_FD_TO_HANDLE of a dma-heap buffer: ENODEV, the driver refuses foreign "
                        + "buffers",
                "XRGB8888 LINEAR pitch 2560 from udmabuf: " + PLANE
                        + ": DRM_IOCTL_PRIME_FD_TO_HANDLE of a udmabuf buffer: ENODEV, the driver refuses foreign "
                        + "buffers"), plan.reasons());
        assertTrue(plan.explain().contains("imported by " + CAMERA), plan.explain());
    }

    /** The fallback order: camera export, heaps, udmabuf, then the display's own; each step as Trials says. */
    @Test
    void fallbackTriesCandidatesInTheDocumentedOrderAndStepsInOrder() throws NoPlanException {
        Endpoint camera = camera(XR24).exportsV4l2(true).imports(true).build();
        Endpoint plane = plane(XR24).build();
        ScriptedTrials trials = refusingForeignBuffers();
        Planner.builder(640, 480).producer(camera).consumer(plane).allocator(Allocator.udmabuf())
                .allocator(Allocator.heap("system", false)).allocator(Allocator.heap("linux,cma", true))
                .build().plan(trials);

        String x = "XRGB8888 LINEAR pitch 2560 from ";
        assertEquals(List.of(
                "ALLOCATE " + x + "V4L2 MMAP " + CAMERA, "IMPORT " + PLANE + " <- " + x + "V4L2 MMAP " + CAMERA,
                "ALLOCATE " + x + "dma-heap linux,cma", "IMPORT " + CAMERA + " <- " + x + "dma-heap linux,cma",
                "IMPORT " + PLANE + " <- " + x + "dma-heap linux,cma",
                "ALLOCATE " + x + "dma-heap system", "IMPORT " + CAMERA + " <- " + x + "dma-heap system",
                "IMPORT " + PLANE + " <- " + x + "dma-heap system",
                "ALLOCATE " + x + "udmabuf", "IMPORT " + CAMERA + " <- " + x + "udmabuf",
                "IMPORT " + PLANE + " <- " + x + "udmabuf",
                "ALLOCATE " + x + "DRM dumb " + PLANE, "IMPORT " + CAMERA + " <- " + x + "DRM dumb " + PLANE,
                "REGISTER_FRAMEBUFFER " + PLANE + " as XRGB8888 with modifier flag <- " + x + "DRM dumb " + PLANE,
                "TEST_COMMIT " + PLANE + " <- " + x + "DRM dumb " + PLANE), trials.calls());
    }

    @Test
    void aRefusalNoAllocationFixesStopsPlanning() {
        Endpoint camera = camera(XR24).exportsV4l2(true).imports(true).build();
        Endpoint plane = plane(XR24).build();
        ScriptedTrials trials = new ScriptedTrials().answer(TrialStep.TEST_COMMIT, PLANE,
                TrialResult.notFixable("DRM_IOCTL_MODE_ATOMIC", "EINVAL", "no plane can show 4000x3000"));

        NoPlanException e = assertThrows(NoPlanException.class,
                () -> planner(4000, 3000, camera, plane).build().plan(trials));

        assertTrue(e.getMessage().startsWith("XRGB8888 LINEAR pitch 16000 from V4L2 MMAP " + CAMERA + ": " + PLANE
                + ": DRM_IOCTL_MODE_ATOMIC: EINVAL, no plane can show 4000x3000: not fixable by another allocation"),
                e.getMessage());
        assertEquals(1, trials.calls().stream().filter(call -> call.startsWith("ALLOCATE")).count());
        assertEquals(TrialResult.Outcome.NOT_FIXABLE, e.rejected().getLast().result().outcome());
    }

    @Test
    void planeNeeding64BytePitchGetsAPaddedBytesperlineWhenTheCameraAcceptsIt() throws NoPlanException {
        FormatOffer aligned = FormatOffer.linear(PixelFormat.XRGB8888,
                FormatLimits.builder().pitchAlignment(64).build());
        Endpoint plane = plane(aligned).exportsDumb(64).build();

        Endpoint padding = camera(XR24).exportsV4l2(true).imports(true).build();
        Plan padded = Planner.builder(1000, 600).producer(padding).consumer(plane).build()
                .plan(new ScriptedTrials());
        assertEquals(padding.exports().orElseThrow(), padded.allocator());
        assertEquals(4032, padded.layout().plane(0).pitch());

        Endpoint fixed = camera(XR24).exportsV4l2(false).imports(true).build();
        Plan display = Planner.builder(1000, 600).producer(fixed).consumer(plane).build()
                .plan(new ScriptedTrials());
        assertEquals(plane.exports().orElseThrow(), display.allocator());
        assertEquals(4032, display.layout().plane(0).pitch());
        assertEquals(List.of(CAMERA), display.importers());
        assertEquals(List.of("XRGB8888 LINEAR pitch 4000 from V4L2 MMAP " + CAMERA + ": " + PLANE
                + ": pitch 4000 is not a multiple of 64 (V4L2 MMAP " + CAMERA + " sets its own pitch)"),
                display.reasons());
    }

    @Test
    void argbCameraOnAnXrgbPlaneRegistersTheSameBufferAsXr24() throws NoPlanException {
        Endpoint camera = camera(FormatOffer.linear(PixelFormat.ARGB8888)).exportsV4l2(true).build();
        Endpoint plane = plane(XR24).build();
        ScriptedTrials trials = new ScriptedTrials();

        Plan plan = planner(640, 480, camera, plane).build().plan(trials);

        assertEquals(PixelFormat.ARGB8888, plan.chosen().format());
        assertEquals(List.of(new Plan.Framebuffer(PLANE, PixelFormat.XRGB8888, true)), plan.framebuffers());
        assertTrue(trials.calls().stream().anyMatch(call -> call.startsWith(
                "REGISTER_FRAMEBUFFER " + PLANE + " as XRGB8888 with modifier flag <- ARGB8888")), trials.calls()
                .toString());
    }

    @Test
    void deviceWithoutAddfb2ModifiersGetsLinearWithoutTheModifierFlag() throws NoPlanException {
        Endpoint camera = camera(XR24).exportsV4l2(true).build();
        Endpoint plane = plane(XR24).scanout(false).build();

        Plan plan = planner(640, 480, camera, plane).build().plan(new ScriptedTrials());

        assertEquals(Modifier.LINEAR, plan.chosen().modifier());
        assertEquals(List.of(new Plan.Framebuffer(PLANE, PixelFormat.XRGB8888, false)), plan.framebuffers());
        assertTrue(plan.explain().contains("framebuffer on " + PLANE + ": XRGB8888 LINEAR without the modifier flag"),
                plan.explain());
    }

    @Test
    void planeWithAVendorModifierAndLinearMeetsALinearOnlyCameraInLinear() throws NoPlanException {
        Endpoint camera = camera(FormatOffer.linear(PixelFormat.NV12)).exportsV4l2(true).build();
        Endpoint plane = plane(new FormatOffer(PixelFormat.NV12, List.of(Y_TILED, Modifier.LINEAR),
                FormatLimits.NONE)).build();

        Plan plan = planner(640, 480, camera, plane).build().plan(new ScriptedTrials());

        assertEquals(PixelFormat.NV12, plan.chosen().format());
        assertEquals(Modifier.LINEAR, plan.chosen().modifier());
        assertEquals(640 * 480, plan.layout().plane(1).offset());
    }

    @Test
    void aModifierBothOfferButNoAllocatorLaysOutIsRejectedWithTheReason() throws NoPlanException {
        FormatOffer tiledOrLinear = new FormatOffer(PixelFormat.NV12, List.of(Y_TILED, Modifier.LINEAR),
                FormatLimits.NONE);
        Endpoint camera = camera(tiledOrLinear).exportsV4l2(true).build();
        Endpoint plane = plane(tiledOrLinear).build();

        Plan plan = planner(640, 480, camera, plane).build().plan(new ScriptedTrials());

        assertEquals(Modifier.LINEAR, plan.chosen().modifier());
        assertEquals(List.of("NV12 INTEL:Y_TILED: no allocator here lays out INTEL:Y_TILED (heaps, udmabuf, V4L2 and "
                + "dumb buffers are linear)"), plan.reasons());
    }

    @Test
    void dmaHeapsTheUserCannotOpenAreSkippedWithTheStatedReason() throws NoPlanException {
        String reason = "/dev/dma_heap/linux,cma is root:root mode 0600; add a udev rule giving the video group rw";
        Endpoint camera = camera(XR24).imports(true).build();
        Endpoint plane = Endpoint.builder(PLANE, Role.CONSUMER).offer(XR24).scanout(true).imports(true).holds(2)
                .build();

        Plan plan = Planner.builder(640, 480).producer(camera).consumer(plane)
                .allocator(Allocator.unusable(Allocator.Source.DMA_HEAP, "linux,cma", reason))
                .allocator(Allocator.heap("system", false)).build().plan(new ScriptedTrials());

        assertEquals("system", plan.allocator().name());
        assertEquals(List.of(CAMERA, PLANE), plan.importers());
        assertEquals(List.of("dma-heap linux,cma: not usable: " + reason), plan.reasons());
    }

    @Test
    void cameraThatNeitherExportsNorImportsHasNoZeroCopyPlanAndCopiesOnlyWhenAllowed() throws NoPlanException {
        Endpoint camera = camera(XR24).build();
        Endpoint plane = plane(XR24).build();

        NoPlanException e = assertThrows(NoPlanException.class,
                () -> planner(640, 480, camera, plane).build().plan(new ScriptedTrials()));
        assertTrue(e.getMessage().startsWith(CAMERA + " neither exports nor imports dma-bufs: no zero-copy plan "
                + "(copying not allowed) for 640x480\n  offers:\n    " + CAMERA + ": XRGB8888 [LINEAR]\n    "
                + PLANE + ": XRGB8888 [LINEAR]"), e.getMessage());

        Plan copying = planner(640, 480, camera, plane).allowCopying(true).build().plan(new ScriptedTrials());
        assertEquals(Plan.Kind.COPYING, copying.kind());
        assertEquals("system", copying.allocator().name());
        assertEquals(List.of(PLANE), copying.importers());
        assertEquals(3, copying.count());
        assertTrue(copying.explain().startsWith("COPYING plan"), copying.explain());
    }

    @Test
    void cameraM2mStageAndPlaneIntersectThreeWaysAndCountWhatEachHolds() throws NoPlanException {
        Endpoint camera = camera(FormatOffer.linear(PixelFormat.NV12), FormatOffer.linear(PixelFormat.YUYV))
                .exportsV4l2(true).holds(3).build();
        Endpoint stage = Endpoint.builder("vicodec /dev/video2 output", Role.STAGE).imports(true).holds(1)
                .offer(FormatOffer.linear(PixelFormat.YUYV, FormatLimits.builder().pitchAlignment(16)
                        .heightPadding(16).build()))
                .offer(FormatOffer.linear(PixelFormat.NV12)).build();
        Endpoint plane = plane(XR24, FormatOffer.linear(PixelFormat.YUYV,
                FormatLimits.builder().pitchAlignment(64).build())).build();

        Plan plan = planner(1000, 600, camera, stage, plane).slack(2).build().plan(new ScriptedTrials());

        assertEquals(PixelFormat.YUYV, plan.chosen().format());
        assertEquals(camera.exports().orElseThrow(), plan.allocator());
        assertEquals(2048, plan.layout().plane(0).pitch());
        assertEquals(608, plan.layout().plane(0).rows());
        assertEquals(3 + 1 + 2 + 2, plan.count());
        assertEquals("3 (" + CAMERA + ") + 1 (vicodec /dev/video2 output) + 2 (" + PLANE + ") + 2 slack",
                plan.countReason());
        assertEquals(List.of("vicodec /dev/video2 output", PLANE), plan.importers());
        assertEquals(List.of("NV12: not taken by " + PLANE), plan.reasons());
    }

    @Test
    void disjointFormatsAreAnErrorListingBothOffers() {
        Endpoint camera = camera(FormatOffer.linear(PixelFormat.YUYV), FormatOffer.linear(PixelFormat.NV12))
                .exportsV4l2(true).imports(true).build();
        Endpoint plane = plane(XR24, FormatOffer.linear(PixelFormat.RGB565)).build();

        NoPlanException e = assertThrows(NoPlanException.class,
                () -> planner(640, 480, camera, plane).allowCopying(true).build().plan(new ScriptedTrials()));

        assertEquals("no format that " + CAMERA + " offers is taken by every consumer for 640x480\n  offers:\n    "
                + CAMERA + ": YUYV [LINEAR], NV12 [LINEAR]\n    " + PLANE + ": XRGB8888 [LINEAR], RGB565 [LINEAR]",
                e.getMessage());
    }

    @Test
    void preferenceForcesAnAllocatorOrPutsOneFirst() throws NoPlanException {
        Endpoint camera = camera(XR24).exportsV4l2(true).imports(true).build();
        Endpoint plane = plane(XR24).build();

        assertEquals(CAMERA, planner(640, 480, camera, plane).build().plan(new ScriptedTrials())
                .allocator().name());
        assertEquals(PLANE, planner(640, 480, camera, plane).preference(Preference.DEFAULT.forceAllocator(PLANE))
                .build().plan(new ScriptedTrials()).allocator().name());
        assertEquals("udmabuf", planner(640, 480, camera, plane)
                .preference(Preference.DEFAULT.allocatorsFirst("udmabuf", "system")).build()
                .plan(new ScriptedTrials()).allocator().name());

        // Forced, the camera allocates even though the display would refuse its buffers: no plan, with the reason.
        NoPlanException e = assertThrows(NoPlanException.class, () -> planner(640, 480, camera, plane)
                .preference(Preference.DEFAULT.forceAllocator(CAMERA)).build().plan(refusingForeignBuffers()));
        assertTrue(e.getMessage().contains(PLANE + ": DRM_IOCTL_PRIME_FD_TO_HANDLE of a V4L2 MMAP buffer: ENODEV"),
                e.getMessage());
        assertFalse(e.getMessage().contains("dma-heap system"), e.getMessage());
    }

    @Test
    void preferenceOrdersFormats() throws NoPlanException {
        Endpoint camera = camera(FormatOffer.linear(PixelFormat.YUYV), XR24).exportsV4l2(true).build();
        Endpoint plane = plane(XR24, FormatOffer.linear(PixelFormat.YUYV)).build();

        assertEquals(PixelFormat.YUYV, planner(640, 480, camera, plane).build().plan(new ScriptedTrials())
                .chosen().format());
        assertEquals(PixelFormat.XRGB8888, planner(640, 480, camera, plane)
                .preference(Preference.DEFAULT.formatsFirst(PixelFormat.XRGB8888)).build()
                .plan(new ScriptedTrials()).chosen().format());
    }

    @Test
    void aSizeOutsideAnEndpointsLimitsRejectsTheFormatNamingTheEndpoint() {
        Endpoint camera = camera(XR24).exportsV4l2(true).build();
        Endpoint plane = plane(FormatOffer.linear(PixelFormat.XRGB8888,
                FormatLimits.builder().width(1, 1920, 1).height(1, 1080, 1).build())).build();

        NoPlanException e = assertThrows(NoPlanException.class,
                () -> planner(4000, 3000, camera, plane).build().plan(new ScriptedTrials()));

        assertEquals(List.of("XRGB8888: " + PLANE + ": width 4000 is outside 1..1920 step 1"),
                e.rejected().stream().map(Rejection::toString).toList());
    }

    @Test
    void contiguousMemoryRequiredTakesTheCmaHeapAndSaysWhyNotTheOthers() throws NoPlanException {
        Endpoint camera = camera(XR24).imports(true).build();
        Endpoint plane = Endpoint.builder(PLANE, Role.CONSUMER).scanout(false).imports(true).holds(2)
                .offer(FormatOffer.linear(PixelFormat.XRGB8888,
                        FormatLimits.builder().contiguousRequired(true).build())).build();

        Plan plan = Planner.builder(640, 480).producer(camera).consumer(plane).allocator(Allocator.udmabuf())
                .allocator(Allocator.heap("system", false)).allocator(Allocator.heap("reserved", true))
                .build().plan(new ScriptedTrials());

        assertEquals("reserved", plan.allocator().name());
        assertEquals(List.of(), plan.reasons());

        Plan forced = Planner.builder(640, 480).producer(camera).consumer(plane).allocator(Allocator.udmabuf())
                .allocator(Allocator.heap("reserved", true))
                .preference(Preference.DEFAULT.allocatorsFirst("udmabuf")).build().plan(new ScriptedTrials());
        assertEquals("reserved", forced.allocator().name());
        assertEquals(List.of("XRGB8888 LINEAR pitch 2560 from udmabuf: the memory must be physically contiguous and "
                + "udmabuf is not"), forced.reasons());
    }

    /** A camera resolution change: the plan made for 640x480 kept whole for 640x360 buffers of the same allocator. */
    @Test
    void withLayoutReplacesOnlyTheLayoutAndRefusesAnotherFormat() throws NoPlanException {
        Endpoint camera = camera(XR24).exportsV4l2(true).imports(true).build();
        Endpoint plane = plane(XR24).build();
        Plan plan = planner(640, 480, camera, plane).build().plan(refusingForeignBuffers());
        FrameLayout smaller = FrameLayout.of(PixelFormat.XRGB8888, 640, 360);

        Plan resized = plan.withLayout(smaller);

        assertEquals(smaller, resized.layout());
        assertEquals(FrameLayout.of(PixelFormat.XRGB8888, 640, 480), plan.layout(), "the original plan changed");
        assertEquals(plan.kind(), resized.kind());
        assertEquals(plane.exports().orElseThrow(), resized.allocator());
        assertEquals(plan.chosen().format(), resized.chosen().format());
        assertEquals(plan.chosen().modifier(), resized.chosen().modifier());
        assertEquals(List.of(CAMERA), resized.importers());
        assertFalse(plan.framebuffers().isEmpty());
        assertEquals(plan.framebuffers(), resized.framebuffers());
        assertEquals(plan.count(), resized.count());
        assertEquals(plan.countReason(), resized.countReason());
        assertEquals(3, resized.rejected().size(), resized.explain());
        assertEquals(plan.rejected(), resized.rejected());
        assertEquals(plan.reasons(), resized.reasons());
        assertTrue(resized.explain().contains("layout " + smaller), resized.explain());

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> plan.withLayout(FrameLayout.of(PixelFormat.NV12, 640, 360)));
        assertEquals("Plan.withLayout: the layout's format NV12 is not the plan's XRGB8888; a new format needs a new"
                + " plan", refused.getMessage());
        assertThrows(NullPointerException.class, () -> plan.withLayout(null));
    }

    /** A display like virtio-gpu in the test bed: imports only its own buffers. */
    private static ScriptedTrials refusingForeignBuffers() {
        ScriptedTrials trials = new ScriptedTrials();
        for (Allocator.Source source : List.of(Allocator.Source.V4L2_EXPORT, Allocator.Source.DMA_HEAP,
                Allocator.Source.UDMABUF)) {
            trials.answer(TrialStep.IMPORT, PLANE, source, FOREIGN_REFUSED);
        }
        return trials;
    }
}

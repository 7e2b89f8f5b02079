package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.BufferAllocator;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.UdmabufAllocator;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.DeviceTrials;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.FormatOffer;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.dmabuf.negotiation.Planner;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import io.zeroframe.heaps.Heap;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The drm module's side of allocation negotiation on the test bed's drivers: trial operations answering refusals
 * as values (virtio-gpu's ENODEV for foreign buffers), plane endpoints of vkms and virtio-gpu described from what
 * the kernel reports, their dumb-buffer sources and import/ADDFB2/TEST_ONLY sinks, vgem as a render-only importer.
 * After every trial no framebuffer or GEM handle is left on the file, no fd (NoLeaks), and the display shows what
 * it showed before.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class NegotiationDeviceTest {
    private static final TrialResult FOREIGN = TrialResult.fixable("DRM_IOCTL_PRIME_FD_TO_HANDLE", "ENODEV",
            "the driver refuses foreign buffers");

    /** What the display shows: the CRTC's mode, ACTIVE and framebuffer, and each plane's CRTC and framebuffer. */
    private record DisplayState(Optional<Mode> mode, long active, Optional<FramebufferId> crtcFb,
                                List<String> planes) {
        static DisplayState of(DrmDevice card, CrtcId crtc) throws Exception {
            Crtc now = card.crtc(crtc);
            List<String> planes = new ArrayList<>();
            for (Plane plane : card.planes()) {
                planes.add(plane.id() + " " + plane.crtc() + " " + plane.framebuffer());
            }
            return new DisplayState(now.mode(), now.properties().value("ACTIVE").orElseThrow(), now.framebuffer(),
                    planes);
        }
    }

    /** Nothing of the trials is left on the file: no framebuffer it created, no GEM handle. */
    private static void assertNothingLeft(DrmDevice card, int framebuffersBefore) throws Exception {
        assertEquals(framebuffersBefore, card.resources().framebuffers().size(), "framebuffers left on " + card);
        assertEquals(0, card.handles().openHandles(), "GEM handles left on " + card);
    }

    private static Candidate candidate(Allocator allocator, PixelFormat format, int width, int height) {
        return new Candidate(allocator, format, Modifier.LINEAR, FrameLayout.of(format, width, height));
    }

    @Test
    void virtioGpuRefusesHeapAndUdmabufBuffersAsValuesAndImportsItsOwnDumbBuffer() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu"); Heap heap = Heap.open("system")) {
            int framebuffers = card.resources().framebuffers().size();
            UdmabufAllocator udmabuf = new UdmabufAllocator();
            for (BufferAllocator memory : List.<BufferAllocator>of(heap, udmabuf)) {
                try (DmaBuf buffer = memory.allocate(64 * 1024)) {
                    Attempt<GemHandle> imported = card.tryImport(buffer);
                    assertFalse(imported.accepted(), memory.description());
                    assertEquals(FOREIGN, imported.result(), memory.description());
                    System.out.println("virtio_gpu tryImport of " + memory.description() + ": " + imported.result());
                }
                FrameLayout layout = FrameLayout.of(PixelFormat.XRGB8888, 64, 64);
                try (Frame frame = Frame.allocate(memory, layout)) {
                    Attempt<Framebuffer> added = card.tryAddFramebuffer(frame, PixelFormat.XRGB8888, false);
                    assertEquals(FOREIGN, added.result(), "ADDFB2 stops at the import");
                }
                assertNothingLeft(card, framebuffers);
            }
            try (DumbBuffer dumb = card.createDumbBuffer(64, 64, 32); DmaBuf own = dumb.exportDmaBuf()) {
                Attempt<GemHandle> imported = card.tryImport(own);
                assertTrue(imported.accepted(), imported.result().toString());
                try (GemHandle handle = imported.get()) {
                    assertEquals(dumb.handle().value(), handle.value(), "its own buffer comes back as its handle");
                }
            }
            assertNothingLeft(card, framebuffers);
        }
    }

    /**
     * virtio-gpu's primary plane: it claims imports, exports dumb buffers, must cover its CRTC (limits of exactly
     * the mode's size, found by the probe); its own dumb buffer passes ADDFB2 and the TEST_ONLY commit at the
     * mode's size, a smaller one is refused by the test commit, not fixable, and a system-heap frame is refused at
     * the import, fixable.
     */
    @Test
    void virtioGpuPrimaryPlaneShowsItsOwnDumbFrameAndRefusesAHeapFrame() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu"); Heap heap = Heap.open("system")) {
            Cards.Display display = Cards.display(card);
            PlaneEndpoint plane = PlaneEndpoint.of(card, display.primary(), card.crtc(display.crtc()),
                    display.connector(), display.mode());
            Endpoint endpoint = plane.endpoint();
            System.out.println("virtio_gpu primary: " + endpoint + " " + endpoint.offers() + " exports "
                    + endpoint.exports() + " imports " + endpoint.imports() + " modifiers "
                    + endpoint.framebufferModifiers());
            assertEquals("virtio_gpu plane " + display.primary().id().value(), endpoint.name());
            assertTrue(endpoint.imports(), "virtio-gpu claims PRIME import");
            Allocator dumb = endpoint.exports().orElseThrow();
            assertEquals(Allocator.Source.DRM_DUMB_EXPORT, dumb.source());
            int width = display.mode().hdisplay();
            int height = display.mode().vdisplay();
            assertTrue(plane.coversWholeCrtc(), "virtio-gpu's primary plane must cover its CRTC");
            FormatOffer xrgb = endpoint.offerFor(PixelFormat.XRGB8888).orElseThrow();
            assertEquals(List.of(width, width, height, height), List.of(xrgb.limits().minWidth(),
                    xrgb.limits().maxWidth(), xrgb.limits().minHeight(), xrgb.limits().maxHeight()));
            assertEquals(2, endpoint.holds());
            DisplayState before = DisplayState.of(card, display.crtc());
            int framebuffers = card.resources().framebuffers().size();
            BufferSource source = plane.source().orElseThrow();
            BufferSink sink = plane.sink();
            Candidate own = candidate(dumb, PixelFormat.XRGB8888, width, height);
            Attempt<Frame> made = source.allocate(own);
            try (Frame frame = made.get()) {
                assertEquals(own.layout().plane(0).pitch(), frame.plane(0).pitch());
                assertEquals(TrialResult.ACCEPTED, sink.registerFramebuffer(frame, PixelFormat.XRGB8888,
                        endpoint.framebufferModifiers()));
                assertEquals(TrialResult.ACCEPTED, sink.testCommit());
            } finally {
                sink.release();
                source.release();
            }
            assertNothingLeft(card, framebuffers);
            Candidate small = candidate(dumb, PixelFormat.XRGB8888, width / 2, height / 2);
            try (Frame frame = source.allocate(small).get()) {
                assertEquals(TrialResult.ACCEPTED, sink.registerFramebuffer(frame, PixelFormat.XRGB8888, false));
                TrialResult shown = sink.testCommit();
                System.out.println("virtio_gpu primary, " + width / 2 + "x" + height / 2 + " frame: " + shown);
                assertEquals(TrialResult.Outcome.NOT_FIXABLE, shown.outcome(), shown.toString());
                assertEquals("DRM_IOCTL_MODE_ATOMIC", shown.call());
                assertEquals("EINVAL", shown.errno());
            } finally {
                sink.release();
                source.release();
            }
            assertNothingLeft(card, framebuffers);
            try (Frame frame = Frame.allocate(heap, own.layout())) {
                assertEquals(FOREIGN, sink.importFrame(frame, own));
            } finally {
                sink.release();
            }
            assertNothingLeft(card, framebuffers);
            assertEquals(before, DisplayState.of(card, display.crtc()), "the display changed");
        }
    }

    /**
     * vkms's primary plane: its formats (recorded), LINEAR, holds 2; in 6.12 it may be placed (the probe's small
     * frame passes), so its limits are the mode config's range and a half-size frame passes the TEST_ONLY commit;
     * its dumb source makes a frame; a system-heap ARGB8888 frame of the mode's size passes import, ADDFB2 as
     * XRGB8888 and TEST_ONLY; an unknown modifier is refused by ADDFB2, fixable. The display is as before, no
     * framebuffer or handle is left.
     */
    @Test
    void vkmsPrimaryPlaneEndpointSourceAndSink() throws Exception {
        try (DrmDevice card = Cards.open("vkms"); Heap heap = Heap.open("system")) {
            Cards.Display display = Cards.display(card);
            int width = display.mode().hdisplay();
            int height = display.mode().vdisplay();
            List<String> nodesBefore = nodeFds();
            PlaneEndpoint plane = PlaneEndpoint.of(card, display.primary(), card.crtc(display.crtc()),
                    display.connector(), display.mode());
            assertEquals(nodesBefore, nodeFds(), "building the endpoint opened a node");
            Endpoint endpoint = plane.endpoint();
            System.out.println("vkms primary: " + endpoint + " " + endpoint.offers() + " limits "
                    + endpoint.offers().getFirst().limits() + " exports " + endpoint.exports());
            assertEquals(Role.CONSUMER, endpoint.role());
            assertEquals(2, endpoint.holds());
            assertTrue(endpoint.scanout() && endpoint.imports() && endpoint.framebufferModifiers());
            assertFalse(plane.coversWholeCrtc(), "vkms 6.12 places its primary plane anywhere");
            List<PixelFormat> formats = endpoint.offers().stream().map(FormatOffer::format).toList();
            assertTrue(formats.containsAll(List.of(PixelFormat.ARGB8888, PixelFormat.XRGB8888)), formats.toString());
            for (FormatOffer offer : endpoint.offers()) {
                assertEquals(List.of(Modifier.LINEAR), offer.modifiers(), offer.toString());
                Resources resources = card.resources();
                assertEquals(List.of(Math.max(1, resources.minWidth()), resources.maxWidth(),
                        Math.max(1, resources.minHeight()), resources.maxHeight()), List.of(offer.limits().minWidth(), offer.limits().maxWidth(),
                        offer.limits().minHeight(), offer.limits().maxHeight()));
            }
            DisplayState before = DisplayState.of(card, display.crtc());
            int framebuffers = card.resources().framebuffers().size();

            BufferSource source = plane.source().orElseThrow();
            Candidate dumb = candidate(endpoint.exports().orElseThrow(), PixelFormat.XRGB8888, width, height);
            Attempt<Frame> made = source.allocate(dumb);
            try (Frame frame = made.get()) {
                assertEquals(1, card.handles().openHandles(), "the dumb buffer's handle is held until release");
                assertEquals(dumb.layout().plane(0).pitch(), frame.plane(0).pitch());
            } finally {
                source.release();
            }
            assertNothingLeft(card, framebuffers);

            BufferSink sink = plane.sink();
            Candidate heapCandidate = candidate(Allocator.heap("system", false), PixelFormat.ARGB8888, width, height);
            try (Frame frame = Frame.allocate(heap, heapCandidate.layout())) {
                assertEquals(TrialResult.ACCEPTED, sink.importFrame(frame, heapCandidate));
                assertEquals(TrialResult.ACCEPTED, sink.registerFramebuffer(frame, PixelFormat.XRGB8888, true),
                        "an ARGB8888 frame registered as XRGB8888");
                assertEquals(TrialResult.ACCEPTED, sink.testCommit());
            } finally {
                sink.release();
            }
            assertNothingLeft(card, framebuffers);

            Candidate small = candidate(Allocator.heap("system", false), PixelFormat.XRGB8888, width / 2, height / 2);
            try (Frame frame = Frame.allocate(heap, small.layout())) {
                assertEquals(TrialResult.ACCEPTED, sink.importFrame(frame, small));
                assertEquals(TrialResult.ACCEPTED, sink.registerFramebuffer(frame, PixelFormat.XRGB8888, true));
                TrialResult shown = sink.testCommit();
                System.out.println("vkms primary, " + width / 2 + "x" + height / 2 + " frame: " + shown);
                assertEquals(TrialResult.ACCEPTED, shown);
            } finally {
                sink.release();
            }
            assertNothingLeft(card, framebuffers);

            FrameLayout layout = FrameLayout.of(PixelFormat.XRGB8888, width, height);
            DmaBuf buffer = heap.allocate(layout.totalSize());
            Modifier xTiled = Modifier.of(0x0100000000000001L);
            try (Frame tiled = Frame.of(PixelFormat.XRGB8888, width, height, xTiled,
                    List.of(new Frame.Plane(buffer, 0, layout.plane(0).pitch(), layout.totalSize())))) {
                TrialResult registered = sink.registerFramebuffer(tiled, PixelFormat.XRGB8888, true);
                System.out.println("vkms ADDFB2 of " + xTiled + ": " + registered);
                assertEquals(TrialResult.Outcome.FIXABLE_BY_REALLOCATION, registered.outcome());
                assertEquals("DRM_IOCTL_MODE_ADDFB2", registered.call());
                assertEquals("EINVAL", registered.errno());
            } finally {
                sink.release();
            }
            assertNothingLeft(card, framebuffers);
            assertEquals(before, DisplayState.of(card, display.crtc()), "the display changed");
        }
    }

    /** vkms's overlay planes (6.12) offer no YUV format: a planner must fall back to RGB for them. */
    @Test
    void vkmsOverlayPlanesOfferNoYuv() throws Exception {
        try (DrmDevice card = Cards.open("vkms")) {
            Cards.Display display = Cards.display(card);
            Crtc crtc = card.crtc(display.crtc());
            int overlays = 0;
            for (Plane overlay : card.planes()) {
                if (overlay.type() != PlaneType.OVERLAY || !overlay.canUse(crtc.id())) {
                    continue;
                }
                overlays++;
                PlaneEndpoint plane = PlaneEndpoint.of(card, overlay, crtc, display.connector(), display.mode());
                assertFalse(plane.coversWholeCrtc());
                if (overlays == 1) {
                    System.out.println("vkms overlay " + overlay.id() + " kernel formats " + overlay.formats()
                            + " -> offers " + plane.endpoint().offers());
                }
                for (FormatOffer offer : plane.endpoint().offers()) {
                    PixelFormat format = offer.format();
                    boolean yuv = format.planeCount() > 1 || format.equals(PixelFormat.YUYV)
                            || format.equals(PixelFormat.UYVY);
                    assertFalse(yuv, plane.endpoint() + " offers " + format);
                    assertTrue(offer.limits().minWidth() <= 64 && offer.limits().maxWidth() >= 4096,
                            offer.limits().toString());
                }
            }
            assertEquals(8, overlays, "vkms loaded with enable_overlay has 8 overlay planes");
        }
    }

    /** vgem as a render-only importer: imports a udmabuf frame, exports dumb buffers, has no framebuffers. */
    @Test
    void vgemRenderEndpointImportsAUdmabufFrame() throws Exception {
        try (DrmDevice vgem = Cards.open("vgem")) {
            List<String> nodesBefore = nodeFds();
            RenderEndpoint render = RenderEndpoint.of(vgem);
            assertEquals(nodesBefore, nodeFds(), "building the endpoint opened a node");
            Endpoint endpoint = render.endpoint();
            System.out.println("vgem: " + endpoint + " imports " + endpoint.imports() + " exports "
                    + endpoint.exports() + ", " + endpoint.offers().size() + " formats");
            assertEquals("vgem " + vgem.path(), endpoint.name());
            assertEquals(Role.CONSUMER, endpoint.role());
            assertTrue(endpoint.imports());
            assertFalse(endpoint.scanout());
            assertEquals(PixelFormat.all().size(), endpoint.offers().size());
            Allocator dumb = endpoint.exports().orElseThrow(() -> new AssertionError("vgem makes dumb buffers"));
            BufferSink sink = render.sink();
            Candidate candidate = candidate(Allocator.udmabuf(), PixelFormat.NV12, 640, 480);
            try (Frame frame = Frame.allocate(new UdmabufAllocator(), candidate.layout())) {
                assertEquals(TrialResult.ACCEPTED, sink.importFrame(frame, candidate));
                assertEquals(1, vgem.handles().openHandles());
                assertEquals(TrialResult.Outcome.NOT_FIXABLE,
                        sink.registerFramebuffer(frame, PixelFormat.NV12, false).outcome());
            } finally {
                sink.release();
            }
            assertEquals(0, vgem.handles().openHandles());
            BufferSource source = render.source().orElseThrow();
            try (Frame frame = source.allocate(candidate(dumb, PixelFormat.XRGB8888, 640, 480)).get()) {
                assertEquals(2560, frame.plane(0).pitch());
            } finally {
                source.release();
            }
            assertEquals(0, vgem.handles().openHandles());
        }
    }

    /**
     * The planner on the real displays, with a producer that imports whatever it is given (a stand-in for a
     * camera: the V4L2 side is the v4l2 module's): on vkms the system heap is proved and chosen; on virtio-gpu
     * the heap and udmabuf are refused by probing (ENODEV) and virtio-gpu's own dumb buffers are chosen.
     */
    @Test
    void thePlannerProvesHeapOnVkmsAndFallsToDumbBuffersOnVirtioGpu() throws Exception {
        for (String driver : List.of("vkms", "virtio_gpu")) {
            try (DrmDevice card = Cards.open(driver); Heap heap = Heap.open("system")) {
                Cards.Display display = Cards.display(card);
                int width = display.mode().hdisplay();
                int height = display.mode().vdisplay();
                PlaneEndpoint plane = PlaneEndpoint.of(card, display.primary(), card.crtc(display.crtc()),
                        display.connector(), display.mode());
                Endpoint producer = Endpoint.builder("importing producer", Role.PRODUCER)
                        .offer(FormatOffer.linear(PixelFormat.XRGB8888)).imports(true).holds(2).build();
                BufferSink accepting = new BufferSink() {
                    @Override
                    public Endpoint endpoint() {
                        return producer;
                    }

                    @Override
                    public TrialResult importFrame(Frame frame, Candidate candidate) {
                        return TrialResult.ACCEPTED;
                    }

                    @Override
                    public void release() {}
                };
                Allocator system = Allocator.heap("system", false);
                DeviceTrials trials = DeviceTrials.builder()
                        .source(BufferSource.of(system, heap))
                        .source(BufferSource.of(Allocator.udmabuf(), new UdmabufAllocator()))
                        .source(plane.source().orElseThrow())
                        .sink(accepting).sink(plane.sink()).build();
                DisplayState before = DisplayState.of(card, display.crtc());
                int framebuffers = card.resources().framebuffers().size();
                long start = System.nanoTime();
                Plan plan = Planner.builder(width, height).producer(producer).consumer(plane.endpoint())
                        .allocator(system).allocator(Allocator.udmabuf()).build().plan(trials);
                System.out.printf("%s plan in %.1f ms:%n%s%n", driver, (System.nanoTime() - start) / 1e6,
                        plan.explain());
                if (driver.equals("vkms")) {
                    assertEquals(system, plan.chosen().allocator());
                } else {
                    assertEquals(plane.endpoint().exports().orElseThrow(), plan.chosen().allocator());
                    String text = plan.explain();
                    assertTrue(text.contains("DRM_IOCTL_PRIME_FD_TO_HANDLE of a dma-heap buffer: ENODEV, the driver "
                            + "refuses foreign buffers"), text);
                    assertTrue(text.contains("DRM_IOCTL_PRIME_FD_TO_HANDLE of a udmabuf buffer: ENODEV"), text);
                }
                assertNothingLeft(card, framebuffers);
                assertEquals(before, DisplayState.of(card, display.crtc()), "the display changed");
            }
        }
    }

    private static List<String> nodeFds() {
        return io.zeroframe.bindings.sys.ProcessFds.list().values().stream()
                .filter(target -> target.startsWith("/dev/dri/")).sorted().toList();
    }
}

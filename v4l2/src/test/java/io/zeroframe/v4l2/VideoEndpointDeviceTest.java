package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.UdmabufAllocator;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Attempt;
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
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * V4L2 queues as negotiation endpoints on vivid: what the description says, the camera's export and a queue's
 * import proved on the driver, refusals as values, and after every trial no buffer, fd or mapping left.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class VideoEndpointDeviceTest {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;

    private static Candidate candidate(Allocator allocator, PixelFormat format, FrameLayout layout) {
        return new Candidate(allocator, format, Modifier.LINEAR, layout);
    }

    @Test
    void vividCaptureDescribesItsFormatsInDriverOrder() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            Endpoint endpoint = VideoEndpoint.of(queue, Role.PRODUCER, WIDTH, HEIGHT).endpoint();
            System.out.println(endpoint.name() + ": " + endpoint);
            endpoint.offers().forEach(offer -> System.out.println("  " + offer + " " + offer.limits()));
            System.out.println("  exports " + endpoint.exports() + ", imports " + endpoint.imports() + ", holds "
                    + endpoint.holds());
            assertEquals("vivid " + node + " capture", endpoint.name());
            assertEquals(Role.PRODUCER, endpoint.role());
            // each frame-model format once, where the driver lists it first: vivid lists the deprecated 'BGR4'
            // and 'XR24', both XRGB8888
            List<PixelFormat> listed = camera.formats(CAPTURE).stream().map(FormatDescription::pixelFormat)
                    .flatMap(Optional::stream).distinct().toList();
            assertEquals(listed, endpoint.offers().stream().map(FormatOffer::format).toList());
            assertTrue(listed.containsAll(List.of(PixelFormat.XRGB8888, PixelFormat.ARGB8888, PixelFormat.YUYV)),
                    listed.toString());
            for (FormatOffer offer : endpoint.offers()) {
                assertEquals(List.of(Modifier.LINEAR), offer.modifiers());
                assertTrue(offer.limits().minWidth() <= WIDTH && WIDTH <= offer.limits().maxWidth()
                        && offer.limits().minHeight() <= HEIGHT && HEIGHT <= offer.limits().maxHeight(),
                        offer + " " + offer.limits());
                assertEquals(1, offer.limits().pitchAlignment(), offer.toString());
                assertEquals(Long.MAX_VALUE, offer.limits().maxPitch(), offer + ": vivid keeps a padded pitch");
            }
            assertTrue(endpoint.imports());
            Allocator export = endpoint.exports().orElseThrow();
            assertEquals(Allocator.Source.V4L2_EXPORT, export.source());
            assertTrue(export.honoursRequestedPitch());
            assertEquals(camera.minBuffers(CAPTURE).orElse(1), endpoint.holds());
            assertEquals(List.of(), queue.buffers());
        }
    }

    @Test
    void theCameraExportsTheCandidatesLayoutOrRefusesIt() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = camera.openQueue(CAPTURE)) {
            VideoEndpoint vivid = VideoEndpoint.of(queue, Role.PRODUCER, WIDTH, HEIGHT);
            BufferSource source = vivid.source().orElseThrow();
            Allocator export = vivid.endpoint().exports().orElseThrow();
            assertEquals(export, source.allocator());
            for (FrameLayout layout : List.of(FrameLayout.of(PixelFormat.XRGB8888, WIDTH, HEIGHT),
                    FrameLayout.of(PixelFormat.XRGB8888, WIDTH, HEIGHT, 1024))) {
                Attempt<Frame> made = source.allocate(candidate(export, PixelFormat.XRGB8888, layout));
                assertTrue(made.accepted(), made.result().toString());
                try (Frame frame = made.get()) {
                    assertEquals(layout.plane(0).pitch(), frame.plane(0).pitch());
                    assertEquals(1, frame.buffers().size());
                    // REQBUFS 1: vivid grants 2 (vb2's minimum allocation); the frame is buffer 0's
                    System.out.println("exported " + frame + " pitch " + frame.plane(0).pitch() + ", the driver granted "
                            + queue.buffers().size() + " buffer(s) for 1");
                    assertFalse(queue.buffers().isEmpty());
                } finally {
                    source.release();
                }
                assertEquals(List.of(), queue.buffers());
            }
            // the webcam input has discrete sizes: 700x500 becomes another size, so the candidate is refused
            Attempt<Frame> refused = source.allocate(candidate(export, PixelFormat.XRGB8888,
                    FrameLayout.of(PixelFormat.XRGB8888, 700, 500)));
            System.out.println("refused: " + refused.result());
            assertFalse(refused.accepted());
            assertEquals(TrialResult.Outcome.FIXABLE_BY_REALLOCATION, refused.result().outcome());
            assertEquals("VIDIOC_S_FMT", refused.result().call());
            assertTrue(refused.result().reason().contains("the driver set XR24 "), refused.result().reason());
            source.release();
            assertEquals(List.of(), queue.buffers());
        }
    }

    @Test
    void aMultiPlanarQueueOffersSeparatePlanesAndExportsOneDmaBufPerPlane() throws Exception {
        BufferType mplane = BufferType.VIDEO_CAPTURE_MPLANE;
        try (VideoDevice camera = VideoDevice.open(Vivid.node(1, "cap")); VideoQueue queue = camera.openQueue(mplane)) {
            VideoEndpoint vivid = VideoEndpoint.of(queue, Role.PRODUCER, WIDTH, HEIGHT);
            Endpoint endpoint = vivid.endpoint();
            endpoint.offers().forEach(offer -> System.out.println("  " + offer + " separate planes "
                    + offer.limits().separatePlanes()));
            for (PixelFormat format : List.of(PixelFormat.NV12M, PixelFormat.YUV420M, PixelFormat.NV12)) {
                FormatOffer offer = endpoint.offers().stream().filter(o -> o.format().equals(format)).findFirst()
                        .orElseThrow(() -> new AssertionError(format + " not offered: " + endpoint.offers()));
                assertTrue(offer.limits().separatePlanes(), offer.toString());
            }
            assertTrue(endpoint.offerFor(PixelFormat.NV12M).isPresent());
            Allocator export = endpoint.exports().orElseThrow();
            BufferSource source = vivid.source().orElseThrow();
            for (PixelFormat format : List.of(PixelFormat.NV12M, PixelFormat.YUV420M)) {
                Attempt<Frame> made = source.allocate(candidate(export, format, FrameLayout.of(format, WIDTH, HEIGHT)));
                assertTrue(made.accepted(), made.result().toString());
                try (Frame frame = made.get()) {
                    assertEquals(format.planeCount(), frame.buffers().size(), frame.toString());
                    for (Frame.Plane plane : frame.planes()) {
                        assertEquals(0, plane.offset());
                    }
                } finally {
                    source.release();
                }
                assertEquals(List.of(), queue.buffers());
            }
        }
    }

    @Test
    void heapAndUdmabufFramesAreImportedAndPrepared() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = camera.openQueue(CAPTURE);
             Heap heap = Heap.open("system")) {
            VideoEndpoint vivid = VideoEndpoint.of(queue, Role.PRODUCER, WIDTH, HEIGHT);
            FrameLayout layout = FrameLayout.of(PixelFormat.XRGB8888, WIDTH, HEIGHT, 1024);
            record Memory(Allocator allocator, io.zeroframe.dmabuf.BufferAllocator memory) {}
            for (Memory memory : List.of(new Memory(Allocator.heap("system", false), heap),
                    new Memory(Allocator.udmabuf(), new UdmabufAllocator("v4l2-trial")))) {
                try (Frame frame = Frame.allocate(memory.memory(), layout)) {
                    TrialResult imported = vivid.sink().importFrame(frame,
                            candidate(memory.allocator(), PixelFormat.XRGB8888, layout));
                    System.out.println(memory.allocator() + " into " + vivid + ": " + imported);
                    assertEquals(TrialResult.ACCEPTED, imported);
                    assertEquals(1, queue.buffers().size());
                    assertFalse(queue.buffers().getFirst().isQueued(), "proved by VIDIOC_PREPARE_BUF, not queued");
                    assertEquals(3072, camera.getFormat(CAPTURE).planes().getFirst().bytesPerLine());
                } finally {
                    vivid.sink().release();
                }
                assertEquals(List.of(), queue.buffers());
            }
        }
    }

    @Test
    void refusedImportsAreValuesAndLeaveNothingBehind() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE);
             Heap heap = Heap.open("system")) {
            VideoEndpoint vivid = VideoEndpoint.of(queue, Role.PRODUCER, WIDTH, HEIGHT);
            Allocator system = Allocator.heap("system", false);

            // a size the webcam does not have: S_FMT answers another, the layout is refused
            FrameLayout odd = FrameLayout.of(PixelFormat.XRGB8888, 700, 500);
            try (Frame frame = Frame.allocate(heap, odd)) {
                TrialResult refused = vivid.sink().importFrame(frame, candidate(system, PixelFormat.XRGB8888, odd));
                System.out.println("refused: " + refused);
                assertEquals(TrialResult.Outcome.FIXABLE_BY_REALLOCATION, refused.outcome());
                assertEquals("VIDIOC_S_FMT", refused.call());
            } finally {
                vivid.sink().release();
            }
            assertEquals(List.of(), queue.buffers());

            // a frame smaller than the candidate says: refused by the import's checks, as a value
            FrameLayout layout = FrameLayout.of(PixelFormat.XRGB8888, WIDTH, HEIGHT);
            try (Frame small = Frame.allocate(heap, FrameLayout.of(PixelFormat.XRGB8888, WIDTH, HEIGHT / 2))) {
                TrialResult refused = vivid.sink().importFrame(small, candidate(system, PixelFormat.XRGB8888, layout));
                System.out.println("refused: " + refused);
                assertEquals(TrialResult.Outcome.FIXABLE_BY_REALLOCATION, refused.outcome());
                assertEquals("VIDIOC_REQBUFS", refused.call());
                assertTrue(refused.reason().contains("is 640x240"), refused.reason());
            } finally {
                vivid.sink().release();
            }
            assertEquals(List.of(), queue.buffers());

            // another file holds the node's buffers: the kernel's EBUSY, which no allocation fixes
            try (VideoDevice other = VideoDevice.open(node); VideoQueue holder = other.openQueue(CAPTURE);
                 Frame frame = Frame.allocate(heap, layout)) {
                holder.allocate(1);
                TrialResult refused = vivid.sink().importFrame(frame, candidate(system, PixelFormat.XRGB8888, layout));
                System.out.println("refused: " + refused);
                assertEquals(TrialResult.Outcome.NOT_FIXABLE, refused.outcome());
                assertEquals("VIDIOC_S_FMT", refused.call());
                assertEquals("EBUSY", refused.errno());
                vivid.sink().release();
                assertEquals(List.of(), queue.buffers());
            }
        }
    }

    @Test
    void thePlannerProvesVividCaptureIntoVividOutput() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture());
             VideoQueue capture = camera.openQueue(CAPTURE);
             VideoDevice display = VideoDevice.open(Vivid.node(0, "out"));
             VideoQueue output = display.openQueue(BufferType.VIDEO_OUTPUT);
             Heap heap = Heap.open("system")) {
            VideoFormat saved = display.getFormat(BufferType.VIDEO_OUTPUT);
            try {
                plan(capture, output, heap);
            } finally {
                display.setFormat(saved);
            }
        }
    }

    private static void plan(VideoQueue capture, VideoQueue output, Heap heap) throws Exception {
        VideoEndpoint producer = VideoEndpoint.of(capture, Role.PRODUCER, WIDTH, HEIGHT);
        VideoEndpoint consumer = VideoEndpoint.of(output, Role.CONSUMER, WIDTH, HEIGHT);
        Allocator system = Allocator.heap("system", false);
        DeviceTrials trials = DeviceTrials.builder().source(producer.source().orElseThrow())
                .source(BufferSource.of(system, heap)).sink(producer.sink()).sink(consumer.sink()).build();
        long started = System.nanoTime();
        Plan plan = Planner.builder(WIDTH, HEIGHT).producer(producer.endpoint()).consumer(consumer.endpoint())
                .allocator(system).build().plan(trials);
        System.out.printf("planned in %.1f ms:%n%s%n", (System.nanoTime() - started) / 1e6, plan.explain());
        assertEquals(Plan.Kind.ZERO_COPY, plan.kind());
        assertEquals(producer.endpoint().exports().orElseThrow(), plan.chosen().allocator());
        assertEquals(List.of(consumer.endpoint().name()), plan.importers());
        assertEquals(List.of(), capture.buffers());
        assertEquals(List.of(), output.buffers());
    }
}

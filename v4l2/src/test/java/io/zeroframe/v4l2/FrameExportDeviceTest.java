package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.UdmabufAllocator;
import io.zeroframe.heaps.Heap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * V4L2 buffers as frame-model frames: vivid's MMAP buffers exported as {@link Frame}s (one dma-buf for XR24 and
 * contiguous NV12, one per plane for NV12M) hold what the camera wrote; frames imported with
 * {@link VideoQueue#importFrames} are checked against the format (pitch, offsets, memory planes) and captured into;
 * the minimum-buffers controls of vivid, vim2m and vicodec.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class FrameExportDeviceTest {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;

    @Test
    void exportedFramesHoldWhatTheCameraWrote() throws Exception {
        record Case(int instance, BufferType type, PixelFormat format, int buffers, long chromaOffset) {}
        List<Case> cases = List.of(new Case(0, BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, 1, -1),
                new Case(0, BufferType.VIDEO_CAPTURE, PixelFormat.NV12, 1, (long) WIDTH * HEIGHT),
                new Case(1, BufferType.VIDEO_CAPTURE_MPLANE, PixelFormat.NV12M, 2, 0));
        for (Case c : cases) {
            Path node = Vivid.node(c.instance(), "cap");
            Vivid.pattern(node, Vivid.COLORBAR_75);
            try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(c.type())) {
                VideoFormat format = camera.setFormat(VideoFormat.of(c.type(), c.format(), WIDTH, HEIGHT));
                List<VideoBuffer> buffers = queue.allocate(2);
                List<Frame> frames = new ArrayList<>();
                try {
                    for (VideoBuffer buffer : buffers) {
                        Frame frame = queue.exportFrame(buffer);
                        frames.add(frame);
                        assertEquals(c.format(), frame.format());
                        assertEquals(Modifier.LINEAR, frame.modifier());
                        assertEquals(List.of(WIDTH, HEIGHT), List.of(frame.width(), frame.height()));
                        assertEquals(c.buffers(), frame.buffers().size(), c.format() + " dma-bufs");
                        assertEquals(format.planes().getFirst().bytesPerLine(), frame.plane(0).pitch());
                        if (c.chromaOffset() >= 0) {
                            assertEquals(c.chromaOffset(), frame.plane(1).offset(), c.format() + " chroma offset");
                        }
                        queue.enqueue(buffer);
                    }
                    queue.streamOn();
                    VideoBuffer filled = queue.dequeue(10_000).orElseThrow();
                    assertFalse(filled.isError());
                    Frame frame = frames.get(filled.index());
                    try (Arena arena = Arena.ofConfined()) {
                        for (int p = 0; p < filled.planeCount(); p++) {
                            DmaBuf memory = frame.buffers().get(p);
                            MemorySegment exported = memory.map(arena, Access.READ);
                            try (CpuAccess cpu = memory.cpuAccess(Access.READ)) {
                                long used = filled.bytesUsed(p);
                                assertTrue(used > 0 && used <= exported.byteSize(), "bytesused " + used);
                                assertEquals(-1, exported.asSlice(0, used).mismatch(filled.plane(p).asSlice(0, used)),
                                        c.format() + " memory plane " + p + ": the EXPBUF mapping and the MMAP plane");
                                if (c.format().equals(PixelFormat.XRGB8888)) {
                                    assertEquals(List.of(), Vivid.wrongBars(exported, frame.plane(0).pitch(), WIDTH,
                                            HEIGHT));
                                }
                            }
                        }
                    }
                    System.out.println("exported " + c.format() + ": " + frame + ", planes " + frame.planes().stream()
                            .map(plane -> "@" + plane.offset() + " pitch " + plane.pitch()).toList());
                    queue.streamOff();
                } finally {
                    frames.forEach(Frame::close);
                }
                queue.release();
            }
        }
    }

    @Test
    void aFreedBufferIsNotExported() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture());
             VideoQueue queue = camera.openQueue(BufferType.VIDEO_CAPTURE)) {
            camera.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, WIDTH, HEIGHT));
            VideoBuffer stale = queue.allocate(1).getFirst();
            queue.release();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> queue.exportFrame(stale));
            assertTrue(e.getMessage().contains("buffer 0 was freed"), e.getMessage());
        }
    }

    @Test
    void importedFramesAreCheckedAndCapturedInto() throws Exception {
        Path node = Vivid.capture();
        Vivid.pattern(node, Vivid.COLORBAR_75);
        BufferType capture = BufferType.VIDEO_CAPTURE;
        try (Heap heap = Heap.open("system"); VideoDevice camera = VideoDevice.open(node);
             VideoQueue queue = camera.openQueue(capture);
             Frame heapFrame = Frame.allocate(heap, FrameLayout.of(PixelFormat.XRGB8888, WIDTH, HEIGHT));
             Frame udmabufFrame = Frame.allocate(new UdmabufAllocator("v4l2-frames"),
                     FrameLayout.of(PixelFormat.XRGB8888, WIDTH, HEIGHT));
             Frame padded = Frame.allocate(heap, FrameLayout.of(PixelFormat.XRGB8888, WIDTH, HEIGHT, 1024));
             Frame nv12m = Frame.allocate(heap, FrameLayout.of(PixelFormat.NV12M, WIDTH, HEIGHT))) {
            camera.setFormat(VideoFormat.of(capture, PixelFormat.XRGB8888, WIDTH, HEIGHT));
            List<VideoBuffer> buffers = queue.importFrames(List.of(heapFrame, udmabufFrame));
            for (VideoBuffer buffer : buffers) {
                queue.enqueue(buffer);
            }
            queue.streamOn();
            for (int i = 0; i < 2; i++) {
                VideoBuffer filled = queue.dequeue(10_000).orElseThrow();
                Frame frame = filled.index() == 0 ? heapFrame : udmabufFrame;
                assertTrue(filled.dmaBuf(0) == frame.plane(0).buffer(), "buffer i is frame i");
                try (Arena arena = Arena.ofConfined(); CpuAccess cpu = frame.plane(0).buffer().cpuAccess(Access.READ)) {
                    assertEquals(List.of(), Vivid.wrongBars(frame.plane(0).buffer().map(arena, Access.READ),
                            frame.plane(0).pitch(), WIDTH, HEIGHT), "frame " + filled.index());
                }
            }
            queue.release();

            // a pitch the format does not have: refused before the driver is asked, the message names it all
            IllegalArgumentException pitch = assertThrows(IllegalArgumentException.class,
                    () -> queue.importFrames(List.of(padded)));
            System.out.println("refused: " + pitch.getMessage());
            assertTrue(pitch.getMessage().contains("frame 0") && pitch.getMessage().contains("plane 0: pitch 3072")
                    && pitch.getMessage().contains("bytesperline 2560")
                    && pitch.getMessage().contains("XR24 640x480"), pitch.getMessage());
            assertEquals(List.of(), queue.buffers());

            // NV12M planes in two dma-bufs cannot be a single-planar NV12 buffer
            camera.setFormat(VideoFormat.of(capture, PixelFormat.NV12, WIDTH, HEIGHT));
            IllegalArgumentException planes = assertThrows(IllegalArgumentException.class,
                    () -> queue.importFrames(List.of(nv12m)));
            System.out.println("refused: " + planes.getMessage());
            assertTrue(planes.getMessage().contains("plane 1: offset 0, V4L2 puts it at 307200"),
                    planes.getMessage());
            assertEquals(List.of(), queue.buffers());
        }
    }

    @Test
    void minimumBuffersAsTheDriversSayThem() throws Exception {
        List<String> answers = new ArrayList<>();
        try (VideoDevice vivid = VideoDevice.open(Vivid.capture());
             VideoDevice vividOut = VideoDevice.open(Vivid.node(0, "out"));
             VideoDevice vim2m = VideoDevice.open(VideoDevices.findByDriver("vim2m").getFirst());
             VideoDevice encoder = CodecDeviceTest.open("stateful-encoder");
             VideoDevice decoder = CodecDeviceTest.open("stateful-decoder")) {
            OptionalInt vividCapture = vivid.minBuffers(BufferType.VIDEO_CAPTURE);
            OptionalInt vividOutput = vividOut.minBuffers(BufferType.VIDEO_OUTPUT);
            OptionalInt vim2mCapture = vim2m.minBuffers(BufferType.VIDEO_CAPTURE);
            OptionalInt vim2mOutput = vim2m.minBuffers(BufferType.VIDEO_OUTPUT);
            OptionalInt encoderOutput = encoder.minBuffers(CodecDeviceTest.output(encoder));
            OptionalInt encoderCapture = encoder.minBuffers(CodecDeviceTest.capture(encoder));
            OptionalInt decoderCapture = decoder.minBuffers(CodecDeviceTest.capture(decoder));
            answers.add("vivid capture " + vividCapture + ", vivid output " + vividOutput + ", vim2m capture "
                    + vim2mCapture + ", vim2m output " + vim2mOutput + ", vicodec encoder output " + encoderOutput
                    + ", encoder capture " + encoderCapture + ", vicodec decoder capture " + decoderCapture);
            System.out.println("minimum buffers: " + answers);
            assertEquals(OptionalInt.empty(), vividCapture);
            assertEquals(OptionalInt.empty(), vividOutput);
            assertEquals(OptionalInt.empty(), vim2mCapture);
            assertEquals(OptionalInt.empty(), vim2mOutput);
            assertTrue(encoderOutput.isPresent() && encoderOutput.getAsInt() >= 1, answers.toString());
        }
    }
}

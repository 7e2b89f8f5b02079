package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.PixelFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The zero-copy chain vivid -> vicodec encoder -> vicodec decoder: vivid captures YUV 4:2:0 colour bars into MMAP
 * buffers, each exported ({@code VIDIOC_EXPBUF}) and imported by the encoder's OUTPUT queue as a dma-buf, so the
 * encoder reads the camera's memory; the FWHT packets are decoded and each decoded picture is compared with the
 * frame vivid captured (PSNR; the bars' flat 8x8 blocks survive FWHT exactly, so the PSNR is infinite).
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class VividToCodecDeviceTest {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480; // a webcam size of vivid and whole 8x8 blocks for FWHT
    private static final int FRAMES = 6;
    private static final FourCc FWHT = FourCc.of("FWHT");

    @Test
    void capturedFramesAreEncodedFromTheCamerasOwnBuffersAndDecodeToThem() throws Exception {
        List<byte[]> sources = new ArrayList<>();
        List<byte[]> bitstream = new ArrayList<>();
        try (VideoDevice camera = VideoDevice.open(Vivid.capture());
             VideoDevice encoder = CodecDeviceTest.open("stateful-encoder")) {
            Vivid.pattern(camera, Vivid.COLORBAR_75);
            VideoFormat captured = camera.setFormat(
                    VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.YUV420, WIDTH, HEIGHT));
            assertEquals(WIDTH, captured.width());
            assertEquals(HEIGHT, captured.height());
            BufferType raw = CodecDeviceTest.output(encoder);
            BufferType coded = CodecDeviceTest.capture(encoder);
            encoder.setFormat(VideoFormat.of(coded, FWHT, WIDTH, HEIGHT));
            VideoFormat in = encoder.setFormat(VideoFormat.of(raw, PixelFormat.YUV420, WIDTH, HEIGHT));
            assertEquals(captured.sizeImage(0), in.sizeImage(0), captured + " vs " + in);
            int size = (int) in.sizeImage(0);
            try (VideoQueue cameraQueue = camera.openQueue(BufferType.VIDEO_CAPTURE);
                 VideoQueue frames = encoder.openQueue(raw); VideoQueue packets = encoder.openQueue(coded)) {
                List<VideoBuffer> cameraBuffers = cameraQueue.allocate(3);
                List<DmaBuf> exported = new ArrayList<>();
                try {
                    List<List<DmaBuf>> imports = new ArrayList<>();
                    for (VideoBuffer buffer : cameraBuffers) {
                        DmaBuf dmaBuf = buffer.export(0);
                        exported.add(dmaBuf);
                        imports.add(List.of(dmaBuf));
                    }
                    List<VideoBuffer> encoderInputs = frames.importDmaBufs(imports);
                    for (VideoBuffer buffer : packets.allocate(2)) {
                        packets.enqueue(buffer);
                    }
                    for (VideoBuffer buffer : cameraBuffers) {
                        cameraQueue.enqueue(buffer);
                    }
                    cameraQueue.streamOn();
                    frames.streamOn();
                    packets.streamOn();
                    for (int n = 0; n < FRAMES; n++) {
                        VideoBuffer frame = cameraQueue.dequeue(10_000)
                                .orElseThrow(() -> new AssertionError("no frame"));
                        assertFalse(frame.isError());
                        byte[] source = new byte[size];
                        MemorySegment.copy(frame.plane(0), ValueLayout.JAVA_BYTE, 0, source, 0, size);
                        sources.add(source);
                        // the encoder's buffer of the same index is the camera buffer's dma-buf: nothing is copied
                        VideoBuffer input = encoderInputs.get(frame.index());
                        input.setBytesUsed(0, size);
                        frames.enqueue(input);
                        VideoBuffer packet = packets.dequeue(10_000).orElseThrow(() -> new AssertionError("no packet"));
                        assertFalse(packet.isError());
                        byte[] bytes = new byte[packet.bytesUsed(0)];
                        MemorySegment.copy(packet.plane(0), ValueLayout.JAVA_BYTE, packet.dataOffset(0), bytes, 0,
                                bytes.length);
                        bitstream.add(bytes);
                        packets.enqueue(packet);
                        VideoBuffer consumed = frames.dequeue(10_000).orElseThrow(() -> new AssertionError("input"));
                        assertEquals(frame.index(), consumed.index());
                        cameraQueue.enqueue(frame); // back to the camera once the encoder has read it
                    }
                } finally {
                    for (DmaBuf dmaBuf : exported) {
                        dmaBuf.close();
                    }
                }
            }
        }
        // the frames are vivid's 8 bars (distinct luma in each), so a decoded picture equal to them is no accident
        java.util.Set<Integer> luma = new java.util.TreeSet<>();
        for (int bar = 0; bar < 8; bar++) {
            luma.add(Byte.toUnsignedInt(sources.get(0)[HEIGHT / 2 * WIDTH + bar * WIDTH / 8 + WIDTH / 16]));
        }
        assertEquals(8, luma.size(), "luma of the 8 bars: " + luma);
        List<Double> psnrs = decode(bitstream, sources);
        System.out.println("vivid -> vicodec: " + FRAMES + " frames of " + WIDTH + "x" + HEIGHT + " YU12 encoded from"
                + " the camera's exported buffers to " + bitstream.stream().mapToInt(b -> b.length).boxed().toList()
                + " B; PSNR of the decoded pictures against the captured frames: " + psnrs);
        for (double p : psnrs) {
            assertTrue(p > 30, "PSNR " + p + " dB: the decoded picture is not the captured frame within FWHT's loss");
        }
    }

    /** Decodes {@code bitstream} and returns each decoded picture's PSNR against {@code sources}. */
    private static List<Double> decode(List<byte[]> bitstream, List<byte[]> sources) throws Exception {
        try (VideoDevice decoder = CodecDeviceTest.open("stateful-decoder")) {
            BufferType coded = CodecDeviceTest.output(decoder);
            BufferType raw = CodecDeviceTest.capture(decoder);
            decoder.setFormat(VideoFormat.of(coded, FWHT, WIDTH, HEIGHT));
            try (VideoEvents events = decoder.openEvents(); VideoQueue packets = decoder.openQueue(coded);
                 VideoQueue pictures = decoder.openQueue(raw)) {
                events.subscribe(EventType.SOURCE_CHANGE, 0, false);
                List<VideoBuffer> packetBuffers = packets.allocate(2);
                packets.streamOn();
                feed(packets, packetBuffers.get(0), bitstream.get(0));
                events.next(10_000).orElseThrow(() -> new AssertionError("no source change"));
                assertEquals(WIDTH, decoder.getFormat(raw).width());
                for (VideoBuffer buffer : pictures.allocate(2)) {
                    pictures.enqueue(buffer);
                }
                pictures.streamOn();
                List<Double> psnrs = new ArrayList<>();
                int fed = 1;
                VideoBuffer spare = packetBuffers.get(1);
                while (psnrs.size() < bitstream.size()) {
                    if (fed < bitstream.size()) {
                        VideoBuffer packet = spare != null ? spare : packets.dequeue(10_000).orElseThrow();
                        spare = null;
                        feed(packets, packet, bitstream.get(fed++));
                    }
                    VideoBuffer picture = pictures.dequeue(10_000).orElseThrow(() -> new AssertionError("no picture"));
                    assertFalse(picture.isError());
                    psnrs.add(CodecDeviceTest.psnr(sources.get(psnrs.size()), picture.plane(0)));
                    pictures.enqueue(picture);
                }
                return psnrs;
            }
        }
    }

    private static void feed(VideoQueue packets, VideoBuffer packet, byte[] bytes) throws Exception {
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, packet.plane(0), 0, bytes.length);
        packet.setBytesUsed(0, bytes.length);
        packets.enqueue(packet);
    }
}

package io.zeroframe.samples.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.negotiation.Preference;
import io.zeroframe.heaps.Heap;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.control.Controls;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link Recorder} tapping a capture-to-scanout pipeline, vivid (30 fps, a still colour-bar picture) onto vkms:
 * the frames the camera captures go to vicodec's stateful encoder on the recorder's thread, which reads the camera's
 * own buffers, while the display shows them at the camera's pace; the packets written decode (vicodec's stateful
 * decoder) into the picture that was shown. No frame is mapped while streaming: the packets are the only memory the
 * process reads.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class RecorderDeviceTest {
    private static final FourCc FWHT = FourCc.of("FWHT");
    private static final int FRAMES = 120;
    /** vivid's picture with nothing moving in it, so that every frame is the one the display showed last. */
    private static final Map<String, Integer> STILL = new LinkedHashMap<>(Map.of("test_pattern", 0,
            "osd_text_mode", 2, "horizontal_movement", 3, "vertical_movement", 3));

    @Test
    void everyCapturedFrameIsEncodedFromTheCamerasMemoryWhileShownAndThePacketsDecodeToTheShownPicture()
            throws Exception {
        List<byte[]> packets = new ArrayList<>();
        try (TestBed.Rig rig = TestBed.Rig.open(0, "vkms", Preference.DEFAULT, Optional.of(TestBed.Vivid.RATE))) {
            Controls controls = rig.vivid().controls();
            Map<String, Integer> before = new LinkedHashMap<>();
            for (String name : STILL.keySet()) {
                before.put(name, controls.getInt(name));
            }
            try {
                STILL.forEach((name, value) -> set(controls, name, value));
                CaptureToScanout.Statistics stats;
                CodecStage.Statistics encoded;
                long written;
                List<String> mappedWhileStreaming = new ArrayList<>();
                try (Recorder recorder = Recorder.start(CodecStage.open(CodecStageDeviceTest.vicodec(
                                "stateful-encoder"), CodecStage.Kind.ENCODER), rig.pool(), rig.plan().layout(), FWHT,
                        4, 1, collect(packets));
                     CaptureToScanout pipeline = rig.pipeline()) {
                    pipeline.tap(tapping(recorder, mappedWhileStreaming));
                    stats = pipeline.run(FRAMES);
                    encoded = recorder.encoder().statistics();
                    long notRecorded = recorder.refused();
                    written = recorder.bytesWritten();
                    byte[] shown = pixels(pipeline.lastShown().orElseThrow().frame());
                    System.out.printf("recorded while shown: %s; encoder: %s; %d captured frames not recorded (the"
                                    + " encoder busy); %d packets, %d bytes (%.1f%% of the raw frames); frame mappings"
                                    + " at frame 60: %s%n", stats, encoded, notRecorded,
                            packets.size(), written, 100.0 * written / (packets.size()
                                    * (double) rig.plan().layout().bufferSize(0)), mappedWhileStreaming);
                    assertEquals(FRAMES, stats.shown(), stats.toString());
                    assertEquals(stats.captured(), encoded.offered() + notRecorded, "every captured frame is"
                            + " recorded or counted as not: " + encoded + ", not recorded " + notRecorded);
                    assertEquals(0, encoded.refused(), encoded.toString());
                    assertEquals(encoded.offered(), packets.size(), "a packet per frame offered: " + encoded);
                    assertTrue(encoded.offered() >= 10, "frames recorded: " + encoded);
                    // the encoder codes inside VIDIOC_QBUF on its own thread, not on the display's: vicodec took
                    // 75-118 ms of the loop's CPU per frame and held the display to 5-8 fps when it ran there
                    assertTrue(stats.cpuNanosPerFrame() < 30_000_000, "the loop's CPU per frame: " + stats);
                    assertTrue(stats.framesPerSecond() >= 15, "the display's pace while recording: " + stats);
                    // the only dma-buf memory mapped while streaming: the packet buffers, which the recorder reads
                    List<Long> packetSizes = recorder.encoder().resultBuffers().stream().map(DmaBuf::size).toList();
                    List<Long> mappedSizes = mappedWhileStreaming.stream().map(RecorderDeviceTest::length).toList();
                    assertTrue(mappedSizes.size() <= packetSizes.size(), "mappings while streaming: "
                            + mappedWhileStreaming);
                    assertTrue(packetSizes.containsAll(mappedSizes) && !mappedSizes.contains(
                            rig.plan().layout().bufferSize(0)), "frame memory mapped while streaming: "
                            + mappedWhileStreaming + "; the packet buffers are " + packetSizes + " bytes");
                    decodeAndCompare(packets, rig.plan().layout().width(), rig.plan().layout().height(), shown);
                }
            } finally {
                before.forEach((name, value) -> set(controls, name, value));
            }
        }
    }

    /**
     * The recorder closed from another thread while the pipeline records: its encoder thread stops, the run ends with
     * the failure named, the display is restored and nothing is left open (NoLeaks).
     */
    @Test
    void closingTheRecorderFromAnotherThreadMidRunEndsTheRunWithItsEncoderNamed() throws Exception {
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (TestBed.Rig rig = TestBed.Rig.open(0, "vkms", Preference.DEFAULT, Optional.of(TestBed.Vivid.RATE));
             Recorder recorder = Recorder.start(CodecStage.open(CodecStageDeviceTest.vicodec("stateful-encoder"),
                     CodecStage.Kind.ENCODER), rig.pool(), rig.plan().layout(), FWHT, 4, 1, collect(new ArrayList<>()));
             CaptureToScanout pipeline = rig.pipeline()) {
            pipeline.tap(recorder);
            TestBed.DisplayState before = rig.displayState();
            Future<CaptureToScanout.Statistics> run = runner.submit(() -> pipeline.run(Duration.ofMinutes(5)));
            long deadline = System.nanoTime() + TestBed.PROGRESS.toNanos();
            while (recorder.packetsWritten() < 5) { // a bounded retry on the other threads' progress
                assertFalse(run.isDone(), "the run ended before the recorder wrote 5 packets");
                assertTrue(System.nanoTime() < deadline, "5 packets not written in " + TestBed.PROGRESS);
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
            recorder.close();
            ExecutionException ended = assertThrows(ExecutionException.class,
                    () -> run.get(TestBed.PROGRESS.toSeconds(), TimeUnit.SECONDS));
            System.out.println("the recorder closed mid-run: the run ended with " + ended.getCause());
            assertTrue(ended.getCause().getMessage().contains(recorder.encoder().path().toString()),
                    ended.getCause().toString());
            assertEquals(before, rig.displayState(), "the display was not restored");
        } finally {
            TestBed.shutDown(runner);
        }
    }

    /**
     * 3,000 frames shown while recording: the process's open fds are the same at every 300th frame and at the end,
     * and its resident set grows by less than 8 MiB after the first sample (under 7 frames of 640x480 XRGB): neither
     * the recorder, its encoder thread nor the encoder stage keeps anything per frame.
     */
    @Test
    void overThreeThousandFramesWhileRecordingTheOpenFdsStayTheSameAndTheResidentSetFlat() throws Exception {
        int every = 300;
        int samples = 10;
        long rssBoundKib = 8 * 1024;
        List<TestBed.Footprint> footprints = new ArrayList<>();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        CaptureToScanout.Statistics stats;
        long packets;
        try (TestBed.Rig rig = TestBed.Rig.open(0, "vkms", Preference.DEFAULT, Optional.of(TestBed.Vivid.RATE));
             Recorder recorder = Recorder.start(CodecStage.open(CodecStageDeviceTest.vicodec("stateful-encoder"),
                     CodecStage.Kind.ENCODER), rig.pool(), rig.plan().layout(), FWHT, 4, 1,
                     WritableByteChannelDiscard.INSTANCE);
             CaptureToScanout pipeline = rig.pipeline()) {
            pipeline.tap(recorder);
            Future<CaptureToScanout.Statistics> run = runner.submit(() -> pipeline.run((long) every * samples));
            try {
                for (int i = 1; i < samples; i++) {
                    TestBed.awaitShown(pipeline, run, (long) every * i, TestBed.PROGRESS);
                    footprints.add(TestBed.Footprint.take());
                }
                stats = run.get(TestBed.PROGRESS.toSeconds(), TimeUnit.SECONDS);
            } finally {
                pipeline.stop();
                TestBed.shutDown(runner);
            }
            footprints.add(TestBed.Footprint.take());
            packets = recorder.packetsWritten();
        }
        System.out.printf("recording 3,000 frames: %s; %d packets; %s (growth bound %d KiB)%n", stats, packets,
                TestBed.Footprint.describe(footprints), rssBoundKib);
        assertEquals((long) every * samples, stats.shown(), stats.toString());
        assertTrue(packets >= 100, "packets recorded: " + packets);
        TestBed.Footprint.assertFlat(footprints, rssBoundKib);
    }

    /** A channel that takes every byte and keeps none: a long recording with nothing to store. */
    private enum WritableByteChannelDiscard implements WritableByteChannel {
        INSTANCE;

        @Override
        public int write(ByteBuffer source) {
            int length = source.remaining();
            source.position(source.limit());
            return length;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** The length of a /proc/self/maps line's range. */
    private static long length(String mapping) {
        String[] range = mapping.substring(0, mapping.indexOf(' ')).split("-");
        return Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
    }

    /** A tap that forwards to {@code recorder} and reads the process's frame mappings at frame 60. */
    private static CaptureToScanout.FrameTap tapping(Recorder recorder, List<String> mappings) {
        return new CaptureToScanout.FrameTap() {
            private int offered;

            @Override
            public void attach(Poller poller) {
                recorder.attach(poller);
            }

            @Override
            public boolean offer(BufferPool.Slot slot) throws KernelException {
                if (++offered == FRAMES / 2) {
                    try {
                        mappings.addAll(TestBed.frameMappings());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return recorder.offer(slot);
            }

            @Override
            public void service() throws KernelException {
                recorder.service();
            }

            @Override
            public BufferPool.Slot takeDone() {
                return recorder.takeDone();
            }

            @Override
            public void end(Duration bound) throws KernelException {
                recorder.end(bound);
            }
        };
    }

    /** A channel that keeps each write as one packet (the recorder writes a packet in one go). */
    private static WritableByteChannel collect(List<byte[]> packets) {
        return new WritableByteChannel() {
            private boolean open = true;

            @Override
            public int write(ByteBuffer source) {
                byte[] bytes = new byte[source.remaining()];
                source.get(bytes);
                packets.add(bytes);
                return bytes.length;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        };
    }

    /**
     * Decodes {@code packets} with vicodec's stateful decoder, one system-heap buffer per packet in flight, and checks
     * that every decoded picture is {@code shown} (XRGB: the X bytes are not compared) within FWHT's loss.
     */
    private static void decodeAndCompare(List<byte[]> packets, int width, int height, byte[] shown)
            throws Exception {
        List<DmaBuf> inputs = new ArrayList<>();
        double worst = Double.POSITIVE_INFINITY;
        int decodedCount = 0;
        int errors = 0;
        try (Heap heap = Heap.open("system");
             CodecStage decoder = CodecStage.open(CodecStageDeviceTest.vicodec("stateful-decoder"),
                     CodecStage.Kind.DECODER);
             Poller poller = Poller.open()) {
            int largest = packets.stream().mapToInt(p -> p.length).max().orElseThrow();
            for (int i = 0; i < 2; i++) {
                inputs.add(heap.allocate(Math.max(largest, 2 << 20))); // at least the format's sizeimage
            }
            decoder.startDecoder(FWHT, width, height, inputs, 2);
            decoder.attach(poller);
            CodecStageDeviceTest.Feeder feeder = new CodecStageDeviceTest.Feeder(decoder, inputs, packets);
            VideoFormat format = null;
            try {
                while (decodedCount < packets.size()) {
                    feeder.feed();
                    assertTrue(poller.await(Duration.ofSeconds(10)) > 0, "the decoder stalled after "
                            + decodedCount + " of " + packets.size() + " frames");
                    for (var picture = decoder.takeResult(); picture.isPresent(); picture = decoder.takeResult()) {
                        if (picture.get().isError()) {
                            System.out.println("decoded frame " + decodedCount + " has the ERROR flag: "
                                    + picture.get() + " bytes used " + picture.get().bytesUsed(0) + ", format "
                                    + decoder.resultFormat());
                            errors++;
                            decodedCount++;
                            decoder.release(picture.get());
                            continue;
                        }
                        if (format == null) {
                            format = decoder.resultFormat();
                            System.out.println("decoded format: " + format);
                        }
                        byte[] decoded = pixels(picture.get().frame());
                        assertEquals(shown.length, decoded.length, "decoded frame size");
                        worst = Math.min(worst, CodecStageDeviceTest.psnr(shown, decoded));
                        decodedCount++;
                        decoder.release(picture.get());
                    }
                }
            } finally {
                decoder.detach();
            }
        } finally {
            inputs.forEach(DmaBuf::close);
        }
        System.out.printf("decoded %d frames, PSNR to the shown picture at worst %.1f dB%n", decodedCount, worst);
        assertEquals(packets.size(), decodedCount);
        assertEquals(0, errors, "decoded frames with the ERROR flag");
        assertTrue(worst >= 30, "a decoded frame is not the shown picture: PSNR " + worst + " dB");
    }

    /** The frame's colours (TestBed.rgb), three bytes a pixel, for a PSNR over the colour channels. */
    private static byte[] pixels(Frame frame) throws KernelException {
        return TestBed.bgr(TestBed.rgb(frame).rgb(), 3);
    }

    private static void set(Controls controls, String name, int value) {
        try {
            controls.set(name, value);
        } catch (KernelException e) {
            throw new IllegalStateException("vivid control " + name, e);
        }
    }
}

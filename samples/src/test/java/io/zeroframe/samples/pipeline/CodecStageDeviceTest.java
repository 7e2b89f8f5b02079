package io.zeroframe.samples.pipeline;

import static io.zeroframe.samples.pipeline.TestBed.HEIGHT;
import static io.zeroframe.samples.pipeline.TestBed.WIDTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.bindings.testing.Allocations;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.HeldDmaBuf;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.dmabuf.negotiation.Preference;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.heaps.Heap;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.control.Controls;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link CodecStage} in the test bed: vivid -> vicodec stateful encoder -> vicodec stateful decoder, every hop by
 * dma-buf, driven by one thread in one {@link Poller} loop over the camera queue and both stages.
 *
 * <p><b>How the frames are compared without mapping them while streaming.</b> The 300-frame run maps nothing: the
 * process's frame mappings are read in the middle of it and must be none. Its decoded frames are compared with the
 * captured ones after the streams stopped, where both are still in memory: the camera is never given more buffers
 * than frames still wanted, so the buffers that took the last frames stay out of it once the encoder has read them,
 * and each is paired by timestamp with the decoder buffer holding its decoded picture (the last few frames, as many
 * as the smaller of the two pools holds). Every decoded frame of
 * the run is checked without its pixels: its timestamp is the next offered camera frame's (no frame lost, repeated
 * or reordered), it is not flagged as an error, and it fills the format's {@code sizeimage}. A second, shorter run then
 * compares every frame: it copies each camera frame when the encoder gives it back (mapped read-only inside a
 * {@code DMA_BUF_IOCTL_SYNC} bracket, unmapped at once) and each decoded frame when it is taken, a controlled CPU read
 * that the zero-copy run does not do.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class CodecStageDeviceTest {
    private static final int FRAMES = 300;
    private static final int VERIFIED_FRAMES = 30;
    private static final FourCc FWHT = FourCc.of("FWHT");
    /** Packet and decoded-frame buffers of each stage. */
    private static final int RESULTS = 4;
    private static final Duration STALL = Duration.ofSeconds(10);

    /** vicodec's node named {@code name} ("stateful-encoder", "stateful-decoder"), found by driver and name. */
    static Path vicodec(String name) throws IOException {
        List<String> seen = new ArrayList<>();
        for (VideoDeviceInfo info : VideoDevices.findByDriver("vicodec")) {
            if (info.name().equals(name)) {
                return info.path();
            }
            seen.add(info.path() + "=" + info.name());
        }
        throw new AssertionError("no vicodec node named " + name + " among " + seen
                + "; device tests need the kernel test bed");
    }

    /** What a run measured. */
    record Run(int offered, List<Long> offeredStamps, List<Long> decodedStamps, List<Double> psnr, long packetBytes,
               int packets, boolean decoderLast, boolean encoderLast, List<String> mappingsWhileStreaming,
               long nanos, long[] latencies, double framesPerSecond) {
        long latency(double quantile) {
            long[] sorted = latencies.clone();
            java.util.Arrays.sort(sorted);
            return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, quantile * sorted.length)];
        }
    }

    @Test
    void vividThroughEncoderAndDecoderStagesInOnePollLoopMatchesTheCapturedFrames() throws Exception {
        Run zeroCopy;
        try (Chain chain = Chain.open()) {
            zeroCopy = chain.stream(FRAMES, false, new CountDownLatch(0));
        }
        System.out.printf("vivid (%s) -> encoder -> decoder, %d frames zero-copy in %.1f s, %.1f decoded frames/s,"
                        + " camera-to-decoded latency p50 %.1f ms max %.1f ms: %d packets, %d B per packet on average"
                        + " (%d B per raw frame); frame mappings while streaming: %s; PSNR of the %d frames still in"
                        + " memory after the run: %s dB%n", Camera.RATE, zeroCopy.offered(), zeroCopy.nanos() / 1e9,
                zeroCopy.framesPerSecond(), zeroCopy.latency(0.5) / 1e6, zeroCopy.latency(1) / 1e6,
                zeroCopy.packets(), zeroCopy.packetBytes() / Math.max(1, zeroCopy.packets()),
                WIDTH * HEIGHT * 3 / 2, zeroCopy.mappingsWhileStreaming(), zeroCopy.psnr().size(), zeroCopy.psnr());
        assertEquals(FRAMES, zeroCopy.offered());
        assertEquals(zeroCopy.offeredStamps(), zeroCopy.decodedStamps(),
                "every offered frame decoded once, in order (by the timestamp the codecs copy)");
        assertEquals(List.of(), zeroCopy.mappingsWhileStreaming(), "frame memory mapped while streaming");
        assertTrue(zeroCopy.encoderLast(), "the encoder's drain ended without a LAST packet");
        assertTrue(zeroCopy.decoderLast(), "the decoder's drain ended without a LAST buffer");
        assertFalse(zeroCopy.psnr().isEmpty(), "no decoded frame left to compare after the run");
        zeroCopy.psnr().forEach(p -> assertTrue(p > 30, "PSNR " + p + " dB: not the captured frame"));

        Run verified;
        try (Chain chain = Chain.open()) {
            verified = chain.stream(VERIFIED_FRAMES, true, new CountDownLatch(0));
        }
        System.out.printf("vivid -> encoder -> decoder, %d frames each compared: PSNR %s dB%n", verified.offered(),
                verified.psnr());
        assertEquals(verified.offeredStamps(), verified.decodedStamps());
        assertEquals(VERIFIED_FRAMES, verified.psnr().size());
        verified.psnr().forEach(p -> assertTrue(p > 30, "PSNR " + p + " dB: not the captured frame"));
    }

    @Test
    void closingTheStagesFromAnotherThreadMidStreamEndsTheLoopWithoutALeak() throws Exception {
        ExecutorService loop = Executors.newSingleThreadExecutor();
        try (Chain chain = Chain.open()) {
            CountDownLatch some = new CountDownLatch(20);
            Future<Run> running = loop.submit(() -> chain.stream(FRAMES, false, some));
            assertTrue(some.await(120, TimeUnit.SECONDS), "20 frames not decoded in 120 s");
            // downstream first, while the loop waits in its poll or is inside a call of either stage
            chain.decoder.close();
            chain.encoder.close();
            ExecutionException ended = assertThrows(ExecutionException.class,
                    () -> running.get(30, TimeUnit.SECONDS));
            System.out.println("closed mid-stream: the loop ended with " + ended.getCause());
            assertTrue(ended.getCause() instanceof IllegalStateException, ended.getCause().toString());
            assertTrue(ended.getCause().getMessage().contains("stage on /dev/video")
                    && ended.getCause().getMessage().endsWith("is closed"), ended.getCause().getMessage());
            assertFalse(chain.encoder.isOpen());
        } finally {
            loop.shutdownNow();
            assertTrue(loop.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    /** The camera, both stages and the loop's poller, negotiated and started. */
    private static final class Chain implements AutoCloseable {
        final Camera camera;
        final CodecStage encoder;
        final CodecStage decoder;
        final Poller poller;

        private Chain(Camera camera, CodecStage encoder, CodecStage decoder, Poller poller) {
            this.camera = camera;
            this.encoder = encoder;
            this.decoder = decoder;
            this.poller = poller;
        }

        /**
         * Plans the camera -> encoder hop (the camera the producer, the encoder's OUTPUT queue the consumer), allocates
         * the camera's buffers as planned, and starts the encoder on them and the decoder on the encoder's packet
         * buffers (a hop the planner cannot describe: FWHT is no frame-model format).
         */
        static Chain open() throws Exception {
            try (TestBed.Opened opened = new TestBed.Opened()) {
                Camera camera = opened.add(Camera.open());
                CodecStage encoder = opened.add(CodecStage.open(vicodec("stateful-encoder"),
                        CodecStage.Kind.ENCODER));
                CodecStage decoder = opened.add(CodecStage.open(vicodec("stateful-decoder"),
                        CodecStage.Kind.DECODER));
                Poller poller = opened.add(Poller.open());
                var producer = VideoEndpoint.of(camera.queue, Role.PRODUCER, WIDTH, HEIGHT);
                var consumer = VideoEndpoint.of(encoder.inputQueue(), Role.CONSUMER, WIDTH, HEIGHT);
                TestBed.Negotiation negotiation = TestBed.negotiation(producer.endpoint(), producer.source(),
                        producer.sink(), List.of(consumer.endpoint()), List.of(consumer.source()),
                        List.of(consumer.sink()), Preference.DEFAULT.formatsFirst(PixelFormat.YUV420));
                Plan plan = negotiation.planner().plan(negotiation.trials());
                assertEquals(Plan.Kind.ZERO_COPY, plan.kind(), plan.explain());
                assertEquals(Allocator.Source.V4L2_EXPORT, plan.allocator().source(), plan.explain());
                assertEquals(PixelFormat.YUV420, plan.chosen().format(), plan.explain());
                assertEquals(List.of(consumer.endpoint().name()), plan.importers(), plan.explain());
                camera.allocate(plan);
                encoder.startEncoder(plan.layout(), FWHT, camera.frames, RESULTS);
                decoder.startDecoder(FWHT, WIDTH, HEIGHT, encoder.resultBuffers(), RESULTS);
                opened.keep();
                return new Chain(camera, encoder, decoder, poller);
            }
        }

        /**
         * Streams {@code frames} camera frames through both stages in one poll loop on this thread, drains them, and
         * compares the frames still in memory afterwards, or with {@code copyEveryFrame} every frame as it goes (see
         * the class comment); counts {@code decodedSome} down once per decoded frame.
         */
        Run stream(int frames, boolean copyEveryFrame, CountDownLatch decodedSome) throws Exception {
            int size = (int) camera.format.sizeImage(0);
            // the encoder reads the camera's own memory, the decoder the encoder's packets: no buffer in between
            for (CodecStage.Input input : encoder.inputs()) {
                assertTrue(input.dmaBuf(0).sameBufferAs(camera.queue.buffers().get(input.index()).dmaBuf(0)),
                        input + " is not the camera's buffer " + input.index());
            }
            for (CodecStage.Input input : decoder.inputs()) {
                assertTrue(input.dmaBuf(0).sameBufferAs(encoder.results().get(input.index()).dmaBuf(0)));
            }

            Map<Long, byte[]> sources = new HashMap<>();
            List<Long> offeredStamps = new ArrayList<>();
            List<Long> decodedStamps = new ArrayList<>();
            long[] latencies = new long[frames];
            List<Double> psnr = new ArrayList<>();
            List<String> mappings = List.of();
            long[] cameraStamp = new long[camera.frames.size()];
            boolean[] keptOut = new boolean[camera.frames.size()];
            long[] decodedStamp = new long[64];
            boolean looked = false;
            boolean encoderLast = false;
            boolean decoderLast = false;
            int offered = 0;
            int packets = 0;
            long packetBytes = 0;
            int withCamera = 0;
            int cameraKey = -1;
            long firstDecoded = 0;
            long lastDecoded = 0;
            for (VideoBuffer buffer : camera.queue.buffers()) {
                camera.queue.enqueue(buffer);
                withCamera++;
            }
            camera.queue.streamOn();
            encoder.attach(poller);
            decoder.attach(poller);
            long started = System.nanoTime();
            try {
                while (!decoder.drained()) {
                    if (withCamera > 0 && cameraKey < 0) {
                        cameraKey = poller.register(camera.queue);
                    } else if (withCamera == 0 && cameraKey >= 0) {
                        poller.unregister(cameraKey);
                        cameraKey = -1;
                    }
                    if (poller.await(STALL) == 0) {
                        throw new AssertionError("nothing happened for " + STALL + ": " + offered + " offered, "
                                + decodedStamps.size() + " decoded, " + packets + " packets");
                    }
                    if (cameraKey >= 0 && poller.ready(cameraKey)) {
                        Optional<VideoBuffer> captured;
                        while (withCamera > 0 && (captured = camera.queue.dequeue(0)).isPresent()) {
                            withCamera--;
                            VideoBuffer frame = captured.get();
                            assertFalse(frame.isError(), "vivid flagged a frame as an error");
                            cameraStamp[frame.index()] = frame.timestampNanos();
                            if (offered < frames && encoder.offer(frame.index(), frame.bytesUsed(0),
                                    frame.timestampNanos())) {
                                offered++;
                                offeredStamps.add(frame.timestampNanos());
                                if (offered == frames) {
                                    encoder.drain();
                                }
                            } else if (offered + withCamera < frames) {
                                camera.queue.enqueue(frame);
                                withCamera++;
                            }
                        }
                    }
                    if (encoder.ready()) {
                        Optional<CodecStage.Input> read;
                        while ((read = encoder.takeProcessed()).isPresent()) {
                            int index = read.get().index();
                            if (copyEveryFrame) {
                                sources.put(cameraStamp[index], read(camera.frames.get(index), size));
                            }
                            if (offered + withCamera < frames) {
                                camera.queue.enqueue(camera.queue.buffers().get(index));
                                withCamera++;
                            } else {
                                keptOut[index] = true; // no more frames wanted: it keeps frame cameraStamp[index]
                            }
                        }
                        Optional<CodecStage.Result> coded;
                        while ((coded = encoder.takeResult()).isPresent()) {
                            CodecStage.Result packet = coded.get();
                            assertFalse(packet.isError(), "the encoder flagged a packet as an error");
                            boolean last = packet.isLast();
                            encoderLast |= last;
                            if (packet.bytesUsed(0) > 0) {
                                packets++;
                                packetBytes += packet.bytesUsed(0);
                            }
                            if (packet.bytesUsed(0) == 0 || !decoder.offer(packet.index(), packet.bytesUsed(0),
                                    packet.timestampNanos())) {
                                encoder.release(packet);
                            }
                            if (last) {
                                decoder.drain();
                            }
                        }
                    }
                    if (decoder.ready()) {
                        Optional<CodecStage.Input> read;
                        while ((read = decoder.takeProcessed()).isPresent()) {
                            encoder.release(encoder.results().get(read.get().index()));
                        }
                        Optional<CodecStage.Result> decoded;
                        while ((decoded = decoder.takeResult()).isPresent()) {
                            CodecStage.Result picture = decoded.get();
                            decoderLast |= picture.isLast();
                            if (picture.bytesUsed(0) > 0) {
                                long now = System.nanoTime();
                                assertFalse(picture.isError(), "the decoder flagged a frame as an error");
                                assertEquals(size, picture.bytesUsed(0), "a decoded frame does not fill sizeimage");
                                latencies[Math.min(decodedStamps.size(), frames - 1)] = now
                                        - picture.timestampNanos();
                                decodedStamps.add(picture.timestampNanos());
                                decodedStamp[picture.index()] = picture.timestampNanos();
                                firstDecoded = firstDecoded == 0 ? now : firstDecoded;
                                lastDecoded = now;
                                decodedSome.countDown();
                                if (copyEveryFrame) {
                                    psnr.add(psnr(sources.remove(picture.timestampNanos()),
                                            read(picture.frame(), size)));
                                }
                            } else {
                                decodedStamp[picture.index()] = 0; // the empty LAST buffer: its memory is older
                            }
                            decoder.release(picture);
                        }
                    }
                    if (!copyEveryFrame && offered == frames / 2 && !looked) {
                        looked = true;
                        mappings = TestBed.frameMappings();
                        assertEquals(camera.frames.size() + encoder.results().size() + decoder.results().size(),
                                distinctDmaBufs(), "dma-bufs held while streaming: the camera's, the packets and"
                                        + " the decoded frames only");
                    }
                }
            } finally {
                if (cameraKey >= 0) {
                    poller.unregister(cameraKey);
                }
                encoder.detach();
                decoder.detach();
                camera.queue.streamOff();
            }
            long nanos = System.nanoTime() - started;
            System.out.println("encoder: " + encoder.statistics() + "; decoder: " + decoder.statistics());
            if (!copyEveryFrame) {
                // after the run: each decoded frame still in a decoder buffer against the camera buffer holding it
                for (CodecStage.Result picture : decoder.results()) {
                    long stamp = decodedStamp[picture.index()];
                    for (int i = 0; stamp != 0 && i < cameraStamp.length; i++) {
                        if (keptOut[i] && cameraStamp[i] == stamp) {
                            psnr.add(psnr(read(camera.frames.get(i), size), read(picture.frame(), size)));
                        }
                    }
                }
                assertEquals(8, barsOf(read(camera.frames.getFirst(), size)), "the camera did not show 8 bars");
            }
            int decoded = decodedStamps.size();
            double rate = decoded < 2 ? 0 : (decoded - 1) * 1e9 / (lastDecoded - firstDecoded);
            return new Run(offered, offeredStamps, decodedStamps, psnr, packetBytes, packets, decoderLast,
                    encoderLast, mappings, nanos, java.util.Arrays.copyOf(latencies, Math.min(decoded, frames)),
                    rate);
        }

        /** Downstream first: the decoder imports the encoder's packet buffers, the encoder the camera's. */
        @Override
        public void close() {
            poller.close();
            decoder.close();
            encoder.close();
            camera.close();
        }
    }

    @Test
    void refusedSizesAndTooSmallUpstreamBuffersFailNamingTheCallAndTheDeviceAndLeaveTheStageClean()
            throws Exception {
        FrameLayout fits = FrameLayout.of(PixelFormat.YUV420, WIDTH, HEIGHT);
        try (Heap heap = Heap.open("system");
             Frame frame = Frame.allocate(heap, fits);
             Frame small = Frame.allocate(heap, FrameLayout.of(PixelFormat.YUV420, WIDTH / 2, HEIGHT / 2));
             CodecStage encoder = CodecStage.open(vicodec("stateful-encoder"), CodecStage.Kind.ENCODER)) {
            // vicodec clamps widths to its maximum: a size it cannot code is refused, not silently changed
            KernelException refused = assertThrows(KernelException.class, () -> encoder.startEncoder(
                    FrameLayout.of(PixelFormat.YUV420, 8192, HEIGHT), FWHT, List.of(frame), 2));
            System.out.println("refused size: " + refused.getMessage());
            assertEquals("VIDIOC_S_FMT", refused.operation());
            assertEquals(encoder.path().toString(), refused.path());
            assertEquals(Errno.EINVAL, refused.errno());
            assertTrue(refused.getMessage().contains("8192x480"), refused.getMessage());

            // an upstream buffer smaller than the format: refused before the driver is asked
            IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                    () -> encoder.startEncoder(fits, FWHT, List.of(small), 2));
            System.out.println("too small: " + tooSmall.getMessage());
            assertTrue(tooSmall.getMessage().startsWith("VIDIOC_REQBUFS on " + encoder.path() + ": frame 0"),
                    tooSmall.getMessage());
            assertTrue(tooSmall.getMessage().contains("is 320x240"), tooSmall.getMessage());
            assertEquals(List.of(), encoder.inputs());
            assertEquals(List.of(), encoder.results());
            assertEquals(0, distinctDmaBufs() - 2, "the failed starts left dma-bufs behind");

            // and the stage still starts with buffers that fit, then encodes one heap frame
            encoder.startEncoder(fits, FWHT, List.of(frame), 2);
            assertTrue(encoder.offer(0, (int) fits.bufferSize(0), 1_000));
            CodecStage.Result packet = await(encoder, encoder::takeResult);
            assertTrue(packet.bytesUsed(0) > 0);
            assertEquals(1_000, packet.timestampNanos());
            encoder.release(packet);
        }
    }

    @Test
    void aResolutionChangeMidStreamSetsTheDecoderUpAgainOnlyOnceItsFramesAreBack() throws Exception {
        List<byte[]> packets = new ArrayList<>();
        List<DmaBuf> inputs = new ArrayList<>();
        try (Heap heap = Heap.open("system")) {
            encode(heap, 640, 368, 2, packets);
            encode(heap, 800, 480, 2, packets);
            try (CodecStage decoder = CodecStage.open(vicodec("stateful-decoder"), CodecStage.Kind.DECODER);
                 Poller poller = Poller.open()) {
                for (int i = 0; i < 2; i++) {
                    inputs.add(heap.allocate(1 << 20)); // room for an 800x480 packet; the test writes the packets
                }
                decoder.startDecoder(FWHT, 640, 368, inputs, 2);
                Feeder feeder = new Feeder(decoder, inputs, packets);
                List<String> sizes = decodeAll(decoder, poller, feeder, packets.size(), new Decoding() {
                    CodecStage.Result held;
                    List<CodecStage.Result> before;

                    @Override
                    public void decoded(CodecStage.Result picture, int n) throws KernelException {
                        if (n == 1) {
                            held = picture; // as a display holds the frame it shows
                            before = decoder.results();
                        } else {
                            decoder.release(picture);
                        }
                    }

                    @Override
                    public void afterTaking() throws KernelException {
                        if (held != null && decoder.changePending()) {
                            // the codec ended the 640x368 stream: the held frame keeps the old buffers alive
                            assertTrue(decoder.results() == before, "CAPTURE was set up again under a held frame");
                            assertTrue(held.frame().isOpen(), "the held frame was freed");
                            decoder.release(held);
                            held = null;
                            assertFalse(decoder.changePending());
                            assertFalse(decoder.results() == before, "CAPTURE not set up again after the release");
                            assertFalse(before.getFirst().frame().isOpen(), "the old frames were not freed");
                            System.out.println("resolution change: CAPTURE set up again for "
                                    + decoder.resultFormat() + " once the held 640x368 frame was released");
                        }
                    }
                });
                System.out.println("resolution change: decoded " + sizes + "; " + decoder.statistics());
                assertEquals(List.of("640x368", "640x368", "800x480", "800x480"), sizes);
            } finally {
                inputs.forEach(DmaBuf::close);
            }
        }
    }

    /**
     * An encoder's input restarted at another size mid-stream ({@link CodecStage#restartInput}, CAPTURE streaming on):
     * its next packets carry the new size, and a decoder fed all of them decodes both sizes in order.
     */
    @Test
    void anEncoderRestartedAtAnotherSizeWritesPacketsADecoderFollows() throws Exception {
        List<byte[]> packets = new ArrayList<>();
        List<DmaBuf> inputs = new ArrayList<>();
        FrameLayout first = FrameLayout.of(PixelFormat.YUV420, 640, 480);
        FrameLayout second = FrameLayout.of(PixelFormat.YUV420, 640, 368);
        try (Heap heap = Heap.open("system");
             Frame big = Frame.allocate(heap, first);
             Frame small = Frame.allocate(heap, second);
             CodecStage encoder = CodecStage.open(vicodec("stateful-encoder"), CodecStage.Kind.ENCODER)) {
            encoder.startEncoder(first, FWHT, List.of(big), 2);
            for (int n = 0; n < 4; n++) {
                if (n == 2) {
                    encoder.restartInput(second, List.of(small));
                }
                Frame frame = n < 2 ? big : small;
                int size = (int) frame.plane(0).length();
                assertTrue(encoder.offer(0, size, (n + 1) * 1_000L));
                CodecStage.Result packet = await(encoder, encoder::takeResult);
                packets.add(packet.bytes().toArray(ValueLayout.JAVA_BYTE));
                encoder.release(packet);
                await(encoder, encoder::takeProcessed);
            }
            try (CodecStage decoder = CodecStage.open(vicodec("stateful-decoder"), CodecStage.Kind.DECODER);
                 Poller poller = Poller.open()) {
                for (int i = 0; i < 2; i++) {
                    inputs.add(heap.allocate(1 << 20));
                }
                decoder.startDecoder(FWHT, 640, 480, inputs, 2);
                Feeder feeder = new Feeder(decoder, inputs, packets);
                List<String> sizes = decodeAll(decoder, poller, feeder, packets.size(),
                        (picture, n) -> decoder.release(picture));
                System.out.println("encoder restarted at 640x368: packets of " + packets.stream().map(p -> p.length)
                        .toList() + " bytes decode to " + sizes);
                assertEquals(List.of("640x480", "640x480", "640x368", "640x368"), sizes);
            } finally {
                inputs.forEach(DmaBuf::close);
            }
        }
    }

    /**
     * The steps allocate nothing of their own: over {@value #ALLOCATION_CYCLES} encodes of a heap frame (after as many
     * to warm up), the bytes the thread allocates inside {@code offer}, {@code takeProcessed}, {@code takeResult} and
     * {@code release} are at most what as many bare dequeues allocate (each FFM downcall allocates about 40 B inside the
     * JDK under the test bed's C1; see {@link Allocations}), plus its margin per call.
     */
    @Test
    void theStepsAllocateNoMoreThanTheirSystemCalls() throws Exception {
        FrameLayout fits = FrameLayout.of(PixelFormat.YUV420, WIDTH, HEIGHT);
        int size = (int) fits.bufferSize(0);
        try (Heap heap = Heap.open("system");
             Frame frame = Frame.allocate(heap, fits);
             CodecStage encoder = CodecStage.open(vicodec("stateful-encoder"), CodecStage.Kind.ENCODER);
             Poller poller = Poller.open()) {
            encoder.startEncoder(fits, FWHT, List.of(frame), 2);
            VideoQueue input = encoder.inputQueue();
            // nothing offered yet: each dequeue is one VIDIOC_DQBUF answered EAGAIN
            long baseline = Allocations.ofRepeated(ALLOCATION_CYCLES, ALLOCATION_CYCLES, () -> input.dequeue(0));
            encoder.attach(poller);
            Steps steps = new Steps(encoder, size);
            long bytes = 0;
            long ioctls = 0;
            for (int cycle = 0; cycle < 2 * ALLOCATION_CYCLES; cycle++) {
                steps.ioctls = 0;
                long cycleBytes = Allocations.of(steps::offer);
                while (!steps.done()) {
                    if (poller.await(STALL) == 0) {
                        throw new AssertionError("no packet in " + STALL);
                    }
                    cycleBytes += Allocations.of(steps::take);
                }
                if (cycle >= ALLOCATION_CYCLES) {
                    bytes += cycleBytes;
                    ioctls += steps.ioctls;
                }
            }
            encoder.detach();
            long perIoctl = baseline / ALLOCATION_CYCLES;
            System.out.printf("steps: %d B over %d encodes making %d ioctls (%.1f B an ioctl); a bare dequeue: %d B%n",
                    bytes, ALLOCATION_CYCLES, ioctls, (double) bytes / ioctls, perIoctl);
            Allocations.assertNoMoreThanSystemCalls("encodes' stage steps", ALLOCATION_CYCLES, bytes,
                    perIoctl * ioctls);
        }
    }

    private static final int ALLOCATION_CYCLES = 100;

    /** One encode as steps the allocation test measures, its state in fields so the measured calls capture nothing. */
    private static final class Steps {
        private final CodecStage encoder;
        private final int size;
        private boolean processed;
        private boolean coded;
        private long stamp;
        /** The ioctls the steps made since reset: QBUF per offer and release, DQBUF per take attempt. */
        long ioctls;

        Steps(CodecStage encoder, int size) {
            this.encoder = encoder;
            this.size = size;
        }

        void offer() throws KernelException {
            processed = false;
            coded = false;
            stamp += 1_000;
            ioctls++;
            if (!encoder.offer(0, size, stamp)) {
                throw new AssertionError("offer refused");
            }
        }

        /** Takes back the input and the packet when they are done, and releases the packet. */
        void take() throws KernelException {
            if (!processed) {
                ioctls++;
                processed = encoder.takeProcessed().isPresent();
            }
            if (!coded) {
                ioctls++;
                Optional<CodecStage.Result> packet = encoder.takeResult();
                if (packet.isPresent()) {
                    coded = true;
                    ioctls++;
                    encoder.release(packet.get());
                }
            }
        }

        boolean done() {
            return processed && coded;
        }
    }

    /** Encodes {@code count} YUV 4:2:0 gradient frames of {@code width x height} from a heap frame; adds the packets. */
    private static void encode(Heap heap, int width, int height, int count, List<byte[]> packets) throws Exception {
        FrameLayout layout = FrameLayout.of(PixelFormat.YUV420, width, height);
        encode(heap, layout, count, n -> {
            byte[] pixels = new byte[(int) layout.bufferSize(0)];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (16 + (i % width + i / width + 4 * n) % 200);
            }
            return pixels;
        }, packets);
    }

    /**
     * Encodes {@code count} frames of {@code layout}, frame {@code n}'s bytes {@code picture.apply(n)}, from a heap frame;
     * adds the packets' bytes.
     */
    static void encode(Heap heap, FrameLayout layout, int count, IntFunction<byte[]> picture, List<byte[]> packets)
            throws Exception {
        try (Frame frame = Frame.allocate(heap, layout);
             CodecStage encoder = CodecStage.open(vicodec("stateful-encoder"), CodecStage.Kind.ENCODER)) {
            encoder.startEncoder(layout, FWHT, List.of(frame), 2);
            for (int n = 0; n < count; n++) {
                byte[] pixels = picture.apply(n);
                write(frame.plane(0).buffer(), pixels);
                assertTrue(encoder.offer(0, pixels.length, (n + 1) * 1_000L));
                CodecStage.Result packet = await(encoder, encoder::takeResult);
                packets.add(packet.bytes().toArray(ValueLayout.JAVA_BYTE)); // mapped once, read in a bracket
                encoder.release(packet);
                await(encoder, encoder::takeProcessed); // the frame is the encoder's until it gives it back
            }
        }
    }

    /**
     * Packets fed to a decoder in order through its input buffers (written by the CPU: test input, not the zero-copy
     * path), each as soon as its buffer is back, packet {@code n} with timestamp {@code (n + 1)} ms.
     */
    static final class Feeder {
        private final CodecStage decoder;
        private final List<DmaBuf> inputs;
        private final List<byte[]> packets;
        private final boolean[] free;
        private int fed;

        Feeder(CodecStage decoder, List<DmaBuf> inputs, List<byte[]> packets) {
            this.decoder = decoder;
            this.inputs = inputs;
            this.packets = packets;
            this.free = new boolean[inputs.size()];
            java.util.Arrays.fill(free, true);
        }

        /** Gives back the inputs the decoder has read, then writes and offers the next packets into the free ones. */
        void feed() throws KernelException {
            for (var read = decoder.takeProcessed(); read.isPresent(); read = decoder.takeProcessed()) {
                free[read.get().index()] = true;
            }
            for (int i = 0; i < free.length && fed < packets.size(); i++) {
                if (free[i]) {
                    write(inputs.get(i), packets.get(fed));
                    assertTrue(decoder.offer(i, packets.get(fed).length, (fed + 1) * 1_000_000L));
                    free[i] = false;
                    fed++;
                }
            }
        }
    }

    /** What {@link #decodeAll} does with each decoded frame, and after each round of taking them. */
    private interface Decoding {
        /** Frame {@code n} (counted from 0) decoded: released, or kept for a while. */
        void decoded(CodecStage.Result picture, int n) throws KernelException;

        /** After each round of taking decoded frames, whether or not one came. */
        default void afterTaking() throws KernelException {
        }
    }

    /**
     * Feeds {@code feeder}'s packets to {@code decoder} and takes its decoded frames in one {@code poller} loop on this
     * thread until {@code count} came, each not flagged as an error and handed to {@code decoding}; their sizes
     * ("640x368") in order. Fails when nothing happens for {@link #STALL}.
     */
    private static List<String> decodeAll(CodecStage decoder, Poller poller, Feeder feeder, int count,
                                          Decoding decoding) throws KernelException {
        List<String> sizes = new ArrayList<>();
        decoder.attach(poller);
        try {
            while (sizes.size() < count) {
                feeder.feed();
                if (poller.await(STALL) == 0) {
                    throw new AssertionError("nothing happened for " + STALL + ": decoded " + sizes);
                }
                Optional<CodecStage.Result> decoded;
                while ((decoded = decoder.takeResult()).isPresent()) {
                    CodecStage.Result picture = decoded.get();
                    assertFalse(picture.isError(), "the decoder flagged frame " + sizes.size() + " as an error");
                    sizes.add(picture.frame().width() + "x" + picture.frame().height());
                    decoding.decoded(picture, sizes.size() - 1);
                }
                decoding.afterTaking();
            }
        } finally {
            decoder.detach();
        }
        return sizes;
    }

    /** {@code bytes} written at the start of {@code buffer}, inside a CPU-access bracket; unmapped on return. */
    static void write(DmaBuf buffer, byte[] bytes) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mapped = buffer.map(arena, Access.READ_WRITE);
            try (CpuAccess ignored = buffer.cpuAccess(Access.WRITE)) {
                MemorySegment.copy(bytes, 0, mapped, ValueLayout.JAVA_BYTE, 0, bytes.length);
            }
        }
    }

    /** One of a stage's non-blocking steps. */
    private interface Step<T> {
        Optional<T> take() throws KernelException;
    }

    /** What {@code step} takes next, polling the stage's sources alone; fails after {@link #STALL}. */
    private static <T> T await(CodecStage stage, Step<T> step) throws KernelException {
        try (Poller poller = Poller.open()) {
            stage.attach(poller);
            try {
                long deadline = System.nanoTime() + STALL.toNanos();
                while (System.nanoTime() < deadline) {
                    Optional<T> taken = step.take();
                    if (taken.isPresent()) {
                        return taken.get();
                    }
                    poller.await(STALL);
                }
                throw new AssertionError("nothing from " + stage + " in " + STALL);
            } finally {
                stage.detach();
            }
        }
    }

    /** How many distinct dma-bufs (by inode) the process holds. */
    private static int distinctDmaBufs() throws IOException {
        Set<Long> inodes = new HashSet<>();
        HeldDmaBuf.list().forEach(held -> inodes.add(held.inode()));
        return inodes.size();
    }

    /** The first {@code size} bytes of {@code frame}'s one dma-buf, read inside a CPU-access bracket and unmapped. */
    private static byte[] read(Frame frame, int size) throws KernelException {
        DmaBuf buffer = frame.plane(0).buffer();
        byte[] bytes = new byte[size];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mapped = buffer.map(arena, Access.READ);
            try (CpuAccess ignored = buffer.cpuAccess(Access.READ)) {
                MemorySegment.copy(mapped, ValueLayout.JAVA_BYTE, 0, bytes, 0, size);
            }
        }
        return bytes;
    }

    static double psnr(byte[] source, byte[] decoded) {
        if (source == null) {
            throw new AssertionError("a decoded frame whose camera frame was never given back by the encoder");
        }
        double squared = 0;
        for (int i = 0; i < source.length; i++) {
            int d = Byte.toUnsignedInt(source[i]) - Byte.toUnsignedInt(decoded[i]);
            squared += d * d;
        }
        double mse = squared / source.length;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** How many distinct luma values the 8 bars of a YUV 4:2:0 frame have, in its middle row. */
    private static int barsOf(byte[] yuv) {
        Set<Integer> luma = new TreeSet<>();
        for (int bar = 0; bar < 8; bar++) {
            luma.add(Byte.toUnsignedInt(yuv[HEIGHT / 2 * WIDTH + bar * WIDTH / 8 + WIDTH / 16]));
        }
        return luma.size();
    }

    /**
     * vivid's capture node showing 75% colour bars with its OSD text (a frame counter, so that no two frames are
     * alike), static, at {@link #RATE} with Start of Exposure timestamps; {@link #allocate} takes a plan's buffers as
     * {@link BufferPool} does for a display, without framebuffers; {@link #close} frees them and puts the controls,
     * the rate and the timestamps back (vivid keeps them across opens).
     */
    private static final class Camera implements AutoCloseable {
        static final Fraction RATE = TestBed.Vivid.RATE;
        private static final List<String> CONTROLS = List.of("test_pattern", "osd_text_mode", "horizontal_movement",
                "vertical_movement");
        final VideoDevice device;
        final VideoQueue queue;
        final Map<String, Integer> was = new HashMap<>();
        Optional<Fraction> rateWas = Optional.empty();
        final List<Frame> frames = new ArrayList<>();
        VideoFormat format;

        private Camera(VideoDevice device, VideoQueue queue) {
            this.device = device;
            this.queue = queue;
        }

        static Camera open() throws IOException {
            VideoDevice device = VideoDevice.open(TestBed.vividCapture(0));
            Camera camera = null;
            try {
                camera = new Camera(device, device.openQueue(BufferType.VIDEO_CAPTURE));
                Controls controls = device.controls();
                for (String name : CONTROLS) {
                    camera.was.put(name, controls.getInt(name));
                }
                controls.set("test_pattern", 0); // 75% colour bars
                controls.set("osd_text_mode", 0); // all: the counters make every frame different
                controls.set("horizontal_movement", 3); // none
                controls.set("vertical_movement", 3);
                camera.rateWas = Optional.of(device.streamParameters(BufferType.VIDEO_CAPTURE).timePerFrame());
                device.setTimePerFrame(BufferType.VIDEO_CAPTURE, RATE);
                controls.set(TestBed.TIMESTAMP_SOURCE, "Start of Exposure");
                return camera;
            } catch (IOException | RuntimeException | Error e) {
                if (camera != null) {
                    camera.close();
                } else {
                    device.close();
                }
                throw e;
            }
        }

        /** The plan's buffers, exported by the camera and imported back (so none stays mapped). */
        void allocate(Plan plan) throws KernelException {
            format = device.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, plan.layout()));
            for (VideoBuffer buffer : queue.allocate(plan.count())) {
                frames.add(queue.exportFrame(buffer));
            }
            queue.release();
            queue.importFrames(frames);
        }

        @Override
        public void close() {
            try {
                queue.close();
                frames.forEach(Frame::close);
                Controls controls = device.controls();
                for (Map.Entry<String, Integer> entry : was.entrySet()) {
                    controls.set(entry.getKey(), entry.getValue());
                }
                TestBed.restoreCamera(device, rateWas);
            } catch (KernelException e) {
                throw new IllegalStateException("could not put vivid's controls back", e);
            } finally {
                device.close();
            }
        }
    }
}

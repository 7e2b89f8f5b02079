package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.CodecCommand;
import io.zeroframe.v4l2.EventType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoCapability;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoEvent;
import io.zeroframe.v4l2.VideoEvents;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One V4L2 memory-to-memory device as a hop of a zero-copy pipeline: a stateful encoder or decoder
 * (dev-encoder.rst, dev-decoder.rst) or a converter (dev-mem2mem.rst: a scaler or colour converter such as vim2m).
 * Its OUTPUT queue reads the upstream hop's buffers, imported once as dma-bufs
 * ({@code V4L2_MEMORY_DMABUF}), and its CAPTURE queue writes into buffers the stage owns and hands on as dma-bufs.
 *
 * <p><b>Buffers.</b> {@link Input} {@code i} is the upstream's buffer {@code i} (its dma-bufs, borrowed, paired with
 * OUTPUT index {@code i} for the stage's life): {@link #offer} queues it ({@code VIDIOC_QBUF}), {@link #takeProcessed}
 * gives it back once the codec has read it ({@code VIDIOC_DQBUF}), for the caller to return upstream. {@link Result}
 * {@code j} is CAPTURE buffer {@code j}: allocated by the driver ({@code VIDIOC_REQBUFS} MMAP), exported
 * ({@code VIDIOC_EXPBUF}), then freed ({@code VIDIOC_REQBUFS} 0, which unmaps what {@link VideoQueue#allocate} mapped)
 * and imported back from the exports ({@code V4L2_MEMORY_DMABUF}), so that the process maps no buffer; a queue that
 * cannot import keeps its MMAP buffers (mapped). {@link #takeResult} hands out a packet (encoder: its dma-buf and
 * bytes used) or a frame (decoder: a {@link Frame} any importer can take: a display, the next stage) and
 * {@link #release} queues it again. The exports are the stage's; importers borrow them. An application that wants
 * a packet's bytes reads {@link Result#bytes} (mapped once per buffer, bracketed for CPU reads until the release).
 * A decoder whose frames must live in a downstream device's memory (a display that imports no foreign buffers, as
 * virtio-gpu) takes its CAPTURE frames from a {@link ResultFrames} instead ({@link #resultFrames}): imported
 * ({@code V4L2_MEMORY_DMABUF}) at every CAPTURE setup, borrowed, never allocated by the codec.
 *
 * <p><b>Negotiation.</b> An encoder's OUTPUT queue is a consumer the planner can describe
 * ({@code VideoEndpoint.of(stage.inputQueue(), Role.CONSUMER, ...)}): plan the upstream hop with it, then start the
 * stage on the plan's layout and buffers. A compressed hop (an encoder's packets into a decoder) is beyond the
 * planner, whose frame model has no compressed formats: the decoder imports the encoder's packet buffers directly
 * ({@link #resultBuffers}), which must be as large as its OUTPUT format's {@code sizeimage}.
 *
 * <p><b>Flow.</b> Nothing blocks and nothing allocates per frame: {@link #offer}, {@link #takeProcessed},
 * {@link #takeResult} and {@link #release} make one ioctl each (a dequeue that finds nothing returns empty;
 * {@link #takeResult} makes one more, {@code VIDIOC_DQEVENT}, when an event is pending) and return preallocated
 * objects; only setting CAPTURE up and {@link Result#bytes} allocate. For one poll loop over many objects, {@link #attach} a {@link Poller}: the stage keeps
 * its sources registered in it as its state needs (the OUTPUT queue while an input is with the codec, the CAPTURE
 * queue while a result buffer is, and its events always: an m2m node polled for buffers with none queued on either
 * queue reports {@code POLLERR} at once), and {@link #ready} says whether the last wait found something of its.
 *
 * <p><b>Decoder.</b> {@link #startDecoder} subscribes to {@code V4L2_EVENT_SOURCE_CHANGE} and streams OUTPUT only;
 * when the codec has parsed the stream's header it signals the event, and {@link #takeResult} sets CAPTURE up
 * ({@code VIDIOC_G_FMT}, {@code VIDIOC_REQBUFS} with the new count, {@code VIDIOC_STREAMON}). A later source change
 * (a resolution change mid-stream, which the codec ends with a {@code LAST} CAPTURE buffer) sets CAPTURE up again
 * once every result is back with the stage, so a frame still shown downstream is never freed under it.
 *
 * <p><b>Drain.</b> {@link #drain} sends {@code V4L2_ENC_CMD_STOP} or {@code V4L2_DEC_CMD_STOP}: the codec finishes
 * what was queued and marks its last CAPTURE buffer {@code V4L2_BUF_FLAG_LAST}; {@link #offer} refuses frames from
 * then on (returns false), and once the {@code LAST} result was taken {@link #drained} is true.
 *
 * <p><b>Threads.</b> One thread drives the stage (the loop's); {@link #close} may be called from any thread at any
 * time: it waits for a call in progress to return (calls do not block), then stops both streams, frees the buffers
 * and closes the exports and the device; the calls after it throw {@link IllegalStateException} and never reach a
 * freed buffer or a recycled fd. A {@link Poller} waiting on the stage's sources meanwhile reports them closed; the
 * loop's thread then calls {@link #detach}. Close a downstream stage before its upstream: an upstream's close closes
 * the exports the downstream imported (the kernel keeps their memory, and the downstream's next {@link #offer}
 * throws {@link io.zeroframe.bindings.FdClosedException}).
 *
 * <p><b>Ownership.</b> The stage owns its device, queues, event reader and exports; it borrows the upstream's
 * frames or dma-bufs (keep them open while the stage uses them) and the {@link Poller}.
 *
 * {@snippet :
 * try (CodecStage encoder = CodecStage.open(node, CodecStage.Kind.ENCODER)) {
 *     encoder.startEncoder(plan.layout(), FourCc.of("FWHT"), cameraFrames, 4); // camera buffer i = input i
 *     encoder.attach(poller);
 *     while (running) {
 *         poller.await(ChronoUnit.FOREVER.getDuration());             // with the camera and the display
 *         // a captured camera buffer: encoder.offer(buffer.index(), buffer.bytesUsed(0), buffer.timestampNanos())
 *         Optional<CodecStage.Input> read = encoder.takeProcessed();  // give read.get().index() back to the camera
 *         Optional<CodecStage.Result> packet = encoder.takeResult();
 *         if (packet.isPresent()) {
 *             channel.write(packet.get().bytes().asByteBuffer());   // or hand packet.get().dmaBuf(0) on
 *             encoder.release(packet.get());
 *         }
 *     }
 *     encoder.drain();                                                // then take results until drained()
 * }
 * }
 */
public final class CodecStage implements AutoCloseable {
    /** Which way the stage codes. */
    public enum Kind {
        /** Raw frames on OUTPUT, compressed packets on CAPTURE. */
        ENCODER,
        /** Compressed packets on OUTPUT, raw frames on CAPTURE. */
        DECODER,
        /**
         * Raw frames on both queues, in another format or size on CAPTURE: a colour converter or scaler (vim2m, an
         * ISP's m2m node). No events and no drain command.
         */
        CONVERTER;

        /** Whether its CAPTURE buffers hold raw frames ({@link Result#frame}), not packets. */
        public boolean makesFrames() {
            return this != ENCODER;
        }

        /** Whether its OUTPUT buffers are raw frames from upstream ({@link #restartInput} applies). */
        public boolean takesFrames() {
            return this != DECODER;
        }
    }

    /** One upstream buffer as the codec's OUTPUT buffer of the same index. */
    public static final class Input {
        private final int index;
        private final VideoBuffer buffer;
        private final Optional<Input> present = Optional.of(this);
        private boolean withCodec;

        private Input(int index, VideoBuffer buffer) {
            this.index = index;
            this.buffer = buffer;
        }

        /** Its index: the upstream buffer's, and the OUTPUT buffer's. */
        public int index() {
            return index;
        }

        /** The dma-buf of memory plane {@code plane} it was imported with; the upstream's, borrowed. */
        public DmaBuf dmaBuf(int plane) {
            return buffer.dmaBuf(plane);
        }

        /** Whether the codec holds it (offered, not taken back). */
        public boolean isWithCodec() {
            return withCodec;
        }

        @Override
        public String toString() {
            return "input " + index;
        }
    }

    /** One CAPTURE buffer: a packet (encoder) or a frame (decoder), and what its last dequeue said. */
    public static final class Result {
        private final CodecStage stage;
        private final int index;
        private final VideoBuffer buffer;
        private final List<DmaBuf> dmaBufs;
        private final Frame frame;
        private final Optional<Result> present = Optional.of(this);
        private boolean withApplication;
        /** Plane 0 mapped read-only by {@link #bytes}, once, in the stage's results arena. */
        private MemorySegment mapped;
        /** The CPU read bracket {@link #bytes} opened, ended by {@link CodecStage#release}. */
        private CpuAccess reading;

        private Result(CodecStage stage, int index, VideoBuffer buffer, List<DmaBuf> dmaBufs, Frame frame) {
            this.stage = stage;
            this.index = index;
            this.buffer = buffer;
            this.dmaBufs = dmaBufs;
            this.frame = frame;
        }

        /**
         * The data of memory plane 0 ({@code data_offset} to {@code data_offset + bytesused}) for the CPU to read: an
         * encoder's packet, for an application that writes it out. The buffer is mapped read-only the first time
         * (in an arena of the stage's, unmapped when CAPTURE is freed or the stage closes) and a CPU read bracket
         * ({@code DMA_BUF_IOCTL_SYNC} {@code START}) is opened until {@link CodecStage#release}, which ends it
         * ({@code END}). Valid until the release; copy what you keep. Not for the zero-copy path: a display or the
         * next stage takes {@link #dmaBuf} or {@link #frame} and the process maps nothing.
         *
         * @throws IllegalStateException for a result the application does not hold, or a closed stage
         * @throws KernelException the failed {@code mmap} or {@code DMA_BUF_IOCTL_SYNC}
         */
        public MemorySegment bytes() throws KernelException {
            return stage.bytes(this);
        }

        /** Its CAPTURE index. */
        public int index() {
            return index;
        }

        /** The dma-buf of memory plane {@code plane}: owned by the stage, valid until it closes. */
        public DmaBuf dmaBuf(int plane) {
            return dmaBufs.get(plane);
        }

        /**
         * The decoded frame's memory as a frame any importer takes (a KMS plane, the next stage); owned by the
         * stage, valid until it closes or sets CAPTURE up again after a source change.
         *
         * @throws IllegalStateException for an encoder's packet buffer
         */
        public Frame frame() {
            if (frame == null) {
                throw new IllegalStateException("result " + index + " is a compressed packet: read dmaBuf(0)");
            }
            return frame;
        }

        /** Bytes of memory plane {@code plane} holding data ({@code bytesused}), as dequeued. */
        public int bytesUsed(int plane) {
            return buffer.bytesUsed(plane);
        }

        /** Where the data of memory plane {@code plane} starts ({@code data_offset}). */
        public int dataOffset(int plane) {
            return buffer.dataOffset(plane);
        }

        /**
         * The timestamp the codec copied from the input this result came from ({@code V4L2_BUF_FLAG_TIMESTAMP_COPY}).
         */
        public long timestampNanos() {
            return buffer.timestampNanos();
        }

        /** The codec's counter ({@code sequence}). */
        public int sequence() {
            return buffer.sequence();
        }

        /** {@code V4L2_BUF_FLAG_LAST}: the end of a drain, or of the stream before a resolution change. */
        public boolean isLast() {
            return buffer.isLast();
        }

        /** {@code V4L2_BUF_FLAG_ERROR}: the codec could not code it; its content is not a valid result. */
        public boolean isError() {
            return buffer.isError();
        }

        /** Whether the application holds it (taken, not released). */
        public boolean isWithApplication() {
            return withApplication;
        }

        @Override
        public String toString() {
            return "result " + index;
        }
    }

    /**
     * Where a decoder's CAPTURE frames come from when the downstream allocates them: the display's dumb buffers
     * for a display that imports nothing (virtio-gpu refuses foreign dma-bufs with ENODEV), a heap, a pool.
     */
    @FunctionalInterface
    public interface ResultFrames {
        /**
         * {@code count} frames for CAPTURE's {@code format} (the codec's answer after a source change: size, pitch,
         * {@code sizeimage}), made at each CAPTURE setup, on the loop's thread. They stay the supplier's: the stage
         * imports them and stops using them when CAPTURE is set up again or the stage closes; the supplier closes
         * them after that (a frame still shown keeps its memory in the display's import either way).
         */
        List<Frame> frames(VideoFormat format, int count) throws KernelException;
    }

    /** How many recent offers are remembered for timing their results: more than a codec holds at once. */
    private static final int RECENT = 32;

    private final Kind kind;
    private final VideoDevice device;
    private final BufferType inputType;
    private final BufferType resultType;
    private final VideoQueue inputQueue;
    private final VideoQueue resultQueue;
    private final VideoEvents events;
    /** Guards {@link #closed} and {@link #busy}; {@link #close} waits on it for a call in progress. */
    private final Object lifecycle = new Object();
    private boolean closed;
    private int busy;

    private List<Input> inputs = List.of();
    private List<Result> results = List.of();
    /** What the stage owns behind {@link #results}: the exports (frames for a decoder, dma-bufs for an encoder). */
    private final List<AutoCloseable> exports = new ArrayList<>();
    private int resultCount;
    /** A decoder's CAPTURE frames' supplier, or {@code null}: the codec allocates them (see the class comment). */
    private ResultFrames resultFrames;
    /** A converter's CAPTURE side kept for {@link #feed} ({@link #prepareConverter}), or {@code null}. */
    private FrameLayout preparedOutput;
    private int preparedResults;
    /** The CAPTURE format a decoder sets at each setup ({@link #preferResults}), or {@code null}. */
    private PixelFormat preferredResults;
    private boolean started;
    private boolean resultsStreaming;
    private int inputsWithCodec;
    private int resultsWithCodec;
    private int resultsWithApplication;
    private boolean draining;
    private boolean drained;
    /** A source-change event not acted on yet: CAPTURE is set up after the LAST buffer, once the results are back. */
    private boolean setupPending;
    /** The decoder's CAPTURE ended (a LAST buffer outside a drain): the codec waits for the CAPTURE re-setup. */
    private boolean resultsEnded;
    /** The offers' timestamps and times, the last {@link #RECENT} of them, to time each result against its offer. */
    private final long[] offerStamps = new long[RECENT];
    private final long[] offerNanos = new long[RECENT];
    private int nextOffer;
    private final Tally tally = new Tally();
    /** Where {@link Result#bytes} maps; made on first use, closed when CAPTURE is freed. */
    private Arena resultArena;
    private Poller poller;
    private int inputKey = -1;
    private int resultKey = -1;
    private int eventKey = -1;

    private CodecStage(Kind kind, VideoDevice device, VideoQueue inputQueue, VideoQueue resultQueue,
                       VideoEvents events) {
        this.kind = kind;
        this.device = device;
        this.inputType = inputQueue.type();
        this.resultType = resultQueue.type();
        this.inputQueue = inputQueue;
        this.resultQueue = resultQueue;
        this.events = events;
    }

    /**
     * Opens the codec at {@code node} as a stage of {@code kind}: its OUTPUT and CAPTURE queues (multi-planar when
     * the node is {@code V4L2_CAP_VIDEO_M2M_MPLANE}) and an event reader, with no buffers yet. The stage owns the
     * device. The OUTPUT queue ({@link #inputQueue}) can be described to a planner before {@link #startEncoder}.
     *
     * @throws IllegalArgumentException for a node that is not a memory-to-memory device
     * @throws KernelException opening the node or its queues
     */
    public static CodecStage open(Path node, Kind kind) throws KernelException {
        Objects.requireNonNull(kind, "kind");
        VideoDevice device = VideoDevice.open(node);
        try {
            boolean mplane = device.info().deviceCapabilities().contains(VideoCapability.VIDEO_M2M_MPLANE);
            if (!mplane && !device.info().deviceCapabilities().contains(VideoCapability.VIDEO_M2M)) {
                throw new IllegalArgumentException(node + " (" + device.info().card() + ") is not a memory-to-memory"
                        + " device: " + device.info().deviceCapabilities());
            }
            VideoQueue in = device.openQueue(mplane ? BufferType.VIDEO_OUTPUT_MPLANE : BufferType.VIDEO_OUTPUT);
            VideoQueue out = device.openQueue(mplane ? BufferType.VIDEO_CAPTURE_MPLANE : BufferType.VIDEO_CAPTURE);
            VideoEvents events = device.openEvents();
            return new CodecStage(kind, device, in, out, events);
        } catch (KernelException | RuntimeException | Error e) {
            device.close(); // closes the queues and events opened so far
            throw e;
        }
    }

    /**
     * Has a decoder import its CAPTURE frames from {@code source} at every CAPTURE setup instead of allocating them
     * ({@code null}: allocate, the default). Before {@link #startDecoder}.
     *
     * @throws IllegalStateException on an encoder, or once started
     */
    public void resultFrames(ResultFrames source) {
        if (!kind.makesFrames()) {
            throw new IllegalStateException("resultFrames on " + device.path() + ": an encoder makes packets");
        }
        if (started) {
            throw new IllegalStateException("resultFrames on " + device.path() + ": the stage is started already");
        }
        resultFrames = source;
    }

    /** The stage's kind. */
    public Kind kind() {
        return kind;
    }

    /** The codec's node. */
    public Path path() {
        return device.path();
    }

    /**
     * The OUTPUT queue, for describing it to a planner as the consumer of the upstream hop
     * ({@link io.zeroframe.v4l2.negotiation.VideoEndpoint#of}); the stage owns it: queue nothing on it directly.
     */
    public VideoQueue inputQueue() {
        return inputQueue;
    }

    /**
     * The CAPTURE queue, for describing it to a planner as the producer of the downstream hop
     * ({@link io.zeroframe.v4l2.negotiation.VideoEndpoint#of} with {@code Role.STAGE}); the stage owns it: queue
     * nothing on it directly.
     */
    public VideoQueue resultQueue() {
        return resultQueue;
    }

    /**
     * Has a decoder set CAPTURE to {@code format} at every setup when the codec's own choice
     * ({@code VIDIOC_G_FMT} after the source change) is another: the format the hop after it was planned in. A codec
     * that answers another format (the stream does not decode to it) fails the setup with EINVAL. Before
     * {@link #startDecoder}; {@code null} for the codec's choice (the default).
     *
     * @throws IllegalStateException on another kind of stage, or once started
     */
    public void preferResults(PixelFormat format) {
        requireKind(Kind.DECODER, "preferResults");
        if (started) {
            throw new IllegalStateException("preferResults on " + device.path() + ": the stage is started already");
        }
        preferredResults = format;
    }

    /**
     * Starts an encoder: the compressed format {@code coded} on CAPTURE at the frame size, then the raw
     * {@code layout} on OUTPUT ({@code VIDIOC_S_FMT} both), the upstream {@code frames} imported as the OUTPUT buffers
     * (checked against the format first: see {@link VideoQueue#importFrames}), {@code results} packet buffers
     * allocated, exported and imported back as described in the class comment, all queued, and both queues streamed
     * ({@code VIDIOC_STREAMON}).
     *
     * @param frames  the upstream's buffers, borrowed: keep them open while the stage uses them
     * @param results how many packet buffers; the driver may grant more
     * @throws KernelException {@code VIDIOC_S_FMT} EINVAL when the codec refuses the format or changes the frame size
     *         (naming both sizes); the driver's refusals of the buffers or the streams. What was set up is undone
     * @throws IllegalArgumentException for upstream frames the OUTPUT format does not fit (naming frame and value)
     */
    public void startEncoder(FrameLayout layout, FourCc coded, List<Frame> frames, int results) throws KernelException {
        requireKind(Kind.ENCODER, "startEncoder");
        Objects.requireNonNull(layout, "layout");
        startOnFrames(VideoFormat.of(resultType, coded, layout.width(), layout.height()), layout, frames, results);
    }

    /**
     * An encoder's or a converter's start: CAPTURE's format, then OUTPUT's, the upstream frames imported, the results
     * set up and queued, both queues streamed; undone on a failure.
     */
    private void startOnFrames(VideoFormat resultFormat, FrameLayout input, List<Frame> frames, int results)
            throws KernelException {
        enter();
        try {
            beginStart(frames.size(), results);
            try {
                set(resultFormat);
                set(VideoFormat.of(inputType, input));
                inputs = wrapInputs(inputQueue.importFrames(frames));
                setUpResults();
                inputQueue.streamOn();
                started = true;
            } catch (KernelException | RuntimeException | Error e) {
                undoStart();
                throw e;
            }
        } finally {
            exit();
        }
    }

    /**
     * Starts a decoder: the compressed format {@code coded} at {@code width x height} on OUTPUT
     * ({@code VIDIOC_S_FMT}), the upstream's packet buffers imported as the OUTPUT buffers, one dma-buf each,
     * {@code V4L2_EVENT_SOURCE_CHANGE} subscribed and OUTPUT streamed. CAPTURE is set up when the codec signals the
     * stream's format (see the class comment), with {@code results} buffers or the codec's minimum if larger.
     *
     * @param packets the upstream's packet buffers (an encoder stage's {@link #resultBuffers}), borrowed
     * @throws KernelException as {@link #startEncoder}
     * @throws IllegalArgumentException for a packet buffer smaller than the format's {@code sizeimage}
     */
    public void startDecoder(FourCc coded, int width, int height, List<DmaBuf> packets, int results)
            throws KernelException {
        requireKind(Kind.DECODER, "startDecoder");
        enter();
        try {
            beginStart(packets.size(), results);
            try {
                set(VideoFormat.of(inputType, coded, width, height));
                List<List<DmaBuf>> each = new ArrayList<>(packets.size());
                packets.forEach(packet -> each.add(List.of(packet)));
                inputs = wrapInputs(inputQueue.importDmaBufs(each));
                events.subscribe(EventType.SOURCE_CHANGE, 0, false);
                inputQueue.streamOn();
                started = true;
            } catch (KernelException | RuntimeException | Error e) {
                undoStart();
                throw e;
            }
        } finally {
            exit();
        }
    }

    /**
     * Starts a converter: {@code output} on CAPTURE and the raw {@code input} layout on OUTPUT ({@code VIDIOC_S_FMT}
     * both; the driver must keep both sizes), the upstream {@code frames} imported as the OUTPUT buffers (checked
     * against the format: see {@link VideoQueue#importFrames}), {@code results} CAPTURE frames allocated, exported
     * and imported back (or taken from the {@link #resultFrames} source), all queued, and both queues streamed.
     *
     * @param frames  the upstream's buffers, borrowed: keep them open while the stage uses them
     * @param results how many result frames; the driver may want more
     * @throws KernelException as {@link #startEncoder}
     * @throws IllegalArgumentException for upstream frames the OUTPUT format does not fit
     */
    public void startConverter(FrameLayout input, List<Frame> frames, FrameLayout output, int results)
            throws KernelException {
        requireKind(Kind.CONVERTER, "startConverter");
        Objects.requireNonNull(input, "input");
        startOnFrames(VideoFormat.of(resultType, Objects.requireNonNull(output, "output")), input, frames, results);
    }

    /**
     * Readies a converter whose input exists only later (after a decoder, whose frames come with its stream): its
     * CAPTURE side as planned, {@code output} and {@code results} frames; {@link #feed} starts it on the upstream's
     * frames when they exist.
     *
     * @throws IllegalStateException on another kind of stage, or once started
     */
    public void prepareConverter(FrameLayout output, int results) {
        requireKind(Kind.CONVERTER, "prepareConverter");
        Objects.requireNonNull(output, "output");
        if (started) {
            throw new IllegalStateException("prepareConverter on " + device.path() + ": the stage is started already");
        }
        if (results < 1) {
            throw new IllegalArgumentException("prepareConverter on " + device.path() + ": " + results + " results");
        }
        preparedOutput = output;
        preparedResults = results;
    }

    /**
     * Feeds a {@linkplain #prepareConverter prepared} converter the upstream's current frames: the first time it
     * starts it ({@link #startConverter} with the prepared output), later it restarts its input on a new set of
     * another layout ({@link #restartInput}: a decoder upstream met a source change).
     *
     * @throws IllegalStateException when the stage was not prepared, or for {@link #restartInput}'s reasons
     */
    public void feed(FrameLayout input, List<Frame> frames) throws KernelException {
        if (preparedOutput == null) {
            throw new IllegalStateException("feed on " + device.path() + ": not a prepared converter"
                    + " (prepareConverter)");
        }
        if (started) {
            restartInput(input, frames);
        } else {
            startConverter(input, frames, preparedOutput, preparedResults);
        }
    }

    /** Whether the stage is started: its input side set up ({@link #inputs} not empty). */
    public boolean isStarted() {
        return started;
    }

    /**
     * Restarts an encoder's or a converter's input side on new upstream frames of another {@code layout} (a camera
     * whose resolution changed, a decoder upstream that met a source change): OUTPUT stopped ({@code VIDIOC_STREAMOFF}) and freed ({@code VIDIOC_REQBUFS} 0), the raw format set
     * ({@code VIDIOC_S_FMT}: vicodec answers EBUSY to a size change while OUTPUT has buffers), {@code frames} imported
     * and OUTPUT streamed again. CAPTURE keeps streaming: the codec writes the new size into the next packets' headers,
     * which a decoder downstream meets as a source change; a converter keeps its CAPTURE format, so a driver that
     * scales (vim2m) scales the new size to it, and one that does not refuses the new OUTPUT format.
     *
     * @throws IllegalStateException unless every input is back from the codec ({@link #takeProcessed})
     */
    public void restartInput(FrameLayout layout, List<Frame> frames) throws KernelException {
        if (!kind.takesFrames()) {
            throw new IllegalStateException("restartInput on " + device.path() + ": a decoder's input is packets");
        }
        Objects.requireNonNull(layout, "layout");
        enter();
        try {
            if (!started) {
                throw new IllegalStateException("restartInput on " + device.path() + ": the stage is not started");
            }
            if (inputsWithCodec > 0) {
                throw new IllegalStateException("restartInput on " + device.path() + ": " + inputsWithCodec
                        + " inputs are still with the codec; take them back first (takeProcessed)");
            }
            inputQueue.streamOff();
            inputQueue.release();
            inputs = List.of();
            set(VideoFormat.of(inputType, layout));
            inputs = wrapInputs(inputQueue.importFrames(frames));
            inputQueue.streamOn();
        } finally {
            exit();
        }
    }

    private void requireKind(Kind wanted, String operation) {
        if (kind != wanted) {
            throw new IllegalStateException(operation + " on " + device.path() + ": the stage is a " + kind);
        }
    }

    private void beginStart(int upstream, int results) {
        if (started) {
            throw new IllegalStateException("the stage on " + device.path() + " is started already");
        }
        if (upstream == 0 || results < 1) {
            throw new IllegalArgumentException("a stage on " + device.path() + " needs upstream buffers and at least"
                    + " one result buffer: " + upstream + " upstream, " + results + " results");
        }
        resultCount = results;
    }

    /** {@code VIDIOC_S_FMT}, refusing an answer of another frame size: the upstream's buffers would not fit it. */
    private void set(VideoFormat wanted) throws KernelException {
        VideoFormat answered = device.setFormat(wanted);
        if (answered.width() != wanted.width() || answered.height() != wanted.height()) {
            throw KernelException.of("VIDIOC_S_FMT", device.path().toString(), Errno.EINVAL, device.info().card()
                    + " answered " + answered.width() + "x" + answered.height() + " for " + wanted.fourccName() + " "
                    + wanted.width() + "x" + wanted.height() + " on " + wanted.type().kernelName()
                    + ": it does not code that size; ask for one it lists (VIDIOC_ENUM_FRAMESIZES)");
        }
    }

    private static List<Input> wrapInputs(List<VideoBuffer> buffers) {
        List<Input> made = new ArrayList<>(buffers.size());
        for (VideoBuffer buffer : buffers) {
            made.add(new Input(buffer.index(), buffer));
        }
        return Collections.unmodifiableList(made);
    }

    /** A failed start: streams stopped, buffers and exports freed; the stage may be started again or closed. */
    private void undoStart() {
        try {
            inputQueue.release();
        } catch (KernelException | RuntimeException e) {
            // the queue's close frees them with its fd
        }
        freeResults();
        inputs = List.of();
        inputsWithCodec = 0;
    }

    /**
     * CAPTURE in the current format: MMAP buffers allocated, exported, freed and imported back (or kept mapped by a
     * queue that cannot import), every one queued, the stream started.
     */
    private void setUpResults() throws KernelException {
        preferResultFormat();
        int count = Math.max(resultCount, device.minBuffers(resultType).orElse(1));
        if (resultFrames != null) {
            importResults(count);
            return;
        }
        List<VideoBuffer> allocated = resultQueue.allocate(count);
        List<List<DmaBuf>> planes = new ArrayList<>(allocated.size());
        List<Frame> frames = new ArrayList<>(allocated.size());
        boolean raw = kind.makesFrames();
        for (VideoBuffer buffer : allocated) {
            if (raw) {
                Frame frame = resultQueue.exportFrame(buffer);
                exports.add(frame);
                frames.add(frame);
                planes.add(frame.buffers());
            } else {
                List<DmaBuf> exported = new ArrayList<>(buffer.planeCount());
                for (int p = 0; p < buffer.planeCount(); p++) {
                    DmaBuf dmaBuf = buffer.export(p);
                    exports.add(dmaBuf);
                    exported.add(dmaBuf);
                }
                planes.add(List.copyOf(exported));
            }
        }
        List<VideoBuffer> buffers = allocated;
        if (resultQueue.info().canImport()) {
            resultQueue.release(); // unmaps what allocate mapped; the exports keep the memory
            buffers = raw ? resultQueue.importFrames(frames) : resultQueue.importDmaBufs(planes);
        }
        List<Result> made = new ArrayList<>(buffers.size());
        for (int i = 0; i < buffers.size(); i++) {
            made.add(new Result(this, i, buffers.get(i), planes.get(i), raw ? frames.get(i) : null));
        }
        startResults(made);
    }

    /** A decoder's preferred CAPTURE format set at the codec's size, if it is not the codec's choice already. */
    private void preferResultFormat() throws KernelException {
        if (preferredResults == null || kind != Kind.DECODER) {
            return;
        }
        VideoFormat chosen = device.getFormat(resultType);
        if (chosen.fourcc().equals(FourCc.of(preferredResults))) {
            return;
        }
        VideoFormat answered = device.setFormat(VideoFormat.of(resultType, preferredResults, chosen.width(),
                chosen.height()));
        if (!answered.fourcc().equals(FourCc.of(preferredResults))) {
            throw KernelException.of("VIDIOC_S_FMT", device.path().toString(), Errno.EINVAL, device.info().card()
                    + " answered " + answered + " for " + preferredResults + " on " + resultType.kernelName()
                    + ": the stream decodes to other formats than the hop after the decoder was planned for; plan"
                    + " again with the format the encoder is given");
        }
    }

    /** CAPTURE from the {@link ResultFrames} supplier's frames for the current format, every one queued, streamed. */
    private void importResults(int count) throws KernelException {
        VideoFormat format = device.getFormat(resultType);
        List<Frame> frames = List.copyOf(resultFrames.frames(format, count));
        if (frames.isEmpty()) {
            throw new IllegalStateException("the result frames' supplier of " + device.path() + " gave none for "
                    + format);
        }
        List<VideoBuffer> buffers = resultQueue.importFrames(frames);
        List<Result> made = new ArrayList<>(buffers.size());
        for (int i = 0; i < buffers.size(); i++) {
            made.add(new Result(this, i, buffers.get(i), frames.get(i).buffers(), frames.get(i)));
        }
        startResults(made);
    }

    /** CAPTURE's buffers as {@code made}: every one queued, the stream started. */
    private void startResults(List<Result> made) throws KernelException {
        results = Collections.unmodifiableList(made);
        for (Result result : results) {
            resultQueue.enqueue(result.buffer);
        }
        resultsWithCodec = results.size();
        resultQueue.streamOn();
        resultsStreaming = true;
        resultsEnded = false;
    }

    /**
     * CAPTURE stopped and freed ({@code VIDIOC_STREAMOFF}, {@code VIDIOC_REQBUFS} 0), then the exports closed; the
     * results are forgotten, except at close, where the loop may still hold them (their calls then throw).
     */
    private void freeResults() {
        freeResults(true);
    }

    private void freeResults(boolean forget) {
        for (Result result : results) {
            try {
                endReading(result);
            } catch (KernelException | RuntimeException e) {
                // the bracket ends with the dma-buf's close below
            }
            result.mapped = null;
        }
        if (resultArena != null) {
            resultArena.close(); // unmaps what bytes() mapped
            resultArena = null;
        }
        try {
            resultQueue.release();
        } catch (KernelException | RuntimeException e) {
            // the queue's close frees them with its fd
        }
        for (AutoCloseable export : exports) {
            try {
                export.close();
            } catch (Exception e) {
                // dma-bufs and frames close without throwing checked exceptions
            }
        }
        exports.clear();
        if (forget) {
            results = List.of();
        }
        resultsStreaming = false;
        resultsWithCodec = 0;
        resultsWithApplication = 0;
    }

    /** The upstream buffers as this stage's inputs, by index; empty before a start. */
    public List<Input> inputs() {
        return inputs;
    }

    /** The CAPTURE buffers, by index; empty before CAPTURE is set up. */
    public List<Result> results() {
        return results;
    }

    /**
     * The packet buffers of an encoder, one dma-buf each (its memory plane 0), by index: what a decoder stage imports
     * as its inputs ({@link #startDecoder}). Owned by this stage.
     */
    public List<DmaBuf> resultBuffers() {
        List<DmaBuf> buffers = new ArrayList<>(results.size());
        results.forEach(result -> buffers.add(result.dmaBuf(0)));
        return buffers;
    }

    /** CAPTURE's current format ({@code VIDIOC_G_FMT}): after a decoder's source change, the decoded frames'. */
    public VideoFormat resultFormat() throws KernelException {
        return device.getFormat(resultType);
    }

    // ---- the poll loop

    /**
     * Lets the stage keep its sources in {@code poller} (borrowed) from now on, as the class comment says; on the
     * loop's thread, between waits.
     */
    public void attach(Poller poller) {
        enter();
        try {
            if (this.poller != null) {
                throw new IllegalStateException("the stage on " + device.path() + " is attached to a poller already");
            }
            this.poller = Objects.requireNonNull(poller, "poller");
            eventKey = poller.register(events);
            rewatch();
        } finally {
            exit();
        }
    }

    /** Removes the stage's sources from its poller; also after {@link #close}, on the loop's thread. Idempotent. */
    public void detach() {
        if (poller == null) {
            return;
        }
        for (int key : new int[] {inputKey, resultKey, eventKey}) {
            if (key >= 0) {
                poller.unregister(key);
            }
        }
        inputKey = resultKey = eventKey = -1;
        poller = null;
    }

    /**
     * Whether the poller's last wait found one of the stage's sources ready (a processed input, a result, an event)
     * or closed; then {@link #takeProcessed} and {@link #takeResult} have something, or throw for a closed stage.
     */
    public boolean ready() {
        return ready(inputKey) || ready(resultKey) || ready(eventKey);
    }

    private boolean ready(int key) {
        return key >= 0 && (poller.ready(key) || poller.closed(key));
    }

    /** Registers the queues that can become ready, and only those (see the class comment). */
    private void rewatch() {
        if (poller == null) {
            return;
        }
        inputKey = watch(inputKey, inputQueue, inputsWithCodec > 0);
        resultKey = watch(resultKey, resultQueue, resultsStreaming && resultsWithCodec > 0 && !drained
                && !resultsEnded);
    }

    private int watch(int key, VideoQueue queue, boolean wanted) {
        if (wanted && key < 0) {
            return poller.register(queue);
        }
        if (!wanted && key >= 0) {
            poller.unregister(key);
            return -1;
        }
        return key;
    }

    // ---- the steps

    /**
     * Queues upstream buffer {@code index} to the codec ({@code VIDIOC_QBUF} on OUTPUT) with {@code bytesUsed} bytes
     * of data in memory plane 0 and {@code timestampNanos}, which the codec copies to the result. Allocates nothing.
     *
     * @return false, queueing nothing, while the stage drains or has drained: the buffer stays the caller's
     * @throws IllegalStateException before a start, once closed, or for an input the codec holds already
     * @throws KernelException the driver's refusal ({@code VIDIOC_QBUF}, e.g. EIO after a fatal error)
     */
    public boolean offer(int index, int bytesUsed, long timestampNanos) throws KernelException {
        enter();
        try {
            requireStarted("VIDIOC_QBUF");
            if (draining || drained) {
                tally.refused();
                return false;
            }
            if (index < 0 || index >= inputs.size()) {
                throw new IllegalArgumentException("VIDIOC_QBUF on " + device.path() + ": input " + index
                        + " is not one of the stage's " + inputs.size() + " (the upstream's buffer indexes)");
            }
            Input input = inputs.get(index);
            if (input.withCodec) {
                throw new IllegalStateException("VIDIOC_QBUF on " + device.path() + ": " + input
                        + " is with the codec already");
            }
            input.buffer.setBytesUsed(0, bytesUsed);
            input.buffer.setTimestampNanos(timestampNanos);
            inputQueue.enqueue(input.buffer);
            input.withCodec = true;
            inputsWithCodec++;
            offerStamps[nextOffer] = input.buffer.timestampNanos(); // as V4L2 carries it: whole microseconds
            offerNanos[nextOffer] = System.nanoTime();
            nextOffer = (nextOffer + 1) % RECENT;
            tally.offered();
            rewatch();
            return true;
        } finally {
            exit();
        }
    }

    /**
     * The next input the codec has read ({@code VIDIOC_DQBUF} on OUTPUT, not waiting): give its buffer back upstream.
     * Empty when none is done. Allocates nothing.
     */
    public Optional<Input> takeProcessed() throws KernelException {
        enter();
        try {
            requireStarted("VIDIOC_DQBUF");
            if (inputsWithCodec == 0) {
                return Optional.empty();
            }
            Optional<VideoBuffer> done = inputQueue.dequeue(0);
            if (done.isEmpty()) {
                return Optional.empty();
            }
            Input input = inputs.get(done.get().index());
            input.withCodec = false;
            inputsWithCodec--;
            tally.processed();
            rewatch();
            return input.present;
        } finally {
            exit();
        }
    }

    /**
     * The next result ({@code VIDIOC_DQBUF} on CAPTURE, not waiting), after handling the codec's pending events (a
     * decoder's source change sets CAPTURE up). Empty when none is ready. The result is the application's until
     * {@link #release}. A {@code LAST} result ends a drain ({@link #drained}); outside a drain, on a decoder, it ends
     * the stream before a resolution change: returned only when it carries a frame. Allocates nothing, except when
     * CAPTURE is set up.
     */
    public Optional<Result> takeResult() throws KernelException {
        enter();
        try {
            requireStarted("VIDIOC_DQBUF");
            if (eventKey < 0 || poller.ready(eventKey)) {
                takeEvents();
            }
            if (!resultsStreaming || resultsWithCodec == 0 || drained || resultsEnded) {
                return Optional.empty();
            }
            Optional<VideoBuffer> done = resultQueue.dequeue(0);
            if (done.isEmpty()) {
                return Optional.empty();
            }
            Result result = results.get(done.get().index());
            resultsWithCodec--;
            if (result.isLast()) {
                if (draining) {
                    draining = false;
                    drained = true;
                } else {
                    resultsEnded = true; // a resolution change: CAPTURE is set up again after its event, once the
                                         // results are back
                }
            }
            if (resultsEnded && result.bytesUsed(0) == 0) {
                // it carries nothing; the source-change event came with it (whatever the last wait saw), and CAPTURE
                // is set up again once no result is out
                takeEvents();
                setUpAgainIfFree();
                rewatch();
                return Optional.empty();
            }
            result.withApplication = true;
            resultsWithApplication++;
            tally.result(result.bytesUsed(0) > 0 ? sinceOffer(result.timestampNanos()) : -1);
            if (resultsEnded) {
                takeEvents(); // CAPTURE is set up again once this result too is released
            }
            rewatch();
            return result.present;
        } finally {
            exit();
        }
    }

    /**
     * Gives a taken result back: queued to the codec again ({@code VIDIOC_QBUF} on CAPTURE), or kept after a drain.
     * After a resolution change, the last result released lets CAPTURE be set up again. Allocates nothing.
     *
     * @throws IllegalStateException for a result the application does not hold, or once closed
     */
    public void release(Result result) throws KernelException {
        enter();
        try {
            if (result.index >= results.size() || results.get(result.index) != result || !result.withApplication) {
                throw new IllegalStateException("VIDIOC_QBUF on " + device.path() + ": " + result
                        + " is not held by the application");
            }
            result.withApplication = false;
            resultsWithApplication--;
            endReading(result);
            if (!drained && !resultsEnded) {
                resultQueue.enqueue(result.buffer);
                resultsWithCodec++;
            } else if (resultsEnded) {
                takeEvents();
                setUpAgainIfFree();
            }
            rewatch();
        } finally {
            exit();
        }
    }

    /**
     * Starts the drain ({@code VIDIOC_ENCODER_CMD} {@code V4L2_ENC_CMD_STOP} or {@code VIDIOC_DECODER_CMD}
     * {@code V4L2_DEC_CMD_STOP}): what was offered is coded, the last result comes {@code LAST}. Does nothing while a
     * drain runs or after it.
     *
     * @throws KernelException the command refused
     */
    public void drain() throws KernelException {
        enter();
        try {
            if (kind == Kind.CONVERTER) {
                throw new IllegalStateException("drain on " + device.path() + ": a converter has no stop command;"
                        + " stop offering frames and take the results of those it holds");
            }
            requireStarted(kind == Kind.ENCODER ? "VIDIOC_ENCODER_CMD" : "VIDIOC_DECODER_CMD");
            if (draining || drained) {
                return;
            }
            device.command(kind == Kind.ENCODER ? CodecCommand.ENCODER_STOP : CodecCommand.DECODER_STOP);
            draining = true;
        } finally {
            exit();
        }
    }

    private MemorySegment bytes(Result result) throws KernelException {
        enter();
        try {
            if (!result.withApplication || result.index >= results.size() || results.get(result.index) != result) {
                throw new IllegalStateException("mmap on " + device.path() + ": " + result
                        + " is not held by the application");
            }
            DmaBuf memory = result.dmaBuf(0);
            if (result.mapped == null) {
                if (resultArena == null) {
                    resultArena = Arena.ofShared(); // close() may come from another thread
                }
                result.mapped = memory.map(resultArena, Access.READ);
            }
            if (result.reading == null) {
                result.reading = memory.cpuAccess(Access.READ);
            }
            return result.mapped.asSlice(result.dataOffset(0), result.bytesUsed(0));
        } finally {
            exit();
        }
    }

    /** Ends the CPU read bracket {@link Result#bytes} opened, if any. */
    private static void endReading(Result result) throws KernelException {
        CpuAccess reading = result.reading;
        if (reading != null) {
            result.reading = null;
            reading.close();
        }
    }

    /** Nanoseconds since the offer whose timestamp the result carries, or -1 if it is not among the recent ones. */
    private long sinceOffer(long stamp) {
        for (int i = 0; i < RECENT; i++) {
            int at = Math.floorMod(nextOffer - 1 - i, RECENT);
            if (offerStamps[at] == stamp && offerNanos[at] != 0) {
                return System.nanoTime() - offerNanos[at];
            }
        }
        return -1;
    }

    /** What the stage did since it was opened; a consistent snapshot, from any thread. */
    public Statistics statistics() {
        return tally.snapshot();
    }

    /**
     * What a stage did, as a value: one hop's share of a pipeline's statistics.
     *
     * @param offered          inputs queued to the codec
     * @param refused          offers refused because the stage was draining or drained
     * @param processed        inputs the codec gave back
     * @param results          results taken (the empty {@code LAST} buffer of a drain included)
     * @param timed            results with data whose offer was found by timestamp among the recent ones
     * @param latencyMeanNanos mean time from an offer to the result carrying its timestamp, over {@code timed}
     * @param latencyMaxNanos  its maximum
     */
    public record Statistics(long offered, long refused, long processed, long results, long timed,
                             long latencyMeanNanos, long latencyMaxNanos) {
        @Override
        public String toString() {
            return String.format("offered %d, refused %d, processed %d, results %d, offer-to-result latency mean"
                    + " %.2f ms max %.2f ms over %d", offered, refused, processed, results, latencyMeanNanos / 1e6,
                    latencyMaxNanos / 1e6, timed);
        }
    }

    /** The counters, written by the loop's thread, read by {@link #statistics} under this object's lock. */
    private static final class Tally {
        private long offered;
        private long refused;
        private long processed;
        private long results;
        private long timed;
        private long latencySum;
        private long latencyMax;

        synchronized void offered() {
            offered++;
        }

        synchronized void refused() {
            refused++;
        }

        synchronized void processed() {
            processed++;
        }

        synchronized void result(long latency) {
            results++;
            if (latency >= 0) {
                timed++;
                latencySum += latency;
                latencyMax = Math.max(latencyMax, latency);
            }
        }

        synchronized Statistics snapshot() {
            return new Statistics(offered, refused, processed, results, timed, timed == 0 ? 0 : latencySum / timed,
                    latencyMax);
        }
    }

    /**
     * Whether a decoder's CAPTURE stream ended for a resolution change (its {@code LAST} buffer came outside a drain)
     * and waits to be set up again: for the source-change event, and for every result the application holds to be
     * {@linkplain #release released} (a frame still shown must be released once its scan-out ended).
     */
    public boolean changePending() {
        return resultsEnded;
    }

    /** Whether a drain ended: the {@code LAST} result was taken. */
    public boolean drained() {
        return drained;
    }

    /** Takes every pending event: a source change sets CAPTURE up, now or once the results are back. */
    private void takeEvents() throws KernelException {
        while (true) {
            Optional<VideoEvent> next = events.next(0);
            if (next.isEmpty()) {
                return;
            }
            if (next.get().type() == EventType.SOURCE_CHANGE) {
                setupPending = true;
            }
            if (setupPending && results.isEmpty()) {
                setupPending = false;
                setUpResults();
            } else {
                setUpAgainIfFree();
            }
        }
    }

    /**
     * After the LAST buffer of a resolution change and the source-change event, once no result is with the
     * application: CAPTURE stopped, freed and set up in the new format.
     */
    private void setUpAgainIfFree() throws KernelException {
        if (setupPending && resultsEnded && resultsWithApplication == 0) {
            setupPending = false;
            freeResults();
            setUpResults();
        }
    }

    private void requireStarted(String operation) {
        if (!started) {
            throw new IllegalStateException(operation + " on " + device.path() + ": the stage is not started");
        }
    }

    // ---- lifecycle

    private void enter() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the " + kind + " stage on " + device.path() + " is closed");
            }
            busy++;
        }
    }

    private void exit() {
        synchronized (lifecycle) {
            busy--;
            if (busy == 0) {
                lifecycle.notifyAll();
            }
        }
    }

    /** Whether {@link #close} has not begun. */
    public boolean isOpen() {
        synchronized (lifecycle) {
            return !closed;
        }
    }

    /**
     * Stops both streams, frees the buffers ({@code VIDIOC_REQBUFS} 0), closes the exports (importers downstream keep
     * the memory of what they imported), the events and the device. Any thread; waits for a call in progress to
     * return first. Idempotent; throws nothing.
     */
    @Override
    public void close() {
        boolean interrupted = false;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            while (busy > 0) {
                try {
                    lifecycle.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // calls do not block: finish waiting, then keep the interrupt
                }
            }
        }
        try {
            events.close();
            inputQueue.close();
            freeResults(false);
            resultQueue.close();
        } finally {
            device.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "CodecStage[" + kind + " " + device.path() + " " + device.info().card() + "]";
    }
}

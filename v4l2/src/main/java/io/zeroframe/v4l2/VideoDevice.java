package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_DECODER_CMD;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_ENCODER_CMD;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_G_DV_TIMINGS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_G_FMT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_G_INPUT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_G_OUTPUT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_G_STD;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QUERYSTD;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QUERY_DV_TIMINGS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_S_FMT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_TRY_FMT;

import io.zeroframe.bindings.DeviceGoneException;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.DeviceErrors;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.v4l2_format;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.control.ControlInfo;
import io.zeroframe.v4l2.control.ControlValue;
import io.zeroframe.v4l2.control.Controls;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.format.FormatOffer;
import io.zeroframe.v4l2.format.FrameIntervals;
import io.zeroframe.v4l2.format.FrameSizes;
import io.zeroframe.v4l2.internal.Factories;
import io.zeroframe.v4l2.internal.VideoNode;
import io.zeroframe.v4l2.io.DvTimings;
import io.zeroframe.v4l2.io.DvTimingsCapabilities;
import io.zeroframe.v4l2.io.VideoInput;
import io.zeroframe.v4l2.io.VideoOutput;
import io.zeroframe.v4l2.io.VideoStandard;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open V4L2 video node ({@code /dev/videoN}): what it is, its formats, controls, events and streaming queues.
 *
 * {@snippet :
 * try (VideoDevice camera = VideoDevice.open(Path.of("/dev/video0"))) {
 *     System.out.println(camera.info().card() + " " + camera.info().deviceCapabilities());
 * }
 * }
 *
 * <p>The node is opened {@code O_RDWR | O_NONBLOCK}: blocking calls (dequeueing buffers and events) wait in
 * {@code poll}, which {@link #close()} from another thread wakes.
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread at any time; a call in flight keeps the fd
 * number alive until it returns, and calls that begin after the close throw
 * {@link io.zeroframe.bindings.FdClosedException}. Other methods are documented where they are thread-safe.
 *
 * <p>Device loss: once the device is gone (unplugged, unbound, vivid's {@code disconnect} control) the kernel
 * answers ENODEV and every call throws {@link DeviceGoneException}; {@link #close()} still releases everything.
 */
public final class VideoDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VideoDevice.class);
    private static final DeviceErrors ERRORS = new DeviceErrors("the video device is gone (unplugged, unbound, or "
            + "vivid's disconnect control); close it and find the device again");

    private final OwnedFd fd;
    private final VideoDeviceInfo info;
    /** Set when {@link #close()} begins, before it closes the queues: opens that finish later are refused. */
    private volatile boolean closing;

    private VideoDevice(OwnedFd fd, VideoDeviceInfo info) {
        this.fd = fd;
        this.info = info;
    }

    /**
     * Opens a video node and identifies it with {@code VIDIOC_QUERYCAP}.
     *
     * @throws KernelException {@code open} ENOENT for a missing node, a
     *         {@link io.zeroframe.bindings.DevicePermissionException} for a node this process may not open,
     *         {@link DeviceGoneException} for a node whose device is gone, {@code VIDIOC_QUERYCAP} ENOTTY or
     *         EINVAL for a node that is not a V4L2 device
     */
    public static VideoDevice open(Path node) throws KernelException {
        OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR | Syscalls.O_NONBLOCK);
        try {
            return new VideoDevice(fd, VideoDevices.query(fd, node));
        } catch (KernelException | RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /** Opens the node {@code info} describes (see {@link #open(Path)}). */
    public static VideoDevice open(VideoDeviceInfo info) throws KernelException {
        return open(info.path());
    }

    /** What {@code VIDIOC_QUERYCAP} said when the node was opened. */
    public VideoDeviceInfo info() {
        return info;
    }

    /** The node's path, e.g. {@code /dev/video0}. */
    public Path path() {
        return info.path();
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    /**
     * Closes the node. Idempotent, callable from any thread, never throws: closes its queues and event readers
     * first (what they cannot undo is logged), then its fd; calls in flight finish first (the fd number stays
     * theirs), blocked dequeues wake with {@link io.zeroframe.bindings.FdClosedException}, and a queue or event
     * reader whose open ends after the close began is closed and refused.
     */
    @Override
    public void close() {
        closing = true; // first: a queue or event reader opened from now on closes itself (openQueue, openEvents)
        try {
            closeQueues();
        } finally {
            fd.close();
        }
    }

    @Override
    public String toString() {
        return "VideoDevice[" + info.path() + " " + info.driver() + " \"" + info.card() + "\""
                + (fd.isOpen() ? "" : " closed") + "]";
    }

    // ---- description and controls: inputs, outputs, standards, priorities, format enumeration, selection,
    // ---- streaming parameters, controls (accessors below this line)

    private final Controls controls = Factories.create(Controls.class, new Node());

    /**
     * The queues this node has, from its device capabilities: {@code VIDEO_CAPTURE} for a capture node, both
     * {@code VIDEO_OUTPUT} and {@code VIDEO_CAPTURE} (or their {@code _MPLANE} forms) for a memory-to-memory
     * device, {@code META_CAPTURE} for a metadata node...
     */
    public Set<BufferType> bufferTypes() {
        return Collections.unmodifiableSet(FormatEnumeration.bufferTypes(info.deviceCapabilities()));
    }

    /**
     * The formats the {@code type} queue offers, in the driver's order ({@code VIDIOC_ENUM_FMT}); empty when the
     * driver lists none for the current input (EINVAL at index 0, e.g. vivid's metadata capture while its capture
     * input is not the webcam).
     *
     * @throws KernelException {@code VIDIOC_ENUM_FMT} EINVAL naming the queues the node has when it has no
     *         {@code type} queue; {@link DeviceGoneException}
     */
    public List<FormatDescription> formats(BufferType type) throws KernelException {
        return FormatEnumeration.formats(this, type);
    }

    /**
     * The frame sizes {@code format} allows ({@code VIDIOC_ENUM_FRAMESIZES}); {@link FrameSizes#NONE} when the
     * driver does not enumerate sizes for it (many output and memory-to-memory queues, unknown formats).
     */
    public FrameSizes frameSizes(FourCc format) throws KernelException {
        return FormatEnumeration.frameSizes(this, format);
    }

    /**
     * The frame intervals {@code format} allows at {@code width} x {@code height}
     * ({@code VIDIOC_ENUM_FRAMEINTERVALS}); {@link FrameIntervals#NONE} when the driver does not enumerate them.
     */
    public FrameIntervals frameIntervals(FourCc format, int width, int height) throws KernelException {
        return FormatEnumeration.frameIntervals(this, format, width, height);
    }

    /**
     * Every format of the {@code type} queue with its frame sizes and, per discrete size, its intervals: what
     * {@code v4l2-ctl --list-formats-ext} prints, for negotiation (see {@link #formats(BufferType)} for errors).
     */
    public List<FormatOffer> formatOffers(BufferType type) throws KernelException {
        return FormatEnumeration.offers(this, type);
    }

    /**
     * The node's controls: enumerate, find by name or id, get, set and try them, several at once atomically
     * (see {@link Controls}). The same object on every call; it enumerates on first use.
     */
    public Controls controls() {
        return controls;
    }

    /**
     * The fewest buffers the driver needs on queue {@code type} to work ({@code V4L2_CID_MIN_BUFFERS_FOR_CAPTURE} for
     * capture queues, {@code V4L2_CID_MIN_BUFFERS_FOR_OUTPUT} for output queues, read now: codecs change it with
     * the stream's format); empty when the driver has no such control (most capture drivers: vivid, vim2m; a
     * stateful encoder such as vicodec's has the output one). Allocate at least this many, plus those the
     * application holds.
     *
     * @throws KernelException {@code VIDIOC_G_EXT_CTRLS} failures other than a missing control;
     *         {@link DeviceGoneException}
     */
    public OptionalInt minBuffers(BufferType type) throws KernelException {
        int id = type.isCapture() ? videodev2_h.V4L2_CID_MIN_BUFFERS_FOR_CAPTURE()
                : videodev2_h.V4L2_CID_MIN_BUFFERS_FOR_OUTPUT();
        ControlInfo control;
        try {
            control = controls.query(id);
        } catch (KernelException e) {
            if ((e.errno() == Errno.EINVAL || e.errno() == Errno.ENOTTY) && !(e instanceof DeviceGoneException)) {
                return OptionalInt.empty(); // VIDIOC_QUERY_EXT_CTRL: no such control, or no controls at all
            }
            throw e;
        }
        return switch (controls.get(control)) {
            case ControlValue.OfInt value -> OptionalInt.of(value.value());
            case ControlValue value -> throw failure("VIDIOC_G_EXT_CTRLS", Errno.EINVAL,
                    "control 0x" + Integer.toHexString(id) + " is " + value + ", not an integer");
        };
    }

    /** The inputs of a capture node ({@code VIDIOC_ENUMINPUT}); empty for a node without inputs. */
    public List<VideoInput> inputs() throws KernelException {
        return DeviceSettings.inputs(this);
    }

    /** The selected input's index ({@code VIDIOC_G_INPUT}). */
    public int input() throws KernelException {
        return DeviceSettings.getInt(this, VIDIOC_G_INPUT, "the node has no inputs");
    }

    /**
     * Selects input {@code index} ({@code VIDIOC_S_INPUT}); formats, standards and DV timings follow the input.
     *
     * @throws KernelException EINVAL listing the node's inputs for an index it lacks; EBUSY while buffers are
     *         allocated
     */
    public void setInput(int index) throws KernelException {
        DeviceSettings.setInput(this, index);
        settingsChanged();
    }

    /** The outputs of an output node ({@code VIDIOC_ENUMOUTPUT}); empty for a node without outputs. */
    public List<VideoOutput> outputs() throws KernelException {
        return DeviceSettings.outputs(this);
    }

    /** The selected output's index ({@code VIDIOC_G_OUTPUT}). */
    public int output() throws KernelException {
        return DeviceSettings.getInt(this, VIDIOC_G_OUTPUT, "the node has no outputs");
    }

    /** Selects output {@code index} ({@code VIDIOC_S_OUTPUT}; errors as {@link #setInput(int)}). */
    public void setOutput(int index) throws KernelException {
        DeviceSettings.setOutput(this, index);
        settingsChanged();
    }

    /** The analog standards the node supports ({@code VIDIOC_ENUMSTD}); empty when it has none (ENODATA). */
    public List<VideoStandard> standards() throws KernelException {
        return DeviceSettings.standards(this);
    }

    /**
     * The current input's or output's standard ({@code VIDIOC_G_STD}), {@code v4l2_std_id} bits.
     *
     * @throws KernelException ENODATA when the current input or output has no standards (e.g. a webcam input)
     */
    public long standard() throws KernelException {
        return DeviceSettings.getStandard(this, VIDIOC_G_STD);
    }

    /** Sets the standard ({@code VIDIOC_S_STD}): an id or a union of ids from {@link #standards()}. */
    public void setStandard(long id) throws KernelException {
        DeviceSettings.setStandard(this, id);
        settingsChanged();
    }

    /** The standards the current input's signal may be ({@code VIDIOC_QUERYSTD}); 0 for no signal. */
    public long queryStandard() throws KernelException {
        return DeviceSettings.getStandard(this, VIDIOC_QUERYSTD);
    }

    /**
     * The DV timings the current input or output takes from the standards' lists ({@code VIDIOC_ENUM_DV_TIMINGS}).
     *
     * @throws KernelException ENODATA when the current input or output has no DV timings
     */
    public List<DvTimings> dvTimingsList() throws KernelException {
        return DeviceSettings.dvTimingsList(this);
    }

    /** The current DV timings ({@code VIDIOC_G_DV_TIMINGS}; ENODATA as {@link #dvTimingsList()}). */
    public DvTimings dvTimings() throws KernelException {
        return DeviceSettings.getDvTimings(this, VIDIOC_G_DV_TIMINGS);
    }

    /**
     * Sets the DV timings ({@code VIDIOC_S_DV_TIMINGS}) and returns what the driver set.
     *
     * @throws KernelException EINVAL for timings it does not take, EBUSY while buffers are allocated
     */
    public DvTimings setDvTimings(DvTimings timings) throws KernelException {
        DvTimings set = DeviceSettings.setDvTimings(this, timings);
        settingsChanged();
        return set;
    }

    /**
     * The timings the receiver detects on the current input ({@code VIDIOC_QUERY_DV_TIMINGS}).
     *
     * @throws KernelException ENOLINK for no signal, ENOLCK for an unstable one, ERANGE for timings out of range
     */
    public DvTimings queryDvTimings() throws KernelException {
        return DeviceSettings.getDvTimings(this, VIDIOC_QUERY_DV_TIMINGS);
    }

    /** The range of DV timings the current input or output takes ({@code VIDIOC_DV_TIMINGS_CAP}). */
    public DvTimingsCapabilities dvTimingsCapabilities() throws KernelException {
        return DeviceSettings.dvTimingsCapabilities(this);
    }

    /** This file handle's access priority ({@code VIDIOC_G_PRIORITY}). */
    public Priority priority() throws KernelException {
        return DeviceSettings.priority(this);
    }

    /**
     * Sets this file handle's access priority ({@code VIDIOC_S_PRIORITY}): {@link Priority#RECORD} keeps other
     * handles from changing the device. The priority ends when this node closes.
     *
     * @throws KernelException EBUSY when another handle holds a higher one
     */
    public void setPriority(Priority priority) throws KernelException {
        DeviceSettings.setPriority(this, priority);
    }

    /**
     * A selection rectangle ({@code VIDIOC_G_SELECTION}): crop or compose, their defaults and bounds.
     *
     * @throws KernelException EINVAL or ENODATA naming the target when the queue (or its current input) has none
     */
    public Rectangle selection(BufferType type, SelectionTarget target) throws KernelException {
        return Selections.selection(this, type, target);
    }

    /**
     * Sets a selection rectangle ({@code VIDIOC_S_SELECTION}) and returns the one the driver chose (adjusted to
     * what the hardware can do, within {@code flags}' constraints).
     *
     * @throws KernelException ERANGE when the constraints cannot be met; EBUSY while buffers are allocated
     */
    public Rectangle setSelection(BufferType type, SelectionTarget target, Rectangle rectangle,
                                  Set<SelectionFlag> flags) throws KernelException {
        return Selections.setSelection(this, type, target, rectangle, flags);
    }

    /** The streaming parameters of a queue ({@code VIDIOC_G_PARM}): its frame interval above all. */
    public StreamParameters streamParameters(BufferType type) throws KernelException {
        return Selections.parameters(this, type);
    }

    /**
     * Sets a queue's frame interval ({@code VIDIOC_S_PARM}, e.g. 1/30 for 30 frames per second) and returns the
     * parameters the driver chose (the nearest interval it supports).
     */
    public StreamParameters setTimePerFrame(BufferType type, Fraction timePerFrame) throws KernelException {
        return Selections.setTimePerFrame(this, type, timePerFrame);
    }

    /**
     * Everything this node offers in one snapshot: identity, each queue's formats with sizes and intervals, inputs,
     * outputs, frame intervals, controls with their values ({@link VideoNodeDescription}; its {@code toString()}
     * is a readable multi-line dump). The controls are enumerated afresh ({@link Controls#refresh()}), so their
     * ranges and flags are those of the current input even when another file handle selected it. Parts the driver
     * does not have are left out (a queue without formats for the current input has an empty list); other failures
     * throw.
     */
    public VideoNodeDescription describe() throws KernelException {
        return NodeDescriber.describe(this);
    }

    // ---- formats (get/try/set), streaming queues, memory-to-memory commands, events (accessors below this line)


    /** The queues and event readers opened on this node, closed with it. */
    private final Set<AutoCloseable> queues = ConcurrentHashMap.newKeySet();

    /**
     * The current format of queue {@code type} ({@code VIDIOC_G_FMT}).
     *
     * @throws KernelException EINVAL for a buffer type the node does not have
     */
    public VideoFormat getFormat(BufferType type) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment format = v4l2_format.allocate(arena);
            format.fill((byte) 0);
            v4l2_format.type(format, type.value());
            ioctlWithAdvice(VIDIOC_G_FMT, format, type);
            return VideoFormat.decode(format);
        }
    }

    /**
     * What the driver would make of {@code request} ({@code VIDIOC_TRY_FMT}), changing nothing: sizes rounded to
     * what the hardware can do, pitches and buffer sizes filled in. A pixel format the node lacks is replaced by
     * one it has, as the kernel does; {@link #setFormat} refuses that instead.
     */
    public VideoFormat tryFormat(VideoFormat request) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment format = v4l2_format.allocate(arena);
            request.encode(format);
            ioctlWithAdvice(VIDIOC_TRY_FMT, format, request.type());
            return VideoFormat.decode(format);
        }
    }

    /**
     * Sets the format of a queue ({@code VIDIOC_S_FMT}) and returns what the driver chose, which may differ in
     * size, pitches and colorimetry. A pixel format the node lacks is refused rather than silently replaced:
     * {@code VIDIOC_TRY_FMT} is asked first, and the format is not changed.
     *
     * @throws KernelException {@code VIDIOC_S_FMT} EINVAL naming the formats the node offers, for a pixel format it
     *         lacks; EBUSY while the queue has buffers (release them first)
     */
    public VideoFormat setFormat(VideoFormat request) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment format = v4l2_format.allocate(arena);
            request.encode(format);
            ioctlWithAdvice(VIDIOC_TRY_FMT, format, request.type());
            VideoFormat tried = VideoFormat.decode(format);
            if (!tried.fourcc().equals(request.fourcc())) {
                throw failure("VIDIOC_S_FMT", Errno.EINVAL, request.type().kernelName() + " does not offer "
                        + request.fourccName() + " (the driver offered " + tried.fourccName() + " instead)"
                        + offeredFormats(request.type()));
            }
            request.encode(format);
            ioctlWithAdvice(VIDIOC_S_FMT, format, request.type());
            return VideoFormat.decode(format);
        }
    }

    /** The formats the node offers for {@code type}, for the message about one it lacks. */
    private String offeredFormats(BufferType type) {
        try {
            StringBuilder offered = new StringBuilder("; it offers");
            for (FormatDescription format : formats(type)) {
                offered.append(' ').append(format.fourcc());
            }
            return offered.toString();
        } catch (KernelException e) {
            return "";
        }
    }

    private void ioctlWithAdvice(IoctlRequest request, MemorySegment format, BufferType type)
            throws KernelException {
        int result = tryIoctl(request, format);
        if (result < 0) {
            int errno = -result;
            String advice = errno == Errno.EBUSY
                    ? QueueAdvice.formatBusy(queuesHoldBuffers())
                    : errno == Errno.EINVAL ? "the node has no " + type.kernelName() + " queue (it is "
                            + info.deviceCapabilities() + ")" : type.kernelName();
            throw failure(request.name(), errno, advice);
        }
    }

    /**
     * Opens the streaming queue {@code type} of this node ({@code VIDEO_CAPTURE}, {@code VIDEO_OUTPUT}, their
     * {@code _MPLANE} forms, or either side of a memory-to-memory device), describing what it supports
     * ({@code VIDIOC_CREATE_BUFS} count 0). The queue holds a duplicate of the node's fd (to wait on and wake
     * separately); closing this device closes its queues first.
     *
     * @throws KernelException {@code VIDIOC_REQBUFS} EINVAL naming the node's queues, for a buffer type it does
     *         not have; {@link FdClosedException} once the device is closed or closing
     */
    public VideoQueue openQueue(BufferType type) throws KernelException {
        return register(VideoQueue.open(this, type), "VIDIOC_REQBUFS");
    }

    /**
     * Opens an event reader on this node ({@link VideoEvents}: subscribe, dequeue with a timeout); it holds a
     * duplicate of the node's fd, closed with this device.
     */
    public VideoEvents openEvents() throws KernelException {
        return register(VideoEvents.open(this), "VIDIOC_SUBSCRIBE_EVENT");
    }

    /**
     * Adds {@code stream} to what {@link #close()} closes, or closes it when a close has begun: registered first and
     * checked after, against a close that sets {@link #closing} first and closes the registered streams after, so
     * that one of the two always closes it.
     */
    private <T extends AutoCloseable> T register(T stream, String operation) throws FdClosedException {
        queues.add(stream);
        if (closing) {
            closeQuietly(stream);
            throw new FdClosedException(operation, path().toString(), "the device was closed");
        }
        return stream;
    }


    /**
     * Sends a stateful codec command ({@code VIDIOC_ENCODER_CMD} or {@code VIDIOC_DECODER_CMD}, no flags): a STOP
     * drains (the last capture buffer comes back {@link BufferFlag#LAST}), a START resumes after a drain.
     *
     * @throws KernelException ENOTTY for a node that is not such a codec; EBUSY for a STOP while a drain runs
     */
    public void command(CodecCommand command) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment argument = command.encoder
                    ? io.zeroframe.bindings.videodev2.v4l2_encoder_cmd.allocate(arena)
                    : io.zeroframe.bindings.videodev2.v4l2_decoder_cmd.allocate(arena);
            argument.fill((byte) 0);
            argument.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, command.cmd); // cmd is the first field of both
            int result = tryIoctl(command.encoder ? VIDIOC_ENCODER_CMD : VIDIOC_DECODER_CMD, argument);
            if (result < 0) {
                throw failure(command.ioctl, -result, command.name());
            }
        }
    }

    /** Called by a queue's or event reader's close. */
    void streamClosed(AutoCloseable stream) {
        queues.remove(stream);
    }

    private void closeQueues() {
        for (AutoCloseable stream : queues) {
            closeQuietly(stream);
        }
    }

    /** Closes a queue or event reader; their close() throws nothing checked, and nothing may stop the device's. */
    private void closeQuietly(AutoCloseable stream) {
        try {
            stream.close();
        } catch (Exception | Error e) {
            LOG.error("closing {} of {} failed; closing the device all the same", stream, path(), e);
            queues.remove(stream);
        }
    }

    /** Whether one of this device's queues holds buffers, for the advice of a refused format change. */
    private boolean queuesHoldBuffers() {
        for (AutoCloseable stream : queues) {
            if (stream instanceof VideoQueue queue && queue.holdsBuffers()) {
                return true;
            }
        }
        return false;
    }

    // ---- internals shared by the package

    /** Counts the input, output, standard and DV timings changes made through this node. */
    private final AtomicLong settings = new AtomicLong();

    private void settingsChanged() {
        settings.incrementAndGet();
    }

    /** This node as the module's other packages see it. */
    private final class Node implements VideoNode {
        @Override
        public int tryIoctl(IoctlRequest request, MemorySegment arg) throws KernelException {
            return VideoDevice.this.tryIoctl(request, arg);
        }

        @Override
        public KernelException failure(String operation, int errno, String detail) {
            return VideoDevice.this.failure(operation, errno, detail);
        }

        @Override
        public Path path() {
            return info.path();
        }

        @Override
        public String identity() {
            return info.driver() + " \"" + info.card() + "\"";
        }

        @Override
        public long settingsGeneration() {
            return settings.get();
        }
    }

    /** The node's fd, for package classes that poll or map it; borrowed, never closed by them. */
    OwnedFd fd() {
        return fd;
    }

    /**
     * The one ioctl entry point of this package: {@code request} on the node, with ENODEV turned into
     * {@link DeviceGoneException}.
     */
    int ioctl(IoctlRequest request, MemorySegment arg) throws KernelException {
        try {
            return Syscalls.ioctl(fd, request, arg);
        } catch (KernelException e) {
            throw classify(e);
        }
    }

    /** Like {@link #ioctl}, for a request that takes an integer by value. */
    int ioctl(IoctlRequest request, long value) throws KernelException {
        try {
            return Syscalls.ioctl(fd, request, value);
        } catch (KernelException e) {
            throw classify(e);
        }
    }

    /**
     * {@code request} returning {@code -errno} instead of throwing, for calls whose failures are ordinary
     * outcomes (EAGAIN from a non-blocking dequeue, EINVAL ending an enumeration). Throws for a closed node.
     */
    int tryIoctl(IoctlRequest request, MemorySegment arg) throws KernelException {
        return tryIoctl(fd, request, arg);
    }

    /**
     * Like {@link #tryIoctl(IoctlRequest, MemorySegment)} on {@code on}: this node's fd or the duplicate a queue or
     * an event reader holds.
     */
    int tryIoctl(OwnedFd on, IoctlRequest request, MemorySegment arg) throws KernelException {
        int result = Syscalls.tryIoctl(on, request, arg);
        if (result == -Errno.ENODEV || result == -Errno.EBADF && !on.isOpen()) {
            throw ERRORS.failure(on, request.name(), -result, null);
        }
        return result;
    }

    /**
     * A failure of {@code operation} on this node with {@code errno}: a {@link DeviceGoneException} for ENODEV, an
     * {@link io.zeroframe.bindings.FdClosedException} for EBADF once closed (EACCES is a plain failure on V4L2: a
     * read-only control).
     */
    KernelException failure(String operation, int errno, String detail) {
        return ERRORS.failure(fd, operation, errno, detail);
    }

    private KernelException classify(KernelException e) {
        return classify(fd, e);
    }

    /** {@code e}, thrown by a system call on {@code on} (the node's fd or a dup), classified as {@link #failure}. */
    KernelException classify(OwnedFd on, KernelException e) {
        return ERRORS.classify(on, e);
    }
}

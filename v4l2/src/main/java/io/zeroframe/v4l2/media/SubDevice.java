package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.DeviceErrors;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.v4l2_subdev.v4l2_fract;
import io.zeroframe.bindings.v4l2_subdev.v4l2_rect;
import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_capability;
import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_format;
import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_frame_interval;
import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_frame_interval_enum;
import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_frame_size_enum;
import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_h;
import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_mbus_code_enum;
import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_selection;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.Rectangle;
import io.zeroframe.v4l2.SelectionFlag;
import io.zeroframe.v4l2.SelectionTarget;
import io.zeroframe.v4l2.control.Controls;
import io.zeroframe.v4l2.internal.Factories;
import io.zeroframe.v4l2.internal.VideoNode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An open V4L2 sub-device node ({@code /dev/v4l-subdevN}): one block of a media graph (a sensor, a debayer, a
 * scaler) whose pads carry formats. Applications configure a pipeline by setting each pad's format
 * ({@code VIDIOC_SUBDEV_S_FMT}), selections and frame interval, source to sink ({@link MediaPipeline} does it for a
 * whole path).
 *
 * {@snippet :
 * try (SubDevice sensor = SubDevice.open(Path.of("/dev/v4l-subdev0"))) {
 *     List<MediaBusCode> codes = sensor.mbusCodes(0, Which.ACTIVE);
 *     MediaBusFormat set = sensor.setFormat(0, Which.ACTIVE, MediaBusFormat.of(codes.getFirst(), 640, 480));
 * }
 * }
 *
 * <p>Every pad call takes the pad's index on its entity ({@link MediaPad#index()}) and {@link Which}: the
 * {@code ACTIVE} configuration the device streams with, or the file handle's {@code TRY} configuration, which asks
 * the driver what it would do and changes nothing. Set calls return what the driver chose, which may differ from the
 * request (sizes rounded, an unsupported code replaced): compare before relying on it.
 *
 * <p>The node is opened {@code O_RDWR}. Thread-safety: {@link #close()} may be called from any thread at any time; a
 * call in flight keeps the fd number alive until it returns, later calls throw
 * {@link io.zeroframe.bindings.FdClosedException}. Other calls use per-call scratch memory.
 */
public final class SubDevice implements AutoCloseable {
    static final IoctlRequest VIDIOC_SUBDEV_QUERYCAP = IoctlRequest.of("VIDIOC_SUBDEV_QUERYCAP", v4l2_subdev_h.VIDIOC_SUBDEV_QUERYCAP());
    static final IoctlRequest VIDIOC_SUBDEV_ENUM_MBUS_CODE = IoctlRequest.of("VIDIOC_SUBDEV_ENUM_MBUS_CODE", v4l2_subdev_h.VIDIOC_SUBDEV_ENUM_MBUS_CODE());
    static final IoctlRequest VIDIOC_SUBDEV_ENUM_FRAME_SIZE = IoctlRequest.of("VIDIOC_SUBDEV_ENUM_FRAME_SIZE", v4l2_subdev_h.VIDIOC_SUBDEV_ENUM_FRAME_SIZE());
    static final IoctlRequest VIDIOC_SUBDEV_ENUM_FRAME_INTERVAL = IoctlRequest.of("VIDIOC_SUBDEV_ENUM_FRAME_INTERVAL", v4l2_subdev_h.VIDIOC_SUBDEV_ENUM_FRAME_INTERVAL());
    static final IoctlRequest VIDIOC_SUBDEV_G_FMT = IoctlRequest.of("VIDIOC_SUBDEV_G_FMT", v4l2_subdev_h.VIDIOC_SUBDEV_G_FMT());
    static final IoctlRequest VIDIOC_SUBDEV_S_FMT = IoctlRequest.of("VIDIOC_SUBDEV_S_FMT", v4l2_subdev_h.VIDIOC_SUBDEV_S_FMT());
    static final IoctlRequest VIDIOC_SUBDEV_G_SELECTION = IoctlRequest.of("VIDIOC_SUBDEV_G_SELECTION", v4l2_subdev_h.VIDIOC_SUBDEV_G_SELECTION());
    static final IoctlRequest VIDIOC_SUBDEV_S_SELECTION = IoctlRequest.of("VIDIOC_SUBDEV_S_SELECTION", v4l2_subdev_h.VIDIOC_SUBDEV_S_SELECTION());
    static final IoctlRequest VIDIOC_SUBDEV_G_FRAME_INTERVAL = IoctlRequest.of("VIDIOC_SUBDEV_G_FRAME_INTERVAL", v4l2_subdev_h.VIDIOC_SUBDEV_G_FRAME_INTERVAL());
    static final IoctlRequest VIDIOC_SUBDEV_S_FRAME_INTERVAL = IoctlRequest.of("VIDIOC_SUBDEV_S_FRAME_INTERVAL", v4l2_subdev_h.VIDIOC_SUBDEV_S_FRAME_INTERVAL());

    private static final DeviceErrors ERRORS = new DeviceErrors("the sub-device is gone (its driver was unbound or "
            + "unloaded); close it and find the device again");

    private final OwnedFd fd;
    private final SubDeviceCapability capability;
    private final Controls controls;

    private SubDevice(OwnedFd fd, SubDeviceCapability capability) {
        this.fd = fd;
        this.capability = capability;
        this.controls = Factories.create(Controls.class, new Node());
    }

    /**
     * Opens a sub-device node and identifies it with {@code VIDIOC_SUBDEV_QUERYCAP}.
     *
     * @throws KernelException {@code open} ENOENT for a missing node, a
     *         {@link io.zeroframe.bindings.DevicePermissionException} for one this process may not open;
     *         {@code VIDIOC_SUBDEV_QUERYCAP} ENOTTY for a file that is not a sub-device node (a video or media node)
     */
    public static SubDevice open(Path node) throws KernelException {
        OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = v4l2_subdev_capability.allocate(arena);
            cap.fill((byte) 0);
            int result = Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_QUERYCAP, cap);
            if (result < 0) {
                throw ERRORS.failure(fd, VIDIOC_SUBDEV_QUERYCAP.name(), -result, -result == Errno.ENOTTY
                        || -result == Errno.EINVAL ? "not a V4L2 sub-device node; pass a /dev/v4l-subdevN node "
                        + "(MediaTopology.node(entity) finds an entity's)" : null);
            }
            int caps = v4l2_subdev_capability.capabilities(cap);
            return new SubDevice(fd, new SubDeviceCapability(v4l2_subdev_capability.version(cap),
                    (caps & v4l2_subdev_h.V4L2_SUBDEV_CAP_RO_SUBDEV()) != 0,
                    (caps & v4l2_subdev_h.V4L2_SUBDEV_CAP_STREAMS()) != 0, caps));
        } catch (KernelException | RuntimeException | Error e) {
            fd.close();
            throw e;
        }
    }

    /** What {@code VIDIOC_SUBDEV_QUERYCAP} said when the node was opened. */
    public SubDeviceCapability capability() {
        return capability;
    }

    /** The node's path, e.g. {@code /dev/v4l-subdev0}. */
    public Path path() {
        return Path.of(fd.path());
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    /**
     * The media-bus codes pad {@code pad} offers ({@code VIDIOC_SUBDEV_ENUM_MBUS_CODE}), in the driver's order. On a
     * source pad of a converting entity they may depend on its sink pad's format in {@code which}.
     *
     * @throws KernelException EINVAL at index 0 naming the pad, for a pad the sub-device lacks
     */
    public List<MediaBusCode> mbusCodes(int pad, Which which) throws KernelException {
        List<MediaBusCode> codes = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = v4l2_subdev_mbus_code_enum.allocate(arena);
            for (int index = 0; ; index++) {
                e.fill((byte) 0);
                v4l2_subdev_mbus_code_enum.pad(e, pad);
                v4l2_subdev_mbus_code_enum.index(e, index);
                v4l2_subdev_mbus_code_enum.which(e, which.value());
                int result = Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_ENUM_MBUS_CODE, e);
                if (result == -Errno.EINVAL && index > 0) {
                    return codes;
                }
                check(VIDIOC_SUBDEV_ENUM_MBUS_CODE, result, pad, "index " + index);
                codes.add(new MediaBusCode(v4l2_subdev_mbus_code_enum.code(e)));
            }
        }
    }

    /**
     * The frame sizes pad {@code pad} takes for {@code code} ({@code VIDIOC_SUBDEV_ENUM_FRAME_SIZE}); empty when the
     * pad does not offer {@code code} (EINVAL at index 0).
     */
    public List<FrameSizeRange> frameSizes(int pad, MediaBusCode code, Which which) throws KernelException {
        List<FrameSizeRange> sizes = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = v4l2_subdev_frame_size_enum.allocate(arena);
            for (int index = 0; ; index++) {
                e.fill((byte) 0);
                v4l2_subdev_frame_size_enum.pad(e, pad);
                v4l2_subdev_frame_size_enum.index(e, index);
                v4l2_subdev_frame_size_enum.code(e, code.value());
                v4l2_subdev_frame_size_enum.which(e, which.value());
                int result = Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_ENUM_FRAME_SIZE, e);
                if (result == -Errno.EINVAL) {
                    return sizes;
                }
                check(VIDIOC_SUBDEV_ENUM_FRAME_SIZE, result, pad, code.toString());
                sizes.add(new FrameSizeRange(v4l2_subdev_frame_size_enum.min_width(e),
                        v4l2_subdev_frame_size_enum.max_width(e), v4l2_subdev_frame_size_enum.min_height(e),
                        v4l2_subdev_frame_size_enum.max_height(e)));
            }
        }
    }

    /**
     * The frame intervals pad {@code pad} offers for {@code code} at {@code width x height}
     * ({@code VIDIOC_SUBDEV_ENUM_FRAME_INTERVAL}); empty when the driver enumerates none (EINVAL at index 0, or
     * ENOTTY: many sub-devices other than sensors).
     */
    public List<Fraction> frameIntervals(int pad, MediaBusCode code, int width, int height, Which which)
            throws KernelException {
        List<Fraction> intervals = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = v4l2_subdev_frame_interval_enum.allocate(arena);
            for (int index = 0; ; index++) {
                e.fill((byte) 0);
                v4l2_subdev_frame_interval_enum.pad(e, pad);
                v4l2_subdev_frame_interval_enum.index(e, index);
                v4l2_subdev_frame_interval_enum.code(e, code.value());
                v4l2_subdev_frame_interval_enum.width(e, width);
                v4l2_subdev_frame_interval_enum.height(e, height);
                v4l2_subdev_frame_interval_enum.which(e, which.value());
                int result = Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_ENUM_FRAME_INTERVAL, e);
                if (result == -Errno.EINVAL || result == -Errno.ENOTTY) {
                    return intervals;
                }
                check(VIDIOC_SUBDEV_ENUM_FRAME_INTERVAL, result, pad, code + "/" + width + "x" + height);
                intervals.add(fraction(v4l2_subdev_frame_interval_enum.interval(e)));
            }
        }
    }

    /**
     * The format on pad {@code pad} ({@code VIDIOC_SUBDEV_G_FMT}).
     *
     * @throws KernelException EINVAL naming the pad, for a pad the sub-device lacks
     */
    public MediaBusFormat format(int pad, Which which) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f = v4l2_subdev_format.allocate(arena);
            f.fill((byte) 0);
            v4l2_subdev_format.pad(f, pad);
            v4l2_subdev_format.which(f, which.value());
            check(VIDIOC_SUBDEV_G_FMT, Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_G_FMT, f), pad, which.name());
            return MediaBusFormat.decode(v4l2_subdev_format.format(f));
        }
    }

    /**
     * Sets the format on pad {@code pad} ({@code VIDIOC_SUBDEV_S_FMT}) and returns what the driver chose, which may
     * differ from {@code format} (rounded size, another code, a source pad that follows its sink and ignores the
     * request). With {@link Which#TRY} nothing changes on the device: the driver answers what it would do. A
     * sub-device also propagates a sink format to its own source pads.
     *
     * @throws KernelException EINVAL naming the pad; EBUSY while the pipeline streams; EPERM for a read-only node
     *         ({@link SubDeviceCapability#readOnly()}) and {@code ACTIVE}
     */
    public MediaBusFormat setFormat(int pad, Which which, MediaBusFormat format) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f = v4l2_subdev_format.allocate(arena);
            f.fill((byte) 0);
            v4l2_subdev_format.pad(f, pad);
            v4l2_subdev_format.which(f, which.value());
            format.encode(v4l2_subdev_format.format(f));
            check(VIDIOC_SUBDEV_S_FMT, Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_S_FMT, f), pad, which + " " + format);
            return MediaBusFormat.decode(v4l2_subdev_format.format(f));
        }
    }

    /**
     * A selection rectangle of pad {@code pad} ({@code VIDIOC_SUBDEV_G_SELECTION}): crop on a sink pad (the part of
     * the input used), compose (the size it is scaled to), their bounds and defaults.
     *
     * @throws KernelException EINVAL or ENOTTY naming the target, for a pad or sub-device without it
     */
    public Rectangle selection(int pad, Which which, SelectionTarget target) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = selection(arena, pad, which, target, 0);
            check(VIDIOC_SUBDEV_G_SELECTION, Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_G_SELECTION, s), pad,
                    target.kernelName());
            return rectangle(v4l2_subdev_selection.r(s));
        }
    }

    /**
     * Sets a selection rectangle of pad {@code pad} ({@code VIDIOC_SUBDEV_S_SELECTION}) and returns the one the
     * driver chose (adjusted within {@code flags}' constraints). Setting a sink crop or compose resets the source
     * pad's format on most drivers: set selections before the source format.
     *
     * @throws KernelException EINVAL or ENOTTY naming the target; ERANGE when the constraints cannot be met; EBUSY
     *         while streaming
     */
    public Rectangle setSelection(int pad, Which which, SelectionTarget target, Rectangle rectangle,
                                  Set<SelectionFlag> flags) throws KernelException {
        int bits = 0;
        for (SelectionFlag flag : flags) {
            bits |= flag.bit();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = selection(arena, pad, which, target, bits);
            MemorySegment r = v4l2_subdev_selection.r(s);
            v4l2_rect.left(r, rectangle.left());
            v4l2_rect.top(r, rectangle.top());
            v4l2_rect.width(r, rectangle.width());
            v4l2_rect.height(r, rectangle.height());
            check(VIDIOC_SUBDEV_S_SELECTION, Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_S_SELECTION, s), pad,
                    target.kernelName() + " " + rectangle);
            return rectangle(r);
        }
    }

    private static MemorySegment selection(Arena arena, int pad, Which which, SelectionTarget target, int flags) {
        MemorySegment s = v4l2_subdev_selection.allocate(arena);
        s.fill((byte) 0);
        v4l2_subdev_selection.pad(s, pad);
        v4l2_subdev_selection.which(s, which.value());
        v4l2_subdev_selection.target(s, target.value());
        v4l2_subdev_selection.flags(s, flags);
        return s;
    }

    /**
     * The active frame interval of pad {@code pad} ({@code VIDIOC_SUBDEV_G_FRAME_INTERVAL}; the kernel reads the
     * {@code ACTIVE} interval unless a client declares {@code V4L2_SUBDEV_CLIENT_CAP_INTERVAL_USES_WHICH}, which this
     * library does not).
     *
     * @throws KernelException ENOTTY for a sub-device without frame intervals (most that are not sensors)
     */
    public Fraction frameInterval(int pad) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f = v4l2_subdev_frame_interval.allocate(arena);
            f.fill((byte) 0);
            v4l2_subdev_frame_interval.pad(f, pad);
            check(VIDIOC_SUBDEV_G_FRAME_INTERVAL, Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_G_FRAME_INTERVAL, f), pad, null);
            return fraction(v4l2_subdev_frame_interval.interval(f));
        }
    }

    /**
     * Sets the active frame interval of pad {@code pad} ({@code VIDIOC_SUBDEV_S_FRAME_INTERVAL}, e.g. 1/30) and
     * returns the one the driver chose.
     *
     * @throws KernelException ENOTTY as {@link #frameInterval}; EBUSY while streaming
     */
    public Fraction setFrameInterval(int pad, Fraction interval) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f = v4l2_subdev_frame_interval.allocate(arena);
            f.fill((byte) 0);
            v4l2_subdev_frame_interval.pad(f, pad);
            MemorySegment i = v4l2_subdev_frame_interval.interval(f);
            v4l2_fract.numerator(i, interval.numerator());
            v4l2_fract.denominator(i, interval.denominator());
            check(VIDIOC_SUBDEV_S_FRAME_INTERVAL, Syscalls.tryIoctl(fd, VIDIOC_SUBDEV_S_FRAME_INTERVAL, f), pad,
                    interval.toString());
            return fraction(i);
        }
    }

    /**
     * The sub-device's controls (a sensor's exposure, gain, test pattern), through the same {@link Controls} API as a
     * video node's: {@code VIDIOC_QUERY_EXT_CTRL}, {@code VIDIOC_G/S/TRY_EXT_CTRLS} on this node. The same object
     * on every call; it enumerates on first use.
     */
    public Controls controls() {
        return controls;
    }

    /** Closes the node. Idempotent, callable from any thread, never throws; a call in flight finishes first. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "SubDevice[" + fd.path() + (fd.isOpen() ? "" : " closed") + "]";
    }

    private void check(IoctlRequest request, int result, int pad, String what) throws KernelException {
        if (result < 0) {
            int errno = -result;
            String detail = "pad " + pad + (what == null ? "" : ", " + what)
                    + (errno == Errno.ENOTTY ? ": the sub-device does not implement it"
                    : errno == Errno.EBUSY ? ": the pipeline is streaming" : "");
            throw ERRORS.failure(fd, request.name(), errno, detail);
        }
    }

    private static Fraction fraction(MemorySegment f) {
        return new Fraction(v4l2_fract.numerator(f), v4l2_fract.denominator(f));
    }

    private static Rectangle rectangle(MemorySegment r) {
        return new Rectangle(v4l2_rect.left(r), v4l2_rect.top(r), v4l2_rect.width(r), v4l2_rect.height(r));
    }

    /** This node as the module's control code sees it. */
    private final class Node implements VideoNode {
        @Override
        public int tryIoctl(IoctlRequest request, MemorySegment arg) throws KernelException {
            int result = Syscalls.tryIoctl(fd, request, arg);
            if (result == -Errno.ENODEV || result == -Errno.EBADF && !fd.isOpen()) {
                throw ERRORS.failure(fd, request.name(), -result, null);
            }
            return result;
        }

        @Override
        public KernelException failure(String operation, int errno, String detail) {
            return ERRORS.failure(fd, operation, errno, detail);
        }

        @Override
        public Path path() {
            return SubDevice.this.path();
        }

        @Override
        public String identity() {
            return "sub-device " + fd.path();
        }

        @Override
        public long settingsGeneration() {
            return 0; // a sub-device has no inputs or outputs to switch
        }
    }
}

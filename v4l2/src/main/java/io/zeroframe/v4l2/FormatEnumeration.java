package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_ENUM_FMT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_ENUM_FRAMEINTERVALS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_ENUM_FRAMESIZES;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.videodev2.v4l2_fmtdesc;
import io.zeroframe.bindings.videodev2.v4l2_fract;
import io.zeroframe.bindings.videodev2.v4l2_frmival_stepwise;
import io.zeroframe.bindings.videodev2.v4l2_frmivalenum;
import io.zeroframe.bindings.videodev2.v4l2_frmsize_discrete;
import io.zeroframe.bindings.videodev2.v4l2_frmsize_stepwise;
import io.zeroframe.bindings.videodev2.v4l2_frmsizeenum;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.format.FormatFlag;
import io.zeroframe.v4l2.format.FormatOffer;
import io.zeroframe.v4l2.format.FrameIntervals;
import io.zeroframe.v4l2.format.FrameSize;
import io.zeroframe.v4l2.format.FrameSizes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code VIDIOC_ENUM_FMT}, {@code VIDIOC_ENUM_FRAMESIZES} and {@code VIDIOC_ENUM_FRAMEINTERVALS} for VideoDevice. */
final class FormatEnumeration {

    /** A bound on enumerations, against a driver that never ends one. */
    private static final int MAX_ENTRIES = 65536;

    private FormatEnumeration() {}

    /** The queues a node with these capabilities has, in {@link BufferType} order. */
    static Set<BufferType> bufferTypes(Set<VideoCapability> caps) {
        EnumSet<BufferType> types = EnumSet.noneOf(BufferType.class);
        boolean m2m = caps.contains(VideoCapability.VIDEO_M2M);
        boolean m2mMplane = caps.contains(VideoCapability.VIDEO_M2M_MPLANE);
        if (caps.contains(VideoCapability.VIDEO_CAPTURE) || m2m) {
            types.add(BufferType.VIDEO_CAPTURE);
        }
        if (caps.contains(VideoCapability.VIDEO_OUTPUT) || m2m) {
            types.add(BufferType.VIDEO_OUTPUT);
        }
        if (caps.contains(VideoCapability.VIDEO_CAPTURE_MPLANE) || m2mMplane) {
            types.add(BufferType.VIDEO_CAPTURE_MPLANE);
        }
        if (caps.contains(VideoCapability.VIDEO_OUTPUT_MPLANE) || m2mMplane) {
            types.add(BufferType.VIDEO_OUTPUT_MPLANE);
        }
        add(types, caps, VideoCapability.VIDEO_OVERLAY, BufferType.VIDEO_OVERLAY);
        add(types, caps, VideoCapability.VBI_CAPTURE, BufferType.VBI_CAPTURE);
        add(types, caps, VideoCapability.VBI_OUTPUT, BufferType.VBI_OUTPUT);
        add(types, caps, VideoCapability.SLICED_VBI_CAPTURE, BufferType.SLICED_VBI_CAPTURE);
        add(types, caps, VideoCapability.SLICED_VBI_OUTPUT, BufferType.SLICED_VBI_OUTPUT);
        add(types, caps, VideoCapability.VIDEO_OUTPUT_OVERLAY, BufferType.VIDEO_OUTPUT_OVERLAY);
        add(types, caps, VideoCapability.SDR_CAPTURE, BufferType.SDR_CAPTURE);
        add(types, caps, VideoCapability.SDR_OUTPUT, BufferType.SDR_OUTPUT);
        add(types, caps, VideoCapability.META_CAPTURE, BufferType.META_CAPTURE);
        add(types, caps, VideoCapability.META_OUTPUT, BufferType.META_OUTPUT);
        return types;
    }

    private static void add(Set<BufferType> types, Set<VideoCapability> caps, VideoCapability cap, BufferType type) {
        if (caps.contains(cap)) {
            types.add(type);
        }
    }

    /** Whether {@code VIDIOC_ENUM_FMT} takes this type (video, overlay, SDR, metadata; not VBI). */
    static boolean hasFormats(BufferType type) {
        return switch (type) {
            case VBI_CAPTURE, VBI_OUTPUT, SLICED_VBI_CAPTURE, SLICED_VBI_OUTPUT, VIDEO_OUTPUT_OVERLAY -> false;
            default -> true;
        };
    }

    static List<FormatDescription> formats(VideoDevice device, BufferType type) throws KernelException {
        List<FormatDescription> formats = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment desc = v4l2_fmtdesc.allocate(arena);
            for (int index = 0; index < MAX_ENTRIES; index++) {
                desc.fill((byte) 0);
                v4l2_fmtdesc.index(desc, index);
                v4l2_fmtdesc.type(desc, type.value());
                int result = device.tryIoctl(VIDIOC_ENUM_FMT, desc);
                // EINVAL ends the list; at index 0 on a queue the node has, the list is empty (vivid's metadata
                // capture lists formats only while its capture input is the webcam), as v4l2-ctl shows it
                if (result == -Errno.EINVAL && (index > 0 || device.bufferTypes().contains(type))) {
                    break;
                }
                if (result < 0) {
                    throw device.failure(VIDIOC_ENUM_FMT.name(), -result, lacking(device, type, -result));
                }
                int flags = v4l2_fmtdesc.flags(desc);
                formats.add(new FormatDescription(type, index, new FourCc(v4l2_fmtdesc.pixelformat(desc)),
                        v4l2_fmtdesc.description(desc).getString(0), FormatFlag.decode(flags),
                        FormatFlag.unknownBits(flags), v4l2_fmtdesc.mbus_code(desc)));
            }
        }
        return List.copyOf(formats);
    }

    /** The detail of a failure at index 0: the node's queues when it lacks {@code type}. */
    private static String lacking(VideoDevice device, BufferType type, int errno) {
        Set<BufferType> types = device.bufferTypes();
        if (errno == Errno.EINVAL && !types.contains(type)) {
            return "the node has no " + type.kernelName() + " queue; its queues: " + types;
        }
        return "enumerating the formats of " + type.kernelName();
    }

    static FrameSizes frameSizes(VideoDevice device, FourCc format) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = v4l2_frmsizeenum.allocate(arena);
            List<FrameSize> discrete = new ArrayList<>();
            for (int index = 0; index < MAX_ENTRIES; index++) {
                e.fill((byte) 0);
                v4l2_frmsizeenum.index(e, index);
                v4l2_frmsizeenum.pixel_format(e, format.value());
                int result = device.tryIoctl(VIDIOC_ENUM_FRAMESIZES, e);
                if (result == -Errno.EINVAL || (result == -Errno.ENOTTY && index == 0)) {
                    break;
                }
                if (result < 0) {
                    throw device.failure(VIDIOC_ENUM_FRAMESIZES.name(), -result, "enumerating the sizes of " + format);
                }
                int type = v4l2_frmsizeenum.type(e);
                if (type == videodev2_h.V4L2_FRMSIZE_TYPE_DISCRETE()) {
                    MemorySegment d = v4l2_frmsizeenum.discrete(e);
                    discrete.add(new FrameSize(v4l2_frmsize_discrete.width(d), v4l2_frmsize_discrete.height(d)));
                    continue;
                }
                MemorySegment s = v4l2_frmsizeenum.stepwise(e);
                FrameSize min = new FrameSize(v4l2_frmsize_stepwise.min_width(s), v4l2_frmsize_stepwise.min_height(s));
                FrameSize max = new FrameSize(v4l2_frmsize_stepwise.max_width(s), v4l2_frmsize_stepwise.max_height(s));
                if (type == videodev2_h.V4L2_FRMSIZE_TYPE_CONTINUOUS()) {
                    return new FrameSizes.Continuous(min, max);
                }
                return new FrameSizes.Stepwise(min, max, v4l2_frmsize_stepwise.step_width(s),
                        v4l2_frmsize_stepwise.step_height(s));
            }
            return discrete.isEmpty() ? FrameSizes.NONE : new FrameSizes.Discrete(discrete);
        }
    }

    static FrameIntervals frameIntervals(VideoDevice device, FourCc format, int width, int height)
            throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = v4l2_frmivalenum.allocate(arena);
            List<Fraction> discrete = new ArrayList<>();
            for (int index = 0; index < MAX_ENTRIES; index++) {
                e.fill((byte) 0);
                v4l2_frmivalenum.index(e, index);
                v4l2_frmivalenum.pixel_format(e, format.value());
                v4l2_frmivalenum.width(e, width);
                v4l2_frmivalenum.height(e, height);
                int result = device.tryIoctl(VIDIOC_ENUM_FRAMEINTERVALS, e);
                if (result == -Errno.EINVAL || (result == -Errno.ENOTTY && index == 0)) {
                    break;
                }
                if (result < 0) {
                    throw device.failure(VIDIOC_ENUM_FRAMEINTERVALS.name(), -result,
                            "enumerating the intervals of " + format + " at " + new FrameSize(width, height));
                }
                int type = v4l2_frmivalenum.type(e);
                if (type == videodev2_h.V4L2_FRMIVAL_TYPE_DISCRETE()) {
                    discrete.add(fraction(v4l2_frmivalenum.discrete(e)));
                    continue;
                }
                MemorySegment s = v4l2_frmivalenum.stepwise(e);
                Fraction min = fraction(v4l2_frmival_stepwise.min(s));
                Fraction max = fraction(v4l2_frmival_stepwise.max(s));
                if (type == videodev2_h.V4L2_FRMIVAL_TYPE_CONTINUOUS()) {
                    return new FrameIntervals.Continuous(min, max);
                }
                return new FrameIntervals.Stepwise(min, max, fraction(v4l2_frmival_stepwise.step(s)));
            }
            return discrete.isEmpty() ? FrameIntervals.NONE : new FrameIntervals.Discrete(discrete);
        }
    }

    static Fraction fraction(MemorySegment fract) {
        return new Fraction(v4l2_fract.numerator(fract), v4l2_fract.denominator(fract));
    }

    static List<FormatOffer> offers(VideoDevice device, BufferType type) throws KernelException {
        List<FormatOffer> offers = new ArrayList<>();
        for (FormatDescription format : formats(device, type)) {
            FrameSizes sizes = frameSizes(device, format.fourcc());
            Map<FrameSize, FrameIntervals> intervals = new LinkedHashMap<>();
            if (sizes instanceof FrameSizes.Discrete discrete) {
                for (FrameSize size : discrete.sizes()) {
                    intervals.put(size, frameIntervals(device, format.fourcc(), size.width(), size.height()));
                }
            }
            offers.add(new FormatOffer(format, sizes, intervals));
        }
        return List.copyOf(offers);
    }
}

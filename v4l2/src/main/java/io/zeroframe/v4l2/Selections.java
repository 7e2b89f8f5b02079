package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_G_PARM;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_G_SELECTION;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_S_PARM;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_S_SELECTION;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.videodev2.v4l2_captureparm;
import io.zeroframe.bindings.videodev2.v4l2_fract;
import io.zeroframe.bindings.videodev2.v4l2_outputparm;
import io.zeroframe.bindings.videodev2.v4l2_rect;
import io.zeroframe.bindings.videodev2.v4l2_selection;
import io.zeroframe.bindings.videodev2.v4l2_streamparm;
import io.zeroframe.bindings.videodev2.videodev2_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/** Selection rectangles ({@code VIDIOC_G/S_SELECTION}) and streaming parameters ({@code VIDIOC_G/S_PARM}). */
final class Selections {

    private Selections() {}

    static Rectangle selection(VideoDevice device, BufferType type, SelectionTarget target) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = v4l2_selection.allocate(arena);
            v4l2_selection.type(s, type.value());
            v4l2_selection.target(s, target.value());
            int result = device.tryIoctl(VIDIOC_G_SELECTION, s);
            if (result < 0) {
                throw device.failure(VIDIOC_G_SELECTION.name(), -result, why(device, type, target, -result));
            }
            return rect(v4l2_selection.r(s));
        }
    }

    static Rectangle setSelection(VideoDevice device, BufferType type, SelectionTarget target, Rectangle r,
                                  Set<SelectionFlag> flags) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = v4l2_selection.allocate(arena);
            v4l2_selection.type(s, type.value());
            v4l2_selection.target(s, target.value());
            int bits = 0;
            for (SelectionFlag flag : flags) {
                bits |= flag.bit();
            }
            v4l2_selection.flags(s, bits);
            MemorySegment rect = v4l2_selection.r(s);
            v4l2_rect.left(rect, r.left());
            v4l2_rect.top(rect, r.top());
            v4l2_rect.width(rect, r.width());
            v4l2_rect.height(rect, r.height());
            int result = device.tryIoctl(VIDIOC_S_SELECTION, s);
            if (result < 0) {
                String detail = -result == Errno.ERANGE ? r + " cannot be met with the constraints " + flags
                        : -result == Errno.EBUSY ? "buffers are allocated: the rectangle cannot change now"
                        : why(device, type, target, -result);
                throw device.failure(VIDIOC_S_SELECTION.name(), -result, detail);
            }
            return rect(rect);
        }
    }

    private static String why(VideoDevice device, BufferType type, SelectionTarget target, int errno) {
        if (errno == Errno.EINVAL && !device.bufferTypes().contains(type)) {
            return "the node has no " + type.kernelName() + " queue; its queues: " + device.bufferTypes();
        }
        if (errno == Errno.EINVAL || errno == MoreErrno.ENODATA || errno == Errno.ENOTTY) {
            return target.kernelName() + " is not supported on " + type.kernelName()
                    + " (with the current input or output)";
        }
        return null;
    }

    private static Rectangle rect(MemorySegment r) {
        return new Rectangle(v4l2_rect.left(r), v4l2_rect.top(r), v4l2_rect.width(r), v4l2_rect.height(r));
    }

    static StreamParameters parameters(VideoDevice device, BufferType type) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = v4l2_streamparm.allocate(arena);
            v4l2_streamparm.type(p, type.value());
            int result = device.tryIoctl(VIDIOC_G_PARM, p);
            if (result < 0) {
                throw device.failure(VIDIOC_G_PARM.name(), -result, parmWhy(device, type, -result));
            }
            return decode(type, p);
        }
    }

    static StreamParameters setTimePerFrame(VideoDevice device, BufferType type, Fraction timePerFrame)
            throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = v4l2_streamparm.allocate(arena);
            v4l2_streamparm.type(p, type.value());
            MemorySegment parm = v4l2_streamparm.parm(p);
            MemorySegment fract = type.isCapture()
                    ? v4l2_captureparm.timeperframe(v4l2_streamparm.parm.capture(parm))
                    : v4l2_outputparm.timeperframe(v4l2_streamparm.parm.output(parm));
            v4l2_fract.numerator(fract, timePerFrame.numerator());
            v4l2_fract.denominator(fract, timePerFrame.denominator());
            int result = device.tryIoctl(VIDIOC_S_PARM, p);
            if (result < 0) {
                throw device.failure(VIDIOC_S_PARM.name(), -result, parmWhy(device, type, -result));
            }
            return decode(type, p);
        }
    }

    private static String parmWhy(VideoDevice device, BufferType type, int errno) {
        if (errno == Errno.EINVAL && !device.bufferTypes().contains(type)) {
            return "the node has no " + type.kernelName() + " queue; its queues: " + device.bufferTypes();
        }
        if (errno == Errno.ENOTTY || errno == Errno.EINVAL) {
            return "the driver has no streaming parameters for " + type.kernelName();
        }
        return null;
    }

    private static StreamParameters decode(BufferType type, MemorySegment p) {
        MemorySegment parm = v4l2_streamparm.parm(p);
        if (type.isCapture()) {
            MemorySegment c = v4l2_streamparm.parm.capture(parm);
            return new StreamParameters(type, (v4l2_captureparm.capability(c) & videodev2_h.V4L2_CAP_TIMEPERFRAME()) != 0,
                    (v4l2_captureparm.capturemode(c) & videodev2_h.V4L2_MODE_HIGHQUALITY()) != 0,
                    FormatEnumeration.fraction(v4l2_captureparm.timeperframe(c)), v4l2_captureparm.extendedmode(c),
                    v4l2_captureparm.readbuffers(c));
        }
        MemorySegment o = v4l2_streamparm.parm.output(parm);
        return new StreamParameters(type, (v4l2_outputparm.capability(o) & videodev2_h.V4L2_CAP_TIMEPERFRAME()) != 0,
                (v4l2_outputparm.outputmode(o) & videodev2_h.V4L2_MODE_HIGHQUALITY()) != 0,
                FormatEnumeration.fraction(v4l2_outputparm.timeperframe(o)), v4l2_outputparm.extendedmode(o),
                v4l2_outputparm.writebuffers(o));
    }
}

package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_DV_TIMINGS_CAP;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_ENUMINPUT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_ENUMOUTPUT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_ENUMSTD;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_ENUM_DV_TIMINGS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_G_PRIORITY;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_S_DV_TIMINGS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_S_INPUT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_S_OUTPUT;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_S_PRIORITY;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_S_STD;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.videodev2.v4l2_bt_timings;
import io.zeroframe.bindings.videodev2.v4l2_bt_timings_cap;
import io.zeroframe.bindings.videodev2.v4l2_dv_timings;
import io.zeroframe.bindings.videodev2.v4l2_dv_timings_cap;
import io.zeroframe.bindings.videodev2.v4l2_enum_dv_timings;
import io.zeroframe.bindings.videodev2.v4l2_input;
import io.zeroframe.bindings.videodev2.v4l2_output;
import io.zeroframe.bindings.videodev2.v4l2_standard;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.io.DvFlag;
import io.zeroframe.v4l2.io.DvStandard;
import io.zeroframe.v4l2.io.DvTimings;
import io.zeroframe.v4l2.io.DvTimingsCapabilities;
import io.zeroframe.v4l2.io.InputStatus;
import io.zeroframe.v4l2.io.IoCapability;
import io.zeroframe.v4l2.io.VideoInput;
import io.zeroframe.v4l2.io.VideoOutput;
import io.zeroframe.v4l2.io.VideoStandard;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Inputs, outputs, analog standards, DV timings and priorities: the ioctls behind VideoDevice's accessors. */
final class DeviceSettings {

    private static final int MAX_ENTRIES = 4096;

    private DeviceSettings() {}

    // ---- inputs and outputs

    static List<VideoInput> inputs(VideoDevice device) throws KernelException {
        List<VideoInput> inputs = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = v4l2_input.allocate(arena);
            for (int index = 0; index < MAX_ENTRIES; index++) {
                in.fill((byte) 0);
                v4l2_input.index(in, index);
                int result = device.tryIoctl(VIDIOC_ENUMINPUT, in);
                if (result == -Errno.EINVAL || (result == -Errno.ENOTTY && index == 0)) {
                    break;
                }
                if (result < 0) {
                    throw device.failure(VIDIOC_ENUMINPUT.name(), -result, "input " + index);
                }
                int status = v4l2_input.status(in);
                int caps = v4l2_input.capabilities(in);
                inputs.add(new VideoInput(index, v4l2_input.name(in).getString(0), v4l2_input.type(in),
                        v4l2_input.audioset(in), v4l2_input.tuner(in), v4l2_input.std(in), InputStatus.decode(status),
                        InputStatus.unknownBits(status), IoCapability.decode(caps), IoCapability.unknownBits(caps)));
            }
        }
        return List.copyOf(inputs);
    }

    static List<VideoOutput> outputs(VideoDevice device) throws KernelException {
        List<VideoOutput> outputs = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = v4l2_output.allocate(arena);
            for (int index = 0; index < MAX_ENTRIES; index++) {
                out.fill((byte) 0);
                v4l2_output.index(out, index);
                int result = device.tryIoctl(VIDIOC_ENUMOUTPUT, out);
                if (result == -Errno.EINVAL || (result == -Errno.ENOTTY && index == 0)) {
                    break;
                }
                if (result < 0) {
                    throw device.failure(VIDIOC_ENUMOUTPUT.name(), -result, "output " + index);
                }
                int caps = v4l2_output.capabilities(out);
                outputs.add(new VideoOutput(index, v4l2_output.name(out).getString(0), v4l2_output.type(out),
                        v4l2_output.audioset(out), v4l2_output.modulator(out), v4l2_output.std(out),
                        IoCapability.decode(caps), IoCapability.unknownBits(caps)));
            }
        }
        return List.copyOf(outputs);
    }

    static int getInt(VideoDevice device, IoctlRequest request, String advice) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            int result = device.tryIoctl(request, value);
            if (result < 0) {
                throw device.failure(request.name(), -result, -result == Errno.ENOTTY ? advice : null);
            }
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    static void setInput(VideoDevice device, int index) throws KernelException {
        setIndex(device, VIDIOC_S_INPUT, index, "input", () -> inputs(device).stream().map(VideoInput::toString)
                .collect(Collectors.joining(", ")));
    }

    static void setOutput(VideoDevice device, int index) throws KernelException {
        setIndex(device, VIDIOC_S_OUTPUT, index, "output", () -> outputs(device).stream().map(VideoOutput::toString)
                .collect(Collectors.joining(", ")));
    }

    private interface Listing {
        String get() throws KernelException;
    }

    private static void setIndex(VideoDevice device, IoctlRequest request, int index, String what, Listing listing)
            throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            value.set(ValueLayout.JAVA_INT, 0, index);
            int result = device.tryIoctl(request, value);
            if (result == -Errno.EINVAL || result == -Errno.ENOTTY) {
                String all = listing.get();
                throw device.failure(request.name(), -result, "no " + what + " " + index + "; the node's "
                        + what + "s: " + (all.isEmpty() ? "none" : all));
            }
            if (result == -Errno.EBUSY) {
                throw device.failure(request.name(), -result, "the " + what + " cannot change while buffers are "
                        + "allocated or another file handle holds V4L2_PRIORITY_RECORD");
            }
            if (result < 0) {
                throw device.failure(request.name(), -result, null);
            }
        }
    }

    // ---- analog standards

    static List<VideoStandard> standards(VideoDevice device) throws KernelException {
        List<VideoStandard> standards = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment std = v4l2_standard.allocate(arena);
            for (int index = 0; index < MAX_ENTRIES; index++) {
                std.fill((byte) 0);
                v4l2_standard.index(std, index);
                int result = device.tryIoctl(VIDIOC_ENUMSTD, std);
                if (result == -Errno.EINVAL || (index == 0 && (result == -Errno.ENODATA
                        || result == -Errno.ENOTTY))) {
                    break;
                }
                if (result < 0) {
                    throw device.failure(VIDIOC_ENUMSTD.name(), -result, "standard " + index);
                }
                standards.add(new VideoStandard(index, v4l2_standard.id(std), v4l2_standard.name(std).getString(0),
                        FormatEnumeration.fraction(v4l2_standard.frameperiod(std)), v4l2_standard.framelines(std)));
            }
        }
        return List.copyOf(standards);
    }

    static long getStandard(VideoDevice device, IoctlRequest request) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            int result = device.tryIoctl(request, value);
            if (result < 0) {
                throw device.failure(request.name(), -result, noData(-result, "standards (V4L2_IN_CAP_STD)"));
            }
            return value.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    static void setStandard(VideoDevice device, long id) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            value.set(ValueLayout.JAVA_LONG, 0, id);
            int result = device.tryIoctl(VIDIOC_S_STD, value);
            if (result == -Errno.EINVAL) {
                throw device.failure(VIDIOC_S_STD.name(), -result, String.format("standard 0x%016x is not one the "
                        + "current input or output supports; see standards()", id));
            }
            if (result < 0) {
                throw device.failure(VIDIOC_S_STD.name(), -result, noData(-result, "standards (V4L2_IN_CAP_STD)"));
            }
        }
    }

    private static String noData(int errno, String what) {
        if (errno == Errno.ENODATA || errno == Errno.ENOTTY) {
            return "the current input or output has no " + what + "; select one that has (inputs(), outputs())";
        }
        return null;
    }

    // ---- DV timings

    static List<DvTimings> dvTimingsList(VideoDevice device) throws KernelException {
        List<DvTimings> list = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment e = v4l2_enum_dv_timings.allocate(arena);
            for (int index = 0; index < MAX_ENTRIES; index++) {
                e.fill((byte) 0);
                v4l2_enum_dv_timings.index(e, index);
                int result = device.tryIoctl(VIDIOC_ENUM_DV_TIMINGS, e);
                if (result == -Errno.EINVAL && index > 0) {
                    break;
                }
                if (result < 0) {
                    throw device.failure(VIDIOC_ENUM_DV_TIMINGS.name(), -result,
                            noData(-result, "DV timings (V4L2_IN_CAP_DV_TIMINGS)"));
                }
                list.add(decode(v4l2_enum_dv_timings.timings(e)));
            }
        }
        return List.copyOf(list);
    }

    static DvTimings getDvTimings(VideoDevice device, IoctlRequest request) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = v4l2_dv_timings.allocate(arena);
            int result = device.tryIoctl(request, t);
            if (result < 0) {
                String detail = -result == Errno.ENOLINK ? "no signal on the input"
                        : -result == Errno.ENOLCK ? "the signal is not stable"
                        : -result == Errno.ERANGE ? "the signal's timings are out of the receiver's range"
                        : noData(-result, "DV timings (V4L2_IN_CAP_DV_TIMINGS)");
                throw device.failure(request.name(), -result, detail);
            }
            return decode(t);
        }
    }

    static DvTimings setDvTimings(VideoDevice device, DvTimings timings) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = v4l2_dv_timings.allocate(arena);
            encode(timings, t);
            int result = device.tryIoctl(VIDIOC_S_DV_TIMINGS, t);
            if (result < 0) {
                String detail = -result == Errno.EINVAL ? "timings " + timings + " are not ones the input or output "
                        + "takes; see dvTimingsList() and dvTimingsCapabilities()"
                        : -result == Errno.EBUSY ? "buffers are allocated: free them first"
                        : noData(-result, "DV timings (V4L2_IN_CAP_DV_TIMINGS)");
                throw device.failure(VIDIOC_S_DV_TIMINGS.name(), -result, detail);
            }
            return decode(t);
        }
    }

    static DvTimingsCapabilities dvTimingsCapabilities(VideoDevice device) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = v4l2_dv_timings_cap.allocate(arena);
            int result = device.tryIoctl(VIDIOC_DV_TIMINGS_CAP, c);
            if (result < 0) {
                throw device.failure(VIDIOC_DV_TIMINGS_CAP.name(), -result,
                        noData(-result, "DV timings (V4L2_IN_CAP_DV_TIMINGS)"));
            }
            MemorySegment bt = v4l2_dv_timings_cap.bt(c);
            int caps = v4l2_bt_timings_cap.capabilities(bt);
            return new DvTimingsCapabilities(v4l2_bt_timings_cap.min_width(bt), v4l2_bt_timings_cap.max_width(bt),
                    v4l2_bt_timings_cap.min_height(bt), v4l2_bt_timings_cap.max_height(bt),
                    v4l2_bt_timings_cap.min_pixelclock(bt), v4l2_bt_timings_cap.max_pixelclock(bt),
                    DvStandard.decode(v4l2_bt_timings_cap.standards(bt)),
                    (caps & videodev2_h.V4L2_DV_BT_CAP_INTERLACED()) != 0,
                    (caps & videodev2_h.V4L2_DV_BT_CAP_PROGRESSIVE()) != 0,
                    (caps & videodev2_h.V4L2_DV_BT_CAP_REDUCED_BLANKING()) != 0,
                    (caps & videodev2_h.V4L2_DV_BT_CAP_CUSTOM()) != 0);
        }
    }

    static DvTimings decode(MemorySegment timings) {
        MemorySegment bt = v4l2_dv_timings.bt(timings);
        int polarities = v4l2_bt_timings.polarities(bt);
        int flags = v4l2_bt_timings.flags(bt);
        return new DvTimings(v4l2_bt_timings.width(bt), v4l2_bt_timings.height(bt),
                v4l2_bt_timings.interlaced(bt) == videodev2_h.V4L2_DV_INTERLACED(),
                (polarities & videodev2_h.V4L2_DV_VSYNC_POS_POL()) != 0,
                (polarities & videodev2_h.V4L2_DV_HSYNC_POS_POL()) != 0, v4l2_bt_timings.pixelclock(bt),
                v4l2_bt_timings.hfrontporch(bt), v4l2_bt_timings.hsync(bt), v4l2_bt_timings.hbackporch(bt),
                v4l2_bt_timings.vfrontporch(bt), v4l2_bt_timings.vsync(bt), v4l2_bt_timings.vbackporch(bt),
                v4l2_bt_timings.il_vfrontporch(bt), v4l2_bt_timings.il_vsync(bt), v4l2_bt_timings.il_vbackporch(bt),
                DvStandard.decode(v4l2_bt_timings.standards(bt)), DvFlag.decode(flags), DvFlag.unknownBits(flags),
                FormatEnumeration.fraction(v4l2_bt_timings.picture_aspect(bt)),
                Byte.toUnsignedInt(v4l2_bt_timings.cea861_vic(bt)), Byte.toUnsignedInt(v4l2_bt_timings.hdmi_vic(bt)));
    }

    static void encode(DvTimings t, MemorySegment timings) {
        v4l2_dv_timings.type(timings, videodev2_h.V4L2_DV_BT_656_1120());
        MemorySegment bt = v4l2_dv_timings.bt(timings);
        v4l2_bt_timings.width(bt, t.width());
        v4l2_bt_timings.height(bt, t.height());
        v4l2_bt_timings.interlaced(bt, t.interlaced() ? videodev2_h.V4L2_DV_INTERLACED() : videodev2_h.V4L2_DV_PROGRESSIVE());
        v4l2_bt_timings.polarities(bt, (t.vsyncPositive() ? videodev2_h.V4L2_DV_VSYNC_POS_POL() : 0)
                | (t.hsyncPositive() ? videodev2_h.V4L2_DV_HSYNC_POS_POL() : 0));
        v4l2_bt_timings.pixelclock(bt, t.pixelClock());
        v4l2_bt_timings.hfrontporch(bt, t.hFrontPorch());
        v4l2_bt_timings.hsync(bt, t.hSync());
        v4l2_bt_timings.hbackporch(bt, t.hBackPorch());
        v4l2_bt_timings.vfrontporch(bt, t.vFrontPorch());
        v4l2_bt_timings.vsync(bt, t.vSync());
        v4l2_bt_timings.vbackporch(bt, t.vBackPorch());
        v4l2_bt_timings.il_vfrontporch(bt, t.ilVFrontPorch());
        v4l2_bt_timings.il_vsync(bt, t.ilVSync());
        v4l2_bt_timings.il_vbackporch(bt, t.ilVBackPorch());
        v4l2_bt_timings.standards(bt, DvStandard.encode(t.standards()));
        v4l2_bt_timings.flags(bt, DvFlag.encode(t.flags()) | t.unknownFlagBits());
        MemorySegment aspect = v4l2_bt_timings.picture_aspect(bt);
        io.zeroframe.bindings.videodev2.v4l2_fract.numerator(aspect, t.pictureAspect().numerator());
        io.zeroframe.bindings.videodev2.v4l2_fract.denominator(aspect, t.pictureAspect().denominator());
        v4l2_bt_timings.cea861_vic(bt, (byte) t.cea861Vic());
        v4l2_bt_timings.hdmi_vic(bt, (byte) t.hdmiVic());
    }

    // ---- priority

    static Priority priority(VideoDevice device) throws KernelException {
        return Priority.of(getInt(device, VIDIOC_G_PRIORITY, "the driver has no priorities"));
    }

    static void setPriority(VideoDevice device, Priority priority) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            value.set(ValueLayout.JAVA_INT, 0, priority.value());
            int result = device.tryIoctl(VIDIOC_S_PRIORITY, value);
            if (result < 0) {
                throw device.failure(VIDIOC_S_PRIORITY.name(), -result, -result == Errno.EBUSY
                        ? "another file handle holds a higher priority (V4L2_PRIORITY_RECORD)"
                        : -result == Errno.EINVAL ? priority + " cannot be set (UNSET is not a priority to set)" : null);
            }
        }
    }
}

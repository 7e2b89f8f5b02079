package io.zeroframe.v4l2.control;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_G_EXT_CTRLS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_S_EXT_CTRLS;
import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_TRY_EXT_CTRLS;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.videodev2.v4l2_ext_control;
import io.zeroframe.bindings.videodev2.v4l2_ext_controls;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.VideoNode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@code VIDIOC_G/S/TRY_EXT_CTRLS}: encoding values, checking them first, naming the control that failed. */
final class ControlAccess {

    private static final int WHICH_CUR_VAL = videodev2_h.V4L2_CTRL_WHICH_CUR_VAL();

    private ControlAccess() {}

    /** Reads {@code controls} at once. */
    static List<ControlValue> get(VideoNode device, List<ControlInfo> controls) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = v4l2_ext_control.allocateArray(controls.size(), arena);
            for (int i = 0; i < controls.size(); i++) {
                ControlInfo c = controls.get(i);
                MemorySegment e = v4l2_ext_control.asSlice(array, i);
                v4l2_ext_control.id(e, c.id());
                if (c.hasPayload()) {
                    int size = payloadSize(c);
                    v4l2_ext_control.size(e, size);
                    v4l2_ext_control.ptr(e, arena.allocate(size, 8));
                }
            }
            MemorySegment ext = header(arena, array, controls.size());
            int result = device.tryIoctl(VIDIOC_G_EXT_CTRLS, ext);
            if (result == -Errno.ENOSPC && grow(array, controls, arena)) { // a payload grew since it was queried
                result = device.tryIoctl(VIDIOC_G_EXT_CTRLS, ext);
            }
            if (result < 0) {
                throw failure(device, VIDIOC_G_EXT_CTRLS, -result, v4l2_ext_controls.error_idx(ext), controls);
            }
            return decode(array, controls);
        }
    }

    /** Writes (or tries) the values at once. */
    static List<ControlValue> write(VideoNode device, List<ControlWrite> writes, boolean set)
            throws KernelException {
        IoctlRequest request = set ? VIDIOC_S_EXT_CTRLS : VIDIOC_TRY_EXT_CTRLS;
        if (writes.isEmpty()) {
            return List.of();
        }
        List<ControlInfo> controls = new ArrayList<>(writes.size());
        for (ControlWrite w : writes) {
            controls.add(ControlQuery.query(device, w.control().id())); // today's range, flags and element count
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = v4l2_ext_control.allocateArray(writes.size(), arena);
            for (int i = 0; i < writes.size(); i++) {
                encode(device, request, controls.get(i), writes.get(i), v4l2_ext_control.asSlice(array, i), arena);
            }
            MemorySegment ext = header(arena, array, writes.size());
            int result = device.tryIoctl(request, ext);
            if (result < 0) {
                int errorIndex = v4l2_ext_controls.error_idx(ext);
                if (errorIndex >= writes.size() && writes.size() > 1 && request == VIDIOC_S_EXT_CTRLS) {
                    // S_EXT_CTRLS hides which control failed validation (error_idx = count); TRY names it
                    v4l2_ext_controls.error_idx(ext, writes.size());
                    if (device.tryIoctl(VIDIOC_TRY_EXT_CTRLS, ext) < 0) {
                        errorIndex = v4l2_ext_controls.error_idx(ext);
                    }
                }
                throw failure(device, request, -result, errorIndex, controls);
            }
            return decode(array, controls);
        }
    }

    private static MemorySegment header(Arena arena, MemorySegment array, int count) {
        MemorySegment ext = v4l2_ext_controls.allocate(arena);
        v4l2_ext_controls.which(ext, WHICH_CUR_VAL);
        v4l2_ext_controls.count(ext, count);
        v4l2_ext_controls.controls(ext, array);
        return ext;
    }

    /**
     * Bytes for reading the payload: all elements (a dynamic array's maximum, else the current count, at least
     * one); a string's maximum length + NUL.
     */
    private static int payloadSize(ControlInfo c) {
        int elements = c.flags().contains(ControlFlag.DYNAMIC_ARRAY) ? c.maxElements() : c.elements();
        return Math.max(c.elementSize(), 1) * Math.max(elements, 1);
    }

    /** After ENOSPC: gives every payload the kernel asked more room for ({@code size}) a buffer that big. */
    private static boolean grow(MemorySegment array, List<ControlInfo> controls, Arena arena) {
        boolean grown = false;
        for (int i = 0; i < controls.size(); i++) {
            MemorySegment e = v4l2_ext_control.asSlice(array, i);
            if (controls.get(i).hasPayload() && v4l2_ext_control.size(e) > payloadSize(controls.get(i))) {
                v4l2_ext_control.ptr(e, arena.allocate(v4l2_ext_control.size(e), 8));
                grown = true;
            }
        }
        return grown;
    }

    private static void encode(VideoNode node, IoctlRequest request, ControlInfo c, ControlWrite w,
                               MemorySegment e, Arena arena) throws KernelException {
        v4l2_ext_control.id(e, c.id());
        switch (w.kind()) {
            case PRESS -> {
                if (c.type() != ControlType.BUTTON) {
                    throw wrongType(node, c, "a button to press");
                }
                v4l2_ext_control.value(e, 1);
            }
            case BYTES -> {
                if (!c.hasPayload() || c.type() == ControlType.STRING) {
                    throw wrongType(node, c, "a payload of bytes");
                }
                byte[] bytes = w.bytes();
                checkPayload(node, request, c, bytes);
                MemorySegment payload = arena.allocate(Math.max(bytes.length, 1), 8);
                MemorySegment.copy(bytes, 0, payload, ValueLayout.JAVA_BYTE, 0, bytes.length);
                v4l2_ext_control.size(e, bytes.length);
                v4l2_ext_control.ptr(e, payload);
            }
            case TEXT -> {
                if (c.type() == ControlType.MENU || c.type() == ControlType.INTEGER_MENU) {
                    MenuItem item = c.menuItem(w.text()).orElseThrow(() -> range(node, request, c,
                            "has no item named \"" + w.text() + "\"; items: " + items(c)));
                    v4l2_ext_control.value(e, item.index());
                    return;
                }
                if (c.type() != ControlType.STRING) {
                    throw wrongType(node, c, "a String");
                }
                byte[] text = w.text().getBytes(StandardCharsets.UTF_8);
                long length = text.length;
                if (length < c.minimum() || length > c.maximum()
                        || (c.step() > 1 && (length - c.minimum()) % c.step() != 0)) {
                    throw range(node, request, c, "\"" + w.text() + "\" has length " + length
                            + ", out of range: min " + c.minimum() + ", max " + c.maximum() + ", step " + c.step());
                }
                int size = Math.max(c.elementSize(), text.length + 1);
                MemorySegment payload = arena.allocate(size, 8); // zeroed: NUL-terminated
                MemorySegment.copy(text, 0, payload, ValueLayout.JAVA_BYTE, 0, text.length);
                v4l2_ext_control.size(e, size);
                v4l2_ext_control.ptr(e, payload);
            }
            case NUMBER, BOOLEAN -> encodeNumber(node, request, c, w, e);
        }
    }

    private static void encodeNumber(VideoNode node, IoctlRequest request, ControlInfo c, ControlWrite w,
                                     MemorySegment e) throws KernelException {
        if (c.hasPayload() || c.type() == ControlType.CTRL_CLASS) {
            throw wrongType(node, c, w.kind() == ControlWrite.Kind.BOOLEAN ? "a boolean" : "a number");
        }
        long v = w.number();
        switch (c.type()) {
            case BOOLEAN, INTEGER, INTEGER64, BUTTON, UNKNOWN -> {
                if (w.kind() == ControlWrite.Kind.BOOLEAN && c.type() != ControlType.BOOLEAN
                        && c.type() != ControlType.INTEGER) {
                    throw wrongType(node, c, "a boolean");
                }
                if (c.type() != ControlType.BUTTON) {
                    checkRange(node, request, c, v, Long.toString(v));
                }
            }
            case MENU, INTEGER_MENU -> {
                if (w.kind() == ControlWrite.Kind.BOOLEAN) {
                    throw wrongType(node, c, "a boolean");
                }
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE || c.menuItem((int) v).isEmpty()) {
                    throw range(node, request, c, v + " is not an item of the menu; items: " + items(c));
                }
            }
            case BITMASK -> {
                if ((v & ~c.maximum()) != 0 || v < 0 || v > 0xffffffffL) {
                    throw range(node, request, c, String.format("0x%x sets bits outside the mask 0x%08x", v,
                            c.maximum()));
                }
            }
            default -> throw wrongType(node, c, "a number");
        }
        if (c.type() == ControlType.INTEGER64) {
            v4l2_ext_control.value64(e, v);
        } else {
            v4l2_ext_control.value(e, (int) v);
        }
    }

    private static void checkRange(VideoNode node, IoctlRequest request, ControlInfo c, long v, String shown)
            throws KernelException {
        if (v < c.minimum() || v > c.maximum() || (c.step() > 1 && Math.floorMod(v - c.minimum(), c.step()) != 0)) {
            throw range(node, request, c, shown + " is out of range: min " + c.minimum() + ", max " + c.maximum()
                    + ", step " + c.step() + (v >= c.minimum() && v <= c.maximum() ? " (not on a step)" : ""));
        }
    }

    /** A payload: its size against the control's, and each element of integer arrays against the range. */
    private static void checkPayload(VideoNode node, IoctlRequest request, ControlInfo c, byte[] bytes)
            throws KernelException {
        int elementSize = c.elementSize();
        boolean dynamic = c.flags().contains(ControlFlag.DYNAMIC_ARRAY);
        int expected = elementSize * (dynamic ? c.maxElements() : Math.max(c.elements(), 1));
        boolean fits = dynamic
                ? bytes.length > 0 && bytes.length % elementSize == 0 && bytes.length <= expected
                : bytes.length == expected;
        if (!fits) {
            throw range(node, request, c, bytes.length + " bytes do not fit: "
                    + (dynamic ? "1 to " + c.maxElements() + " elements of " + elementSize + " bytes"
                    : expected + " bytes (" + Math.max(c.elements(), 1) + " elements of " + elementSize + " bytes)"));
        }
        if (ControlType.isCompound(c.rawType()) && c.type() != ControlType.U8 && c.type() != ControlType.U16
                && c.type() != ControlType.U32) {
            return; // a structure: the driver validates it
        }
        MemorySegment data = MemorySegment.ofArray(bytes);
        for (int i = 0; i < bytes.length / elementSize; i++) {
            long v = switch (c.type()) {
                case U8 -> Byte.toUnsignedLong(data.get(ValueLayout.JAVA_BYTE, i));
                case U16 -> Short.toUnsignedLong(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(
                        ByteOrder.nativeOrder()), i));
                case U32 -> Integer.toUnsignedLong(data.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(
                        ByteOrder.nativeOrder()), i));
                case INTEGER -> data.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), i);
                case INTEGER64 -> data.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder()), i);
                default -> c.minimum();
            };
            checkRange(node, request, c, v, "element " + i + " = " + v);
        }
    }

    /** A control used as a type it is not (a number for a string, a press for a non-button...). */
    static IllegalArgumentException wrongType(VideoNode node, ControlInfo control, String what) {
        return new IllegalArgumentException("control " + control.label() + " on " + node.path() + " is "
                + control.type().kernelName() + (control.hasPayload() ? " with a payload" : "") + ", not " + what);
    }

    private static String items(ControlInfo c) {
        return c.menu().stream().map(item -> item.index() + " \"" + item.name() + "\"")
                .collect(Collectors.joining(", "));
    }

    private static KernelException range(VideoNode node, IoctlRequest request, ControlInfo c, String detail) {
        return KernelException.of(request.name(), node.path().toString(), Errno.ERANGE,
                "control " + c.label() + ": " + detail + "; checked before the call, nothing was changed");
    }

    private static List<ControlValue> decode(MemorySegment array, List<ControlInfo> controls) {
        List<ControlValue> values = new ArrayList<>(controls.size());
        for (int i = 0; i < controls.size(); i++) {
            ControlInfo c = controls.get(i);
            MemorySegment e = v4l2_ext_control.asSlice(array, i);
            if (c.hasPayload()) {
                int size = v4l2_ext_control.size(e);
                MemorySegment payload = v4l2_ext_control.ptr(e).reinterpret(size);
                if (c.type() == ControlType.STRING) {
                    byte[] bytes = payload.toArray(ValueLayout.JAVA_BYTE);
                    int end = 0;
                    while (end < bytes.length && bytes[end] != 0) {
                        end++;
                    }
                    values.add(new ControlValue.OfString(c, new String(bytes, 0, end, StandardCharsets.UTF_8)));
                } else {
                    values.add(new ControlValue.OfBytes(c, payload.toArray(ValueLayout.JAVA_BYTE)));
                }
                continue;
            }
            values.add(switch (c.type()) {
                case INTEGER64 -> new ControlValue.OfLong(c, v4l2_ext_control.value64(e));
                case BOOLEAN -> new ControlValue.OfBoolean(c, v4l2_ext_control.value(e) != 0);
                case MENU, INTEGER_MENU -> {
                    int index = v4l2_ext_control.value(e);
                    yield new ControlValue.OfMenu(c, index, c.menuItem(index)
                            .orElse(new MenuItem(index, "item " + index, index)));
                }
                default -> new ControlValue.OfInt(c, v4l2_ext_control.value(e));
            });
        }
        return values;
    }

    /** The kernel's failure, naming the control at {@code error_idx}. */
    private static KernelException failure(VideoNode device, IoctlRequest request, int errno, int errorIndex,
                                           List<ControlInfo> controls) {
        String detail;
        if (controls.size() == 1 || (errorIndex >= 0 && errorIndex < controls.size())) {
            ControlInfo c = controls.get(controls.size() == 1 ? 0 : errorIndex);
            detail = "control " + c.label() + why(errno, c);
        } else {
            detail = "the kernel did not say which control (error_idx = count), and nothing was changed; controls: "
                    + controls.stream().map(ControlInfo::label)
                    .collect(Collectors.joining(", "));
        }
        return device.failure(request.name(), errno, detail);
    }

    private static String why(int errno, ControlInfo c) {
        if (errno == Errno.EACCES && c.isReadOnly()) {
            return " is read-only (V4L2_CTRL_FLAG_READ_ONLY)";
        }
        if (errno == Errno.EACCES && c.isWriteOnly()) {
            return " is write-only (V4L2_CTRL_FLAG_WRITE_ONLY): it cannot be read";
        }
        if (errno == Errno.EBUSY) {
            return " is grabbed (V4L2_CTRL_FLAG_GRABBED), e.g. while streaming; stop streaming first";
        }
        if (errno == Errno.ERANGE) {
            return String.format(" refused the value: min %d, max %d, step %d", c.minimum(), c.maximum(), c.step());
        }
        return "";
    }
}

package io.zeroframe.v4l2.control;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/** Flags of a control ({@code V4L2_CTRL_FLAG_*} in {@code v4l2_query_ext_ctrl.flags}), in bit order. */
public enum ControlFlag {
    /** The control is permanently disabled and should be ignored. */
    DISABLED(videodev2_h.V4L2_CTRL_FLAG_DISABLED()),
    /** Another file handle holds it (e.g. during streaming): writes fail with EBUSY. */
    GRABBED(videodev2_h.V4L2_CTRL_FLAG_GRABBED()),
    /** Writes fail with EACCES. */
    READ_ONLY(videodev2_h.V4L2_CTRL_FLAG_READ_ONLY()),
    /** Changing it may change other controls. */
    UPDATE(videodev2_h.V4L2_CTRL_FLAG_UPDATE()),
    /** Inactive given other controls (e.g. manual gain while auto gain is on); still writable. */
    INACTIVE(videodev2_h.V4L2_CTRL_FLAG_INACTIVE()),
    /** Best shown as a slider. */
    SLIDER(videodev2_h.V4L2_CTRL_FLAG_SLIDER()),
    /** Reads fail with EACCES (buttons, relative controls). */
    WRITE_ONLY(videodev2_h.V4L2_CTRL_FLAG_WRITE_ONLY()),
    /** The value changes by itself (the hardware), so a read is always fresh. */
    VOLATILE(videodev2_h.V4L2_CTRL_FLAG_VOLATILE()),
    /** The value is a payload behind a pointer (strings, arrays, compound types). */
    HAS_PAYLOAD(videodev2_h.V4L2_CTRL_FLAG_HAS_PAYLOAD()),
    /** Writing acts even when the value does not change (buttons). */
    EXECUTE_ON_WRITE(videodev2_h.V4L2_CTRL_FLAG_EXECUTE_ON_WRITE()),
    /** Changing it changes the buffer layout: not while buffers are allocated. */
    MODIFY_LAYOUT(videodev2_h.V4L2_CTRL_FLAG_MODIFY_LAYOUT()),
    /** An array whose element count changes ({@code elems} is the current count, {@code dims[0]} the maximum). */
    DYNAMIC_ARRAY(videodev2_h.V4L2_CTRL_FLAG_DYNAMIC_ARRAY());

    private final int bit;

    ControlFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }

    /** The flags set in {@code bits}. */
    public static Set<ControlFlag> decode(int bits) {
        return Bits.decode(ControlFlag.class, bits, ControlFlag::bit);
    }

    /** The bits of {@code bits} no constant names. */
    public static int unknownBits(int bits) {
        return (int) Bits.unknown(ControlFlag.class, Integer.toUnsignedLong(bits), ControlFlag::bit);
    }
}

package io.zeroframe.v4l2.control;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A control's value as {@code VIDIOC_G_EXT_CTRLS} returned it, typed by the control's type: {@link OfInt} for
 * integer, boolean-as-int never (booleans are {@link OfBoolean}), menu indexes ({@link OfMenu}), bitmasks and
 * buttons; {@link OfLong} for 64-bit integers; {@link OfString}; {@link OfBytes} for arrays and compound types.
 */
public sealed interface ControlValue {
    /** The control this value belongs to. */
    ControlInfo control();

    /**
     * {@code V4L2_CTRL_TYPE_INTEGER}, {@code BITMASK} (read the int as unsigned), {@code BUTTON}.
     *
     * @param control the control
     * @param value   the value
     */
    record OfInt(ControlInfo control, int value) implements ControlValue {
        @Override
        public String toString() {
            return control.key() + "=" + value;
        }
    }

    /**
     * {@code V4L2_CTRL_TYPE_INTEGER64}.
     *
     * @param control the control
     * @param value   the value
     */
    record OfLong(ControlInfo control, long value) implements ControlValue {
        @Override
        public String toString() {
            return control.key() + "=" + value;
        }
    }

    /**
     * {@code V4L2_CTRL_TYPE_BOOLEAN}.
     *
     * @param control the control
     * @param value   the value
     */
    record OfBoolean(ControlInfo control, boolean value) implements ControlValue {
        @Override
        public String toString() {
            return control.key() + "=" + value;
        }
    }

    /**
     * {@code V4L2_CTRL_TYPE_MENU} or {@code INTEGER_MENU}: the selected index and its item.
     *
     * @param control the control
     * @param index   the selected index
     * @param item    the item at that index (its name, or its value for an integer menu)
     */
    record OfMenu(ControlInfo control, int index, MenuItem item) implements ControlValue {
        @Override
        public String toString() {
            return control.key() + "=" + index + " (" + item.name() + ")";
        }
    }

    /**
     * {@code V4L2_CTRL_TYPE_STRING}.
     *
     * @param control the control
     * @param value   the text
     */
    record OfString(ControlInfo control, String value) implements ControlValue {
        @Override
        public String toString() {
            return control.key() + "='" + value + "'";
        }
    }

    /**
     * Arrays and compound types: the payload as the kernel lays it out ({@link ControlInfo#elementSize()} bytes
     * per element, native byte order).
     *
     * @param control the control
     * @param bytes   a copy of the payload
     */
    record OfBytes(ControlInfo control, byte[] bytes) implements ControlValue {
        public OfBytes {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof OfBytes o && o.control.equals(control) && Arrays.equals(o.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return control.hashCode() * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            String hex = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 32));
            return control.key() + "=[" + bytes.length + " bytes " + hex + (bytes.length > 32 ? "...]" : "]");
        }
    }
}

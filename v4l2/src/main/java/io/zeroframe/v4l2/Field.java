package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;

/**
 * How the lines of a frame relate to the fields of interlaced video ({@code enum v4l2_field},
 * {@code V4L2_FIELD_*}), as formats and dequeued buffers report it. {@link #NONE} is progressive video.
 */
public enum Field {
    ANY(videodev2_h.V4L2_FIELD_ANY()),
    NONE(videodev2_h.V4L2_FIELD_NONE()),
    TOP(videodev2_h.V4L2_FIELD_TOP()),
    BOTTOM(videodev2_h.V4L2_FIELD_BOTTOM()),
    INTERLACED(videodev2_h.V4L2_FIELD_INTERLACED()),
    SEQ_TB(videodev2_h.V4L2_FIELD_SEQ_TB()),
    SEQ_BT(videodev2_h.V4L2_FIELD_SEQ_BT()),
    ALTERNATE(videodev2_h.V4L2_FIELD_ALTERNATE()),
    INTERLACED_TB(videodev2_h.V4L2_FIELD_INTERLACED_TB()),
    INTERLACED_BT(videodev2_h.V4L2_FIELD_INTERLACED_BT());

    private static final Field[] BY_VALUE = new Field[16];

    static {
        for (Field field : values()) {
            BY_VALUE[field.value] = field;
        }
    }

    private final int value;

    Field(int value) {
        this.value = value;
    }

    /** The kernel's {@code V4L2_FIELD_*} value. */
    public int value() {
        return value;
    }

    /**
     * The field whose kernel value is {@code value}; allocation-free, for the dequeue path.
     *
     * @throws IllegalArgumentException for a value newer than this enum
     */
    public static Field of(int value) {
        Field field = value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
        if (field == null) {
            throw new IllegalArgumentException("unknown V4L2 field " + value);
        }
        return field;
    }
}

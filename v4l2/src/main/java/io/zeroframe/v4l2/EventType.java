package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;

/** The V4L2 event types ({@code V4L2_EVENT_*}) {@link VideoEvents} subscribes to. */
public enum EventType {
    /** {@code V4L2_EVENT_VSYNC}: a vertical sync (field parity in the payload). */
    VSYNC(videodev2_h.V4L2_EVENT_VSYNC()),
    /** {@code V4L2_EVENT_EOS}: the end of a stream, e.g. a codec's drain finished. */
    EOS(videodev2_h.V4L2_EVENT_EOS()),
    /** {@code V4L2_EVENT_CTRL}: a control's value, flags or range changed; the id is the control's. */
    CTRL(videodev2_h.V4L2_EVENT_CTRL()),
    /** {@code V4L2_EVENT_FRAME_SYNC}: a frame started (its sequence in the payload). */
    FRAME_SYNC(videodev2_h.V4L2_EVENT_FRAME_SYNC()),
    /** {@code V4L2_EVENT_SOURCE_CHANGE}: the source's resolution changed (decoders, HDMI inputs); id = input/pad. */
    SOURCE_CHANGE(videodev2_h.V4L2_EVENT_SOURCE_CHANGE()),
    /** {@code V4L2_EVENT_MOTION_DET}: motion detection state changed. */
    MOTION_DET(videodev2_h.V4L2_EVENT_MOTION_DET());

    private static final EventType[] BY_VALUE = new EventType[8];

    static {
        for (EventType type : values()) {
            BY_VALUE[type.value] = type;
        }
    }

    private final int value;

    EventType(int value) {
        this.value = value;
    }

    /** The kernel's {@code V4L2_EVENT_*} value. */
    public int value() {
        return value;
    }

    /** The type with kernel value {@code value}, or null for a driver-private one; allocation-free. */
    static EventType ofOrNull(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}

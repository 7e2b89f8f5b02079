package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/** The flags of a queued or dequeued buffer ({@code V4L2_BUF_FLAG_*} in {@code struct v4l2_buffer}). */
public enum BufferFlag {
    MAPPED(videodev2_h.V4L2_BUF_FLAG_MAPPED()),
    QUEUED(videodev2_h.V4L2_BUF_FLAG_QUEUED()),
    DONE(videodev2_h.V4L2_BUF_FLAG_DONE()),
    KEYFRAME(videodev2_h.V4L2_BUF_FLAG_KEYFRAME()),
    PFRAME(videodev2_h.V4L2_BUF_FLAG_PFRAME()),
    BFRAME(videodev2_h.V4L2_BUF_FLAG_BFRAME()),
    /** {@code V4L2_BUF_FLAG_ERROR}: the data may be corrupt (a dropped or broken frame); the stream goes on. */
    ERROR(videodev2_h.V4L2_BUF_FLAG_ERROR()),
    IN_REQUEST(videodev2_h.V4L2_BUF_FLAG_IN_REQUEST()),
    TIMECODE(videodev2_h.V4L2_BUF_FLAG_TIMECODE()),
    PREPARED(videodev2_h.V4L2_BUF_FLAG_PREPARED()),
    NO_CACHE_INVALIDATE(videodev2_h.V4L2_BUF_FLAG_NO_CACHE_INVALIDATE()),
    NO_CACHE_CLEAN(videodev2_h.V4L2_BUF_FLAG_NO_CACHE_CLEAN()),
    TIMESTAMP_MONOTONIC(videodev2_h.V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC()),
    TIMESTAMP_COPY(videodev2_h.V4L2_BUF_FLAG_TIMESTAMP_COPY()),
    TSTAMP_SRC_SOE(videodev2_h.V4L2_BUF_FLAG_TSTAMP_SRC_SOE()),
    /** {@code V4L2_BUF_FLAG_LAST}: the last buffer of a drain (codecs) or stream; the next dequeue fails EPIPE. */
    LAST(videodev2_h.V4L2_BUF_FLAG_LAST()),
    REQUEST_FD(videodev2_h.V4L2_BUF_FLAG_REQUEST_FD());

    private final int bit;

    BufferFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }

    /** The flags set in {@code bits}; {@link #unknownBits(int)} keeps the others. */
    public static Set<BufferFlag> decode(int bits) {
        return Bits.decode(BufferFlag.class, bits, BufferFlag::bit);
    }

    /** The bits of {@code bits} that no constant names. */
    public static int unknownBits(int bits) {
        return (int) Bits.unknown(BufferFlag.class, Integer.toUnsignedLong(bits), BufferFlag::bit);
    }
}

package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/** Capability bits of {@code VIDIOC_QUERYCAP} ({@code V4L2_CAP_*}). */
public enum VideoCapability {
    VIDEO_CAPTURE(videodev2_h.V4L2_CAP_VIDEO_CAPTURE()),
    VIDEO_CAPTURE_MPLANE(videodev2_h.V4L2_CAP_VIDEO_CAPTURE_MPLANE()),
    VIDEO_OUTPUT(videodev2_h.V4L2_CAP_VIDEO_OUTPUT()),
    VIDEO_OUTPUT_MPLANE(videodev2_h.V4L2_CAP_VIDEO_OUTPUT_MPLANE()),
    VIDEO_M2M(videodev2_h.V4L2_CAP_VIDEO_M2M()),
    VIDEO_M2M_MPLANE(videodev2_h.V4L2_CAP_VIDEO_M2M_MPLANE()),
    VIDEO_OVERLAY(videodev2_h.V4L2_CAP_VIDEO_OVERLAY()),
    VBI_CAPTURE(videodev2_h.V4L2_CAP_VBI_CAPTURE()),
    VBI_OUTPUT(videodev2_h.V4L2_CAP_VBI_OUTPUT()),
    SLICED_VBI_CAPTURE(videodev2_h.V4L2_CAP_SLICED_VBI_CAPTURE()),
    SLICED_VBI_OUTPUT(videodev2_h.V4L2_CAP_SLICED_VBI_OUTPUT()),
    RDS_CAPTURE(videodev2_h.V4L2_CAP_RDS_CAPTURE()),
    RDS_OUTPUT(videodev2_h.V4L2_CAP_RDS_OUTPUT()),
    VIDEO_OUTPUT_OVERLAY(videodev2_h.V4L2_CAP_VIDEO_OUTPUT_OVERLAY()),
    HW_FREQ_SEEK(videodev2_h.V4L2_CAP_HW_FREQ_SEEK()),
    TUNER(videodev2_h.V4L2_CAP_TUNER()),
    AUDIO(videodev2_h.V4L2_CAP_AUDIO()),
    RADIO(videodev2_h.V4L2_CAP_RADIO()),
    MODULATOR(videodev2_h.V4L2_CAP_MODULATOR()),
    SDR_CAPTURE(videodev2_h.V4L2_CAP_SDR_CAPTURE()),
    EXT_PIX_FORMAT(videodev2_h.V4L2_CAP_EXT_PIX_FORMAT()),
    SDR_OUTPUT(videodev2_h.V4L2_CAP_SDR_OUTPUT()),
    META_CAPTURE(videodev2_h.V4L2_CAP_META_CAPTURE()),
    READWRITE(videodev2_h.V4L2_CAP_READWRITE()),
    STREAMING(videodev2_h.V4L2_CAP_STREAMING()),
    META_OUTPUT(videodev2_h.V4L2_CAP_META_OUTPUT()),
    TOUCH(videodev2_h.V4L2_CAP_TOUCH()),
    IO_MC(videodev2_h.V4L2_CAP_IO_MC()),
    DEVICE_CAPS(videodev2_h.V4L2_CAP_DEVICE_CAPS());

    private final int bit;

    VideoCapability(long bit) {
        this.bit = (int) bit;
    }

    /** The kernel's bit for this capability. */
    public int bit() {
        return bit;
    }

    /** The capabilities set in {@code bits}; {@link #unknownBits(int)} keeps what this enum does not name. */
    public static Set<VideoCapability> decode(int bits) {
        return Bits.decode(VideoCapability.class, bits, VideoCapability::bit);
    }

    /** The bits of {@code bits} that no constant of this enum names. */
    public static int unknownBits(int bits) {
        return (int) Bits.unknown(VideoCapability.class, Integer.toUnsignedLong(bits), VideoCapability::bit);
    }
}

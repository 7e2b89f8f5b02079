package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.media.media_h;

/**
 * An entity's main function ({@code media_v2_entity.function}, {@code MEDIA_ENT_F_*}): a camera sensor, a scaler,
 * a V4L2 I/O entity (a video node), ...
 * A value this enum does not know (a newer kernel's) is {@link #OTHER}; the record that holds it keeps the number.
 */
public enum EntityFunction {
    UNKNOWN(media_h.MEDIA_ENT_F_UNKNOWN()),
    V4L2_SUBDEV_UNKNOWN(media_h.MEDIA_ENT_F_V4L2_SUBDEV_UNKNOWN()),
    DTV_DEMOD(media_h.MEDIA_ENT_F_DTV_DEMOD()),
    TS_DEMUX(media_h.MEDIA_ENT_F_TS_DEMUX()),
    DTV_CA(media_h.MEDIA_ENT_F_DTV_CA()),
    DTV_NET_DECAP(media_h.MEDIA_ENT_F_DTV_NET_DECAP()),
    IO_V4L(media_h.MEDIA_ENT_F_IO_V4L()),
    IO_DTV(media_h.MEDIA_ENT_F_IO_DTV()),
    IO_VBI(media_h.MEDIA_ENT_F_IO_VBI()),
    IO_SWRADIO(media_h.MEDIA_ENT_F_IO_SWRADIO()),
    CAM_SENSOR(media_h.MEDIA_ENT_F_CAM_SENSOR()),
    FLASH(media_h.MEDIA_ENT_F_FLASH()),
    LENS(media_h.MEDIA_ENT_F_LENS()),
    TUNER(media_h.MEDIA_ENT_F_TUNER()),
    IF_VID_DECODER(media_h.MEDIA_ENT_F_IF_VID_DECODER()),
    IF_AUD_DECODER(media_h.MEDIA_ENT_F_IF_AUD_DECODER()),
    AUDIO_CAPTURE(media_h.MEDIA_ENT_F_AUDIO_CAPTURE()),
    AUDIO_PLAYBACK(media_h.MEDIA_ENT_F_AUDIO_PLAYBACK()),
    AUDIO_MIXER(media_h.MEDIA_ENT_F_AUDIO_MIXER()),
    PROC_VIDEO_COMPOSER(media_h.MEDIA_ENT_F_PROC_VIDEO_COMPOSER()),
    PROC_VIDEO_PIXEL_FORMATTER(media_h.MEDIA_ENT_F_PROC_VIDEO_PIXEL_FORMATTER()),
    PROC_VIDEO_PIXEL_ENC_CONV(media_h.MEDIA_ENT_F_PROC_VIDEO_PIXEL_ENC_CONV()),
    PROC_VIDEO_LUT(media_h.MEDIA_ENT_F_PROC_VIDEO_LUT()),
    PROC_VIDEO_SCALER(media_h.MEDIA_ENT_F_PROC_VIDEO_SCALER()),
    PROC_VIDEO_STATISTICS(media_h.MEDIA_ENT_F_PROC_VIDEO_STATISTICS()),
    PROC_VIDEO_ENCODER(media_h.MEDIA_ENT_F_PROC_VIDEO_ENCODER()),
    PROC_VIDEO_DECODER(media_h.MEDIA_ENT_F_PROC_VIDEO_DECODER()),
    PROC_VIDEO_ISP(media_h.MEDIA_ENT_F_PROC_VIDEO_ISP()),
    VID_MUX(media_h.MEDIA_ENT_F_VID_MUX()),
    VID_IF_BRIDGE(media_h.MEDIA_ENT_F_VID_IF_BRIDGE()),
    ATV_DECODER(media_h.MEDIA_ENT_F_ATV_DECODER()),
    DV_DECODER(media_h.MEDIA_ENT_F_DV_DECODER()),
    DV_ENCODER(media_h.MEDIA_ENT_F_DV_ENCODER()),
    /** A function this enum does not know. */
    OTHER(-1);

    private static final EntityFunction[] VALUES = values();

    private final int value;

    EntityFunction(int value) {
        this.value = value;
    }

    /** The kernel's {@code MEDIA_ENT_F_*} value; -1 for {@link #OTHER}. */
    public int value() {
        return value;
    }

    /** The kernel's name, e.g. {@code MEDIA_ENT_F_CAM_SENSOR}; "OTHER" for {@link #OTHER}. */
    public String kernelName() {
        return this == OTHER ? "OTHER" : "MEDIA_ENT_F_" + name();
    }

    /** The constant for kernel value {@code value}, {@link #OTHER} for one this enum does not know. */
    public static EntityFunction of(int value) {
        for (EntityFunction e : VALUES) {
            if (e.value == value && e != OTHER) {
                return e;
            }
        }
        return OTHER;
    }
}

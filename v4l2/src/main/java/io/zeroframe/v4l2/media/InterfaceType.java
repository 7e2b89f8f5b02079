package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.media.media_h;

/**
 * What kind of device node an interface is ({@code media_v2_interface.intf_type}, {@code MEDIA_INTF_T_*}): a V4L2
 * video node, a V4L2 sub-device node, a DVB or ALSA node.
 * A value this enum does not know (a newer kernel's) is {@link #OTHER}; the record that holds it keeps the number.
 */
public enum InterfaceType {
    DVB_FE(media_h.MEDIA_INTF_T_DVB_FE()),
    DVB_DEMUX(media_h.MEDIA_INTF_T_DVB_DEMUX()),
    DVB_DVR(media_h.MEDIA_INTF_T_DVB_DVR()),
    DVB_CA(media_h.MEDIA_INTF_T_DVB_CA()),
    DVB_NET(media_h.MEDIA_INTF_T_DVB_NET()),
    V4L_VIDEO(media_h.MEDIA_INTF_T_V4L_VIDEO()),
    V4L_VBI(media_h.MEDIA_INTF_T_V4L_VBI()),
    V4L_RADIO(media_h.MEDIA_INTF_T_V4L_RADIO()),
    V4L_SUBDEV(media_h.MEDIA_INTF_T_V4L_SUBDEV()),
    V4L_SWRADIO(media_h.MEDIA_INTF_T_V4L_SWRADIO()),
    V4L_TOUCH(media_h.MEDIA_INTF_T_V4L_TOUCH()),
    ALSA_PCM_CAPTURE(media_h.MEDIA_INTF_T_ALSA_PCM_CAPTURE()),
    ALSA_PCM_PLAYBACK(media_h.MEDIA_INTF_T_ALSA_PCM_PLAYBACK()),
    ALSA_CONTROL(media_h.MEDIA_INTF_T_ALSA_CONTROL()),
    ALSA_COMPRESS(media_h.MEDIA_INTF_T_ALSA_COMPRESS()),
    ALSA_RAWMIDI(media_h.MEDIA_INTF_T_ALSA_RAWMIDI()),
    ALSA_HWDEP(media_h.MEDIA_INTF_T_ALSA_HWDEP()),
    ALSA_SEQUENCER(media_h.MEDIA_INTF_T_ALSA_SEQUENCER()),
    ALSA_TIMER(media_h.MEDIA_INTF_T_ALSA_TIMER()),
    /** A type this enum does not know. */
    OTHER(-1);

    private static final InterfaceType[] VALUES = values();

    private final int value;

    InterfaceType(int value) {
        this.value = value;
    }

    /** The kernel's {@code MEDIA_INTF_T_*} value; -1 for {@link #OTHER}. */
    public int value() {
        return value;
    }

    /** The kernel's name, e.g. {@code MEDIA_INTF_T_V4L_SUBDEV}; "OTHER" for {@link #OTHER}. */
    public String kernelName() {
        return this == OTHER ? "OTHER" : "MEDIA_INTF_T_" + name();
    }

    /** The constant for kernel value {@code value}, {@link #OTHER} for one this enum does not know. */
    public static InterfaceType of(int value) {
        for (InterfaceType e : VALUES) {
            if (e.value == value && e != OTHER) {
                return e;
            }
        }
        return OTHER;
    }
}

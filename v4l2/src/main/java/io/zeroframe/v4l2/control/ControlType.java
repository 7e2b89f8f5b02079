package io.zeroframe.v4l2.control;

import io.zeroframe.bindings.videodev2.videodev2_h;

/**
 * The type of a control ({@code enum v4l2_ctrl_type}, {@code V4L2_CTRL_TYPE_*}): which Java value it takes and
 * how {@code VIDIOC_G/S_EXT_CTRLS} carry it. Types from {@code V4L2_CTRL_COMPOUND_TYPES} (0x100) on are
 * compound: their value is a payload of bytes ({@link ControlInfo#elementSize()} per element).
 * {@link #UNKNOWN} stands for a type this enum does not name; {@link ControlInfo#rawType()} keeps its number.
 */
public enum ControlType {
    INTEGER(videodev2_h.V4L2_CTRL_TYPE_INTEGER(), "int"),
    BOOLEAN(videodev2_h.V4L2_CTRL_TYPE_BOOLEAN(), "bool"),
    MENU(videodev2_h.V4L2_CTRL_TYPE_MENU(), "menu"),
    BUTTON(videodev2_h.V4L2_CTRL_TYPE_BUTTON(), "button"),
    INTEGER64(videodev2_h.V4L2_CTRL_TYPE_INTEGER64(), "int64"),
    /** Not a control: the heading of a control class ({@code V4L2_CTRL_TYPE_CTRL_CLASS}), e.g. "User Controls". */
    CTRL_CLASS(videodev2_h.V4L2_CTRL_TYPE_CTRL_CLASS(), "ctrl_class"),
    STRING(videodev2_h.V4L2_CTRL_TYPE_STRING(), "str"),
    BITMASK(videodev2_h.V4L2_CTRL_TYPE_BITMASK(), "bitmask"),
    INTEGER_MENU(videodev2_h.V4L2_CTRL_TYPE_INTEGER_MENU(), "intmenu"),
    U8(videodev2_h.V4L2_CTRL_TYPE_U8(), "u8"),
    U16(videodev2_h.V4L2_CTRL_TYPE_U16(), "u16"),
    U32(videodev2_h.V4L2_CTRL_TYPE_U32(), "u32"),
    AREA(videodev2_h.V4L2_CTRL_TYPE_AREA(), "area"),
    HDR10_CLL_INFO(videodev2_h.V4L2_CTRL_TYPE_HDR10_CLL_INFO(), "hdr10_cll_info"),
    HDR10_MASTERING_DISPLAY(videodev2_h.V4L2_CTRL_TYPE_HDR10_MASTERING_DISPLAY(), "hdr10_mastering_display"),
    H264_SPS(videodev2_h.V4L2_CTRL_TYPE_H264_SPS(), "h264_sps"),
    H264_PPS(videodev2_h.V4L2_CTRL_TYPE_H264_PPS(), "h264_pps"),
    H264_SCALING_MATRIX(videodev2_h.V4L2_CTRL_TYPE_H264_SCALING_MATRIX(), "h264_scaling_matrix"),
    H264_SLICE_PARAMS(videodev2_h.V4L2_CTRL_TYPE_H264_SLICE_PARAMS(), "h264_slice_params"),
    H264_DECODE_PARAMS(videodev2_h.V4L2_CTRL_TYPE_H264_DECODE_PARAMS(), "h264_decode_params"),
    H264_PRED_WEIGHTS(videodev2_h.V4L2_CTRL_TYPE_H264_PRED_WEIGHTS(), "h264_pred_weights"),
    FWHT_PARAMS(videodev2_h.V4L2_CTRL_TYPE_FWHT_PARAMS(), "fwht_params"),
    VP8_FRAME(videodev2_h.V4L2_CTRL_TYPE_VP8_FRAME(), "vp8_frame"),
    MPEG2_QUANTISATION(videodev2_h.V4L2_CTRL_TYPE_MPEG2_QUANTISATION(), "mpeg2_quantisation"),
    MPEG2_SEQUENCE(videodev2_h.V4L2_CTRL_TYPE_MPEG2_SEQUENCE(), "mpeg2_sequence"),
    MPEG2_PICTURE(videodev2_h.V4L2_CTRL_TYPE_MPEG2_PICTURE(), "mpeg2_picture"),
    VP9_COMPRESSED_HDR(videodev2_h.V4L2_CTRL_TYPE_VP9_COMPRESSED_HDR(), "vp9_compressed_hdr"),
    VP9_FRAME(videodev2_h.V4L2_CTRL_TYPE_VP9_FRAME(), "vp9_frame"),
    HEVC_SPS(videodev2_h.V4L2_CTRL_TYPE_HEVC_SPS(), "hevc_sps"),
    HEVC_PPS(videodev2_h.V4L2_CTRL_TYPE_HEVC_PPS(), "hevc_pps"),
    HEVC_SLICE_PARAMS(videodev2_h.V4L2_CTRL_TYPE_HEVC_SLICE_PARAMS(), "hevc_slice_params"),
    HEVC_SCALING_MATRIX(videodev2_h.V4L2_CTRL_TYPE_HEVC_SCALING_MATRIX(), "hevc_scaling_matrix"),
    HEVC_DECODE_PARAMS(videodev2_h.V4L2_CTRL_TYPE_HEVC_DECODE_PARAMS(), "hevc_decode_params"),
    /** A type this enum does not name (newer kernels): a payload when compound. */
    UNKNOWN(-1, "unknown");

    private static final int COMPOUND_TYPES = videodev2_h.V4L2_CTRL_COMPOUND_TYPES();

    private final int value;
    private final String shortName;

    ControlType(int value, String shortName) {
        this.value = value;
        this.shortName = shortName;
    }

    /** The kernel's {@code V4L2_CTRL_TYPE_*} value; -1 for {@link #UNKNOWN}. */
    public int value() {
        return value;
    }

    /** A short name, e.g. "int", "menu", "str", "u8" (as {@code v4l2-ctl} prints the common ones). */
    public String shortName() {
        return shortName;
    }

    /** The type whose kernel value is {@code value}, {@link #UNKNOWN} if none. */
    public static ControlType of(int value) {
        for (ControlType type : values()) {
            if (type.value == value) {
                return type;
            }
        }
        return UNKNOWN;
    }

    /** Whether the raw kernel type is a compound type (a payload of bytes). */
    static boolean isCompound(int rawType) {
        return rawType >= COMPOUND_TYPES;
    }

    /** The kernel name, e.g. {@code V4L2_CTRL_TYPE_INTEGER_MENU}. */
    public String kernelName() {
        return "V4L2_CTRL_TYPE_" + name();
    }
}

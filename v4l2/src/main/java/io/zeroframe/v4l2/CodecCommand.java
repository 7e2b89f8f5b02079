package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;

/**
 * The commands of stateful memory-to-memory codecs ({@code VIDIOC_ENCODER_CMD}, {@code VIDIOC_DECODER_CMD}) that
 * the kernel's codec interfaces (dev-encoder.rst, dev-decoder.rst) use to drain and restart.
 */
public enum CodecCommand {
    /** {@code V4L2_ENC_CMD_START}: resume after a drain. */
    ENCODER_START("VIDIOC_ENCODER_CMD", videodev2_h.V4L2_ENC_CMD_START(), true),
    /**
     * {@code V4L2_ENC_CMD_STOP}: drain: encode what was queued on the output queue, then mark the last capture
     * buffer {@link BufferFlag#LAST} (and send {@link EventType#EOS}).
     */
    ENCODER_STOP("VIDIOC_ENCODER_CMD", videodev2_h.V4L2_ENC_CMD_STOP(), true),
    /** {@code V4L2_DEC_CMD_START}: resume after a drain. */
    DECODER_START("VIDIOC_DECODER_CMD", videodev2_h.V4L2_DEC_CMD_START(), false),
    /** {@code V4L2_DEC_CMD_STOP}: drain: decode what was queued, then mark the last capture buffer LAST. */
    DECODER_STOP("VIDIOC_DECODER_CMD", videodev2_h.V4L2_DEC_CMD_STOP(), false);

    final String ioctl;
    final int cmd;
    final boolean encoder;

    CodecCommand(String ioctl, int cmd, boolean encoder) {
        this.ioctl = ioctl;
        this.cmd = cmd;
        this.encoder = encoder;
    }
}

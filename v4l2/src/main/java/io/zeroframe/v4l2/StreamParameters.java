package io.zeroframe.v4l2;

/**
 * Streaming parameters of a queue ({@code VIDIOC_G/S_PARM}, {@code struct v4l2_captureparm} or
 * {@code v4l2_outputparm}): above all the frame interval.
 *
 * @param bufferType          the queue
 * @param timePerFrameSettable {@code V4L2_CAP_TIMEPERFRAME}: the frame interval can be set
 * @param highQuality         {@code V4L2_MODE_HIGHQUALITY} in {@code capturemode}/{@code outputmode}
 * @param timePerFrame        seconds per frame, e.g. 1/30 (0/0 when the driver does not say)
 * @param extendedMode        the driver-specific {@code extendedmode}
 * @param buffers             {@code readbuffers} / {@code writebuffers} for read()/write() I/O
 */
public record StreamParameters(BufferType bufferType, boolean timePerFrameSettable, boolean highQuality,
                               Fraction timePerFrame, int extendedMode, int buffers) {}

package io.zeroframe.v4l2.io;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/**
 * One input of a capture node, as {@code VIDIOC_ENUMINPUT} describes it ({@code struct v4l2_input}). Select it
 * with {@link VideoDevice#setInput(int)}.
 *
 * @param index                 the input's number for {@code VIDIOC_S_INPUT}
 * @param name                  its name, e.g. "Webcam 0", "HDMI 0"
 * @param type                  {@code V4L2_INPUT_TYPE_*}: {@link #TYPE_TUNER}, {@link #TYPE_CAMERA} or
 *                              {@link #TYPE_TOUCH}
 * @param audioset              the audio inputs that go with it (a bit per audio input)
 * @param tuner                 the tuner's index for a tuner input
 * @param standards             the analog standards it supports ({@code v4l2_std_id}), 0 for none
 * @param status                its signal's state (empty: ok)
 * @param unknownStatusBits     status bits {@link InputStatus} does not name
 * @param capabilities          what it supports: standards, DV timings, a native size
 * @param unknownCapabilityBits capability bits {@link IoCapability} does not name
 */
public record VideoInput(int index, String name, int type, int audioset, int tuner, long standards,
                         Set<InputStatus> status, int unknownStatusBits, Set<IoCapability> capabilities,
                         int unknownCapabilityBits) implements VideoIo {
    /** {@code V4L2_INPUT_TYPE_TUNER}. */
    public static final int TYPE_TUNER = videodev2_h.V4L2_INPUT_TYPE_TUNER();
    /** {@code V4L2_INPUT_TYPE_CAMERA}: any input that is not a tuner (camera, composite, HDMI...). */
    public static final int TYPE_CAMERA = videodev2_h.V4L2_INPUT_TYPE_CAMERA();
    /** {@code V4L2_INPUT_TYPE_TOUCH}. */
    public static final int TYPE_TOUCH = videodev2_h.V4L2_INPUT_TYPE_TOUCH();

    public VideoInput {
        status = Bits.copy(InputStatus.class, status);
        capabilities = Bits.copy(IoCapability.class, capabilities);
    }

    @Override
    public String toString() {
        return index + ": \"" + name + "\" (" + (type == TYPE_TUNER ? "tuner" : type == TYPE_CAMERA ? "camera"
                : type == TYPE_TOUCH ? "touch" : "type " + type) + ")" + (status.isEmpty() ? "" : " " + status)
                + (capabilities.isEmpty() ? "" : " " + capabilities)
                + (standards == 0 ? "" : String.format(" std 0x%016x", standards));
    }
}

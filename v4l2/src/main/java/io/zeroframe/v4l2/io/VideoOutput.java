package io.zeroframe.v4l2.io;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/**
 * One output of an output node, as {@code VIDIOC_ENUMOUTPUT} describes it ({@code struct v4l2_output}). Select it
 * with {@link VideoDevice#setOutput(int)}.
 *
 * @param index                 the output's number for {@code VIDIOC_S_OUTPUT}
 * @param name                  its name, e.g. "S-Video 0", "HDMI 0"
 * @param type                  {@code V4L2_OUTPUT_TYPE_*}: {@link #TYPE_MODULATOR}, {@link #TYPE_ANALOG},
 *                              {@link #TYPE_ANALOGVGAOVERLAY}
 * @param audioset              the audio outputs that go with it
 * @param modulator             the modulator's index for a modulator output
 * @param standards             the analog standards it supports, 0 for none
 * @param capabilities          what it supports: standards, DV timings, a native size
 * @param unknownCapabilityBits capability bits {@link IoCapability} does not name
 */
public record VideoOutput(int index, String name, int type, int audioset, int modulator, long standards,
                          Set<IoCapability> capabilities, int unknownCapabilityBits) implements VideoIo {
    /** {@code V4L2_OUTPUT_TYPE_MODULATOR}. */
    public static final int TYPE_MODULATOR = videodev2_h.V4L2_OUTPUT_TYPE_MODULATOR();
    /** {@code V4L2_OUTPUT_TYPE_ANALOG}: any output that is not a modulator. */
    public static final int TYPE_ANALOG = videodev2_h.V4L2_OUTPUT_TYPE_ANALOG();
    /** {@code V4L2_OUTPUT_TYPE_ANALOGVGAOVERLAY}. */
    public static final int TYPE_ANALOGVGAOVERLAY = videodev2_h.V4L2_OUTPUT_TYPE_ANALOGVGAOVERLAY();

    public VideoOutput {
        capabilities = Bits.copy(IoCapability.class, capabilities);
    }

    @Override
    public String toString() {
        return index + ": \"" + name + "\" (" + (type == TYPE_MODULATOR ? "modulator" : type == TYPE_ANALOG ? "analog"
                : "type " + type) + ")" + (capabilities.isEmpty() ? "" : " " + capabilities)
                + (standards == 0 ? "" : String.format(" std 0x%016x", standards));
    }
}

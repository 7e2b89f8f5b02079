package io.zeroframe.v4l2.io;

import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/**
 * Digital video timings of the BT.656/1120 kind ({@code struct v4l2_bt_timings} in {@code v4l2_dv_timings},
 * type {@code V4L2_DV_BT_656_1120}): what an HDMI, DVI or SDI link carries. From
 * {@link VideoDevice#dvTimings()}, {@link VideoDevice#dvTimingsList()}, {@link VideoDevice#queryDvTimings()};
 * given to {@link VideoDevice#setDvTimings(DvTimings)}.
 *
 * @param width            active pixels per line
 * @param height           active lines per frame (both fields for interlaced)
 * @param interlaced       whether the frames are interlaced
 * @param vsyncPositive    {@code V4L2_DV_VSYNC_POS_POL}
 * @param hsyncPositive    {@code V4L2_DV_HSYNC_POS_POL}
 * @param pixelClock       pixels per second (Hz)
 * @param hFrontPorch      horizontal front porch, pixels
 * @param hSync            horizontal sync, pixels
 * @param hBackPorch       horizontal back porch, pixels
 * @param vFrontPorch      vertical front porch, lines
 * @param vSync            vertical sync, lines
 * @param vBackPorch       vertical back porch, lines
 * @param ilVFrontPorch    the second field's vertical front porch (interlaced)
 * @param ilVSync          the second field's vertical sync
 * @param ilVBackPorch     the second field's vertical back porch
 * @param standards        the standards these timings belong to
 * @param flags            {@code V4L2_DV_FL_*}
 * @param unknownFlagBits  flag bits {@link DvFlag} does not name
 * @param pictureAspect    the picture aspect ratio when {@link DvFlag#HAS_PICTURE_ASPECT}, else 0/0
 * @param cea861Vic        the CEA-861 video identification code when {@link DvFlag#HAS_CEA861_VIC}
 * @param hdmiVic          the HDMI video identification code when {@link DvFlag#HAS_HDMI_VIC}
 */
public record DvTimings(int width, int height, boolean interlaced, boolean vsyncPositive, boolean hsyncPositive,
                        long pixelClock, int hFrontPorch, int hSync, int hBackPorch, int vFrontPorch, int vSync,
                        int vBackPorch, int ilVFrontPorch, int ilVSync, int ilVBackPorch, Set<DvStandard> standards,
                        Set<DvFlag> flags, int unknownFlagBits, Fraction pictureAspect, int cea861Vic, int hdmiVic) {
    public DvTimings {
        standards = Bits.copy(DvStandard.class, standards);
        flags = Bits.copy(DvFlag.class, flags);
    }

    /** Pixels per line including blanking. */
    public long totalWidth() {
        return (long) width + hFrontPorch + hSync + hBackPorch;
    }

    /** Lines per frame including blanking (both fields for interlaced). */
    public long totalHeight() {
        long total = (long) height + vFrontPorch + vSync + vBackPorch;
        return interlaced ? total + ilVFrontPorch + ilVSync + ilVBackPorch : total;
    }

    /** Frames per second ({@code pixelClock / (totalWidth * totalHeight)}); fields per second / 2 if interlaced. */
    public double framesPerSecond() {
        long total = totalWidth() * totalHeight();
        return total == 0 ? 0 : (double) pixelClock / total;
    }

    /** E.g. "1920x1080p60.00 (148500000 Hz)". */
    @Override
    public String toString() {
        double rate = interlaced ? framesPerSecond() * 2 : framesPerSecond();
        return String.format("%dx%d%s%.2f (%d Hz)", width, height, interlaced ? "i" : "p", rate, pixelClock);
    }
}

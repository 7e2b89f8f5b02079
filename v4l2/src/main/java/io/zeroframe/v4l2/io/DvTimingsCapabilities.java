package io.zeroframe.v4l2.io;

import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/**
 * The range of DV timings an input or output takes ({@code VIDIOC_DV_TIMINGS_CAP}, {@code struct
 * v4l2_bt_timings_cap}).
 *
 * @param minWidth      smallest active width
 * @param maxWidth      largest active width
 * @param minHeight     smallest active height
 * @param maxHeight     largest active height
 * @param minPixelClock lowest pixel clock, Hz
 * @param maxPixelClock highest pixel clock, Hz
 * @param standards     the standards it takes
 * @param interlaced    {@code V4L2_DV_BT_CAP_INTERLACED}
 * @param progressive   {@code V4L2_DV_BT_CAP_PROGRESSIVE}
 * @param reducedBlanking {@code V4L2_DV_BT_CAP_REDUCED_BLANKING}
 * @param custom        {@code V4L2_DV_BT_CAP_CUSTOM}: timings outside the standards' lists
 */
public record DvTimingsCapabilities(int minWidth, int maxWidth, int minHeight, int maxHeight, long minPixelClock,
                                    long maxPixelClock, Set<DvStandard> standards, boolean interlaced,
                                    boolean progressive, boolean reducedBlanking, boolean custom) {
    public DvTimingsCapabilities {
        standards = Bits.copy(DvStandard.class, standards);
    }
}

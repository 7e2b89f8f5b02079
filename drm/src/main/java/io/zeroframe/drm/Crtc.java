package io.zeroframe.drm;

import java.util.Optional;

/**
 * A CRTC as {@code DRM_IOCTL_MODE_GETCRTC} and its properties described it.
 *
 * @param id          its id
 * @param index       its position in the device's CRTC list (what {@code possible_crtcs} bits refer to)
 * @param framebuffer the framebuffer its primary plane scans out, if any
 * @param x           the scan-out position in the framebuffer
 * @param y           the scan-out position in the framebuffer
 * @param mode        its mode, if one is set
 * @param gammaSize   entries of its legacy gamma table
 * @param properties  its properties by name, with values
 */
public record Crtc(CrtcId id, int index, Optional<FramebufferId> framebuffer, int x, int y, Optional<Mode> mode,
                   int gammaSize, ObjectProperties properties) {}

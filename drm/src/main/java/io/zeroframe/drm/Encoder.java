package io.zeroframe.drm;

import java.util.List;
import java.util.Optional;

/**
 * An encoder as {@code DRM_IOCTL_MODE_GETENCODER} described it.
 *
 * @param id             its id
 * @param type           {@code DRM_MODE_ENCODER_*}
 * @param crtc           the CRTC driving it now
 * @param possibleCrtcs  the CRTCs that can drive it
 * @param possibleClones bitmask of encoders it can be cloned with (indexes into the device's encoder list)
 */
public record Encoder(EncoderId id, int type, Optional<CrtcId> crtc, List<CrtcId> possibleCrtcs, int possibleClones) {
    public Encoder {
        possibleCrtcs = List.copyOf(possibleCrtcs);
    }
}

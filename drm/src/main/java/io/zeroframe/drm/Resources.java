package io.zeroframe.drm;

import java.util.List;

/**
 * The mode-setting objects of a device ({@code DRM_IOCTL_MODE_GETRESOURCES} and
 * {@code DRM_IOCTL_MODE_GETPLANERESOURCES}), ids only; ask the device for each object's description.
 *
 * @param connectors   connector ids
 * @param crtcs        CRTC ids, in index order
 * @param encoders     encoder ids
 * @param framebuffers framebuffers this file created
 * @param planes       plane ids (all of them, with {@link ClientCap#UNIVERSAL_PLANES})
 * @param minWidth     smallest framebuffer width
 * @param maxWidth     largest framebuffer width
 * @param minHeight    smallest framebuffer height
 * @param maxHeight    largest framebuffer height
 */
public record Resources(List<ConnectorId> connectors, List<CrtcId> crtcs, List<EncoderId> encoders,
                        List<FramebufferId> framebuffers, List<PlaneId> planes, int minWidth, int maxWidth,
                        int minHeight, int maxHeight) {
    public Resources {
        connectors = List.copyOf(connectors);
        crtcs = List.copyOf(crtcs);
        encoders = List.copyOf(encoders);
        framebuffers = List.copyOf(framebuffers);
        planes = List.copyOf(planes);
    }
}

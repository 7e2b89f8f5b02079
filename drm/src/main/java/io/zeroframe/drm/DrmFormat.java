package io.zeroframe.drm;

import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.internal.FourCc;
import java.util.Optional;

/**
 * A DRM fourcc as a plane lists it ({@code DRM_FORMAT_*}), including formats the frame model does not describe
 * (vkms's {@code XR48}); {@link #pixelFormat()} gives the frame model's {@link PixelFormat} where there is one.
 *
 * @param fourcc the code, first character in the lowest byte
 */
public record DrmFormat(int fourcc) {
    /** The format for a frame-model pixel format ({@link PixelFormat#drmFourcc()}). */
    public static DrmFormat of(PixelFormat format) {
        return new DrmFormat(format.drmFourcc());
    }

    /** The format named by four characters, e.g. {@code "XR24"}. */
    public static DrmFormat of(String name) {
        return new DrmFormat(FourCc.of(name));
    }

    /** The frame model's pixel format with this DRM code (the contiguous variant), if it has one. */
    public Optional<PixelFormat> pixelFormat() {
        return PixelFormat.fromDrm(fourcc);
    }

    /** The four characters, e.g. {@code XR24}. */
    @Override
    public String toString() {
        return FourCc.name(fourcc);
    }
}

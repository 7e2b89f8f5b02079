package io.zeroframe.v4l2;

/**
 * The memory one plane of a format takes ({@code struct v4l2_plane_pix_format}, or the single plane of
 * {@code struct v4l2_pix_format}).
 *
 * @param bytesPerLine bytes from one row to the next ({@code bytesperline}); 0 in a request lets the driver choose,
 *                     and is 0 for compressed formats
 * @param sizeImage    bytes a buffer for this plane needs at least ({@code sizeimage})
 */
public record PlaneFormat(long bytesPerLine, long sizeImage) {
    public PlaneFormat {
        if (bytesPerLine < 0 || sizeImage < 0) {
            throw new IllegalArgumentException("negative plane format: " + bytesPerLine + ", " + sizeImage);
        }
    }
}

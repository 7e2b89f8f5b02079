package io.zeroframe.v4l2.format;

import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * One format a queue offers, as {@code VIDIOC_ENUM_FMT} describes it ({@code struct v4l2_fmtdesc}).
 *
 * @param bufferType      the queue it was enumerated for
 * @param index           its position in the driver's list
 * @param fourcc          the pixel (or metadata, SDR) format code
 * @param description     the kernel's description, e.g. "YUYV 4:2:2"
 * @param flags           {@code V4L2_FMT_FLAG_*}
 * @param unknownFlagBits flag bits {@link FormatFlag} does not name
 * @param mbusCode        the media bus code ({@code mbus_code}), 0 unless the node is media-controller centric
 */
public record FormatDescription(BufferType bufferType, int index, FourCc fourcc, String description,
                                Set<FormatFlag> flags, int unknownFlagBits, int mbusCode) {
    public FormatDescription {
        flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
    }

    /** The frame model's format for {@link #fourcc()}, empty for codes it does not know (Bayer, compressed...). */
    public Optional<PixelFormat> pixelFormat() {
        return fourcc.pixelFormat();
    }

    /** Whether the format is a compressed bitstream ({@code V4L2_FMT_FLAG_COMPRESSED}). */
    public boolean isCompressed() {
        return flags.contains(FormatFlag.COMPRESSED);
    }

    /** E.g. {@code 'YUYV' (YUYV 4:2:2) [CSC_COLORSPACE]}. */
    @Override
    public String toString() {
        return "'" + fourcc + "' (" + description + ")" + (flags.isEmpty() ? "" : " " + flags)
                + (unknownFlagBits == 0 ? "" : String.format(" +0x%x", unknownFlagBits));
    }
}

package io.zeroframe.v4l2;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code v4l2-ctl} (v4l-utils, the peer tool the library is checked against) and renders the library's
 * descriptions the way it prints them, so that device tests compare line by line.
 */
final class V4l2Ctl {
    private V4l2Ctl() {}

    /** {@code v4l2-ctl -d NODE ARGS...}: its stdout (stderr is kept apart and returned on failure). */
    static String run(Path node, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("v4l2-ctl", "-d", node.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        process.getInputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command + " did not end in 60 s");
        }
        process.getErrorStream().close();
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The option that lists the formats of {@code type} with sizes and intervals. */
    static String listFormatsOption(BufferType type) {
        return switch (type) {
            case VIDEO_CAPTURE, VIDEO_CAPTURE_MPLANE -> "--list-formats-ext";
            case VIDEO_OUTPUT, VIDEO_OUTPUT_MPLANE -> "--list-formats-out-ext";
            case META_CAPTURE -> "--list-formats-meta";
            case META_OUTPUT -> "--list-formats-meta-out";
            default -> throw new IllegalArgumentException("no v4l2-ctl listing for " + type);
        };
    }

    /** How v4l2-ctl names a buffer type in its "Type:" lines. */
    static String typeName(BufferType type) {
        return switch (type) {
            case VIDEO_CAPTURE -> "Video Capture";
            case VIDEO_CAPTURE_MPLANE -> "Video Capture Multiplanar";
            case VIDEO_OUTPUT -> "Video Output";
            case VIDEO_OUTPUT_MPLANE -> "Video Output Multiplanar";
            case META_CAPTURE -> "Metadata Capture";
            case META_OUTPUT -> "Metadata Output";
            default -> type.name();
        };
    }

    /** The sections of an ENUM_FMT listing: "Type:" name to the lines of its formats (indented lines). */
    static Map<String, List<String>> formatSections(String output) {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : output.split("\n")) {
            if (line.startsWith("\tType: ")) {
                current = new ArrayList<>();
                sections.put(line.substring("\tType: ".length()).strip(), current);
            } else if (current != null && line.startsWith("\t") && !line.isBlank()) {
                current.add(line);
            } else if (line.startsWith("ioctl:")) {
                current = null;
            }
        }
        return sections;
    }

    /** The library's offers as {@code --list-formats-ext} lines. */
    static List<String> render(List<FormatOffer> offers) {
        List<String> lines = new ArrayList<>();
        for (FormatOffer offer : offers) {
            FormatDescription f = offer.format();
            StringBuilder line = new StringBuilder("\t[" + f.index() + "]: '" + f.fourcc() + "' (" + f.description());
            for (FormatFlag flag : V4L2_CTL_FLAG_ORDER) {
                if (f.flags().contains(flag)) {
                    // one bit, V4L2_FMT_FLAG_CSC_HSV_ENC for the HSV formats
                    boolean hsv = f.fourcc().toString().startsWith("HSV");
                    line.append(", ").append(flag == FormatFlag.CSC_YCBCR_ENC && hsv ? "csc-hsv" : flagName(flag));
                }
            }
            if (f.unknownFlagBits() != 0) {
                line.append(String.format(", 0x%08x", f.unknownFlagBits()));
            }
            lines.add(line.append(')').toString());
            switch (offer.sizes()) {
                case FrameSizes.Discrete d -> {
                    for (FrameSize size : d.sizes()) {
                        lines.add("\t\tSize: Discrete " + size);
                        switch (offer.intervalsAt(size)) {
                            case FrameIntervals.Discrete di -> {
                                for (Fraction interval : di.intervals()) {
                                    lines.add("\t\t\tInterval: Discrete " + seconds(interval) + "s ("
                                            + fps(interval) + " fps)");
                                }
                            }
                            case FrameIntervals.Stepwise s -> lines.add("\t\t\tInterval: Stepwise " + seconds(s.min())
                                    + "s - " + seconds(s.max()) + "s with step " + seconds(s.step()) + "s ("
                                    + fps(s.max()) + "-" + fps(s.min()) + " fps)");
                            case FrameIntervals.Continuous c -> lines.add("\t\t\tInterval: Continuous "
                                    + seconds(c.min()) + "s - " + seconds(c.max()) + "s (" + fps(c.max()) + "-"
                                    + fps(c.min()) + " fps)");
                        }
                    }
                }
                case FrameSizes.Stepwise s -> lines.add("\t\tSize: Stepwise " + s.min() + " - " + s.max()
                        + " with step " + s.stepWidth() + "/" + s.stepHeight());
                case FrameSizes.Continuous c -> lines.add("\t\tSize: Continuous " + c.min() + " - " + c.max());
            }
        }
        return lines;
    }

    /** The order of v4l2-ctl's flag table (not the bits' order). */
    static final List<FormatFlag> V4L2_CTL_FLAG_ORDER = List.of(FormatFlag.COMPRESSED, FormatFlag.EMULATED,
            FormatFlag.CONTINUOUS_BYTESTREAM, FormatFlag.DYN_RESOLUTION, FormatFlag.ENC_CAP_FRAME_INTERVAL,
            FormatFlag.CSC_COLORSPACE, FormatFlag.CSC_YCBCR_ENC, FormatFlag.CSC_QUANTIZATION, FormatFlag.CSC_XFER_FUNC,
            FormatFlag.META_LINE_BASED);

    /** v4l2-ctl's names for the ENUM_FMT flags. */
    static String flagName(FormatFlag flag) {
        return switch (flag) {
            case COMPRESSED -> "compressed";
            case EMULATED -> "emulated";
            case CONTINUOUS_BYTESTREAM -> "continuous-bytestream";
            case DYN_RESOLUTION -> "dyn-resolution";
            case ENC_CAP_FRAME_INTERVAL -> "enc-cap-frame-interval";
            case CSC_COLORSPACE -> "csc-colorspace";
            case CSC_YCBCR_ENC -> "csc-ycbcr";
            case CSC_QUANTIZATION -> "csc-quantization";
            case CSC_XFER_FUNC -> "csc-xfer-func";
            case META_LINE_BASED -> "meta-line-based";
        };
    }

    /** {@code printf("%.3f", num / den)} as C rounds it (half-even on the exact binary value). */
    static String seconds(Fraction f) {
        return threeDecimals((double) Integer.toUnsignedLong(f.numerator()) / Integer.toUnsignedLong(f.denominator()));
    }

    static String fps(Fraction f) {
        return threeDecimals((double) Integer.toUnsignedLong(f.denominator()) / Integer.toUnsignedLong(f.numerator()));
    }

    static String threeDecimals(double value) {
        return new BigDecimal(value).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
    }
}

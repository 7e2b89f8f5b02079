package io.zeroframe.v4l2;

import io.zeroframe.bindings.testing.Commands;
import io.zeroframe.v4l2.control.ControlFlag;
import io.zeroframe.v4l2.control.ControlInfo;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.format.FormatFlag;
import io.zeroframe.v4l2.format.FormatOffer;
import io.zeroframe.v4l2.format.FrameIntervals;
import io.zeroframe.v4l2.format.FrameSize;
import io.zeroframe.v4l2.format.FrameSizes;
import io.zeroframe.v4l2.io.DvFlag;
import io.zeroframe.v4l2.io.DvStandard;
import io.zeroframe.v4l2.io.DvTimings;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
        return Commands.run(Commands.Stderr.DISCARDED, command).output();
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

    /** One control as {@code v4l2-ctl --list-ctrls-menus} prints it. */
    record Control(String heading, String key, int id, String type, Map<String, String> fields, String flags,
                   List<String> menu) {}

    /** What {@code --list-ctrls-menus} printed: class headings, controls, and the controls it failed to read. */
    record ControlListing(List<String> headings, List<Control> controls, List<String> failedNames) {}

    private static final java.util.regex.Pattern CONTROL_LINE =
            java.util.regex.Pattern.compile("^\\s*(\\S+) 0x([0-9a-f]{8}) \\(([\\w-]+)\\)\\s*: ?(.*)$");
    private static final java.util.regex.Pattern FIELD =
            java.util.regex.Pattern.compile("(type|min|max|step|default|dims)=(\\S+)");
    private static final java.util.regex.Pattern VALUE =
            java.util.regex.Pattern.compile(" ?value=('.*'|unsupported payload type|\\S+)( \\((.*)\\))?(?= flags=|$)");

    static ControlListing parseControls(String output) {
        List<String> headings = new ArrayList<>();
        List<Control> controls = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        String heading = null;
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("\t\t\t\t")) {
                controls.getLast().menu().add(line.strip());
                continue;
            }
            if (line.startsWith("error ")) {
                failed.add(line.replaceFirst("^error \\d+ getting ctrl ", ""));
                continue;
            }
            java.util.regex.Matcher m = CONTROL_LINE.matcher(line);
            if (!m.matches()) {
                heading = line.strip();
                headings.add(heading);
                continue;
            }
            String rest = m.group(4);
            String flags = "";
            int f = rest.lastIndexOf(" flags=");
            if (f >= 0 || rest.startsWith("flags=")) {
                f = Math.max(f, 0);
                flags = rest.substring(rest.indexOf("flags=", f) + "flags=".length());
                rest = rest.substring(0, f);
            }
            Map<String, String> fields = new LinkedHashMap<>();
            java.util.regex.Matcher v = VALUE.matcher(rest);
            if (v.find()) {
                fields.put("value", v.group(1));
                if (v.group(3) != null) {
                    fields.put("item", v.group(3));
                }
                rest = rest.substring(0, v.start());
            }
            java.util.regex.Matcher field = FIELD.matcher(rest);
            while (field.find()) {
                fields.put(field.group(1), field.group(2));
            }
            controls.add(new Control(heading, m.group(1), Integer.parseUnsignedInt(m.group(2), 16), m.group(3), fields,
                    flags, new ArrayList<>()));
        }
        return new ControlListing(headings, controls, failed);
    }

    /** The bits of a {@code flags=} list ("read-only, 0x00000800"). */
    static int flagBits(String flags) {
        int bits = 0;
        for (String name : flags.split(", ")) {
            if (name.isEmpty()) {
                continue;
            }
            if (name.startsWith("0x")) {
                bits |= Integer.parseUnsignedInt(name.substring(2), 16);
                continue;
            }
            ControlFlag flag = ControlFlag.valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            bits |= flag.bit();
        }
        return bits;
    }

    /** How v4l2-ctl names a control type: the short names, else the enum name in lower case with hyphens. */
    static String typeName(ControlInfo c) {
        return switch (c.type()) {
            case INTEGER, BOOLEAN, MENU, BUTTON, INTEGER64, STRING, BITMASK, INTEGER_MENU, U8, U16, U32, AREA,
                 CTRL_CLASS -> c.type().shortName();
            case UNKNOWN -> "unknown";
            default -> c.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        };
    }

    /**
     * The "Key: value" blocks v4l2-ctl prints for lists (inputs, standards, DV timings), split at blank lines;
     * "Field 1:"/"Field 2:" lines prefix the keys that follow.
     */
    static List<Map<String, String>> blocks(String output) {
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> block = new LinkedHashMap<>();
        String prefix = "";
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                if (!block.isEmpty()) {
                    blocks.add(block);
                }
                block = new LinkedHashMap<>();
                prefix = "";
                continue;
            }
            if (!line.startsWith("\t")) {
                continue; // "ioctl: ..." headings
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.startsWith("Field ") && value.isEmpty()) {
                prefix = key + " ";
                continue;
            }
            block.put(key.startsWith("Vertical") ? prefix + key : key, value);
        }
        if (!block.isEmpty()) {
            blocks.add(block);
        }
        return blocks;
    }

    /** The hex number at the start of a value such as "0x00000002 (Camera)". */
    static long hex(String value) {
        String number = value.split(" ")[0];
        return Long.parseUnsignedLong(number.substring(2), 16);
    }

    /** {@code printf("%.2f")} as C rounds it. */
    static String twoDecimals(double value) {
        return new BigDecimal(value).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** DV timings as {@code v4l2-ctl --list-dv-timings} / {@code --get-dv-timings} print them. */
    static Map<String, String> render(DvTimings t) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Active width", Integer.toString(t.width()));
        m.put("Active height", Integer.toString(t.height()));
        m.put("Total width", Long.toString(t.totalWidth()));
        m.put("Total height", Long.toString(t.totalHeight()));
        m.put("Frame format", t.interlaced() ? "interlaced" : "progressive");
        m.put("Polarities", (t.vsyncPositive() ? "+" : "-") + "vsync " + (t.hsyncPositive() ? "+" : "-") + "hsync");
        double fps = (double) t.pixelClock() / (t.totalWidth() * t.totalHeight());
        m.put("Pixelclock", t.pixelClock() + " Hz (" + twoDecimals(t.interlaced() ? fps * 2 : fps)
                + (t.interlaced() ? " fields" : " frames") + " per second)");
        m.put("Horizontal frontporch", Integer.toString(t.hFrontPorch()));
        m.put("Horizontal sync", Integer.toString(t.hSync()));
        m.put("Horizontal backporch", Integer.toString(t.hBackPorch()));
        String field1 = t.interlaced() ? "Field 1 " : "";
        m.put(field1 + "Vertical frontporch", Integer.toString(t.vFrontPorch()));
        m.put(field1 + "Vertical sync", Integer.toString(t.vSync()));
        m.put(field1 + "Vertical backporch", Integer.toString(t.vBackPorch()));
        if (t.interlaced()) {
            m.put("Field 2 Vertical frontporch", Integer.toString(t.ilVFrontPorch()));
            m.put("Field 2 Vertical sync", Integer.toString(t.ilVSync()));
            m.put("Field 2 Vertical backporch", Integer.toString(t.ilVBackPorch()));
        }
        m.put("Standards", t.standards().stream().map(V4l2Ctl::standardName).collect(java.util.stream.Collectors.joining(", ")));
        if (t.flags().contains(DvFlag.HAS_PICTURE_ASPECT)) {
            m.put("Picture aspect", t.pictureAspect().numerator() + ":" + t.pictureAspect().denominator());
        }
        if (t.flags().contains(DvFlag.HAS_CEA861_VIC)) {
            m.put("CTA-861 VIC", Integer.toString(t.cea861Vic()));
        }
        if (t.flags().contains(DvFlag.HAS_HDMI_VIC)) {
            m.put("HDMI VIC", Integer.toString(t.hdmiVic()));
        }
        List<String> flags = new ArrayList<>();
        for (DvFlag flag : t.flags()) {
            flags.add(switch (flag) {
                case REDUCED_BLANKING -> t.vSync() == 8 ? "reduced blanking v2" : "reduced blanking";
                case CAN_REDUCE_FPS -> "framerate can be reduced by 1/1.001";
                case REDUCED_FPS -> "reduced fps";
                case HALF_LINE -> "half-line";
                case IS_CE_VIDEO -> "CE-video";
                case FIRST_FIELD_EXTRA_LINE -> "first field has extra line";
                case HAS_PICTURE_ASPECT -> "has picture aspect";
                case HAS_CEA861_VIC -> "has CTA-861 VIC";
                case HAS_HDMI_VIC -> "has HDMI VIC";
                case CAN_DETECT_REDUCED_FPS -> "can detect reduced fps";
            });
        }
        m.put("Flags", String.join(", ", flags));
        return m;
    }

    static String standardName(DvStandard s) {
        return switch (s) {
            case CEA861 -> "CTA-861";
            case DMT -> "DMT";
            case CVT -> "CVT";
            case GTF -> "GTF";
            case SDI -> "SDI";
        };
    }
}

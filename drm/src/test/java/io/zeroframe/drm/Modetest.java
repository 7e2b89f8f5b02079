package io.zeroframe.drm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code modetest -M DRIVER -a} (libdrm-tests) prints, parsed into one normalised line per fact, grouped by
 * object ("connector 37", "plane 32 property 8 type", ...), so that the library's view can be printed the same way
 * and compared line by line. Sections: Encoders, Connectors, CRTCs, Planes (Frame buffers lists modetest's own,
 * none).
 */
final class Modetest {
    /** Object key to its normalised facts, in modetest's order. */
    final Map<String, List<String>> facts = new LinkedHashMap<>();

    static Modetest parse(String text) {
        Modetest result = new Modetest();
        String section = "";
        String object = null;
        String property = null;
        List<String> hex = null;
        boolean decoding = false;
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith("\t") && !line.startsWith(" ") && line.endsWith(":")) {
                section = line.substring(0, line.length() - 1);
                object = null;
                continue;
            }
            if (section.equals("Frame buffers")) {
                continue;
            }
            if (Character.isDigit(line.charAt(0))) {
                String[] f = line.trim().split("\\s+");
                property = null;
                decoding = false;
                switch (section) {
                    case "Encoders" -> {
                        object = "encoder " + f[0];
                        result.add(object, "crtc " + f[1] + " type " + f[2] + " possible crtcs " + f[3]
                                + " possible clones " + f[4]);
                    }
                    case "Connectors" -> {
                        object = "connector " + f[0];
                        StringBuilder encoders = new StringBuilder();
                        for (int i = 7; i < f.length; i++) {
                            encoders.append(f[i].replace(",", "")).append(i + 1 < f.length ? " " : "");
                        }
                        result.add(object, "encoder " + f[1] + " status " + f[2] + " name " + f[3] + " size " + f[4]
                                + " modes " + f[5] + " encoders " + f[6] + (encoders.isEmpty() ? "" : " " + encoders));
                    }
                    case "CRTCs" -> {
                        object = "crtc " + f[0];
                        result.add(object, "fb " + f[1] + " pos " + f[2] + " size " + f[3]);
                    }
                    case "Planes" -> {
                        object = "plane " + f[0];
                        result.add(object, "crtc " + f[1] + " fb " + f[2] + " possible crtcs " + f[f.length - 1]);
                    }
                    default -> throw new IllegalStateException("unexpected line in " + section + ": " + line);
                }
                continue;
            }
            String trimmed = line.trim();
            if (line.startsWith("  #")) {
                result.add(object, "mode " + mode(trimmed));
            } else if (line.startsWith("  formats:")) {
                result.add(object, "formats" + trimmed.substring("formats:".length()));
            } else if (line.startsWith("\t") && !line.startsWith("\t\t") && trimmed.endsWith(":")) {
                if (!trimmed.startsWith("index")) {
                    property = "property " + trimmed.substring(0, trimmed.length() - 1);
                    decoding = false;
                }
            } else if (property != null && line.startsWith("\t\t\t")) {
                if (decoding) {
                    result.add(object, property + " decoded " + trimmed.replaceAll("\\s+", " "));
                } else {
                    hex.add(trimmed);
                }
            } else if (property != null && trimmed.startsWith("flags:")) {
                result.add(object, property + " flags" + trimmed.substring("flags:".length()));
            } else if (property != null && (trimmed.startsWith("values:") || trimmed.startsWith("enums:"))) {
                result.add(object, property + " " + trimmed);
            } else if (property != null && trimmed.equals("value:")) {
                hex = new ArrayList<>();
                result.facts.get(object).add(property + " blob ");
            } else if (property != null && trimmed.startsWith("value:")) {
                result.add(object, property + " " + trimmed);
            } else if (property != null && trimmed.equals("in_formats blob decoded:")) {
                decoding = true;
            }
            if (hex != null && property != null && !line.startsWith("\t\t\t") && !trimmed.equals("value:")) {
                hex = null;
            }
            if (hex != null) {
                List<String> list = result.facts.get(object);
                for (int i = list.size() - 1; i >= 0; i--) {
                    if (list.get(i).startsWith(property + " blob ")) {
                        list.set(i, property + " blob " + String.join("", hex));
                        break;
                    }
                }
            }
        }
        return result;
    }

    /** "1280x800 74.99 1280 1600 ... 107300 flags: nhsync, nvsync; type: preferred, driver" without the refresh. */
    private static String mode(String line) {
        String[] f = line.split("\\s+", 4); // #0, name, refresh, rest
        return f[1] + " " + f[3];
    }

    void add(String object, String fact) {
        facts.computeIfAbsent(object, k -> new ArrayList<>()).add(fact);
    }
}

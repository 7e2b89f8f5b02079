package io.zeroframe.samples.info;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.zeroframe.bindings.testing.Commands;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.v4l2.VideoDevices;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code info} against the peer tools on the test bed's drivers: what {@code info --json} says about every vivid
 * node equals {@code v4l2-ctl}'s driver info, format lists with frame sizes and interval counts, and controls with
 * ranges and values; its {@code --kms} view of virtio-gpu equals {@code modetest}'s connectors (names, mode counts),
 * CRTCs and planes (formats). The JSON is read back with the same library; the shaded jar runs with {@code java -jar}
 * as the test bed's unprivileged user.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class InfoDeviceTest {
    private static final Pattern FORMAT = Pattern.compile("^\\t\\[\\d+]: '(.{4}(?:-BE)?)' \\((.*)\\)$");
    private static final Pattern CONTROL = Pattern.compile("^\\s*(\\S+) 0x([0-9a-f]{8}) \\(([\\w-]+)\\)\\s*: ?(.*)$");
    private static final Pattern FIELD = Pattern.compile("(min|max|default|value)=(-?\\d+)(?= |$)");

    @Test
    void everyVividNodeAgreesWithV4l2Ctl() throws Exception {
        Map<String, Object> doc = roundTrip(JsonReport.of(Survey.take(false)));
        int nodes = 0;
        int formats = 0;
        int sizes = 0;
        int controls = 0;
        int values = 0;
        for (Map<String, Object> node : list(doc.get("video"))) {
            if (!"vivid".equals(node.get("driver"))) {
                continue;
            }
            nodes++;
            Path path = Path.of((String) node.get("path"));
            assertFalse(node.containsKey("error"), node.toString());
            String driverInfo = v4l2Ctl(path, "-D");
            assertEquals(node.get("driver"), field(driverInfo, "Driver name"), path.toString());
            assertEquals(node.get("card"), field(driverInfo, "Card type"), path.toString());
            assertEquals(node.get("busInfo"), field(driverInfo, "Bus info"), path.toString());

            for (Map<String, Object> queue : list(node.get("queues"))) {
                String option = switch ((String) queue.get("type")) {
                    case "VIDEO_CAPTURE", "VIDEO_CAPTURE_MPLANE" -> "--list-formats-ext";
                    case "VIDEO_OUTPUT", "VIDEO_OUTPUT_MPLANE" -> "--list-formats-out-ext";
                    default -> null;
                };
                if (option == null) {
                    continue;
                }
                Map<String, List<String>> peer = formatsWithSizes(v4l2Ctl(path, option));
                Map<String, List<String>> ours = new LinkedHashMap<>();
                for (Map<String, Object> format : list(queue.get("formats"))) {
                    List<String> lines = new ArrayList<>();
                    lines.add("(" + format.get("description") + ")");
                    Map<String, Object> s = map(format.get("sizes"));
                    if ("discrete".equals(s.get("kind"))) {
                        for (Map<String, Object> size : list(s.get("sizes"))) {
                            Map<String, Object> intervals = map(size.get("intervals"));
                            lines.add(size.get("width") + "x" + size.get("height") + " intervals "
                                    + ("discrete".equals(intervals.get("kind"))
                                    ? list(intervals.get("intervals")).size() : 1));
                            sizes++;
                        }
                    } else {
                        lines.add(s.get("kind") + " " + size(s.get("min")) + " - " + size(s.get("max")));
                    }
                    ours.put((String) format.get("fourcc"), lines);
                    formats++;
                }
                for (Map.Entry<String, List<String>> format : ours.entrySet()) {
                    List<String> theirs = peer.get(format.getKey());
                    String description = format.getValue().getFirst();
                    if (theirs != null && theirs.getFirst().startsWith(description.substring(0, description.length() - 1))) {
                        theirs.set(0, description); // v4l2-ctl adds the flags after the description
                    }
                }
                assertEquals(peer, ours, path + " " + option);
            }

            // v4l2-ctl lists every control; one it could not read is an "error N getting ctrl NAME" line instead
            String listing = v4l2Ctl(path, "--list-ctrls");
            Map<Integer, Map<String, String>> peerControls = controls(listing);
            List<String> unreadByPeer = listing.lines().filter(l -> l.startsWith("error "))
                    .map(l -> l.replaceFirst("^error \\d+ getting ctrl ", "")).toList();
            List<Map<String, Object>> ourControls = list(node.get("controls")).stream()
                    .filter(c -> !c.containsKey("classHeading") && !strings(c.get("flags")).contains("DISABLED")).toList();
            assertEquals(peerControls.size() + unreadByPeer.size(), ourControls.size(),
                    path + " controls: " + peerControls.keySet() + " and unread " + unreadByPeer);
            for (Map<String, Object> c : ourControls) {
                Map<String, String> peer = peerControls.get(((Number) c.get("id")).intValue());
                if (peer == null) {
                    assertTrue(unreadByPeer.contains(c.get("name")), path + ": v4l2-ctl lacks " + c);
                    continue;
                }
                assertEquals(peer.get("key"), c.get("key"), path.toString());
                boolean changes = strings(c.get("flags")).contains("VOLATILE");
                for (String name : List.of("min", "max", "default", "value")) {
                    Object ours = c.get(name.equals("min") ? "minimum" : name.equals("max") ? "maximum" : name);
                    if (peer.containsKey(name) && ours != null && !(changes && name.equals("value"))) {
                        Object number = ours instanceof Boolean b ? (b ? 1 : 0) : ours;
                        assertEquals(peer.get(name), String.valueOf(number), path + " " + c.get("key") + " " + name);
                        values += name.equals("value") ? 1 : 0;
                    }
                }
                controls++;
            }
        }
        System.out.printf("vivid: %d nodes, %d formats, %d frame sizes, %d controls (%d values) agree with v4l2-ctl%n",
                nodes, formats, sizes, controls, values);
        assertTrue(nodes >= 4 && formats > 80 && controls > 60 && values > 50,
                nodes + " nodes " + formats + " formats " + controls + " controls " + values + " values");
    }

    /**
     * Every media graph {@code info --json} reports is the one {@code media-ctl --print-dot} draws, line for line, and
     * the text report lists each media device with its entities.
     */
    @Test
    void everyMediaGraphAgreesWithMediaCtl() throws Exception {
        Survey survey = Survey.take(false);
        Map<String, Object> doc = roundTrip(JsonReport.of(survey));
        List<String> drivers = new ArrayList<>();
        String text = TextReport.of(survey, false);
        for (Map<String, Object> media : list(doc.get("media"))) {
            assertFalse(media.containsKey("error"), media.toString());
            String path = (String) media.get("path");
            String dot = Commands.check("media-ctl", "-d", path, "--print-dot");
            assertEquals(dot.strip(), ((String) media.get("dot")).strip(), path + " (" + media.get("driver") + ")");
            for (Map<String, Object> entity : list(media.get("entities"))) {
                assertTrue(text.contains(": " + entity.get("name") + " ("), path + ": text lacks " + entity);
            }
            drivers.add(media.get("driver") + " " + list(media.get("entities")).size() + " entities "
                    + list(media.get("links")).size() + " data links");
        }
        System.out.println("media graphs agreeing with media-ctl --print-dot: " + drivers);
        assertTrue(text.contains("media devices: " + drivers.size()), text);
        assertTrue(drivers.stream().anyMatch(d -> d.startsWith("vimc ")), drivers.toString());
    }

    @Test
    void virtioGpuAgreesWithModetest() throws Exception {
        // the first run settles the console's mode (see the drm module's ModetestDeviceTest)
        Commands.check("modetest", "-M", "virtio_gpu", "-a");
        String modetest = Commands.check("modetest", "-M", "virtio_gpu", "-a");
        Map<String, Object> doc = roundTrip(JsonReport.of(Survey.take(true)));
        Map<String, Object> card = list(doc.get("drm")).stream().filter(d -> "virtio_gpu".equals(d.get("driver")))
                .findFirst().orElseThrow(() -> new AssertionError("no virtio_gpu in " + doc.get("drm")));
        for (Map<String, Object> device : list(doc.get("drm"))) {
            assertFalse(device.containsKey("error"), device.toString());
            if ("vgem".equals(device.get("driver"))) { // no modesetting: said, and not an error
                assertTrue(((String) device.get("noKms")).contains("DRM_IOCTL_MODE_GETRESOURCES"), device.toString());
            }
        }
        Map<String, Object> kms = map(card.get("kms"));

        List<String> ours = new ArrayList<>();
        for (Map<String, Object> c : list(kms.get("connectors"))) {
            ours.add("connector " + c.get("id") + " " + c.get("name") + " " + list(c.get("modes")).size() + " modes");
        }
        for (Map<String, Object> c : list(kms.get("crtcs"))) {
            ours.add("crtc " + c.get("id"));
        }
        for (Map<String, Object> p : list(kms.get("planes"))) {
            ours.add("plane " + p.get("id") + " formats " + String.join(" ", strings(p.get("formats"))));
        }
        List<String> peer = modetest(modetest);
        System.out.println("virtio_gpu, as info and modetest see it:\n" + String.join("\n", ours));
        assertEquals(peer, ours);
        assertTrue(ours.stream().anyMatch(l -> l.startsWith("connector ")) && ours.stream().anyMatch(l -> l.startsWith("plane ")),
                ours.toString());
        Map<String, Object> caps = map(card.get("capabilities"));
        assertEquals(1, ((Number) caps.get("DUMB_BUFFER")).intValue(), caps.toString());
        assertTrue(strings(kms.get("clientCaps")).contains("ATOMIC"), kms.get("clientCaps").toString());
    }

    @Test
    void theJarRunsAsAnUnprivilegedUser() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assertNotEquals(0, uid, "the test bed runs the tests as uid 1000");
        Path jar = checkout().resolve("samples/target/zeroframe-info.jar");
        assertTrue(Files.isRegularFile(jar), jar + " (built by the samples module's package phase)");
        // a JVM that died of a fatal error runs once more (see Commands.java)
        Commands.Result info = Commands.java(Commands.Stderr.SEPARATE, Duration.ofSeconds(240),
                List.of("-jar", jar.toString(), "--json"));
        assertEquals(0, info.exitCode(), "stderr: " + info.errors() + "\nstdout: " + info.output());
        assertFalse(info.errors().contains("WARNING"), info.errors());
        Map<String, Object> doc = JSON.std.mapFrom(info.output());
        assertEquals(VideoDevices.nodes().size(), list(doc.get("video")).size());
        assertTrue(list(doc.get("heaps")).stream().anyMatch(h -> "system".equals(h.get("name"))),
                doc.get("heaps").toString());
        System.out.printf("java -jar %s --json as uid %d: %d chars, %d video nodes, %d DRM devices, heaps %s%n",
                jar.getFileName(), uid, info.output().length(), list(doc.get("video")).size(),
                list(doc.get("drm")).size(), doc.get("heaps"));
    }

    /** The document written and read back; written again it gives the same text. */
    static Map<String, Object> roundTrip(Map<String, Object> doc) throws Exception {
        String text = JSON.std.asString(doc);
        Map<String, Object> read = JSON.std.mapFrom(text);
        assertEquals(text, JSON.std.asString(read), "JSON round trip");
        return read;
    }

    private static String v4l2Ctl(Path node, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("v4l2-ctl", "-d", node.toString()));
        command.addAll(List.of(args));
        return Commands.run(Commands.Stderr.DISCARDED, command).output();
    }

    private static String field(String output, String name) {
        return output.lines().filter(l -> l.strip().startsWith(name + " ")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in:\n" + output));
    }

    /** {@code --list-formats-ext}: fourcc to its description, then each size with its count of intervals. */
    static Map<String, List<String>> formatsWithSizes(String output) {
        Map<String, List<String>> formats = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : output.split("\n")) {
            Matcher f = FORMAT.matcher(line);
            if (f.matches()) {
                current = new ArrayList<>();
                current.add("(" + f.group(2) + ")");
                formats.put(f.group(1), current);
            } else if (line.startsWith("\t\tSize: Discrete ")) {
                current.add(line.substring("\t\tSize: Discrete ".length()).strip() + " intervals 0");
            } else if (line.startsWith("\t\tSize: ")) {
                String[] w = line.substring("\t\tSize: ".length()).strip().split(" ");
                current.add(w[0].toLowerCase() + " " + w[1] + " - " + w[3]);
            } else if (line.startsWith("\t\t\tInterval:")) {
                String last = current.removeLast();
                int n = Integer.parseInt(last.substring(last.lastIndexOf(' ') + 1));
                current.add(last.substring(0, last.lastIndexOf(' ') + 1) + (n + 1));
            }
        }
        return formats;
    }

    /** {@code --list-ctrls}: id to key and the numeric fields it printed. */
    static Map<Integer, Map<String, String>> controls(String output) {
        Map<Integer, Map<String, String>> controls = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher m = CONTROL.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("key", m.group(1));
            Matcher field = FIELD.matcher(m.group(4));
            while (field.find()) {
                fields.put(field.group(1), field.group(2));
            }
            controls.put(Integer.parseUnsignedInt(m.group(2), 16), fields);
        }
        return controls;
    }

    /** {@code modetest -a}: connectors (id, name, mode count), CRTCs, planes (id, formats), in its order. */
    static List<String> modetest(String output) {
        List<String> connectors = new ArrayList<>();
        List<String> crtcs = new ArrayList<>();
        List<String> planes = new ArrayList<>();
        String section = "";
        String plane = null;
        for (String line : output.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith("\t") && !line.startsWith(" ") && line.endsWith(":")) {
                section = line.substring(0, line.length() - 1);
                continue;
            }
            if (Character.isDigit(line.charAt(0))) {
                String[] f = line.trim().split("\\s+");
                switch (section) {
                    case "Connectors" -> connectors.add("connector " + f[0] + " " + f[3] + " " + f[5] + " modes");
                    case "CRTCs" -> crtcs.add("crtc " + f[0]);
                    case "Planes" -> plane = "plane " + f[0];
                    default -> { }
                }
            } else if (section.equals("Planes") && line.strip().startsWith("formats:") && plane != null) {
                planes.add(plane + " formats " + line.strip().substring("formats:".length()).strip());
                plane = null;
            }
        }
        List<String> all = new ArrayList<>(connectors);
        all.addAll(crtcs);
        all.addAll(planes);
        return all;
    }

    private static String size(Object size) {
        Map<String, Object> s = map(size);
        return s.get("width") + "x" + s.get("height");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return (List<String>) value;
    }

    private static Path checkout() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new AssertionError("no checkout at or above " + Path.of("").toAbsolutePath());
    }
}

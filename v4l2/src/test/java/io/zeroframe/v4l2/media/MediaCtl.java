package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.Commands;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peer tool for the media graph ({@code media-ctl}, v4l-utils) and the test bed's media devices found by driver.
 */
final class MediaCtl {
    private MediaCtl() {}

    /** {@code media-ctl -d NODE ARGS...}; fails on a non-zero exit. */
    static String run(Path node, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("media-ctl", "-d", node.toString()));
        command.addAll(List.of(args));
        return Commands.run(Commands.Stderr.DISCARDED, command).requireSuccess();
    }

    /** The media device nodes whose driver is {@code driver}, by {@code MEDIA_IOC_DEVICE_INFO}. */
    static List<Path> byDriver(String driver) throws IOException {
        List<Path> found = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Path node : MediaDevice.list()) {
            try (MediaDevice media = MediaDevice.open(node)) {
                seen.add(node + "=" + media.info().driver());
                if (media.info().driver().equals(driver)) {
                    found.add(node);
                }
            } catch (KernelException e) {
                seen.add(node + ": " + e.getMessage());
            }
        }
        if (found.isEmpty()) {
            throw new AssertionError("no media device of driver " + driver + " among " + seen
                    + "; device tests need the kernel test bed");
        }
        return found;
    }

    static Path vimc() throws IOException {
        return byDriver("vimc").getFirst();
    }

    /**
     * The entity, device node, pad and link lines of a {@code media-ctl -p} listing (or of
     * {@link MediaTopology#describe()}, which writes them the same way), one block per entity sorted by id, the link
     * lines of each pad sorted (their order is the tool's enumeration order); the format, type and function lines
     * are dropped.
     */
    static List<String> graphLines(String listing) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> block = null;
        List<String> links = new ArrayList<>();
        for (String line : listing.split("\n")) {
            boolean link = line.startsWith("\t\t-> ") || line.startsWith("\t\t<- ");
            if (!link && !links.isEmpty()) {
                block.addAll(links.stream().sorted().toList());
                links.clear();
            }
            if (line.startsWith("- entity ")) {
                block = new ArrayList<>();
                blocks.add(block);
                block.add(line);
            } else if (block != null && line.matches(" +device node name .*")) {
                block.add(line.strip()); // media-ctl indents it by the width of the entity id
            } else if (block != null && line.matches("\tpad\\d+: .*")) {
                block.add(line);
            } else if (block != null && link) {
                links.add(line);
            }
        }
        if (!links.isEmpty()) {
            block.addAll(links.stream().sorted().toList());
        }
        blocks.sort((a, b) -> Integer.compare(entityId(a.getFirst()), entityId(b.getFirst())));
        return blocks.stream().flatMap(List::stream).toList();
    }

    /**
     * The active pad formats of a {@code media-ctl -p} listing: {@code "Entity":pad} to
     * {@code CODE/WIDTHxHEIGHT field:FIELD}, from its {@code [fmt:...]} lines.
     */
    static Map<String, String> padFormats(String listing) {
        Map<String, String> formats = new TreeMap<>();
        String entity = null;
        String pad = null;
        Pattern header = Pattern.compile("- entity \\d+: (.*) \\(\\d+ pads?, \\d+ links?\\)");
        Pattern padLine = Pattern.compile("\tpad(\\d+): .*");
        Pattern fmt = Pattern.compile("\t\t\\[fmt:(\\S+)/(\\d+)x(\\d+) field:([\\w-]+).*");
        for (String line : listing.split("\n")) {
            Matcher m;
            if ((m = header.matcher(line)).matches()) {
                entity = m.group(1);
            } else if ((m = padLine.matcher(line)).matches()) {
                pad = m.group(1);
            } else if ((m = fmt.matcher(line)).matches()) {
                formats.put("\"" + entity + "\":" + pad, m.group(1) + "/" + m.group(2) + "x" + m.group(3) + " field:"
                        + m.group(4));
            }
        }
        return formats;
    }

    private static int entityId(String header) {
        return Integer.parseInt(header.substring("- entity ".length(), header.indexOf(':')));
    }
}

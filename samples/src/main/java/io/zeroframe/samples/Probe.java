package io.zeroframe.samples;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.drm.DrmDeviceInfo;
import io.zeroframe.drm.DrmDevices;
import io.zeroframe.heaps.HeapInfo;
import io.zeroframe.heaps.Heaps;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Prints what this machine offers Zeroframe: dma-heaps, udmabuf, V4L2 video nodes and DRM cards with their
 * drivers. Exits with status 1 if it finds nothing at all.
 */
public final class Probe {
    private Probe() {}

    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        int found = 0;

        List<HeapInfo> heaps = Heaps.list();
        out.println("dma-heaps (" + Heaps.DIRECTORY + "): " + (heaps.isEmpty() ? "none" : heaps.size()));
        for (HeapInfo heap : heaps) {
            out.printf("  %-12s %s%s%n", heap.name(), heap.path(), heap.accessible() ? "" : "  (no access)");
        }
        found += heaps.size();

        Path udmabuf = Path.of("/dev/udmabuf");
        boolean hasUdmabuf = Files.exists(udmabuf);
        out.println("udmabuf: " + (hasUdmabuf ? udmabuf : "none"));
        found += hasUdmabuf ? 1 : 0;

        List<Path> videoNodes = VideoDevices.nodes();
        out.println("video devices: " + (videoNodes.isEmpty() ? "none" : videoNodes.size()));
        for (Path node : videoNodes) {
            try {
                VideoDeviceInfo info = VideoDevices.query(node);
                out.printf("  %-12s driver=%s card=\"%s\" name=\"%s\" bus=%s caps=%s%n", node, info.driver(),
                        info.card(), info.name(), info.busInfo(), info.deviceCapabilities());
            } catch (KernelException e) {
                out.printf("  %-12s %s%n", node, e.getMessage());
            }
        }
        found += videoNodes.size();

        List<Path> media = mediaNodes();
        out.println("media devices: " + (media.isEmpty() ? "none" : media.size()));
        for (Path node : media) {
            out.printf("  %-12s driver=%s model=\"%s\"%n", node, mediaDriver(node), mediaModel(node));
        }

        // Discovery reads sysfs and render nodes only: it never opens a card (which would make us DRM master).
        List<Path> cards = DrmDevices.cards();
        out.println("DRM devices: " + (cards.isEmpty() ? "none" : cards.size()));
        for (Path card : cards) {
            try {
                DrmDeviceInfo info = DrmDevices.query(card);
                String render = info.renderNode().map(Path::toString).orElse("no render node");
                String version = info.version()
                        .map(v -> "\"" + v.description() + "\" version " + v.number())
                        .orElse("version unknown (no render node to ask)");
                out.printf("  %-16s driver=%s %s, %s%n", card, info.driver(), version, render);
            } catch (IOException e) {
                out.printf("  %-16s %s%n", card, e.getMessage());
            }
        }
        found += cards.size();

        if (found == 0) {
            out.println("nothing found: this kernel has no dma-heap, udmabuf, V4L2 or DRM devices"
                    + " (scripts/probe boots the test bed, which has them)");
            System.exit(1);
        }
    }

    private static final Path SYS_MEDIA = Path.of("/sys/bus/media/devices");

    /** The media controller nodes, from sysfs ({@code /sys/bus/media/devices/mediaN} -> {@code /dev/mediaN}). */
    private static List<Path> mediaNodes() throws IOException {
        if (!Files.isDirectory(SYS_MEDIA)) {
            return List.of();
        }
        try (Stream<Path> devices = Files.list(SYS_MEDIA)) {
            return devices.map(d -> Path.of("/dev", d.getFileName().toString()))
                    .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(5))))
                    .toList();
        }
    }

    private static String mediaDriver(Path node) {
        try {
            // mediaN sits under its device in sysfs: /sys/devices/platform/vimc.0/media3
            Path device = SYS_MEDIA.resolve(node.getFileName()).toRealPath().getParent();
            return Files.readSymbolicLink(device.resolve("driver")).getFileName().toString();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String mediaModel(Path node) {
        try {
            return Files.readString(SYS_MEDIA.resolve(node.getFileName()).resolve("model")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}

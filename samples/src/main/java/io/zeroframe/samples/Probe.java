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
import java.util.List;

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
                out.printf("  %-12s driver=%s card=\"%s\" bus=%s caps=%s%n", node, info.driver(), info.card(),
                        info.busInfo(), info.deviceCapabilities());
            } catch (KernelException e) {
                out.printf("  %-12s %s%n", node, e.getMessage());
            }
        }
        found += videoNodes.size();

        List<Path> cards = DrmDevices.cards();
        out.println("DRM devices: " + (cards.isEmpty() ? "none" : cards.size()));
        for (Path card : cards) {
            try {
                DrmDeviceInfo info = DrmDevices.query(card);
                out.printf("  %-16s driver=%s \"%s\" version %d.%d.%d%n", card, info.driver(), info.description(),
                        info.versionMajor(), info.versionMinor(), info.versionPatch());
            } catch (KernelException e) {
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
}

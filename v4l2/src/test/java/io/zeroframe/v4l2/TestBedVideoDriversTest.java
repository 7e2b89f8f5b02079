package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Test bed self-check: the V4L2 drivers built out of tree (vicodec, vim2m, vimc, visl, with v4l2-mem2mem) are
 * there, found by driver name, with the nodes the memory-to-memory and media-controller tests rely on. Fails,
 * never skips, when a driver is missing (tag "testbed": runs only in the test bed).
 */
@Tag("testbed")
@ExtendWith(NoLeaks.class)
class TestBedVideoDriversTest {
    /*
     * The media controller's uAPI (<linux/media.h>) is not among the generated bindings yet, so its one ioctl used
     * here is computed as <asm-generic/ioctl.h> does:
     *   struct media_device_info { char driver[16]; char model[32]; char serial[40]; char bus_info[32];
     *                              __u32 media_version, hw_revision, driver_version, reserved[31]; } (256 bytes)
     *   MEDIA_IOC_DEVICE_INFO = _IOWR('|', 0x00, struct media_device_info)
     */
    private static final int MEDIA_DEVICE_INFO_SIZE = 256;
    private static final long MEDIA_INFO_DRIVER = 0;
    private static final long MEDIA_INFO_MODEL = 16;
    private static final IoctlRequest MEDIA_IOC_DEVICE_INFO =
            IoctlRequest.of("MEDIA_IOC_DEVICE_INFO", (3L << 30) | ((long) MEDIA_DEVICE_INFO_SIZE << 16) | ('|' << 8));
    private static final Path SYS_MEDIA = Path.of("/sys/bus/media/devices");

    private static final Set<VideoCapability> M2M = Set.of(VideoCapability.VIDEO_M2M, VideoCapability.VIDEO_M2M_MPLANE);

    @Test
    void mediaIoctlNumberIsTheKernels() {
        assertEquals(0xc1007c00L, MEDIA_IOC_DEVICE_INFO.number());
    }

    @Test
    void vicodecHasItsEncoderAndDecoderNodes() throws Exception {
        List<VideoDeviceInfo> nodes = require("vicodec");
        assertEquals(Set.of("stateful-encoder", "stateful-decoder", "stateless-decoder"),
                nodes.stream().map(VideoDeviceInfo::name).collect(Collectors.toSet()), nodes.toString());
        for (VideoDeviceInfo node : nodes) {
            assertEquals("vicodec", node.card(), node.toString());
            assertMemoryToMemory(node);
        }
        assertMediaNode("vicodec", "vicodec");
    }

    @Test
    void vim2mIsAMemoryToMemoryDevice() throws Exception {
        List<VideoDeviceInfo> nodes = require("vim2m");
        assertEquals(1, nodes.size(), nodes.toString());
        assertEquals("vim2m", nodes.getFirst().card());
        assertMemoryToMemory(nodes.getFirst());
        assertMediaNode("vim2m", "vim2m");
    }

    @Test
    void vislIsAStatelessDecoder() throws Exception {
        List<VideoDeviceInfo> nodes = require("visl");
        assertEquals(1, nodes.size(), nodes.toString());
        assertMemoryToMemory(nodes.getFirst());
        assertMediaNode("visl", "visl");
    }

    @Test
    void vimcHasItsCaptureNodesAndMediaNode() throws Exception {
        List<VideoDeviceInfo> nodes = require("vimc");
        assertEquals(Set.of("Raw Capture 0", "Raw Capture 1", "RGB/YUV Capture"),
                nodes.stream().map(VideoDeviceInfo::name).collect(Collectors.toSet()), nodes.toString());
        for (VideoDeviceInfo node : nodes) {
            assertTrue(node.deviceCapabilities().contains(VideoCapability.VIDEO_CAPTURE)
                    || node.deviceCapabilities().contains(VideoCapability.VIDEO_CAPTURE_MPLANE), node.toString());
            // vimc's nodes are configured through the media controller (V4L2_CAP_IO_MC)
            assertTrue(node.deviceCapabilities().contains(VideoCapability.IO_MC), node.toString());
        }
        assertMediaNode("vimc", "VIMC MDEV");
    }

    private static List<VideoDeviceInfo> require(String driver) throws IOException {
        List<VideoDeviceInfo> nodes = VideoDevices.findByDriver(driver);
        assertFalse(nodes.isEmpty(), "no video node of driver " + driver + " among " + VideoDevices.nodes()
                + ": the test bed loads it, built by scripts/testbed/setup");
        return nodes;
    }

    private static void assertMemoryToMemory(VideoDeviceInfo node) {
        assertTrue(node.deviceCapabilities().stream().anyMatch(M2M::contains), "not M2M: " + node);
        assertTrue(node.deviceCapabilities().contains(VideoCapability.STREAMING), node.toString());
    }

    /**
     * The driver's media node: found in sysfs by its driver, and answering MEDIA_IOC_DEVICE_INFO with the driver's
     * name and {@code model} to the test user.
     */
    private static void assertMediaNode(String driver, String model) throws Exception {
        List<String> seen = new ArrayList<>();
        try (Stream<Path> devices = Files.list(SYS_MEDIA)) {
            for (Path device : devices.sorted().toList()) {
                // mediaN sits under its device in sysfs: /sys/devices/platform/vimc.0/media3
                String bound = Files.readSymbolicLink(device.toRealPath().getParent().resolve("driver"))
                        .getFileName().toString();
                seen.add(device.getFileName() + "=" + bound);
                if (!bound.equals(driver)) {
                    continue;
                }
                assertEquals(model, Files.readString(device.resolve("model"), StandardCharsets.UTF_8).strip());
                Path node = Path.of("/dev", device.getFileName().toString());
                try (OwnedFd media = Syscalls.open(node, Syscalls.O_RDWR); Arena arena = Arena.ofConfined()) {
                    MemorySegment info = arena.allocate(MEDIA_DEVICE_INFO_SIZE, 4);
                    Syscalls.ioctl(media, MEDIA_IOC_DEVICE_INFO, info);
                    assertEquals(driver, info.getString(MEDIA_INFO_DRIVER), node.toString());
                    assertEquals(model, info.getString(MEDIA_INFO_MODEL), node.toString());
                }
                return;
            }
        }
        throw new AssertionError("no media device of driver " + driver + " in " + SYS_MEDIA + ": " + seen);
    }
}

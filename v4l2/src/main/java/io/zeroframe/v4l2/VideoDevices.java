package io.zeroframe.v4l2;

import static io.zeroframe.v4l2.internal.V4l2Ioctls.VIDIOC_QUERYCAP;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.v4l2_capability;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Finds and identifies V4L2 video nodes. Node numbers depend on driver load order: find devices by driver name.
 *
 * {@snippet :
 * for (Path node : VideoDevices.nodes()) {
 *     VideoDeviceInfo info = VideoDevices.query(node); // VIDIOC_QUERYCAP
 *     System.out.println(node + ": " + info.driver() + " " + info.deviceCapabilities());
 * }
 * List<VideoDeviceInfo> codec = VideoDevices.findByDriver("vicodec"); // encoder and decoder nodes
 * }
 */
public final class VideoDevices {

    private static final Path SYS_CLASS_VIDEO4LINUX = Path.of("/sys/class/video4linux");

    private VideoDevices() {}

    /** The {@code /dev/videoN} nodes, in numeric order. */
    public static List<Path> nodes() throws IOException {
        return DeviceNodes.list(Path.of("/dev"), "video");
    }

    /**
     * Opens {@code node} and asks {@code VIDIOC_QUERYCAP}.
     *
     * @throws KernelException {@code open} ENOENT for a missing node, a
     *         {@link io.zeroframe.bindings.DevicePermissionException} for a node this process may not open,
     *         {@code VIDIOC_QUERYCAP} ENOTTY for a node that is not a V4L2 device
     */
    public static VideoDeviceInfo query(Path node) throws KernelException {
        try (OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR | Syscalls.O_NONBLOCK)) {
            return query(fd, node);
        }
    }

    /** {@code VIDIOC_QUERYCAP} on an open node; the fd is borrowed. */
    static VideoDeviceInfo query(OwnedFd fd, Path node) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = v4l2_capability.allocate(arena);
            Syscalls.ioctl(fd, VIDIOC_QUERYCAP, cap);
            int capabilities = v4l2_capability.capabilities(cap);
            int deviceCaps = (capabilities & VideoCapability.DEVICE_CAPS.bit()) != 0
                    ? v4l2_capability.device_caps(cap)
                    : capabilities;
            return new VideoDeviceInfo(node,
                    v4l2_capability.driver(cap).getString(0),
                    v4l2_capability.card(cap).getString(0),
                    v4l2_capability.bus_info(cap).getString(0),
                    v4l2_capability.version(cap),
                    VideoCapability.decode(deviceCaps),
                    VideoCapability.unknownBits(deviceCaps),
                    sysfsName(node));
        }
    }

    /**
     * Every video node whose driver is {@code driver}, in node order (see {@link #find}).
     */
    public static List<VideoDeviceInfo> findByDriver(String driver) throws IOException {
        return find(info -> info.driver().equals(driver));
    }

    /** Every video node whose card name ({@code VIDIOC_QUERYCAP}'s {@code card}) is {@code card} (see {@link #find}). */
    public static List<VideoDeviceInfo> findByCard(String card) throws IOException {
        return find(info -> info.card().equals(card));
    }

    /**
     * Every video node at bus location {@code busInfo} (e.g. {@code usb-0000:00:14.0-1} or
     * {@code platform:vivid-001}): the nodes of one physical device (see {@link #find}).
     */
    public static List<VideoDeviceInfo> findByBusInfo(String busInfo) throws IOException {
        return find(info -> info.busInfo().equals(busInfo));
    }

    /**
     * Every video node {@code filter} accepts, in node order. Nodes that cannot be queried are skipped; if none
     * matches and some could not be queried, their failures are thrown (the first, with the others suppressed)
     * rather than reporting the device absent.
     */
    public static List<VideoDeviceInfo> find(Predicate<VideoDeviceInfo> filter) throws IOException {
        List<VideoDeviceInfo> found = new ArrayList<>();
        KernelException failure = null;
        for (Path node : nodes()) {
            try {
                VideoDeviceInfo info = query(node);
                if (filter.test(info)) {
                    found.add(info);
                }
            } catch (KernelException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (found.isEmpty() && failure != null) {
            throw failure;
        }
        return List.copyOf(found);
    }

    /** {@code /sys/class/video4linux/NODE/name}, or "" if there is none. */
    private static String sysfsName(Path node) {
        try {
            Path name = SYS_CLASS_VIDEO4LINUX.resolve(node.toRealPath().getFileName().toString()).resolve("name");
            return Files.readString(name, StandardCharsets.UTF_8).strip();
        } catch (IOException e) { // not a video4linux node, or sysfs not mounted
            return "";
        }
    }
}

package io.zeroframe.v4l2;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.v4l2_capability;
import io.zeroframe.bindings.videodev2.videodev2_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds and identifies V4L2 video nodes.
 *
 * {@snippet :
 * for (Path node : VideoDevices.nodes()) {
 *     VideoDeviceInfo info = VideoDevices.query(node); // VIDIOC_QUERYCAP
 *     System.out.println(node + ": " + info.driver() + " " + info.deviceCapabilities());
 * }
 * }
 */
public final class VideoDevices {
    private static final IoctlRequest VIDIOC_QUERYCAP =
            IoctlRequest.of("VIDIOC_QUERYCAP", videodev2_h.VIDIOC_QUERYCAP());

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
        try (OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR | Syscalls.O_NONBLOCK);
             Arena arena = Arena.ofConfined()) {
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
                    VideoCapability.unknownBits(deviceCaps));
        }
    }
}

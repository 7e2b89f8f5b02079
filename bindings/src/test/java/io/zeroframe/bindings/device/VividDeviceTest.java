package io.zeroframe.bindings.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zeroframe.bindings.DevicePermissionException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.v4l2_capability;
import io.zeroframe.bindings.videodev2.videodev2_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** VIDIOC_QUERYCAP on vivid through the generated bindings, and the failures a user meets opening nodes. */
@Tag("device")
class VividDeviceTest extends DeviceTestSupport {
    private static final IoctlRequest VIDIOC_QUERYCAP =
            IoctlRequest.of("VIDIOC_QUERYCAP", videodev2_h.VIDIOC_QUERYCAP());

    @Test
    void vividAnswersQuerycapAsAVideoCaptureDevice() throws Exception {
        boolean found = false;
        for (Path node : DeviceNodes.list(Path.of("/dev"), "video")) {
            try (OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR); Arena arena = Arena.ofConfined()) {
                MemorySegment cap = v4l2_capability.allocate(arena);
                Syscalls.ioctl(fd, VIDIOC_QUERYCAP, cap);
                String driver = v4l2_capability.driver(cap).getString(0);
                int deviceCaps = v4l2_capability.device_caps(cap);
                if (driver.equals("vivid") && (deviceCaps & videodev2_h.V4L2_CAP_VIDEO_CAPTURE()) != 0) {
                    found = true;
                    assertTrue(v4l2_capability.card(cap).getString(0).startsWith("vivid"));
                    assertTrue(v4l2_capability.bus_info(cap).getString(0).startsWith("platform:vivid"));
                    assertNotEquals(0, deviceCaps & videodev2_h.V4L2_CAP_STREAMING());
                    assertNotEquals(0, v4l2_capability.capabilities(cap) & videodev2_h.V4L2_CAP_DEVICE_CAPS());
                }
            }
        }
        if (!found) {
            fail("no vivid video capture node among /dev/video*: is the vivid module loaded?");
        }
    }

    @Test
    void anUnknownDevicePathNamesThePathAndErrno() {
        KernelException e = assertThrows(KernelException.class,
                () -> Syscalls.open(Path.of("/dev/video99"), Syscalls.O_RDWR));
        assertEquals("open on /dev/video99: ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void aNodeWithoutPermissionSaysWhoOwnsItAndHowToGrantAccess() throws Exception {
        assertNotEquals(0L, Files.getAttribute(Path.of("/proc/self"), "unix:uid"),
                "device tests must run unprivileged: root bypasses the permission checks under test");
        Path radio = require("/dev/radio0"); // vivid's radio node stays root-only in the test bed
        KernelException e = assertThrows(KernelException.class, () -> Syscalls.open(radio, Syscalls.O_RDWR));
        assertInstanceOf(DevicePermissionException.class, e);
        assertTrue(e.getMessage().startsWith("open on /dev/radio0: EACCES (Permission denied): node is root:root"
                + " crw-------, this process runs as uid "), e.getMessage());
        assertTrue(e.getMessage().contains("grant access with a udev rule"), e.getMessage());
    }

    @Test
    void querycapOnANonV4l2NodeNamesTheIoctl() throws Exception {
        // the dma-heap driver answers ioctls it does not know with EINVAL
        try (OwnedFd fd = Syscalls.open(require("/dev/dma_heap/system"), Syscalls.O_RDWR);
             Arena arena = Arena.ofConfined()) {
            KernelException e = assertThrows(KernelException.class,
                    () -> Syscalls.ioctl(fd, VIDIOC_QUERYCAP, v4l2_capability.allocate(arena)));
            assertEquals("VIDIOC_QUERYCAP on /dev/dma_heap/system: EINVAL (Invalid argument)",
                    e.getMessage());
        }
    }
}

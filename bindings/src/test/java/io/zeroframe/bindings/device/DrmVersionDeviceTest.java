package io.zeroframe.bindings.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_version;
import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** DRM_IOCTL_VERSION on every card; the test bed's cards are found by driver name, never by number. */
@Tag("device")
class DrmVersionDeviceTest extends DeviceTestSupport {
    private static final IoctlRequest DRM_IOCTL_VERSION =
            IoctlRequest.of("DRM_IOCTL_VERSION", drm_h.DRM_IOCTL_VERSION());

    @Test
    void everyCardNamesItsDriver() throws Exception {
        List<Path> cards = DeviceNodes.list(Path.of("/dev/dri"), "card");
        Set<String> drivers = new HashSet<>();
        for (Path card : cards) {
            try (OwnedFd fd = Syscalls.open(card, Syscalls.O_RDWR); Arena arena = Arena.ofConfined()) {
                MemorySegment version = drm_version.allocate(arena);
                Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
                long nameLength = drm_version.name_len(version);
                assertTrue(nameLength > 0 && nameLength < 64, "name_len " + nameLength);
                MemorySegment name = arena.allocate(nameLength + 1);
                drm_version.name(version, name);
                drm_version.date_len(version, 0);
                drm_version.desc_len(version, 0);
                Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
                assertEquals(nameLength, drm_version.name_len(version));
                drivers.add(name.getString(0));
            }
        }
        assertTrue(drivers.containsAll(Set.of("vgem", "virtio_gpu")),
                "expected the test bed's vgem and virtio_gpu among " + cards + ", found " + drivers);
    }
}

package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("device")
@ExtendWith(NoLeaks.class)
class DrmDevicesDeviceTest {
    @Test
    void theTestBedsCardsAreFoundByDriverName() throws Exception {
        DrmDeviceInfo vgem = DrmDevices.findByDriver("vgem").orElseThrow();
        DrmDeviceInfo gpu = DrmDevices.findByDriver("virtio_gpu").orElseThrow();
        assertNotEquals(vgem.path(), gpu.path());
        assertTrue(DrmDevices.cards().containsAll(java.util.List.of(vgem.path(), gpu.path())));
        assertEquals("Virtual GEM provider", vgem.description());
        assertTrue(gpu.description().toLowerCase().contains("virtio"), gpu.description());
        assertTrue(DrmDevices.findByDriver("no_such_driver").isEmpty());
    }

    @Test
    void aNodeThatIsNotDrmFailsWithTheIoctlName() {
        KernelException e = assertThrows(KernelException.class,
                () -> DrmDevices.query(Path.of("/dev/dma_heap/system")));
        assertEquals("DRM_IOCTL_VERSION on /dev/dma_heap/system: EINVAL (Invalid argument)",
                e.getMessage());
    }
}

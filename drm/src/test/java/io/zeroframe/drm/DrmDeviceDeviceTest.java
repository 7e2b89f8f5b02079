package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.DevicePermissionException;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.testing.NoLeaks;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Opening cards and render nodes: version, capabilities, client caps, master (test bed: virtio-gpu, vkms, vgem). */
@Tag("device")
@ExtendWith(NoLeaks.class)
class DrmDeviceDeviceTest {
    @Test
    void aCardReportsItsDriverCapabilitiesAndClientCaps() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu")) {
            assertEquals("virtio_gpu", card.version().name());
            assertFalse(card.isRenderNode());
            DrmCapabilities caps = card.capabilities();
            assertTrue(caps.dumbBuffers(), "virtio-gpu has dumb buffers: " + caps);
            assertTrue(caps.primeImport() && caps.primeExport(), "virtio-gpu reports PRIME import and export: " + caps);
            assertTrue(caps.timestampMonotonic(), caps.toString());
            assertTrue(caps.crtcInVblankEvent(), caps.toString());
            assertTrue(caps.reported(Capability.ADDFB2_MODIFIERS), caps.toString());
            assertEquals(EnumSet.allOf(ClientCap.class), card.clientCaps(), "virtio-gpu is atomic");
            assertTrue(card.isAtomic());
        }
        try (DrmDevice card = Cards.open("vkms")) {
            assertEquals("vkms", card.version().name());
            assertTrue(card.capabilities().dumbBuffers());
            assertTrue(card.capabilities().addFb2Modifiers(), "vkms takes ADDFB2 modifiers");
            assertTrue(card.clientCaps().contains(ClientCap.WRITEBACK_CONNECTORS));
        }
    }

    @Test
    void vgemHasNoKmsSoOnlyTheClientCapsWithoutAtomicAreGranted() throws Exception {
        try (DrmDevice card = Cards.open("vgem")) {
            assertEquals("vgem", card.version().name());
            assertFalse(card.isAtomic(), "vgem has no KMS: DRM_CLIENT_CAP_ATOMIC is refused");
            assertFalse(card.clientCaps().contains(ClientCap.WRITEBACK_CONNECTORS), "writeback needs atomic");
            // DRM_CAP_DUMB_BUFFER is answered only by KMS drivers (EOPNOTSUPP), though vgem makes dumb buffers
            assertFalse(card.capabilities().reported(Capability.DUMB_BUFFER));
            assertTrue(card.capabilities().primeImport());
            try (DumbBuffer buffer = card.createDumbBuffer(64, 64, 32)) {
                assertEquals(256, buffer.pitch());
            }
        }
    }

    @Test
    void aRenderNodeIsOpenedWithoutClientCaps() throws Exception {
        DrmDeviceInfo info = DrmDevices.findByDriver("vgem").orElseThrow();
        try (DrmDevice render = DrmDevice.open(info.renderNode().orElseThrow())) {
            assertTrue(render.isRenderNode());
            assertEquals("vgem", render.version().name());
            assertEquals(Set.of(), render.clientCaps());
            assertTrue(render.capabilities().primeImport());
        }
    }

    /**
     * The first opener of a card is master; a second file is not and gets a "not master" exception from a commit
     * and from SET_MASTER (no CAP_SYS_ADMIN here). After the master drops it and closes, a new first opener is
     * master again.
     */
    @Test
    void onlyTheMasterMaySetModesAndOthersAreToldWhy() throws Exception {
        try (DrmDevice first = Cards.open("virtio_gpu"); DrmDevice second = Cards.open("virtio_gpu")) {
            try (AtomicRequest req = second.newAtomicRequest()) {
                CrtcId crtc = second.resources().crtcs().getFirst();
                req.set(crtc, "ACTIVE", 0);
                DevicePermissionException e = assertThrows(DevicePermissionException.class, () -> req.test(true));
                assertEquals(Errno.EACCES, e.errno());
                assertTrue(e.getMessage().startsWith("DRM_IOCTL_MODE_ATOMIC on " + second.path() + ": EACCES"),
                        e.getMessage());
                assertTrue(e.getMessage().contains("not DRM master: another process"), e.getMessage());
            }
            DevicePermissionException e = assertThrows(DevicePermissionException.class, second::setMaster);
            assertTrue(e.getMessage().startsWith("DRM_IOCTL_SET_MASTER on " + second.path()), e.getMessage());
            assertTrue(e.getMessage().contains("not DRM master"), e.getMessage());
            first.dropMaster();
            first.setMaster(); // a file that was master may take it back
            try (AtomicRequest req = first.newAtomicRequest()) {
                req.set(first.resources().crtcs().getFirst(), "ACTIVE", 0);
                req.test(true);
            }
        }
    }

    @Test
    void callsOnAClosedDeviceSayItWasClosed() throws Exception {
        DrmDevice card = Cards.open("vkms");
        card.close();
        card.close();
        assertFalse(card.isOpen());
        FdClosedException e = assertThrows(FdClosedException.class, card::resources);
        assertTrue(e.getMessage().contains("DRM_IOCTL_MODE_GETRESOURCES"), e.getMessage());
    }
}

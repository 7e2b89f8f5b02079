package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.Modifier;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Failures the kernel gives for misuse, each reported with the advice that fits, and values refused before a cast. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class DrmMessagesDeviceTest {
    @Test
    void aPitchAbove32BitsIsRefusedNotTruncated() throws Exception {
        try (DrmDevice card = Cards.open("vkms"); DumbBuffer dumb = card.createDumbBuffer(64, 1, 32)) {
            long pitch = (1L << 32) + 4096; // a (int) cast makes it 4096, which ADDFB2 would accept
            DmaBuf exported = dumb.exportDmaBuf();
            // the frame refuses it (and closes the dma-buf it was given): no framebuffer can be made of it
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Frame.of(Cards.XRGB, 64, 1, Modifier.LINEAR,
                            List.of(new Frame.Plane(exported, 0, pitch, 256))));
            assertTrue(e.getMessage().contains("pitch " + pitch + " does not fit the kernel's 32-bit pitch field"),
                    e.getMessage());
            assertFalse(exported.isOpen(), "the refused frame's dma-buf is closed");
            assertTrue(card.resources().framebuffers().isEmpty(), "a framebuffer was added");
        }
    }

    @Test
    void aRenderNodeIsToldItCannotMakeDumbBuffers() throws Exception {
        DrmDeviceInfo info = DrmDevices.findByDriver("vgem").orElseThrow();
        Path render = info.renderNode().orElseThrow(() -> new AssertionError("vgem has no render node"));
        try (DrmDevice node = DrmDevice.open(render)) {
            KernelException e = assertThrows(KernelException.class, () -> node.createDumbBuffer(16, 16, 32));
            assertEquals(Errno.EACCES, e.errno(), e.getMessage());
            assertTrue(e.getMessage().startsWith("DRM_IOCTL_MODE_CREATE_DUMB on " + render + ": EACCES"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("render nodes cannot make dumb buffers"), e.getMessage());
            assertTrue(e.getMessage().contains(info.path().toString()), "names the primary node: " + e.getMessage());
            System.out.println(e.getMessage());
        }
    }

    @Test
    void dropMasterOnAFileThatIsNotMasterSaysSoOnce() throws Exception {
        try (DrmDevice master = Cards.open("vkms"); DrmDevice other = Cards.open("vkms")) {
            KernelException e = assertThrows(KernelException.class, other::dropMaster);
            String message = e.getMessage();
            System.out.println(message);
            assertTrue(message.startsWith("DRM_IOCTL_DROP_MASTER on " + other.path()), message);
            assertEquals(1, message.split("not DRM master", -1).length - 1, "said more than once: " + message);
            master.dropMaster(); // the first opener is master and may drop it
        }
    }
}

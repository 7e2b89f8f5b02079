package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.drm.drm_gem_close;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_prime_handle;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.FenceStatus;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.drm.internal.DrmIoctls;
import io.zeroframe.heaps.Heap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** PRIME import counted per file, framebuffers from frames, and in-fences from vgem (test bed: vgem, vkms). */
@Tag("device")
@ExtendWith(NoLeaks.class)
class PrimeDeviceTest {
    /** Whether the kernel still knows {@code handle} on {@code card}: PRIME_HANDLE_TO_FD succeeds (fd closed again). */
    private static boolean handleIsOpen(DrmDevice card, int handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_prime_handle.allocate(arena);
            drm_prime_handle.handle(request, handle);
            drm_prime_handle.flags(request, drm_h.DRM_CLOEXEC());
            int result = card.tryIoctl(DrmIoctls.DRM_IOCTL_PRIME_HANDLE_TO_FD, request);
            if (result < 0) {
                assertEquals(Errno.ENOENT, -result, "PRIME_HANDLE_TO_FD of a closed handle");
                return false;
            }
            io.zeroframe.bindings.OwnedFd.adopt(drm_prime_handle.fd(request), "probe").close();
            return true;
        }
    }

    @Test
    void aHeapBufferImportedTwiceIntoVgemIsOneHandleClosedOnce() throws Exception {
        try (DrmDevice vgem = Cards.open("vgem"); Heap heap = Heap.open("system");
             DmaBuf buffer = heap.allocate(256 * 1024); DmaBuf again = buffer.duplicate()) {
            GemHandle first = vgem.importDmaBuf(buffer);
            GemHandle second = vgem.importDmaBuf(again); // another fd of the same buffer
            assertEquals(first.value(), second.value(), "the kernel gives one handle per buffer and file");
            int number = second.value();
            assertEquals(2, first.sharers());
            first.close();
            first.close(); // idempotent: still counts once
            assertEquals(1, second.sharers());
            assertTrue(handleIsOpen(vgem, number), "the first close must not close the shared handle");
            second.close();
            assertEquals(0, second.sharers());
            assertFalse(handleIsOpen(vgem, number), "the last close closes the handle");
            try (Arena arena = Arena.ofConfined()) { // and it was closed exactly once: a second GEM_CLOSE fails
                MemorySegment close = drm_gem_close.allocate(arena);
                drm_gem_close.handle(close, number);
                assertEquals(-Errno.EINVAL, vgem.tryIoctl(DrmIoctls.DRM_IOCTL_GEM_CLOSE, close));
            }
        }
    }

    @Test
    void aThousandImportAddFramebufferCloseCyclesLeaveNothingBehind() throws Exception {
        try (DrmDevice card = Cards.open("vkms"); Heap heap = Heap.open("system")) {
            FrameLayout layout = FrameLayout.of(PixelFormat.XRGB8888, 64, 64);
            int before = card.resources().framebuffers().size();
            long start = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                try (Frame frame = Frame.allocate(heap, layout); Framebuffer fb = card.addFramebuffer(frame)) {
                    assertTrue(fb.isOpen());
                }
            }
            long elapsed = System.nanoTime() - start;
            assertEquals(before, card.resources().framebuffers().size(), "framebuffers left");
            assertEquals(0, card.handles().openHandles(), "GEM handles left");
            System.out.printf("1000 heap allocate + PRIME import + ADDFB2 + RMFB + close cycles: %.1f ms (%.0f us each)%n",
                    elapsed / 1e6, elapsed / 1e3 / 1000);
        }
    }

    /**
     * A flip whose IN_FENCE_FD is an unsignalled vgem fence (on an unrelated vgem buffer, so only the in-fence can
     * hold it) does not complete until the fence signals.
     */
    @Test
    void aCommitWaitsForItsInFence() throws Exception {
        try (DrmDevice vgem = Cards.open("vgem"); DrmDevice card = Cards.open("vkms")) {
            Cards.Display display = Cards.display(card);
            int width = display.mode().hdisplay();
            int height = display.mode().vdisplay();
            try (DumbBuffer a = card.createDumbBuffer(width, height, 32);
                 DumbBuffer b = card.createDumbBuffer(width, height, 32);
                 Framebuffer fbA = card.addFramebuffer(a, Cards.XRGB);
                 Framebuffer fbB = card.addFramebuffer(b, Cards.XRGB);
                 AtomicRequest req = Cards.modeset(card, display, display.connector().id(), fbA);
                 DumbBuffer fenced = vgem.createDumbBuffer(16, 16, 32)) {
                req.commit(Cards.MODESET, 0);
                int fence = VgemFences.attachWriteFence(vgem, fenced.handle());
                try (DmaBuf exported = fenced.exportDmaBuf(); SyncFile inFence = exported.exportSyncFile(Access.READ)) {
                    assertEquals(FenceStatus.ACTIVE, inFence.status());
                    req.set(display.primary().id(), "FB_ID", fbB.id());
                    req.setInFence(display.primary().id(), inFence);
                    req.requestOutFence(display.crtc());
                    DrmEvents events = card.events();
                    DrmEvent event = new DrmEvent();
                    req.commit(EnumSet.of(CommitFlag.NONBLOCK, CommitFlag.PAGE_FLIP_EVENT), 77);
                    try (SyncFile outFence = req.takeOutFence(display.crtc()).orElseThrow()) {
                        assertFalse(events.read(event, 700), "flipped before the in-fence signalled: " + event);
                        assertEquals(FenceStatus.ACTIVE, outFence.status());
                        long signalled = System.nanoTime();
                        VgemFences.signal(vgem, fence);
                        assertTrue(events.read(event, 5000), "no flip after the in-fence signalled");
                        assertEquals(77, event.userData());
                        assertTrue(outFence.await(Duration.ofSeconds(5)));
                        System.out.printf("flip completed %.1f ms after its in-fence signalled%n",
                                (System.nanoTime() - signalled) / 1e6);
                    }
                }
            }
        }
    }
}

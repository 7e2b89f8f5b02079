package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.DeviceGoneException;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.CloseWakes;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.bindings.testing.Png;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.FenceStatus;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.heaps.Heap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** virtio-gpu in the test bed: a full atomic modeset checked on the screen, 300 page flips, PRIME refusal. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class VirtioGpuDeviceTest {
    private static final int FLIPS = 300;

    /**
     * A pattern drawn from Java into a dumb buffer, shown by one atomic modeset: the test bed's screenshot equals
     * it pixel for pixel. Then 300 non-blocking flips between two framebuffers, each with a page-flip event
     * carrying its number and an out-fence: 300 events in order, 300 fences signalled.
     */
    @Test
    void aModesetShowsTheJavaPatternAndThreeHundredFlipsDeliverTheirEventsAndFences() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu"); Arena arena = Arena.ofConfined()) {
            Cards.Display display = Cards.display(card);
            int width = display.mode().hdisplay();
            int height = display.mode().vdisplay();
            try (DumbBuffer a = card.createDumbBuffer(width, height, 32);
                 DumbBuffer b = card.createDumbBuffer(width, height, 32)) {
                Cards.draw(a.map(arena), width, height, a.pitch(), 1);
                Cards.draw(b.map(arena), width, height, b.pitch(), 2);
                try (Framebuffer fbA = card.addFramebuffer(a, Cards.XRGB);
                     Framebuffer fbB = card.addFramebuffer(b, Cards.XRGB);
                     AtomicRequest req = Cards.modeset(card, display, display.connector().id(), fbA)) {
                    req.test(true);
                    req.commit(Cards.MODESET, 0);
                    assertEquals(fbA.id(), card.plane(display.primary().id()).framebuffer().orElseThrow());
                    assertEquals(display.mode(), card.crtc(display.crtc()).mode().orElseThrow());

                    Png screen = Png.screenshot("drm-virtio-modeset");
                    assertEquals(width, screen.width());
                    assertEquals(height, screen.height());
                    long wrong = 0;
                    for (int y = 0; y < height; y++) {
                        for (int x = 0; x < width; x++) {
                            if (screen.pixel(x, y) != Cards.pattern(x, y, 1)) {
                                wrong++;
                            }
                        }
                    }
                    assertEquals(0, wrong, "pixels of the " + width + "x" + height + " screenshot that differ");

                    DrmEvents events = card.events();
                    DrmEvent event = new DrmEvent();
                    while (events.read(event, 0)) {
                        // nothing was asked for yet; drain to be sure
                    }
                    req.requestOutFence(display.crtc());
                    EnumSet<CommitFlag> flip = EnumSet.of(CommitFlag.NONBLOCK, CommitFlag.PAGE_FLIP_EVENT);
                    List<SyncFile> fences = new ArrayList<>();
                    long start = System.nanoTime();
                    long lastTimestamp = 0;
                    try {
                        for (int i = 1; i <= FLIPS; i++) {
                            req.set(display.primary().id(), "FB_ID", (i % 2 == 1 ? fbB : fbA).id());
                            req.commit(flip, 1000 + i);
                            fences.add(req.takeOutFence(display.crtc()).orElseThrow());
                            assertTrue(events.read(event, 5000), "no event for flip " + i);
                            assertEquals(DrmEvent.Kind.FLIP_COMPLETE, event.kind());
                            assertEquals(1000 + i, event.userData());
                            assertEquals(display.crtc().value(), event.crtcId());
                            assertTrue(event.timestampNanos() >= lastTimestamp);
                            lastTimestamp = event.timestampNanos();
                        }
                        long elapsed = System.nanoTime() - start;
                        assertFalse(events.read(event, 0), "an event beyond the 300 flips: " + event);
                        int signalled = 0;
                        for (SyncFile fence : fences) {
                            if (fence.await(Duration.ofSeconds(5)) && fence.status() == FenceStatus.SIGNALLED) {
                                signalled++;
                            }
                        }
                        assertEquals(FLIPS, signalled, "out-fences signalled");
                        System.out.printf("virtio-gpu: %d flips with events and out-fences in %.1f ms (%.2f ms each)%n",
                                FLIPS, elapsed / 1e6, elapsed / 1e6 / FLIPS);
                    } finally {
                        fences.forEach(SyncFile::close);
                    }
                }
            }
        }
    }

    /** virtio-gpu reports PRIME import but refuses foreign dma-bufs with ENODEV: the message says so. */
    @Test
    void importingAForeignBufferFailsSayingTheDriverRefusedIt() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu"); Heap heap = Heap.open("system");
             DmaBuf buffer = heap.allocate(64 * 1024)) {
            assertTrue(card.capabilities().primeImport());
            KernelException e = assertThrows(KernelException.class, () -> card.importDmaBuf(buffer));
            assertFalse(e instanceof DeviceGoneException, e.toString());
            assertEquals(Errno.ENODEV, e.errno());
            assertTrue(e.getMessage().startsWith("DRM_IOCTL_PRIME_FD_TO_HANDLE on " + card.path() + ": ENODEV"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("the driver (virtio_gpu) refused to import that buffer"), e.getMessage());
            assertTrue(card.isOpen());
            assertEquals(0, card.handles().openHandles());
            // its own buffers it imports: the export of a dumb buffer comes back as the dumb buffer's handle
            try (DumbBuffer dumb = card.createDumbBuffer(64, 64, 32); DmaBuf exported = dumb.exportDmaBuf();
                 GemHandle handle = card.importDmaBuf(exported)) {
                assertEquals(dumb.handle().value(), handle.value());
                assertEquals(2, handle.sharers());
            }
            assertEquals(0, card.handles().openHandles());
        }
    }

    /** A thread blocked reading events is woken by close() from another thread with FdClosedException. */
    @Test
    void closeFromAnotherThreadWakesABlockedEventRead() throws Exception {
        DrmDevice card = Cards.open("virtio_gpu");
        try {
            DrmEvents events = card.events();
            // the reader is asleep in its poll (BlockedCall) before close() runs; no sleep decides that
            long woken = CloseWakes.wakeAfterClose(() -> events.read(new DrmEvent(), -1), card::close);
            System.out.printf("event read woken %d ms after close%n", woken);
        } finally {
            card.close();
        }
    }
}

package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.FenceStatus;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.heaps.Heap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * vkms in the test bed (overlay, cursor and writeback enabled): one atomic commit composes a primary plane from a
 * system-heap buffer (PRIME-imported), an overlay and the cursor, and the writeback connector writes the
 * composition into another heap buffer, which equals the expected picture pixel for pixel.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class VkmsDeviceTest {
    private static final int OVERLAY_X = 100;
    private static final int OVERLAY_Y = 60;
    private static final int OVERLAY_W = 240;
    private static final int OVERLAY_H = 160;
    private static final int CURSOR_X = 300;
    private static final int CURSOR_Y = 180;
    private static final int CURSOR = 64;
    private static final int OVERLAY_COLOUR = 0xff20c040;
    private static final int CURSOR_COLOUR = 0xfff0e010;

    @Test
    void primaryOverlayAndCursorComposeIntoTheWritebackBufferPixelForPixel() throws Exception {
        try (DrmDevice card = Cards.open("vkms"); Heap heap = Heap.open("system"); Arena arena = Arena.ofConfined()) {
            Cards.Display display = Cards.display(card);
            Connector writeback = card.connectors().stream()
                    .filter(c -> c.type().equals(ConnectorType.WRITEBACK)).findFirst()
                    .orElseThrow(() -> new AssertionError("no writeback connector on vkms"));
            assertEquals("Writeback-1", writeback.name());
            int width = display.mode().hdisplay();
            int height = display.mode().vdisplay();
            Plane overlay = Cards.planeOfType(card, display.crtc(), PlaneType.OVERLAY);
            Plane cursor = Cards.planeOfType(card, display.crtc(), PlaneType.CURSOR);
            FrameLayout layout = FrameLayout.of(PixelFormat.XRGB8888, width, height);
            try (Frame primaryFrame = Frame.allocate(heap, layout);
                 Frame output = Frame.allocate(heap, layout);
                 DumbBuffer overlayBuffer = card.createDumbBuffer(OVERLAY_W, OVERLAY_H, 32);
                 DumbBuffer cursorBuffer = card.createDumbBuffer(CURSOR, CURSOR, 32)) {
                MemorySegment primaryPixels = primaryFrame.plane(0).buffer().map(arena, Access.READ_WRITE);
                try (CpuAccess ignored = primaryFrame.plane(0).buffer().cpuAccess(Access.WRITE)) {
                    Cards.draw(primaryPixels, width, height, layout.plane(0).pitch(), 3);
                }
                Cards.fill(overlayBuffer.map(arena), OVERLAY_W, OVERLAY_H, overlayBuffer.pitch(), OVERLAY_COLOUR);
                Cards.fill(cursorBuffer.map(arena), CURSOR, CURSOR, cursorBuffer.pitch(), CURSOR_COLOUR);
                try (Framebuffer primaryFb = card.addFramebuffer(primaryFrame);
                     Framebuffer outputFb = card.addFramebuffer(output);
                     Framebuffer overlayFb = card.addFramebuffer(overlayBuffer, PixelFormat.ARGB8888);
                     Framebuffer cursorFb = card.addFramebuffer(cursorBuffer, PixelFormat.ARGB8888);
                     AtomicRequest req = Cards.modeset(card, display, writeback.id(), primaryFb)) {
                    assertTrue(primaryFb.addedWithModifiers(), "vkms takes ADDFB2 with modifiers");
                    // vkms 6.12 cannot clone its Virtual and Writeback encoders: the Virtual connector goes off
                    req.set(display.connector().id(), "CRTC_ID", 0);
                    Cards.placePlane(req, overlay.id(), display.crtc(), overlayFb, OVERLAY_X, OVERLAY_Y);
                    Cards.placePlane(req, cursor.id(), display.crtc(), cursorFb, CURSOR_X, CURSOR_Y);
                    req.set(writeback.id(), "WRITEBACK_FB_ID", outputFb.id());
                    req.requestWritebackFence(writeback.id());
                    req.test(true);
                    assertTrue(req.takeOutFence(writeback.id()).isEmpty(), "no out-fence from a test-only commit");
                    req.commit(Cards.MODESET, 0);
                    try (SyncFile written = req.takeOutFence(writeback.id()).orElseThrow()) {
                        assertTrue(written.await(Duration.ofSeconds(10)), "writeback did not complete");
                        assertEquals(FenceStatus.SIGNALLED, written.status());
                        assertEquals("vkms", written.info().fences().getFirst().driver());
                    }
                    MemorySegment result = output.plane(0).buffer().map(arena, Access.READ);
                    long pitch = layout.plane(0).pitch();
                    long wrong = 0;
                    String first = null;
                    try (CpuAccess ignored = output.plane(0).buffer().cpuAccess(Access.READ)) {
                        for (int y = 0; y < height; y++) {
                            for (int x = 0; x < width; x++) {
                                int expected = expected(x, y) & 0xffffff;
                                int actual = result.get(ValueLayout.JAVA_INT, y * pitch + 4L * x) & 0xffffff;
                                if (expected != actual) {
                                    if (first == null) {
                                        first = String.format("(%d,%d) %06x instead of %06x", x, y, actual, expected);
                                    }
                                    wrong++;
                                }
                            }
                        }
                    }
                    assertEquals(0, wrong, "pixels of " + width * height + " differ, first " + first);
                    System.out.printf("vkms writeback: %d of %d pixels as composed%n", (long) width * height - wrong,
                            (long) width * height);
                    // turn the writeback connector off again so that later tests start from the Virtual connector
                    try (AtomicRequest off = card.newAtomicRequest()) {
                        off.set(writeback.id(), "CRTC_ID", 0);
                        off.set(writeback.id(), "WRITEBACK_FB_ID", 0);
                        off.set(overlay.id(), "FB_ID", 0);
                        off.set(overlay.id(), "CRTC_ID", 0);
                        off.set(cursor.id(), "FB_ID", 0);
                        off.set(cursor.id(), "CRTC_ID", 0);
                        off.set(display.connector().id(), "CRTC_ID", display.crtc());
                        off.commit(Cards.MODESET, 0);
                    }
                    assertFalse(card.plane(overlay.id()).framebuffer().isPresent());
                }
            }
        }
    }

    private static int expected(int x, int y) {
        if (x >= CURSOR_X && x < CURSOR_X + CURSOR && y >= CURSOR_Y && y < CURSOR_Y + CURSOR) {
            return CURSOR_COLOUR;
        }
        if (x >= OVERLAY_X && x < OVERLAY_X + OVERLAY_W && y >= OVERLAY_Y && y < OVERLAY_Y + OVERLAY_H) {
            return OVERLAY_COLOUR;
        }
        return Cards.pattern(x, y, 3);
    }
}

package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A closed {@link DumbBuffer} never reaches the buffer the kernel gave its GEM handle number to: GEM handles are
 * the lowest free numbers of the file, so the next dumb buffer gets the closed one's number, and a map, export or
 * framebuffer of the closed buffer would reach the new one.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class StaleHandleDeviceTest {
    private static final int SIZE = 64;
    private static final int COLOUR = 0x00ff00ff;

    @Test
    void aClosedDumbBufferNeverReachesTheBufferThatGotItsHandleNumber() throws Exception {
        try (DrmDevice card = Cards.open("vkms"); Arena arena = Arena.ofConfined()) {
            DumbBuffer closed = card.createDumbBuffer(SIZE, SIZE, 32);
            int number = closed.handle().value();
            closed.close();
            assertFalse(closed.handle().isOpen());
            try (DumbBuffer next = card.createDumbBuffer(SIZE, SIZE, 32)) {
                assertEquals(number, next.handle().value(), "the kernel gave the closed number to the next buffer");
                MemorySegment pixels = next.map(arena);
                Cards.fill(pixels, SIZE, SIZE, next.pitch(), COLOUR);

                FdClosedException map = assertThrows(FdClosedException.class, () -> closed.map(arena));
                assertTrue(map.getMessage().startsWith("DRM_IOCTL_MODE_MAP_DUMB on " + card.path()), map.getMessage());
                assertTrue(map.getMessage().contains("GEM handle " + number + " was closed"), map.getMessage());
                FdClosedException export = assertThrows(FdClosedException.class, closed::exportDmaBuf);
                assertTrue(export.getMessage().startsWith("DRM_IOCTL_PRIME_HANDLE_TO_FD on " + card.path()),
                        export.getMessage());
                FdClosedException fb = assertThrows(FdClosedException.class,
                        () -> card.addFramebuffer(closed, Cards.XRGB));
                assertTrue(fb.getMessage().startsWith("DRM_IOCTL_MODE_ADDFB2 on " + card.path()), fb.getMessage());
                IllegalStateException value = assertThrows(IllegalStateException.class, () -> closed.handle().value());
                assertTrue(value.getMessage().contains("closed"), value.getMessage());
                assertTrue(card.resources().framebuffers().isEmpty(), "a framebuffer was added");

                // the buffer that owns the number is untouched and still works
                assertEquals(COLOUR, pixels.get(ValueLayout.JAVA_INT, 0));
                try (Framebuffer ok = card.addFramebuffer(next, Cards.XRGB)) {
                    assertTrue(ok.isOpen());
                }
            }
        }
    }

    @Test
    void aHandleInUseIsClosedByItsLastUser() throws Exception {
        try (DrmDevice card = Cards.open("vkms")) {
            DumbBuffer buffer = card.createDumbBuffer(SIZE, SIZE, 32);
            GemHandle handle = buffer.handle();
            int number = handle.beginUse("test");
            try {
                buffer.close(); // deferred: the number stays this buffer's while the use lasts
                assertFalse(handle.isOpen());
                assertEquals(1, handle.sharers(), "closed while in use: the kernel handle must stay");
                assertThrows(FdClosedException.class, () -> handle.beginUse("test"));
            } finally {
                handle.endUse();
            }
            assertEquals(0, handle.sharers(), "the last use closed the handle");
            try (DumbBuffer next = card.createDumbBuffer(SIZE, SIZE, 32)) {
                assertEquals(number, next.handle().value(), "DRM_IOCTL_GEM_CLOSE ran: the number is free again");
            }
        }
    }
}

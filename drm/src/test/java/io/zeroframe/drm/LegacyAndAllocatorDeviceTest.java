package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.bindings.testing.Png;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * virtio-gpu driven without atomic (SETCRTC, PAGE_FLIP with event, SETPLANE), frames allocated from its dumb
 * buffers through the frame model's BufferAllocator, mappings in shared arenas, and the EDID blob.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class LegacyAndAllocatorDeviceTest {
    @Test
    void legacySetCrtcAndPageFlipShowFramesFromTheDumbBufferAllocator() throws Exception {
        try (DrmDevice card = DrmDevice.open(DrmDevices.findByDriver("virtio_gpu").orElseThrow().path(),
                EnumSet.of(ClientCap.UNIVERSAL_PLANES))) {
            assertFalse(card.isAtomic());
            Cards.Display display = Cards.display(card);
            Mode mode = display.mode();
            FrameLayout layout = FrameLayout.of(PixelFormat.XRGB8888, mode.hdisplay(), mode.vdisplay(), 64);
            DumbBufferAllocator allocator = new DumbBufferAllocator(card, layout.plane(0).pitch());
            assertTrue(allocator.description().contains("virtio_gpu"));
            try (Frame a = Frame.allocate(allocator, layout); Frame b = Frame.allocate(allocator, layout);
                 Framebuffer fbA = card.addFramebuffer(a); Framebuffer fbB = card.addFramebuffer(b)) {
                assertEquals(0, card.handles().openHandles(), "the framebuffers hold the memory, not handles");
                try (Arena shared = Arena.ofShared()) {
                    MemorySegment pixels = a.plane(0).buffer().map(shared, Access.READ_WRITE);
                    Cards.draw(pixels, mode.hdisplay(), mode.vdisplay(), layout.plane(0).pitch(), 5);
                }
                LegacyModeset legacy = new LegacyModeset(card);
                legacy.setCrtc(display.crtc(), fbA.id(), 0, 0, List.of(display.connector().id()), mode);
                assertEquals(fbA.id(), card.crtc(display.crtc()).framebuffer().orElseThrow());
                Png screen = Png.screenshot("drm-virtio-legacy");
                long wrong = 0;
                for (int y = 0; y < mode.vdisplay(); y++) {
                    for (int x = 0; x < mode.hdisplay(); x++) {
                        if (screen.pixel(x, y) != Cards.pattern(x, y, 5)) {
                            wrong++;
                        }
                    }
                }
                assertEquals(0, wrong, "pixels that differ after SETCRTC");
                DrmEvent event = new DrmEvent();
                for (int i = 0; i < 10; i++) {
                    legacy.pageFlip(display.crtc(), (i % 2 == 0 ? fbB : fbA).id(), 500 + i);
                    assertTrue(card.events().read(event, 5000), "no event for legacy flip " + i);
                    assertEquals(DrmEvent.Kind.FLIP_COMPLETE, event.kind());
                    assertEquals(500 + i, event.userData());
                }
                legacy.setPlane(display.primary().id(), display.crtc(), fbB.id(), 0, 0, mode.hdisplay(),
                        mode.vdisplay(), 0, 0, mode.hdisplay() << 16, mode.vdisplay() << 16);
                assertEquals(fbB.id(), card.plane(display.primary().id()).framebuffer().orElseThrow());
            }
        }
    }

    @Test
    void aDumbBufferMapsIntoSharedArenasClosedFromAnotherThreadAndTheConnectorHasItsEdid() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu"); DumbBuffer buffer = card.createDumbBuffer(128, 64, 32);
             Arena first = Arena.ofShared()) {
            MemorySegment pixels = buffer.map(first);
            assertEquals(buffer.size(), pixels.byteSize());
            assertTrue(buffer.size() >= 128L * 4 * 64);
            pixels.set(ValueLayout.JAVA_INT, 0, 0x00abcdef);
            Arena second = Arena.ofShared();
            assertEquals(0x00abcdef, buffer.map(second).get(ValueLayout.JAVA_INT, 0), "one memory");
            Thread closer = Thread.ofPlatform().start(second::close);
            closer.join();
            assertFalse(second.scope().isAlive());
            Connector connector = Cards.display(card).connector();
            byte[] edid = card.blob(connector.edid().orElseThrow(() -> new AssertionError("no EDID on " + connector)));
            assertEquals(0, edid.length % 128);
            assertArrayEquals(new byte[] {0, -1, -1, -1, -1, -1, -1, 0}, Arrays.copyOf(edid, 8), "EDID header");
        }
    }
}

package io.zeroframe.heaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.BufferAllocator;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A {@link Heap} as the {@link BufferAllocator} of {@link Frame#allocate}. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class HeapFrameDeviceTest {
    @Test
    void aHeapAllocatesFrames() throws Exception {
        FrameLayout layout = FrameLayout.of(PixelFormat.NV12M, 640, 480, 256);
        Frame frame;
        try (Heap heap = Heap.open("system")) {
            BufferAllocator allocator = heap;
            assertEquals("dma-heap /dev/dma_heap/system", allocator.description());
            frame = Frame.allocate(allocator, layout);
        }
        try (frame) {
            assertEquals(2, frame.buffers().size());
            DmaBuf chroma = frame.plane(1).buffer();
            assertSame(frame.buffers().get(1), chroma);
            assertEquals("system", chroma.exporter());
            // the luma pitch 640 aligned to 256 is 768; the CbCr rows follow it: 768 * 240 bytes, 45 pages
            assertEquals(768, frame.plane(1).pitch());
            assertEquals(768L * 240, chroma.size());
        }
        assertFalse(frame.plane(0).buffer().isOpen());
    }
}

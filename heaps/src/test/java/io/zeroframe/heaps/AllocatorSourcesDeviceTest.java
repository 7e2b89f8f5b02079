package io.zeroframe.heaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.UdmabufAllocator;
import io.zeroframe.dmabuf.internal.NodeAccess;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Heaps#source} and {@link UdmabufAllocator#source()}: trial frames laid out exactly as a candidate says,
 * written and read back through mappings, and nothing left open once the frame is closed and the source released.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class AllocatorSourcesDeviceTest {
    private static final Allocator SYSTEM = Allocator.heap("system", false);

    @Test
    void theSystemHeapMakesNv12AndXrgb8888FramesAsTheCandidateSays() throws Exception {
        allocateWriteAndRead(Heaps.source(SYSTEM), "system");
    }

    @Test
    void udmabufMakesNv12AndXrgb8888FramesAsTheCandidateSays() throws Exception {
        allocateWriteAndRead(UdmabufAllocator.source(), "udmabuf");
    }

    private static void allocateWriteAndRead(BufferSource source, String exporter) throws Exception {
        // 300 pixels: an XRGB8888 row of 1200 bytes padded to 1216, an NV12 row of 300 to 320
        for (PixelFormat format : List.of(PixelFormat.NV12, PixelFormat.XRGB8888)) {
            FrameLayout layout = FrameLayout.of(format, 300, 200, 64);
            Candidate candidate = new Candidate(source.allocator(), format, Modifier.LINEAR, layout);
            Attempt<Frame> made = source.allocate(candidate);
            assertTrue(made.accepted(), made.result().toString());
            try (Frame frame = made.get()) {
                assertEquals(Optional.empty(), FramePattern.layoutMismatch(frame, layout));
                assertEquals(format == PixelFormat.NV12 ? 320 : 1216, frame.plane(0).pitch());
                if (format == PixelFormat.NV12) {
                    assertEquals(320L * 200, frame.plane(1).offset());
                }
                DmaBuf buffer = frame.buffers().getFirst();
                assertEquals(1, frame.buffers().size());
                assertEquals(exporter, buffer.exporter());
                assertEquals(Math.ceilDiv(layout.totalSize(), 4096) * 4096, buffer.size());
                FramePattern.write(frame, format.hashCode());
                assertEquals(Optional.empty(), FramePattern.mismatch(frame, format.hashCode()));
            } finally {
                source.release();
            }
        }
    }

    @Test
    void theHeapIsOpenOnlyBetweenAllocateAndRelease() throws Exception {
        BufferSource source = Heaps.source(SYSTEM);
        assertFalse(heapOpen(), "nothing is opened before the first allocation");
        Candidate candidate = new Candidate(SYSTEM, PixelFormat.XRGB8888, Modifier.LINEAR,
                FrameLayout.of(PixelFormat.XRGB8888, 64, 64, 64));
        try (Frame frame = source.allocate(candidate).get()) {
            assertTrue(heapOpen());
            source.release();
            assertFalse(heapOpen(), "release closes the heap");
            assertTrue(frame.isOpen(), "the frame's buffers outlive the heap's fd");
            FramePattern.write(frame, 7);
            assertEquals(Optional.empty(), FramePattern.mismatch(frame, 7));
        }
        try (Frame again = source.allocate(candidate).get()) {
            assertTrue(again.isOpen() && heapOpen(), "a released source opens the heap again");
        } finally {
            source.release();
        }
        source.release();
    }

    @Test
    void aHeapThisUserMayNotOpenIsARefusalNamingOpenAndEacces() throws Exception {
        Allocator locked = Heaps.allocators(HeapAllocatorsDeviceTest.LOCKED, HeapHints.KERNEL,
                NodeAccess::stat, NodeAccess.Identity.current()).getFirst();
        BufferSource source = Heaps.source(locked, HeapAllocatorsDeviceTest.LOCKED);
        Attempt<Frame> made = source.allocate(new Candidate(locked, PixelFormat.NV12, Modifier.LINEAR,
                FrameLayout.of(PixelFormat.NV12, 300, 200, 64)));
        source.release();
        assertFalse(made.accepted());
        assertEquals(TrialResult.fixable("open", "EACCES",
                "dma-heap /run/zf-locked/dma_heap/system could not allocate 96000 bytes"), made.result());
    }

    private static boolean heapOpen() {
        return ProcessFds.list().containsValue("/dev/dma_heap/system");
    }
}

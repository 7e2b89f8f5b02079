package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Frame} owning real dma-bufs from {@link UdmabufAllocator}: what it allocates, that closing it closes
 * each buffer once and leaves no fd, and that every refusal closes the buffers it was given.
 */
@Tag("device")
class FrameDeviceTest extends DeviceTestSupport {
    private static final long PAGE = Syscalls.pageSize();

    /** Counts this process's dma-buf fds, the ones a frame must leave behind when closed: none. */
    private static long dmaBufFds() {
        return ProcessFds.list().values().stream().filter(target -> target.startsWith(DmaBuf.LINK_PREFIX)).count();
    }

    @Test
    void aContiguousFrameIsOneBufferAndClosesOnce() throws Exception {
        require(Udmabuf.DEVICE);
        long before = dmaBufFds();
        FrameLayout layout = FrameLayout.of(PixelFormat.NV12, 641, 479, 64);
        Frame frame = Frame.allocate(new UdmabufAllocator("nv12"), layout);
        try (frame) {
            assertEquals(before + 1, dmaBufFds(), "one dma-buf for both planes");
            assertEquals(1, frame.buffers().size());
            DmaBuf buffer = frame.plane(0).buffer();
            assertSame(buffer, frame.plane(1).buffer());
            assertEquals("udmabuf", buffer.exporter());
            assertEquals(Math.ceilDiv(layout.totalSize(), PAGE) * PAGE, buffer.size());
            assertEquals(new Frame.Plane(buffer, 704L * 479, 704, 704L * 240), frame.plane(1));
            assertEquals(PixelFormat.NV12, frame.format());
            assertEquals(Modifier.LINEAR, frame.modifier());
            assertEquals("Frame[NV12 641x479 LINEAR, 1 buffer]", frame.toString());
            // the memory is usable through the plane's buffer
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment pixels = buffer.map(arena, Access.READ_WRITE);
                pixels.set(ValueLayout.JAVA_BYTE, frame.plane(1).offset(), (byte) 0x80);
                assertEquals((byte) 0x80, pixels.get(ValueLayout.JAVA_BYTE, 704L * 479));
            }
        }
        assertFalse(frame.isOpen());
        assertFalse(frame.plane(0).buffer().isOpen());
        assertEquals(before, dmaBufFds());
        frame.close(); // idempotent
        assertEquals("Frame[NV12 641x479 LINEAR, 1 buffer, closed]", frame.toString());
    }

    @Test
    void aMultiPlanarFrameHasABufferPerPlane() throws Exception {
        require(Udmabuf.DEVICE);
        long before = dmaBufFds();
        FrameLayout layout = FrameLayout.of(PixelFormat.YUV420M, 1280, 720, 64);
        try (Frame frame = Frame.allocate(new UdmabufAllocator(), layout)) {
            assertEquals(before + 3, dmaBufFds());
            assertEquals(3, frame.buffers().size());
            for (int p = 0; p < 3; p++) {
                assertEquals(0, frame.plane(p).offset());
                assertEquals(layout.plane(p).pitch(), frame.plane(p).pitch());
                assertTrue(frame.plane(p).buffer().size() >= layout.bufferSize(p));
            }
            assertEquals(1280L * 720, frame.plane(0).buffer().size());
            assertEquals(640L * 360 + PAGE - (640L * 360) % PAGE, frame.plane(1).buffer().size());
        }
        assertEquals(before, dmaBufFds());
    }

    @Test
    void aFailedAllocationClosesWhatWasAllocatedLastFirst() throws Exception {
        require(Udmabuf.DEVICE);
        List<DmaBuf> handedOut = new ArrayList<>();
        List<String> closed = new ArrayList<>();
        BufferAllocator failsThirdTime = new BufferAllocator() {
            private final UdmabufAllocator memory = new UdmabufAllocator();

            @Override
            public DmaBuf allocate(long size) throws IOException {
                if (handedOut.size() == 2) {
                    handedOut.forEach(b -> closed.add(b.isOpen() ? "open" : "closed"));
                    throw new IOException("out of buffers");
                }
                DmaBuf buffer = memory.allocate(size);
                handedOut.add(buffer);
                return buffer;
            }

            @Override
            public String description() {
                return "fails the third time";
            }
        };
        IOException e = assertThrows(IOException.class,
                () -> Frame.allocate(failsThirdTime, FrameLayout.of(PixelFormat.YUV420M, 64, 64)));
        assertEquals("out of buffers", e.getMessage());
        assertEquals(List.of("open", "open"), closed, "open until the failure");
        assertFalse(handedOut.get(0).isOpen());
        assertFalse(handedOut.get(1).isOpen());
    }

    @Test
    void anAllocatorThatGivesTooLittleIsRefusedAndItsBufferClosed() throws Exception {
        require(Udmabuf.DEVICE);
        List<DmaBuf> handedOut = new ArrayList<>();
        BufferAllocator stingy = new BufferAllocator() {
            @Override
            public DmaBuf allocate(long size) throws IOException {
                DmaBuf buffer = new UdmabufAllocator().allocate(PAGE);
                handedOut.add(buffer);
                return buffer;
            }

            @Override
            public String description() {
                return "one page, whatever is asked";
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Frame.allocate(stingy, FrameLayout.of(PixelFormat.XRGB8888, 640, 480)));
        assertEquals("frame XRGB8888 640x480, plane 0: offset 0 + length 1228800 is beyond the end of the "
                + PAGE + "-byte buffer", e.getMessage());
        assertFalse(handedOut.getFirst().isOpen());
    }

    @Test
    void ofTakesOwnershipAndSharedBuffersCloseOnce() throws Exception {
        require(Udmabuf.DEVICE);
        long before = dmaBufFds();
        DmaBuf one = new UdmabufAllocator().allocate(64 * 64 * 3 / 2);
        DmaBuf same = one.duplicate(); // another fd, another owner, same buffer
        Frame frame = Frame.of(PixelFormat.NV12, 64, 64, Modifier.LINEAR, List.of(
                new Frame.Plane(one, 0, 64, 64 * 64), new Frame.Plane(same, 64 * 64, 64, 64 * 32)));
        assertEquals(List.of(one, same), frame.buffers());
        assertNotSame(frame.buffers().get(0), frame.buffers().get(1));
        assertEquals(before + 2, dmaBufFds());
        frame.close();
        assertFalse(one.isOpen());
        assertFalse(same.isOpen());
        assertEquals(before, dmaBufFds());

        DmaBuf shared = new UdmabufAllocator().allocate(PAGE);
        try (Frame twoPlanesOneBuffer = Frame.of(PixelFormat.NV12, 64, 32, Modifier.LINEAR, List.of(
                new Frame.Plane(shared, 0, 64, 64 * 32), new Frame.Plane(shared, 64 * 32, 64, 64 * 16)))) {
            assertEquals(List.of(shared), twoPlanesOneBuffer.buffers());
        }
        assertFalse(shared.isOpen());
        assertEquals(before, dmaBufFds());
    }

    @Test
    void everyRefusalNamesTheProblemAndClosesTheBuffers() throws Exception {
        require(Udmabuf.DEVICE);
        long before = dmaBufFds();
        refused("frame NV12 64x64: 1 planes given, the format has 2",
                PixelFormat.NV12, 64, 64, Modifier.LINEAR, b -> List.of(new Frame.Plane(b, 0, 64, 4096)));
        refused("frame NV12 64x64, plane 1: offset 4096 + length 2048 is beyond the end of the " + PAGE + "-byte buffer",
                PixelFormat.NV12, 64, 64, Modifier.LINEAR,
                b -> List.of(new Frame.Plane(b, 0, 64, 4096), new Frame.Plane(b, 4096, 64, 2048)));
        refused("frame XRGB8888 64x16, plane 0: pitch 128 is less than a row of 256 bytes",
                PixelFormat.XRGB8888, 64, 16, Modifier.LINEAR, b -> List.of(new Frame.Plane(b, 0, 128, 4096)));
        refused("frame XRGB8888 64x17, plane 0: length 4096 is less than 17 rows of pitch 256 (4352 bytes)",
                PixelFormat.XRGB8888, 64, 17, Modifier.LINEAR, b -> List.of(new Frame.Plane(b, 0, 256, 4096)));
        refused("frame XRGB8888 64x16, plane 0: offset -1, pitch 256, length 4096: the offset must not be"
                        + " negative, the others positive",
                PixelFormat.XRGB8888, 64, 16, Modifier.LINEAR, b -> List.of(new Frame.Plane(b, -1, 256, 4096)));
        refused("frame XRGB8888 0x16: the size is not positive",
                PixelFormat.XRGB8888, 0, 16, Modifier.LINEAR, b -> List.of(new Frame.Plane(b, 0, 256, 4096)));
        refused("modifier", PixelFormat.XRGB8888, 64, 16, null, b -> List.of(new Frame.Plane(b, 0, 256, 4096)));
        refused("plane 1 is null", PixelFormat.NV12, 64, 16, Modifier.LINEAR,
                b -> java.util.Arrays.asList(new Frame.Plane(b, 0, 64, 1024), null));
        // DRM's minimum for YUYV counts 2 bytes per pixel: a 641-pixel row may have 1282 bytes, not fewer
        DmaBuf odd = new UdmabufAllocator().allocate(PAGE);
        try (Frame frame = Frame.of(PixelFormat.YUYV, 641, 2, Modifier.LINEAR,
                List.of(new Frame.Plane(odd, 0, 1282, 2564)))) {
            assertEquals(1282, frame.plane(0).pitch());
        }
        refused("frame YUYV 641x2, plane 0: pitch 1281 is less than a row of 1282 bytes",
                PixelFormat.YUYV, 641, 2, Modifier.LINEAR, b -> List.of(new Frame.Plane(b, 0, 1281, 2564)));
        refused("frame NV12M 641x2, plane 1: pitch 641 is less than a row of 642 bytes",
                PixelFormat.NV12M, 641, 2, Modifier.LINEAR,
                b -> List.of(new Frame.Plane(b, 0, 641, 1282), new Frame.Plane(b, 0, 641, 641)));
        // a plane of one row must hold that row: NV12's chroma at height 2
        refused("frame NV12 64x2, plane 1: length 32 is less than 1 row of pitch 64 (64 bytes)",
                PixelFormat.NV12, 64, 2, Modifier.LINEAR,
                b -> List.of(new Frame.Plane(b, 0, 64, 128), new Frame.Plane(b, 128, 64, 32)));
        // what the kernel keeps in 32 bits is refused above that, tiled or not (an (int) cast would give 4096)
        refused("frame XRGB8888 64x64, plane 0: pitch 4294971392 does not fit the kernel's 32-bit pitch field"
                        + " (at most 4294967295)", PixelFormat.XRGB8888, 64, 64, Modifier.of(0x0100000000000001L),
                b -> List.of(new Frame.Plane(b, 0, (1L << 32) + 4096, PAGE)));
        // a tiled frame's pitch and size are the driver's business: only the bounds of the buffer are checked
        DmaBuf tiled = new UdmabufAllocator().allocate(PAGE);
        try (Frame frame = Frame.of(PixelFormat.XRGB8888, 64, 64, Modifier.of(0x0100000000000001L),
                List.of(new Frame.Plane(tiled, 0, 128, PAGE)))) {
            assertEquals("Frame[XRGB8888 64x64 INTEL:X_TILED, 1 buffer]", frame.toString());
        }
        DmaBuf closed = new UdmabufAllocator().allocate(PAGE);
        closed.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Frame.of(PixelFormat.XRGB8888,
                64, 16, Modifier.LINEAR, List.of(new Frame.Plane(closed, 0, 256, 4096))));
        assertTrue(e.getMessage().startsWith("frame XRGB8888 64x16, plane 0: DmaBuf["), e.getMessage());
        assertTrue(e.getMessage().endsWith(" is closed"), e.getMessage());
        assertEquals(before, dmaBufFds());
    }

    private interface Planes {
        List<Frame.Plane> of(DmaBuf buffer);
    }

    private static void refused(String message, PixelFormat format, int width, int height, Modifier modifier,
                                Planes planes) throws KernelException {
        DmaBuf buffer = new UdmabufAllocator().allocate(PAGE);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> Frame.of(format, width, height, modifier, planes.of(buffer)));
        assertEquals(message, e.getMessage());
        assertFalse(buffer.isOpen(), "Frame.of closes the buffers it refuses: " + message);
    }

    @Test
    void udmabufAllocationsArePagesAndLeaveOnlyTheDmaBufOpen() throws Exception {
        require(Udmabuf.DEVICE);
        UdmabufAllocator allocator = new UdmabufAllocator("one-byte");
        Map<Integer, String> fdsBefore = ProcessFds.list();
        try (DmaBuf buffer = allocator.allocate(1)) {
            assertEquals(PAGE, buffer.size());
            assertEquals("udmabuf", buffer.exporter());
            Map<Integer, String> added = new HashMap<>(ProcessFds.list());
            added.keySet().removeAll(fdsBefore.keySet());
            assertEquals(List.of("dma-buf"), added.values().stream()
                    .map(t -> t.startsWith(DmaBuf.LINK_PREFIX) ? "dma-buf" : t).toList(), "no memfd left open");
        }
        assertEquals("udmabuf (/dev/udmabuf)", allocator.description());
        // udmabuf.size_limit_mb is 64 by default
        KernelException tooLarge = assertThrows(KernelException.class, () -> allocator.allocate(65L << 20));
        assertEquals("UDMABUF_CREATE on /dev/udmabuf: EINVAL (Invalid argument): the total may exceed"
                + " udmabuf.size_limit_mb or udmabuf.list_limit", tooLarge.getMessage());
    }

    /**
     * A frame closed by one thread while others use its planes' buffers (CPU-access brackets in a loop) and others
     * close it too: the users get FdClosedException, never a recycled fd, and each buffer is closed exactly once.
     */
    @Test
    void aFrameClosedFromSeveralThreadsWhileInUseClosesEachBufferOnce() throws Exception {
        require(Udmabuf.DEVICE);
        long before = dmaBufFds();
        Frame frame = Frame.allocate(new UdmabufAllocator("race"), FrameLayout.of(PixelFormat.YUV420M, 64, 48, 1));
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            java.util.concurrent.atomic.AtomicLongArray brackets = new java.util.concurrent.atomic.AtomicLongArray(3);
            List<java.util.concurrent.Future<?>> users = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                DmaBuf buffer = frame.plane(i).buffer();
                int user = i;
                users.add(threads.submit(() -> {
                    while (true) {
                        try (CpuAccess cpu = buffer.cpuAccess(Access.READ_WRITE)) {
                            brackets.incrementAndGet(user);
                        }
                    }
                }));
            }
            // the close must meet users in their loops of brackets, not before their first
            long deadline = System.nanoTime() + 30_000_000_000L;
            for (int i = 0; i < 3; i++) {
                while (brackets.get(i) < 3 && !users.get(i).isDone() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertTrue(brackets.get(i) >= 3, "user " + i + " made " + brackets.get(i) + " brackets");
            }
            List<java.util.concurrent.Future<?>> closers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                closers.add(threads.submit(() -> {
                    frame.close();
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> closer : closers) {
                closer.get(10, java.util.concurrent.TimeUnit.SECONDS); // no IllegalStateException from a double close
            }
            for (java.util.concurrent.Future<?> user : users) {
                var e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> user.get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof io.zeroframe.bindings.FdClosedException, e.getCause().toString());
            }
        } finally {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertFalse(frame.isOpen());
        assertEquals(before, dmaBufFds());
    }
}

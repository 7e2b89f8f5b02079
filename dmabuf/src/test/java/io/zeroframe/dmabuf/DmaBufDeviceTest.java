package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** DmaBuf against real system-heap buffers: adoption, fdinfo, names, mappings and CPU-access brackets. */
@Tag("device")
class DmaBufDeviceTest extends DeviceTestSupport {
    private static final long SIZE = 1 << 20;

    @Test
    void adoptReadsSizeAndExporterAndTakesTheFd() throws Exception {
        OwnedFd raw = allocateRaw(SIZE);
        try (DmaBuf buffer = DmaBuf.adopt(raw)) {
            assertFalse(raw.isOpen(), "adopt takes the fd over");
            assertEquals(SIZE, buffer.size());
            assertEquals("system", buffer.exporter());
            assertEquals(Optional.empty(), buffer.name());
            assertTrue(ProcessFds.list().get(buffer.fd()).startsWith("/dmabuf:"), ProcessFds.list().get(buffer.fd()));
            assertTrue(buffer.awaitIdle(Access.WRITE, Duration.ZERO), "a fresh heap buffer has no fences");
            assertTrue(buffer.awaitIdle(Access.READ, Duration.ZERO));
            try (SyncFile nothing = buffer.exportSyncFile(Access.WRITE)) {
                assertTrue(nothing.await(Duration.ZERO));
                assertEquals(FenceStatus.SIGNALLED, nothing.status());
            }
        }
    }

    @Test
    void mapWriteInAWriteBracketReadBackInAReadBracket() throws Exception {
        try (DmaBuf buffer = allocate(SIZE); Arena arena = Arena.ofConfined()) {
            MemorySegment pixels = buffer.map(arena, Access.READ_WRITE);
            assertEquals(SIZE, pixels.byteSize());
            try (CpuAccess cpu = buffer.cpuAccess(Access.WRITE)) {
                assertEquals(Access.WRITE, cpu.access());
                for (long offset = 0; offset < SIZE; offset += Long.BYTES) {
                    pixels.set(JAVA_LONG, offset, offset * 31);
                }
                try (CpuAccess overlapping = buffer.cpuAccess(Access.READ)) {
                    assertEquals(Access.READ, overlapping.access(), "brackets may overlap, as in the kernel");
                }
            }
            try (DmaBuf again = buffer.duplicate(); Arena other = Arena.ofConfined()) {
                MemorySegment view = again.map(other, Access.READ);
                try (CpuAccess cpu = again.cpuAccess(Access.READ)) {
                    for (long offset = 0; offset < SIZE; offset += Long.BYTES) {
                        if (view.get(JAVA_LONG, offset) != offset * 31) {
                            throw new AssertionError("wrong value at " + offset);
                        }
                    }
                }
            }
            CpuAccess bracket = buffer.cpuAccess(Access.READ_WRITE);
            bracket.close();
            bracket.close(); // idempotent
            assertFalse(bracket.isOpen());
            try (CpuAccess cpu = buffer.cpuAccess(Access.READ)) {
                assertTrue(cpu.isOpen());
            }
        }
    }

    @Test
    void aReadOnlyMappingRejectsWrites() throws Exception {
        try (DmaBuf buffer = allocate(SIZE); Arena arena = Arena.ofConfined()) {
            MemorySegment view = buffer.map(arena, Access.READ);
            assertTrue(view.isReadOnly());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> view.set(JAVA_LONG, 0, 1L));
            assertEquals("Attempt to write a read-only segment", e.getMessage());
            assertEquals(0L, view.get(JAVA_LONG, 0));
        }
    }

    @Test
    void closingTheArenaUnmapsAndTheBufferOutlivesItsMappings() throws Exception {
        long mappingsBefore = ProcessFds.mappingsOf("/dmabuf:");
        try (DmaBuf buffer = allocate(SIZE)) {
            MemorySegment first;
            try (Arena arena = Arena.ofConfined()) {
                first = buffer.map(arena, Access.READ);
                assertEquals(mappingsBefore + 1, ProcessFds.mappingsOf("/dmabuf:"));
            }
            assertEquals(mappingsBefore, ProcessFds.mappingsOf("/dmabuf:"), "closing the arena left its mapping");
            assertThrows(IllegalStateException.class, () -> first.get(JAVA_LONG, 0));
            try (Arena arena = Arena.ofConfined()) {
                assertEquals(0L, buffer.map(arena, Access.READ).get(JAVA_LONG, 0), "the buffer outlives a mapping");
            }
        }
    }

    @Test
    void setNameIsReadBackFromFdinfo() throws Exception {
        try (DmaBuf buffer = allocate(SIZE)) {
            buffer.setName("camera frame 7");
            assertEquals(Optional.of("camera frame 7"), buffer.name());
            assertEquals("/dmabuf:camera frame 7", ProcessFds.list().get(buffer.fd()));
            String longest = "n".repeat(31);
            buffer.setName(longest);
            assertEquals(Optional.of(longest), buffer.name());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> buffer.setName("n".repeat(32)));
            assertEquals("DMA_BUF_SET_NAME_B on dma-buf (/dev/dma_heap/system): dma-buf name (DMA_BUF_NAME_LEN 32): \""
                    + "n".repeat(32)
                    + "\" is 32 bytes in UTF-8, at most 31 fit", tooLong.getMessage());
            assertEquals(Optional.of(longest), buffer.name());
        }
    }

    @Test
    void theKernelRejectsANameOfDmaBufNameLenBytes() throws Exception {
        try (OwnedFd raw = allocateRaw(SIZE); Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom("n".repeat(32));
            KernelException e = assertThrows(KernelException.class,
                    () -> Syscalls.ioctl(raw, DmaBuf.DMA_BUF_SET_NAME, name));
            assertEquals("DMA_BUF_SET_NAME_B on dma-buf (/dev/dma_heap/system): EINVAL (Invalid argument)",
                    e.getMessage());
        }
    }

    @Test
    void everyCallOnAClosedBufferFailsWithEbadf() throws Exception {
        DmaBuf buffer = allocate(SIZE);
        CpuAccess open = buffer.cpuAccess(Access.WRITE);
        buffer.close();
        buffer.close(); // idempotent
        open.close();   // nothing left to end
        assertEquals(-1, buffer.fd());
        KernelException sync = assertThrows(KernelException.class, () -> buffer.cpuAccess(Access.READ));
        assertEquals("DMA_BUF_IOCTL_SYNC on dma-buf (/dev/dma_heap/system): EBADF (Bad file descriptor):"
                + " the fd was already closed", sync.getMessage());
        assertEquals(Errno.EBADF, assertThrows(KernelException.class,
                () -> buffer.exportSyncFile(Access.READ)).errno());
        assertEquals(Errno.EBADF, assertThrows(KernelException.class,
                () -> buffer.awaitIdle(Access.READ, Duration.ZERO)).errno());
        assertEquals(Errno.EBADF, assertThrows(KernelException.class, buffer::exporter).errno());
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(Errno.EBADF, assertThrows(KernelException.class,
                    () -> buffer.map(arena, Access.READ)).errno());
        }
    }

    @Test
    void syncFileAdoptAcceptsAnExportedFenceAndRejectsADmaBuf() throws Exception {
        try (DmaBuf buffer = allocate(SIZE); SyncFile exported = buffer.exportSyncFile(Access.READ)) {
            try (SyncFile adopted = SyncFile.adopt(exported.ownedFd().duplicate())) {
                assertTrue(adopted.await(Duration.ZERO));
            }
            OwnedFd notAFence = allocateRaw(SIZE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SyncFile.adopt(notAFence));
            assertTrue(e.getMessage().startsWith("dma-buf (/dev/dma_heap/system) is not a sync_file: fd "),
                    e.getMessage());
            assertFalse(notAFence.isOpen());
        }
    }
}

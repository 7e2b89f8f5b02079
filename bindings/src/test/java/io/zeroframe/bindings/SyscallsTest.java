package io.zeroframe.bindings;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.dma_heap.dma_heap_allocation_data;
import io.zeroframe.bindings.dma_heap.dma_heap_h;
import io.zeroframe.bindings.libc.libc_h;
import io.zeroframe.bindings.sys.FileStatus;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class SyscallsTest {
    static final IoctlRequest FIONREAD = IoctlRequest.of("FIONREAD", libc_h.FIONREAD());
    static final IoctlRequest DMA_HEAP_IOCTL_ALLOC =
            IoctlRequest.of("DMA_HEAP_IOCTL_ALLOC", dma_heap_h.DMA_HEAP_IOCTL_ALLOC());




    @Test
    void ioctlOnAPipeReturnsWhatTheKernelWrote() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd in = pipe[0]; OwnedFd out = pipe[1]; Arena arena = Arena.ofConfined()) {
            Syscalls.write(out, arena.allocateFrom("zeroframe"));
            MemorySegment available = arena.allocate(JAVA_INT);
            assertEquals(0, Syscalls.ioctl(in, FIONREAD, available));
            assertEquals(10, available.get(JAVA_INT, 0));
            MemorySegment buffer = arena.allocate(10);
            assertEquals(10, Syscalls.read(in, buffer));
            assertEquals("zeroframe", buffer.getString(0));
        }
    }

    @Test
    void ioctlTheFileDoesNotKnowNamesRequestAndPath() throws Exception {
        try (OwnedFd memfd = Syscalls.memfdCreate("frames", 0); Arena arena = Arena.ofConfined()) {
            MemorySegment request = dma_heap_allocation_data.allocate(arena);
            KernelException e = assertThrows(KernelException.class,
                    () -> Syscalls.ioctl(memfd, DMA_HEAP_IOCTL_ALLOC, request));
            assertEquals("DMA_HEAP_IOCTL_ALLOC on memfd:frames: ENOTTY (Inappropriate ioctl for device)",
                    e.getMessage());
            assertEquals(-Errno.ENOTTY, Syscalls.tryIoctl(memfd, DMA_HEAP_IOCTL_ALLOC, request));
        }
    }

    @Test
    void ioctlRefusesAnArgumentSmallerThanTheRequestEncodes() throws Exception {
        try (OwnedFd memfd = Syscalls.memfdCreate("small", 0); Arena arena = Arena.ofConfined()) {
            assertEquals(24, DMA_HEAP_IOCTL_ALLOC.argumentSize());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Syscalls.ioctl(memfd, DMA_HEAP_IOCTL_ALLOC, arena.allocate(8)));
            assertEquals("DMA_HEAP_IOCTL_ALLOC needs a 24-byte argument, got 8 bytes", e.getMessage());
        }
    }

    @Test
    void ioctlOnAClosedFdFailsWithEbadf() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        pipe[1].close();
        pipe[0].close();
        try (Arena arena = Arena.ofConfined()) {
            KernelException e = assertThrows(KernelException.class,
                    () -> Syscalls.ioctl(pipe[0], FIONREAD, arena.allocate(JAVA_INT)));
            assertEquals("FIONREAD on pipe (read end): EBADF (Bad file descriptor): the fd was already closed",
                    e.getMessage());
        }
    }

    @Test
    void openOfAMissingNodeNamesThePath() {
        KernelException e = assertThrows(KernelException.class,
                () -> Syscalls.open(Path.of("/dev/zeroframe-missing0"), Syscalls.O_RDWR));
        assertEquals("open on /dev/zeroframe-missing0: ENOENT (No such file or directory)", e.getMessage());
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void openSetsCloseOnExec() throws Exception {
        try (OwnedFd fd = Syscalls.open(Path.of("/dev/null"), Syscalls.O_RDWR)) {
            assertEquals(1, Syscalls.fcntl(fd, Syscalls.F_GETFD, 0) & 1);
            assertEquals("/dev/null", fd.path());
            FileStatus status = Syscalls.fstat(fd);
            assertTrue(status.isCharacterDevice());
            assertEquals(1, status.rdevMajor());
            assertEquals(3, status.rdevMinor());
        }
    }

    @Test
    void fstatAgreesWithTheFileSystem() throws Exception {
        try (OwnedFd memfd = Syscalls.memfdCreate("stat", 0); Arena arena = Arena.ofConfined()) {
            Syscalls.write(memfd, arena.allocate(12345));
            FileStatus status = Syscalls.fstat(memfd);
            Path link = Path.of("/proc/self/fd/" + memfd.get());
            assertEquals(12345, status.size());
            assertTrue(status.isRegularFile());
            assertEquals(((Number) Files.getAttribute(link, "unix:ino")).longValue(), status.inode());
            assertEquals((int) Files.getAttribute(link, "unix:mode"), status.mode());
            assertEquals((int) Files.getAttribute(link, "unix:uid"), status.uid());
            assertEquals(12345, Syscalls.lseek(memfd, 0, Syscalls.SEEK_END));
            assertEquals(0, Syscalls.lseek(memfd, 0, Syscalls.SEEK_SET));
        }
    }

    @Test
    void mappingIsBoundedAndUnmappedWithItsArena() throws Exception {
        MemorySegment mapping;
        try (OwnedFd memfd = Syscalls.memfdCreate("map", 0)) {
            try (Arena arena = Arena.ofConfined()) {
                Syscalls.write(memfd, arena.allocate(8192));
            }
            Arena arena = Arena.ofConfined();
            mapping = Syscalls.mmap(memfd, "mmap", 0, 8192, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                    Syscalls.MAP_SHARED, arena);
            assertEquals(8192, mapping.byteSize());
            mapping.set(JAVA_BYTE, 4096, (byte) 0x5a);
            assertThrows(IndexOutOfBoundsException.class, () -> mapping.get(JAVA_BYTE, 8192));
            assertTrue(ProcessFds.mappingsOf("/memfd:map") > 0);
            arena.close();
            assertEquals(0, ProcessFds.mappingsOf("/memfd:map"), "mapping still present after its arena closed");
            assertThrows(IllegalStateException.class, () -> mapping.get(JAVA_BYTE, 0));

            try (Arena readArena = Arena.ofConfined()) {
                MemorySegment page = readArena.allocate(4097);
                Syscalls.lseek(memfd, 0, Syscalls.SEEK_SET);
                Syscalls.read(memfd, page);
                assertEquals((byte) 0x5a, page.get(JAVA_BYTE, 4096), "write through the mapping lost");
            }
        }
    }

    @Test
    void aMappingWithoutWriteProtectionIsReadOnly() throws Exception {
        try (OwnedFd memfd = Syscalls.memfdCreate("readonly", 0); Arena arena = Arena.ofConfined()) {
            Syscalls.write(memfd, arena.allocate(4096));
            MemorySegment page = Syscalls.mmap(memfd, "mmap", 0, 4096, Syscalls.PROT_READ, Syscalls.MAP_SHARED,
                    arena);
            assertTrue(page.isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> page.set(JAVA_BYTE, 0, (byte) 1));
            assertEquals(0, page.get(JAVA_BYTE, 0));
        }
    }

    @Test
    void mmapFailureNamesOperationAndPath() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd in = pipe[0]; OwnedFd out = pipe[1]; Arena arena = Arena.ofConfined()) {
            KernelException e = assertThrows(KernelException.class, () -> Syscalls.mmap(in, "mmap", 0, 4096,
                    Syscalls.PROT_READ, Syscalls.MAP_SHARED, arena));
            assertEquals("mmap on pipe (read end): ENODEV (No such device)", e.getMessage());
            assertEquals(KernelException.class, e.getClass(), "an exporter without mmap is no vanished device");
            assertThrows(IllegalArgumentException.class, () -> Syscalls.mmap(in, "mmap", 0, 0,
                    Syscalls.PROT_READ, Syscalls.MAP_SHARED, arena));
        }
    }

    @Test
    void sealingPastTheSealIsAPlainErrorThatNamesTheSeal() throws Exception {
        try (OwnedFd memfd = Syscalls.memfdCreate("sealed", Syscalls.MFD_ALLOW_SEALING)) {
            Syscalls.fcntl(memfd, Syscalls.F_ADD_SEALS, Syscalls.F_SEAL_SHRINK | Syscalls.F_SEAL_SEAL);
            KernelException e = assertThrows(KernelException.class,
                    () -> Syscalls.fcntl(memfd, Syscalls.F_ADD_SEALS, Syscalls.F_SEAL_GROW));
            assertEquals(KernelException.class, e.getClass(), "a seal is not a device permission");
            assertEquals("fcntl on memfd:sealed: EPERM (Operation not permitted): F_SEAL_SEAL forbids adding seals",
                    e.getMessage());
            assertEquals(Syscalls.F_SEAL_SHRINK | Syscalls.F_SEAL_SEAL,
                    Syscalls.fcntl(memfd, Syscalls.F_GET_SEALS, 0));
        }
    }

    @Test
    void pollReportsReadinessAndTimesOut() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd in = pipe[0]; OwnedFd out = pipe[1]; Arena arena = Arena.ofConfined()) {
            MemorySegment pollFd = arena.allocate(Syscalls.POLLFD);
            pollFd.set(JAVA_INT, 0, in.get());
            pollFd.set(JAVA_SHORT, 4, Syscalls.POLLIN);
            long start = System.nanoTime();
            assertEquals(0, Syscalls.poll(pollFd, 1, 50));
            assertTrue(System.nanoTime() - start >= 45_000_000L, "poll returned before its timeout");
            Syscalls.write(out, arena.allocateFrom("x"));
            assertEquals(1, Syscalls.poll(pollFd, 1, 1000));
            assertEquals(Syscalls.POLLIN, pollFd.get(JAVA_SHORT, 6));
        }
    }

    @Test
    void fileSystemMagicTellsAMemfdFromADmaBuf() throws Exception {
        try (OwnedFd memfd = Syscalls.memfdCreate("magic", 0)) {
            long magic = Syscalls.fileSystemMagic(memfd);
            assertTrue(magic != 0 && magic != Syscalls.DMA_BUF_MAGIC, Long.toHexString(magic));
            assertEquals(0x444d4142L, Syscalls.DMA_BUF_MAGIC, "\"DMAB\"");
        }
        OwnedFd closed = Syscalls.memfdCreate("gone", 0);
        closed.close();
        assertEquals("fstatfs on memfd:gone: EBADF (Bad file descriptor): the fd was already closed",
                assertThrows(KernelException.class, () -> Syscalls.fileSystemMagic(closed)).getMessage());
    }

    @Test
    void memfdNamesThatAreTooLongAreRejected() {
        KernelException e = assertThrows(KernelException.class, () -> Syscalls.memfdCreate("x".repeat(300), 0));
        assertEquals("memfd_create: EINVAL (Invalid argument): the name is 300 bytes, at most 249 (MFD_NAME_MAX_LEN)"
                + " fit", e.getMessage());
        assertFalse(e instanceof DeviceGoneException);
    }

}

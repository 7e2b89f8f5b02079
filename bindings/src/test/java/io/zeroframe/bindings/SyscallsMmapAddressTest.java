package io.zeroframe.bindings;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The allocation-free mapping pair {@code mmapAddress} / {@code munmap(long, long)}, and {@code FIONREAD}. */
@ExtendWith(NoLeaks.class)
class SyscallsMmapAddressTest {



    @Test
    void mappingByAddressWritesThroughAndIsGoneAfterMunmap() throws Exception {
        try (OwnedFd memfd = Syscalls.memfdCreate("mapaddr", 0); Arena arena = Arena.ofConfined()) {
            Syscalls.write(memfd, arena.allocate(8192));
            long address = Syscalls.mmapAddress(memfd, "mmap", 0, 8192,
                    Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED);
            assertNotEquals(0, address);
            assertEquals(0, address % 4096, "not page aligned");
            MemorySegment.ofAddress(address).reinterpret(8192).set(JAVA_BYTE, 4096, (byte) 0x5a);
            assertEquals(1, ProcessFds.mappingsOf("/memfd:mapaddr"));
            Syscalls.munmap(address, 8192);
            assertEquals(0, ProcessFds.mappingsOf("/memfd:mapaddr"), "mapping still present after munmap");

            MemorySegment page = arena.allocate(8192);
            Syscalls.lseek(memfd, 0, Syscalls.SEEK_SET);
            Syscalls.read(memfd, page);
            assertEquals((byte) 0x5a, page.get(JAVA_BYTE, 4096), "write through the mapping lost");
        }
    }

    @Test
    void mappingByAddressFailuresNameOperationAndPath() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd in = pipe[0]; OwnedFd out = pipe[1]) {
            KernelException e = assertThrows(KernelException.class, () -> Syscalls.mmapAddress(in, "mmap", 0, 4096,
                    Syscalls.PROT_READ, Syscalls.MAP_SHARED));
            assertEquals("mmap on pipe (read end): ENODEV (No such device)", e.getMessage());
            assertEquals(KernelException.class, e.getClass());
            IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                    () -> Syscalls.mmapAddress(in, "mmap", 0, 0, Syscalls.PROT_READ, Syscalls.MAP_SHARED));
            assertEquals("mmap on pipe (read end): length must be positive: 0", length.getMessage());
        }
        OwnedFd closed = Syscalls.memfdCreate("closed", 0);
        closed.close();
        KernelException e = assertThrows(KernelException.class, () -> Syscalls.mmapAddress(closed, "mmap", 0, 4096,
                Syscalls.PROT_READ, Syscalls.MAP_SHARED));
        assertEquals(Errno.EBADF, e.errno());
    }

    @Test
    void munmapOfAnUnalignedAddressIsEinval() {
        KernelException e = assertThrows(KernelException.class, () -> Syscalls.munmap(4097L, 4096));
        assertEquals("munmap: EINVAL (Invalid argument)", e.getMessage());
    }

    @Test
    void fionreadCountsWhatAPipeHolds() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd in = pipe[0]; OwnedFd out = pipe[1]; Arena arena = Arena.ofConfined()) {
            MemorySegment available = arena.allocate(JAVA_INT);
            Syscalls.ioctl(in, Syscalls.FIONREAD, available);
            assertEquals(0, available.get(JAVA_INT, 0));
            Syscalls.write(out, arena.allocate(7));
            Syscalls.ioctl(in, Syscalls.FIONREAD, available);
            assertEquals(7, available.get(JAVA_INT, 0));
            assertEquals("FIONREAD", Syscalls.FIONREAD.name());
        }
    }
}

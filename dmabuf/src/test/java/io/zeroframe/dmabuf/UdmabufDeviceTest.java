package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** udmabuf against /dev/udmabuf, mirroring the kernel's udmabuf selftest. */
@Tag("device")
class UdmabufDeviceTest extends DeviceTestSupport {
    private static final long PAGE = Syscalls.pageSize();
    private static final long SIZE = 16 * PAGE;

    private static OwnedFd memfd(String name, boolean seal) throws KernelException {
        OwnedFd memfd = Syscalls.memfdCreate(name, Syscalls.MFD_ALLOW_SEALING);
        try (Arena arena = Arena.ofConfined()) {
            // grow to SIZE by writing its last byte
            Syscalls.lseek(memfd, SIZE - 1, Syscalls.SEEK_SET);
            Syscalls.write(memfd, arena.allocate(1));
            if (seal) {
                Syscalls.fcntl(memfd, Syscalls.F_ADD_SEALS, Syscalls.F_SEAL_SHRINK);
            }
            return memfd;
        } catch (KernelException | RuntimeException e) {
            memfd.close();
            throw e;
        }
    }

    @Test
    void memfdPagesBecomeADmaBuf() throws Exception {
        require(Udmabuf.DEVICE);
        try (OwnedFd memfd = memfd("frames", true);
             DmaBuf buffer = Udmabuf.create(memfd, PAGE, 4 * PAGE);
             Arena arena = Arena.ofConfined()) {
            assertEquals(4 * PAGE, buffer.size());
            assertEquals("udmabuf", buffer.exporter());
            MemorySegment whole = Syscalls.mmap(memfd, "mmap", 0, SIZE,
                    Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, arena);
            whole.set(JAVA_LONG, PAGE, 0x1122334455667788L);
            MemorySegment view = buffer.map(arena, Access.READ);
            try (CpuAccess cpu = buffer.cpuAccess(Access.READ)) {
                assertEquals(0x1122334455667788L, view.get(JAVA_LONG, 0), "the dma-buf shares the memfd's pages");
            }
        }
    }

    @Test
    void aListJoinsRegionsInOrder() throws Exception {
        require(Udmabuf.DEVICE);
        try (OwnedFd memfd = memfd("list", true);
             DmaBuf buffer = Udmabuf.createList(List.of(
                     new Udmabuf.Region(memfd, 2 * PAGE, PAGE), new Udmabuf.Region(memfd, 0, 2 * PAGE)));
             Arena arena = Arena.ofConfined()) {
            assertEquals(3 * PAGE, buffer.size());
            MemorySegment whole = Syscalls.mmap(memfd, "mmap", 0, SIZE,
                    Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, arena);
            whole.set(JAVA_LONG, 2 * PAGE, 7L);
            whole.set(JAVA_LONG, 0, 9L);
            MemorySegment view = buffer.map(arena, Access.READ);
            assertEquals(7L, view.get(JAVA_LONG, 0));
            assertEquals(9L, view.get(JAVA_LONG, PAGE));
        }
    }

    @Test
    void misalignedOffsetAndSizeAreRejectedWithEinval() throws Exception {
        require(Udmabuf.DEVICE);
        try (OwnedFd memfd = memfd("misaligned", true)) {
            KernelException offset = assertThrows(KernelException.class, () -> Udmabuf.create(memfd, 100, PAGE));
            assertEquals("UDMABUF_CREATE on /dev/udmabuf: EINVAL (Invalid argument): offset 100 is not a multiple"
                    + " of the page size " + PAGE, offset.getMessage());
            KernelException size = assertThrows(KernelException.class, () -> Udmabuf.create(memfd, 0, PAGE + 1));
            assertEquals("UDMABUF_CREATE on /dev/udmabuf: EINVAL (Invalid argument): size " + (PAGE + 1) + " is not a"
                    + " positive multiple of the page size " + PAGE, size.getMessage());
            KernelException negative = assertThrows(KernelException.class, () -> Udmabuf.create(memfd, -PAGE, PAGE));
            assertEquals("UDMABUF_CREATE on /dev/udmabuf: EINVAL (Invalid argument): offset " + -PAGE
                    + " is negative", negative.getMessage());
            KernelException overflow = assertThrows(KernelException.class,
                    () -> Udmabuf.create(memfd, Long.MAX_VALUE - PAGE + 1, 2 * PAGE));
            assertEquals("UDMABUF_CREATE on /dev/udmabuf: EINVAL (Invalid argument): offset + size overflows a 64-bit"
                    + " file offset", overflow.getMessage());
        }
    }

    @Test
    void anUnsealedMemfdIsRejectedWithEinval() throws Exception {
        require(Udmabuf.DEVICE);
        try (OwnedFd memfd = memfd("unsealed", false)) {
            KernelException e = assertThrows(KernelException.class, () -> Udmabuf.create(memfd, 0, PAGE));
            assertEquals("UDMABUF_CREATE on /dev/udmabuf: EINVAL (Invalid argument): memfd:unsealed is not sealed"
                    + " with F_SEAL_SHRINK (create it with MFD_ALLOW_SEALING, then fcntl(F_ADD_SEALS,"
                    + " F_SEAL_SHRINK))", e.getMessage());
        }
    }

    @Test
    void aPipeInsteadOfAMemfdIsRejected() throws Exception {
        require(Udmabuf.DEVICE);
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1]) {
            KernelException e = assertThrows(KernelException.class, () -> Udmabuf.create(readEnd, 0, PAGE));
            assertEquals("EBADFD", e.errnoName(), e.getMessage()); // not EBADF: the fd is valid, just not a memfd
        }
    }
}

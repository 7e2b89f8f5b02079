package io.zeroframe.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.FileStatus;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class OwnedFdTest {



    @Test
    void closeIsIdempotentAndFreesTheFd() throws Exception {
        OwnedFd fd = Syscalls.memfdCreate("zf-close", 0);
        int raw = fd.get();
        assertTrue(Files.exists(Path.of("/proc/self/fd/" + raw)));
        fd.close();
        fd.close();
        assertFalse(fd.isOpen());
        assertEquals(-1, fd.get());
        assertEquals("closed fd (memfd:zf-close)", fd.toString());
        assertFalse(ProcessFds.list().containsKey(raw), "fd " + raw + " still open");
    }

    @Test
    void releaseTransfersOwnership() throws Exception {
        OwnedFd fd = Syscalls.memfdCreate("zf-release", 0);
        int raw = fd.release();
        fd.close(); // must not close the released fd
        assertTrue(ProcessFds.list().get(raw).startsWith("/memfd:zf-release"));
        try (OwnedFd adopted = OwnedFd.adopt(raw, "memfd:zf-release")) {
            assertEquals(raw, adopted.get());
        }
        assertThrows(IllegalStateException.class, fd::release);
    }

    @Test
    void duplicateIsANewFdForTheSameFile() throws Exception {
        try (OwnedFd fd = Syscalls.memfdCreate("zf-dup", 0); OwnedFd copy = fd.duplicate()) {
            assertNotEquals(fd.get(), copy.get());
            assertEquals(fd.path(), copy.path());
            FileStatus a = Syscalls.fstat(fd);
            FileStatus b = Syscalls.fstat(copy);
            assertEquals(a.inode(), b.inode());
            int fdFlags = Syscalls.fcntl(copy, Syscalls.F_GETFD, 0);
            assertEquals(1, fdFlags & 1, "FD_CLOEXEC not set on the duplicate");
        }
    }

    @Test
    void adoptRejectsNegativeFds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OwnedFd.adopt(-1, "/dev/x"));
        assertEquals("not a file descriptor: -1 (/dev/x)", e.getMessage());
    }

    @Test
    void usingAClosedFdFailsWithEbadfWithoutReachingTheKernel() throws Exception {
        OwnedFd fd = Syscalls.memfdCreate("zf-closed", 0);
        fd.close();
        KernelException e = assertThrows(KernelException.class, fd::duplicate);
        assertEquals("fcntl on memfd:zf-closed: EBADF (Bad file descriptor): the fd was already closed",
                e.getMessage());
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("EBADF", e.errnoName());
        assertEquals("fcntl", e.operation());
        assertEquals("memfd:zf-closed", e.path());
    }

    @Test
    void closingAnFdSomethingElseClosedIsReported() throws Exception {
        OwnedFd fd = Syscalls.memfdCreate("zf-stolen", 0);
        assertEquals(0, Syscalls.close(fd.get()));
        IllegalStateException e = assertThrows(IllegalStateException.class, fd::close);
        assertTrue(e.getMessage().startsWith("close on memfd:zf-stolen: EBADF (Bad file descriptor): fd "),
                e.getMessage());
        fd.close();
    }
}

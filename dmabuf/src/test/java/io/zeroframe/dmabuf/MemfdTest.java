package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class MemfdTest {
    private static final long PAGE = Syscalls.pageSize();

    @Test
    void aMemfdIsSizedSealedAndMappable() throws Exception {
        Map<Integer, String> before = ProcessFds.list();
        try (Memfd memory = Memfd.create("zf-frames", 3 * PAGE)) {
            assertEquals(3 * PAGE, memory.size());
            assertEquals(Syscalls.F_SEAL_SHRINK | Syscalls.F_SEAL_GROW,
                    Syscalls.fcntl(memory.fd(), Syscalls.F_GET_SEALS, 0));
            assertEquals(3 * PAGE, Syscalls.fstat(memory.fd()).size());
            try (Arena arena = Arena.ofConfined()) {
                memory.map(arena).set(JAVA_LONG, 2 * PAGE, 0x1234L);
            }
            try (Arena arena = Arena.ofConfined()) {
                assertEquals(0x1234L, memory.map(arena).get(JAVA_LONG, 2 * PAGE), "not shared memory");
            }
            KernelException grow = assertThrows(KernelException.class, () -> Syscalls.ftruncate(memory.fd(), 8 * PAGE));
            assertEquals(KernelException.class, grow.getClass(), "a seal is not a device permission");
            assertEquals("ftruncate on memfd:zf-frames: EPERM (Operation not permitted): a seal (F_SEAL_GROW or"
                    + " F_SEAL_SHRINK) forbids changing this file's size", grow.getMessage());
        }
        assertEquals(before, ProcessFds.list());
    }

    @Test
    void namesThatTheKernelWouldCutOrRefuseAreRejectedUpFront() {
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> Memfd.create("cam\0era", PAGE));
        assertEquals("memfd_create: memfd name (MFD_NAME_MAX_LEN 249): must not contain NUL: \"cam\0era\"",
                nul.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> Memfd.create("x".repeat(250), PAGE));
        assertEquals("memfd_create: memfd name (MFD_NAME_MAX_LEN 249): \"" + "x".repeat(250) + "\" is 250 bytes in"
                + " UTF-8, at most 249 fit", tooLong.getMessage());
    }

    @Test
    void sizesMustBeWholePages() {
        Map<Integer, String> before = ProcessFds.list();
        assertEquals("memfd odd: size 100 is not a positive multiple of the page size " + PAGE,
                assertThrows(IllegalArgumentException.class, () -> Memfd.create("odd", 100)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Memfd.create("empty", 0));
        assertEquals(before, ProcessFds.list());
    }
}

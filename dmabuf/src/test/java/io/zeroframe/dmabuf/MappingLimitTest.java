package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Near the process's mapping limit ({@code vm.max_map_count}) mapping must fail with a clear ENOMEM, not abort the
 * JVM: a JVM at the limit dies itself (its JIT cannot commit code memory; measured here, hs_err "failed to map
 * 65536 bytes"), so Zeroframe refuses first and keeps a reserve. Closing the arena gives every mapping back.
 */
@ExtendWith(NoLeaks.class)
class MappingLimitTest {
    @Test
    void mappingUntilTheLimitFailsWithEnomemAndTheJvmCarriesOn() throws Exception {
        long page = Syscalls.pageSize();
        try (Memfd memory = Memfd.create("limit", page)) {
            int mapped = 0;
            KernelException e;
            try (Arena arena = Arena.ofConfined()) {
                e = assertThrows(KernelException.class, () -> {
                    while (true) {
                        memory.map(arena);
                    }
                });
                mapped = (int) io.zeroframe.bindings.sys.ProcessFds.mappingsOf("/memfd:limit");
            }
            assertEquals(Errno.ENOMEM, e.errno(), e.getMessage());
            assertTrue(e.getMessage().startsWith("mmap on memfd:limit: ENOMEM (Cannot allocate memory): refused before"
                    + " the kernel: this process holds "), e.getMessage());
            assertTrue(e.getMessage().endsWith("at which the JVM itself aborts; close the arenas of mappings no longer"
                    + " used"), e.getMessage());
            assertTrue(mapped > 1000, "only " + mapped + " mappings before ENOMEM");
            try (Arena arena = Arena.ofConfined()) {
                memory.map(arena); // the budget came back with the arena
            }
        }
    }
}

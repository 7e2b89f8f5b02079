package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Checks the queue's device tests share: fds of a node, bounded waits, and a full mapping budget. */
final class QueueTestSupport {
    private QueueTestSupport() {}

    static long fdsOf(Path node) {
        return ProcessFds.list().values().stream().filter(node.toString()::equals).count();
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void awaitTrue(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
            Thread.sleep(5);
        }
    }

    /** Waits (bounded) until a thread of this process is inside {@code read(fd, ...)} (syscall 0 on x86-64). */
    static void awaitBlockedInRead(int fd) throws Exception {
        String prefix = "0 0x" + Integer.toHexString(fd) + " ";
        awaitTrue(() -> {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                return tasks.anyMatch(task -> {
                    try {
                        return Files.readString(task.resolve("syscall")).startsWith(prefix);
                    } catch (IOException e) {
                        return false; // the thread ended
                    }
                });
            }
        }, "a thread blocked in read(" + fd + ")");
    }

    /**
     * Holds Zeroframe mappings of a memfd page until {@code Syscalls.mmap} refuses the next one (its budget below
     * {@code vm.max_map_count}), then gives back {@code spare}: the next mapping after those fails with ENOMEM.
     */
    record MappingBudget(OwnedFd memfd, Arena held) implements AutoCloseable {
        static MappingBudget fillLeaving(int spare) throws KernelException {
            OwnedFd memfd = Syscalls.memfdCreate("mapping-budget", Syscalls.MFD_CLOEXEC);
            Arena held = Arena.ofShared();
            Arena spared = Arena.ofShared();
            try {
                Syscalls.ftruncate(memfd, Syscalls.pageSize());
                for (int i = 0; i < spare; i++) {
                    map(memfd, spared);
                }
                AtomicLong count = new AtomicLong();
                while (true) {
                    try {
                        map(memfd, held);
                        count.incrementAndGet();
                    } catch (KernelException e) {
                        assertEquals(Errno.ENOMEM, e.errno(), e.getMessage());
                        break;
                    }
                }
                System.out.println("mapping budget: " + count + " mappings held, " + spare + " spare");
            } catch (KernelException | RuntimeException | Error e) {
                held.close();
                memfd.close();
                throw e;
            } finally {
                spared.close();
            }
            return new MappingBudget(memfd, held);
        }

        private static void map(OwnedFd memfd, Arena arena) throws KernelException {
            Syscalls.mmap(memfd, "mmap", 0, Syscalls.pageSize(), Syscalls.PROT_READ, Syscalls.MAP_SHARED, arena);
        }

        @Override
        public void close() {
            held.close();
            memfd.close();
        }
    }
}

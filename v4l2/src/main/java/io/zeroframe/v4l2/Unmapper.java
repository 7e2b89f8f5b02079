package io.zeroframe.v4l2;

import java.lang.foreign.Arena;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the shared arenas that hold a queue's mappings. A shared arena cannot close while a native call on another
 * thread holds one of its segments (a plane passed to {@code read(2)}, say); the queue must not wait for such a call,
 * which may block for ever, so the arena is then closed as soon as the call returns, by a virtual thread that
 * retries. The buffers themselves are freed at once: the kernel keeps mapped memory alive until its last mapping
 * goes, so the late unmapping touches nothing freed.
 */
final class Unmapper {
    private static final Logger LOG = LoggerFactory.getLogger(Unmapper.class);
    private static final int SPINS = 1_000;
    private static final long LONGEST_PAUSE_NANOS = 100_000_000L;

    private Unmapper() {}

    /** Closes {@code arena} now, or once no native call holds its segments; {@code what} names it in the log. */
    static void close(Arena arena, String what) {
        for (int i = 0; i < SPINS; i++) {
            if (tryClose(arena)) {
                return;
            }
            Thread.onSpinWait(); // a short call (a copy) ends soon
        }
        LOG.warn("{}: a native call on another thread holds its memory; it is unmapped when that call returns", what);
        Thread.ofVirtual().name("zeroframe-unmap").start(() -> {
            long pause = 1_000_000L;
            while (!tryClose(arena)) {
                LockSupport.parkNanos(pause);
                pause = Math.min(LONGEST_PAUSE_NANOS, pause * 2);
            }
            LOG.info("{}: unmapped", what);
        });
    }

    private static boolean tryClose(Arena arena) {
        try {
            arena.close();
            return true;
        } catch (IllegalStateException e) {
            return !arena.scope().isAlive(); // closed already, or held by a native call
        }
    }
}

package io.zeroframe.bindings.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zeroframe.bindings.sys.ProcessFds;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The leak check every Zeroframe test class uses ({@code @ExtendWith(NoLeaks.class)}): the process's open fds
 * (number and target) and its dma-buf and memfd mappings must be the same after each test as before it.
 * Shared with the other modules' tests through this module's test-jar.
 */
public final class NoLeaks implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoLeaks.class);

    static {
        // The JDK opens /dev/random and /dev/urandom for good on first use of SecureRandom (JUnit's @TempDir
        // names use it): open them before the first snapshot, so that they do not count as a test's leak.
        new java.security.SecureRandom().nextInt();
    }

    /** What is counted: fds and the mappings that Zeroframe makes. */
    public record Snapshot(Map<Integer, String> fds, long dmaBufMappings, long memfdMappings) {
        /** This process, now. */
        public static Snapshot take() {
            return new Snapshot(ProcessFds.list(), ProcessFds.mappingsOf("/dmabuf:"), ProcessFds.mappingsOf("/memfd:"));
        }

        /**
         * Fails the test, naming what changed, unless the process is as this snapshot found it. A difference gets
         * up to a second to settle, for what the JDK closes on its own threads; a leak stays. One difference is not
         * the test's: a pipe open before it that is gone after it. The JDK's process reaper closes a child process's
         * pipes on its own thread, possibly after the test that ran the child ended (child processes should still be
         * run through {@link Commands}, which closes their pipes before returning). Any other fd that vanished (a
         * device, a dma-buf, a sync_file) still fails: that is a close of somebody else's fd.
         */
        public void assertUnchanged(String when) {
            Snapshot now = take();
            for (int i = 0; i < 20 && !now.equals(withoutVanishedPipes(now)); i++) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                now = take();
            }
            assertEquals(withoutVanishedPipes(now).fds(), now.fds(), "open fds changed " + when);
            assertEquals(dmaBufMappings, now.dmaBufMappings(), "dma-buf mappings changed " + when);
            assertEquals(memfdMappings, now.memfdMappings(), "memfd mappings changed " + when);
        }

        /** This snapshot less the pipes that {@code now} no longer has (see {@link #assertUnchanged}). */
        private Snapshot withoutVanishedPipes(Snapshot now) {
            Map<Integer, String> kept = new java.util.TreeMap<>(fds);
            kept.entrySet().removeIf(fd -> fd.getValue().startsWith("pipe:") && !now.fds().containsKey(fd.getKey()));
            return new Snapshot(kept, dmaBufMappings, memfdMappings);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(context.getUniqueId(), Snapshot.take());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Snapshot before = context.getStore(NAMESPACE).remove(context.getUniqueId(), Snapshot.class);
        if (before != null && context.getExecutionException().isEmpty()) {
            before.assertUnchanged("by " + context.getDisplayName());
        }
    }
}

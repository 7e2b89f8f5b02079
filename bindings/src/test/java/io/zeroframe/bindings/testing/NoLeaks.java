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
         * up to a second to settle, for what the JDK closes on its own threads; a leak stays. (Child processes
         * must be run through {@link Commands}, which closes their pipes before returning: pipes the JDK closes
         * later could be in the next test's first snapshot and vanish during that test.)
         */
        public void assertUnchanged(String when) {
            Snapshot now = take();
            for (int i = 0; i < 20 && !now.equals(this); i++) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                now = take();
            }
            assertEquals(fds, now.fds(), "open fds changed " + when);
            assertEquals(dmaBufMappings, now.dmaBufMappings(), "dma-buf mappings changed " + when);
            assertEquals(memfdMappings, now.memfdMappings(), "memfd mappings changed " + when);
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

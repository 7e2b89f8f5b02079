package io.zeroframe.bindings.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.Pipe;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The leak check's own rules, on real fds of this process: an fd opened and left open fails it, a pipe that was open
 * before and is gone after does not (the JDK's process reaper closes a child's pipes on its own thread, possibly
 * during the next test), and any other fd that vanished fails it (a close of somebody else's fd).
 */
class NoLeaksTest {
    @Test
    void anFdLeftOpenFails() throws IOException {
        NoLeaks.Snapshot before = NoLeaks.Snapshot.take();
        try (FileInputStream leaked = new FileInputStream("/dev/null")) {
            assertThrows(AssertionFailedError.class, () -> before.assertUnchanged("with /dev/null open"));
        }
        before.assertUnchanged("after /dev/null was closed");
    }

    @Test
    void aPipeThatWasOpenBeforeAndClosedMeanwhileIsNotTheTestsLeak() throws IOException {
        Pipe pipe = Pipe.open();
        NoLeaks.Snapshot before = NoLeaks.Snapshot.take();
        pipe.source().close();
        pipe.sink().close();
        before.assertUnchanged("after closing a pipe opened before the snapshot");
    }

    @Test
    void anotherFdThatWasOpenBeforeAndClosedMeanwhileFails() throws IOException {
        FileInputStream other = new FileInputStream("/dev/null");
        NoLeaks.Snapshot before = NoLeaks.Snapshot.take();
        other.close();
        assertThrows(AssertionFailedError.class, () -> before.assertUnchanged("after /dev/null vanished"));
    }
}

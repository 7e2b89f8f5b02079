package io.zeroframe.bindings.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.ProcessFds;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandsTest {
    private static final List<String> BOTH_STREAMS = List.of("sh", "-c", "echo out; echo err >&2; exit 3");

    @Test
    void everyPipeIsClosedWhenRunReturnsNotLaterOnTheJdksReaperThread() throws Exception {
        Commands.check("true");
        Map<Integer, String> before = ProcessFds.list();
        for (int i = 0; i < 50; i++) {
            Commands.run(i % 2 == 0 ? Commands.Stderr.MERGED : Commands.Stderr.DISCARDED, BOTH_STREAMS);
            assertEquals(before, ProcessFds.list(), "open fds right after run " + i);
        }
    }

    @Test
    void stderrIsMergedOrDiscardedAndTheExitCodeIsKept() throws Exception {
        Commands.Result merged = Commands.run(Commands.Stderr.MERGED, BOTH_STREAMS);
        assertEquals(3, merged.exitCode());
        assertEquals("out\nerr\n", merged.output());
        assertEquals("out\n", Commands.run(Commands.Stderr.DISCARDED, BOTH_STREAMS).output());
    }

    @Test
    void aFailureNamesTheCommandItsExitCodeAndOutput() throws Exception {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> Commands.run(Commands.Stderr.MERGED, BOTH_STREAMS).requireSuccess());
        assertTrue(failure.getMessage().startsWith("sh -c echo out; echo err >&2; exit 3 failed (exit 3):\nout\nerr"),
                failure.getMessage());
        assertEquals("", Commands.check("true"));
    }
}

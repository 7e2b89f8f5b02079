package io.zeroframe.bindings.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.ProcessFds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandsTest {
    private static final List<String> BOTH_STREAMS = List.of("sh", "-c", "echo out; echo err >&2; exit 3");

    @Test
    void everyPipeIsClosedWhenRunReturnsNotLaterOnTheJdksReaperThread() throws Exception {
        Commands.check("true");
        Map<Integer, String> before = ProcessFds.list();
        for (int i = 0; i < 50; i++) {
            Commands.run(i % 2 == 0 ? Commands.Stderr.MERGED : Commands.Stderr.DISCARDED, BOTH_STREAMS);
            assertEquals(Map.of(), opened(before, ProcessFds.list()), "fds left open right after run " + i);
        }
    }

    /**
     * The fds in {@code after} that {@code before} did not have (or had for another file): what a run left open. An fd
     * that went away meanwhile is not a leak of the run's: another part of the JVM closed it (a CI run once saw a pipe
     * of the test JVM's own close between the two snapshots).
     */
    private static Map<Integer, String> opened(Map<Integer, String> before, Map<Integer, String> after) {
        Map<Integer, String> opened = new java.util.TreeMap<>(after);
        opened.entrySet().removeIf(fd -> fd.getValue().equals(before.get(fd.getKey())));
        return opened;
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

    @Test
    void aChildThatOutlivesItsBoundIsStoppedAndTheCallSaysSoWithWhatItPrinted() throws Exception {
        Map<Integer, String> before = ProcessFds.list();
        long start = System.nanoTime();
        IOException failure = assertThrows(IOException.class, () -> Commands.run(Commands.Stderr.MERGED,
                Duration.ofMillis(500), List.of("sh", "-c", "echo started; exec sleep 60")));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "the bound was not kept");
        assertTrue(failure.getMessage().startsWith("sh -c echo started; exec sleep 60 did not end in 500 ms"),
                failure.getMessage());
        assertTrue(failure.getMessage().endsWith("\nstarted"), failure.getMessage());
        assertEquals(Map.of(), opened(before, ProcessFds.list()), "fds left open after the stopped child");
    }

    @Test
    void stderrKeptApartIsInErrors() throws Exception {
        Commands.Result result = Commands.run(Commands.Stderr.SEPARATE, BOTH_STREAMS);
        assertEquals("out\n", result.output());
        assertEquals("err\n", result.errors());
        assertEquals("", Commands.run(Commands.Stderr.MERGED, BOTH_STREAMS).errors());
    }

    @Test
    void aJvmThatDiesOfAFatalErrorRunsOnceMoreAndItsSecondReportIsInTheOutput(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        Path program = dir.resolve("Crash.java");
        Files.writeString(program, """
                import java.nio.file.*;
                class Crash {
                    public static void main(String[] args) throws Exception {
                        Files.writeString(Path.of(args[0]), "run\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        if (args.length > 1) {
                            java.util.List<long[]> all = new java.util.ArrayList<>();
                            while (true) {
                                all.add(new long[1 << 20]);
                            }
                        }
                    }
                }
                """);
        Commands.Result crashed = Commands.java(Commands.Stderr.MERGED, Duration.ofSeconds(60), List.of("-Xmx64m",
                "-XX:+CrashOnOutOfMemoryError", program.toString(), runs.toString(), "crash"));
        assertNotEquals(0, crashed.exitCode());
        assertEquals(2, Files.readAllLines(runs).size(), "runs of a JVM that dies of a fatal error");
        assertTrue(crashed.output().contains("hs_err_pid"), crashed.output());
        Files.delete(runs);
        Commands.Result failed = Commands.java(Commands.Stderr.MERGED, Duration.ofSeconds(60),
                List.of(program.toString()));
        assertNotEquals(0, failed.exitCode(), "no argument: an exception, not a JVM fatal error");
        assertEquals(List.of(), Files.exists(runs) ? Files.readAllLines(runs) : List.of());
        assertEquals(0, Commands.java(Commands.Stderr.MERGED, Duration.ofSeconds(60),
                List.of(program.toString(), runs.toString())).exitCode());
        assertEquals(1, Files.readAllLines(runs).size(), "runs of a JVM that ends well");
    }
}

package io.zeroframe.bindings.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a peer tool (v4l2-ctl, modetest, gcc) or a child JVM from a test and returns what it printed.
 *
 * <p>The child writes into temporary files, never into pipes, and is waited for with a bound: a child that hangs
 * cannot block a read of its pipe past the test's timeout, and no pipe is left for the JDK's process reaper thread
 * to close later (the next test's {@link NoLeaks} snapshot would see fds vanish during the test). A child that
 * outlives its bound gets {@code SIGQUIT} first (a JVM prints every thread's stack), then is killed; the call then
 * throws with what it printed. A child is also killed when the calling thread is interrupted. Standard input is
 * {@code /dev/null}, so the child has no pipe to wait on there.
 */
public final class Commands {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final String JVM_FATAL_ERROR = "A fatal error has been detected by the Java Runtime Environment";

    private Commands() {}

    /** What becomes of the child's standard error. */
    public enum Stderr {
        /** Interleaved into the returned output, as a terminal shows it. */
        MERGED,
        /** Dropped: the output is standard output alone, for tools whose stdout is compared line by line. */
        DISCARDED,
        /** Kept apart, in {@link Result#errors}. */
        SEPARATE
    }

    /**
     * The exit status and output of a finished command.
     *
     * @param errors its standard error when run with {@link Stderr#SEPARATE}, else empty
     */
    public record Result(List<String> command, int exitCode, String output, String errors) {
        /** The output, or an {@link AssertionError} naming the command, its exit status and output. */
        public String requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + exitCode + "):\n"
                        + head(output + errors, 40));
            }
            return output;
        }
    }

    /** Runs {@code command} with its standard error merged and fails unless it exits with 0. */
    public static String check(String... command) throws IOException, InterruptedException {
        return run(Stderr.MERGED, List.of(command)).requireSuccess();
    }

    /** Runs {@code command} to its end (at most 60 s, then it is stopped and this throws). */
    public static Result run(Stderr stderr, List<String> command) throws IOException, InterruptedException {
        return run(stderr, DEFAULT_TIMEOUT, command);
    }

    /**
     * Runs {@code command} to its end, at most {@code timeout}: then it gets {@code SIGQUIT}, 5 s later
     * {@code SIGKILL}, and this throws an {@link IOException} with the end of what it printed (all of it goes to
     * {@code System.out}).
     */
    public static Result run(Stderr stderr, Duration timeout, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("command", ".out");
        Path err = stderr == Stderr.SEPARATE ? Files.createTempFile("command", ".err") : null;
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile());
            switch (stderr) {
                case MERGED -> builder.redirectErrorStream(true);
                case DISCARDED -> builder.redirectError(ProcessBuilder.Redirect.DISCARD);
                case SEPARATE -> builder.redirectError(err.toFile());
            }
            Process process = builder.start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    // no pipe to kill either: the JDK's reaper would close it later, under the next test's NoLeaks
                    new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid()))
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                    process.waitFor(5, TimeUnit.SECONDS);
                    process.destroyForcibly().waitFor();
                    String printed = text(out)
                            + (err != null ? text(err) : "");
                    System.out.println(String.join(" ", command) + " did not end in " + span(timeout)
                            + "; it printed:\n" + printed);
                    throw new IOException(String.join(" ", command) + " did not end in " + span(timeout)
                            + " (stopped with SIGQUIT, then killed); the end of what it printed:\n"
                            + tail(printed, 40));
                }
            } finally { // also when this thread is interrupted: no child outlives the call
                if (process.isAlive()) {
                    process.destroyForcibly().waitFor();
                }
            }
            return new Result(List.copyOf(command), process.exitValue(), text(out),
                    err != null ? text(err) : "");
        } finally {
            Files.deleteIfExists(out);
            if (err != null) {
                Files.deleteIfExists(err);
            }
        }
    }

    /**
     * Runs this JDK's {@code java} with {@code arguments} as {@link #run(Stderr, Duration, List)} does, once more if
     * the JVM died of a fatal error (an hs_err report): under QEMU's multi-threaded TCG the JIT's fresh code now and
     * then runs stale (SIGILL or SIGSEGV in compiled code, about once in a few hundred JVMs; see the test bed's
     * notes), which is the emulator's fault, not the program's. The first death is printed to {@code System.out}; a
     * second is returned, its hs_err report appended to the output.
     */
    public static Result java(Stderr stderr, Duration timeout, List<String> arguments)
            throws IOException, InterruptedException {
        Path crashes = Files.createTempDirectory("java-crash");
        try {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:ErrorFile=" + crashes.resolve("hs_err_pid%p.log")));
            command.addAll(arguments);
            Result result = null;
            for (int attempt = 0; attempt < 2; attempt++) {
                result = run(stderr, timeout, command);
                String reports = reports(crashes);
                if (result.exitCode() == 0 || reports.isEmpty() && !result.output().contains(JVM_FATAL_ERROR)) {
                    return result;
                }
                if (attempt == 0) {
                    System.out.println(String.join(" ", command) + " died of a JVM fatal error (exit "
                            + result.exitCode() + "), run once more:\n" + result.output() + result.errors()
                            + head(reports, 40));
                } else {
                    result = new Result(result.command(), result.exitCode(), result.output() + reports,
                            result.errors());
                }
            }
            return result;
        } finally {
            try (Stream<Path> reports = Files.list(crashes)) {
                for (Path report : reports.toList()) {
                    Files.delete(report);
                }
            }
            Files.delete(crashes);
        }
    }

    /** The hs_err reports in {@code crashes}, each deleted once read; empty when there is none. */
    private static String reports(Path crashes) throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> reports = Files.list(crashes)) {
            for (Path report : reports.sorted().toList()) {
                text.append('\n').append(report.getFileName()).append(":\n").append(text(report));
                Files.delete(report);
            }
        }
        return text.toString();
    }

    /** {@link #run} for callers that cannot throw checked exceptions: failures become unchecked. */
    public static Result runUnchecked(Stderr stderr, List<String> command) {
        try {
            return run(stderr, command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + " was interrupted", e);
        }
    }

    private static String span(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    /** A file's text; bytes that are not UTF-8 become U+FFFD rather than an exception. */
    private static String text(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static String head(String text, int lines) {
        return text.lines().limit(lines).reduce("", (a, b) -> a + b + "\n");
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}

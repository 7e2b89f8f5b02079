package io.zeroframe.bindings.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a peer tool (v4l2-ctl, modetest, gcc) from a test and returns what it printed.
 *
 * <p>Every pipe to the child is closed on the calling thread before this returns. Left to itself the JDK closes
 * them on its process reaper thread some time after {@link Process#waitFor} returns; the next test's
 * {@link NoLeaks} snapshot then sees pipes that vanish during the test and fails it. Standard input is
 * {@code /dev/null}, so the child has no pipe to wait on there.
 */
public final class Commands {
    private static final long TIMEOUT_SECONDS = 60;

    private Commands() {}

    /** What becomes of the child's standard error. */
    public enum Stderr {
        /** Interleaved into the returned output, as a terminal shows it. */
        MERGED,
        /** Dropped: the output is standard output alone, for tools whose stdout is compared line by line. */
        DISCARDED
    }

    /** The exit status and output of a finished command. */
    public record Result(List<String> command, int exitCode, String output) {
        /** The output, or an {@link AssertionError} naming the command, its exit status and output. */
        public String requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + exitCode + "):\n"
                        + output.lines().limit(40).reduce("", (a, b) -> a + b + "\n"));
            }
            return output;
        }
    }

    /** Runs {@code command} with its standard error merged and fails unless it exits with 0. */
    public static String check(String... command) throws IOException, InterruptedException {
        return run(Stderr.MERGED, List.of(command)).requireSuccess();
    }

    /** Runs {@code command} to its end (at most 60 s, then it is killed and this throws). */
    public static Result run(Stderr stderr, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (stderr == Stderr.MERGED) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process process = builder.start();
        try (InputStream out = process.getInputStream();
                var in = process.getOutputStream();
                var err = process.getErrorStream()) {
            String output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IOException(String.join(" ", command) + " did not end in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(List.copyOf(command), process.exitValue(), output);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
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
}

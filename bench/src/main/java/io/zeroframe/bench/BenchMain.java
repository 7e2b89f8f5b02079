package io.zeroframe.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.WarmupMode;

/**
 * Runs one suite of benchmarks with JMH and its gc profiler, for {@code scripts/bench}:
 * {@code run host|vm [--quick] DIR} writes {@code DIR/SUITE-jmh.json} (JMH's own format) and
 * {@code DIR/SUITE-jmh.tsv} (benchmark, parameters, ns/op, error, B/op) for {@link Report};
 * {@code report DIR} writes {@code DIR/results.md}.
 *
 * <p>The host suite ({@link BindingOverhead}) runs in two forks, long enough to resolve a few nanoseconds; the
 * test-bed suite ({@link DmaBufCosts}) runs briefly and in the runner's own JVM, because under emulation every
 * JVM start and JIT warm-up costs tens of seconds.
 */
public final class BenchMain {
    // drm, v4l2: the test-bed suite also runs DrmFlip and V4l2Queue; ZF_BENCH_VM_INCLUDE (a JMH regex) narrows it, e.g. "DrmFlip"
    private static final String VM_SUITE = System.getenv().getOrDefault("ZF_BENCH_VM_INCLUDE",
            "(" + DmaBufCosts.class.getName() + "|" + DrmFlip.class.getName() + "|" + V4l2Queue.class.getName()
                    + ")\\.");

    private BenchMain() {}

    public static void main(String[] args) throws IOException, RunnerException {
        if (args.length >= 2 && args[0].equals("report")) {
            Report.write(Path.of(args[1]));
            return;
        }
        boolean quick = args.length == 4 && args[2].equals("--quick");
        if (args.length < 3 || !args[0].equals("run") || !(args[1].equals("host") || args[1].equals("vm"))
                || (args.length == 4 && !quick) || args.length > 4) {
            System.err.println("usage: BenchMain run host|vm [--quick] DIR | BenchMain report DIR");
            System.exit(2);
        }
        run(args[1], quick, Path.of(args[args.length - 1]));
    }

    private static void run(String suite, boolean quick, Path dir) throws IOException, RunnerException {
        Files.createDirectories(dir);
        boolean host = suite.equals("host");
        int iterations = host ? (quick ? 3 : 5) : (quick ? 2 : 3);
        TimeValue time = quick ? TimeValue.milliseconds(500) : TimeValue.seconds(1);
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(host ? BindingOverhead.class.getName() + "\\." : VM_SUITE)
                .warmupIterations(iterations)
                .warmupTime(time)
                .measurementIterations(iterations)
                .measurementTime(time);
        if (host) {
            options.forks(quick ? 1 : 2);
        } else {
            // Under emulation a JVM start and its JIT warm-up cost about half a minute per fork; one JVM, warmed
            // up on every benchmark first (BULK_INDI), gets all of them to compiled code in a few minutes.
            options.forks(0).warmupMode(WarmupMode.BULK_INDI);
        }
        options.addProfiler(GCProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(dir.resolve(suite + "-jmh.json").toString());
        Collection<RunResult> results = new Runner(options.build()).run();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve(suite + "-jmh.tsv")))) {
            for (RunResult result : results) {
                String benchmark = result.getParams().getBenchmark();
                String kind = result.getParams().getParam("kind");
                String size = result.getParams().getParam("size");
                if (kind != null) {
                    size = kind + "," + size;
                }
                Result<?> primary = result.getPrimaryResult();
                out.printf(Locale.ROOT, "%s\t%s\t%.3f\t%.3f\t%.3f%n",
                        benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1),
                        size == null ? "" : size, primary.getScore(), primary.getScoreError(),
                        allocatedPerOperation(result.getSecondaryResults()));
            }
        }
    }

    /** The gc profiler's {@code gc.alloc.rate.norm} (bytes allocated per operation), NaN if absent. */
    private static double allocatedPerOperation(Map<String, Result> secondary) {
        for (Map.Entry<String, Result> entry : secondary.entrySet()) {
            if (entry.getKey().endsWith("gc.alloc.rate.norm")) {
                return entry.getValue().getScore();
            }
        }
        return Double.NaN;
    }
}

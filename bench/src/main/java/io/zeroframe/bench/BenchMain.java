package io.zeroframe.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
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
 * {@code DIR/SUITE-jmh.tsv} (benchmark, parameters, ns/op, error, B/op of the whole JVM, B/op of the benchmark
 * thread) for {@link Report}; {@code report DIR} writes {@code DIR/results.md}.
 *
 * <p>The host suite ({@link BindingOverhead}) runs in two forks, long enough to resolve a few nanoseconds; the
 * test-bed suite runs in the runner's own JVM, because under emulation every JVM start and JIT warm-up costs tens
 * of seconds: {@link DmaBufCosts} briefly, then the device-paced {@link DrmFlip} with a long warm-up (into
 * {@code vm-paced-jmh.json}), then {@link V4l2Queue} with a longer one (into {@code vm-v4l2-jmh.json}).
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
        List<RunResult> results = new ArrayList<>();
        if (suite.equals("host")) {
            results.addAll(run(runner(BindingOverhead.class.getName() + "\\.", quick ? 3 : 5, quick ? 3 : 5,
                    time(quick), dir.resolve("host-jmh.json")).forks(quick ? 1 : 2)));
        } else {
            // Under emulation a JVM start and its JIT warm-up cost about half a minute per fork: one JVM (forks 0),
            // warmed up on every benchmark first (BULK_INDI), gets them to compiled code in a few minutes.
            Pattern chosen = Pattern.compile(VM_SUITE);
            String fast = DmaBufCosts.class.getName() + ".";
            if (chosen.matcher(fast).find()) {
                results.addAll(run(runner(fast.replace(".", "\\."), quick ? 2 : 3, quick ? 2 : 3, time(quick),
                        dir.resolve("vm-jmh.json")).forks(0).warmupMode(WarmupMode.BULK_INDI)));
            }
            // Device-paced benchmarks (a flip waits for the display) do a few hundred operations a second: C2
            // compiles a method after about 5,000 calls (fewer with the suite's -XX:CompileThresholdScaling), so
            // they get a warm-up of their own, long enough for C2 to compile and inline the whole cycle; until then
            // C1's code allocates in every FFM downcall.
            String flip = DrmFlip.class.getName() + ".";
            if (chosen.matcher(flip).find()) {
                results.addAll(run(runner(flip.replace(".", "\\."), quick ? 6 : 12, quick ? 2 : 3,
                        TimeValue.seconds(2), dir.resolve("vm-paced-jmh.json")).forks(0)
                        .warmupMode(WarmupMode.BULK_INDI)));
            }
            // V4l2Queue waits, untimed, for vivid to fill a buffer before each cycle: at most 120 cycles a second
            // (about 70 under load), so C2 (after about 5,000 calls) needs a warm-up of a minute or more: in a first
            // run the cycle dropped from about 300 to 100 us (C2) only in the 35th warm-up iteration of 2 s.
            String queue = V4l2Queue.class.getName() + ".";
            if (chosen.matcher(queue).find()) {
                results.addAll(run(runner(queue.replace(".", "\\."), quick ? 24 : 48, quick ? 3 : 5,
                        TimeValue.seconds(2), dir.resolve("vm-v4l2-jmh.json")).forks(0)));
            }
        }
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve(suite + "-jmh.tsv")))) {
            for (RunResult result : results) {
                String benchmark = result.getParams().getBenchmark();
                String kind = result.getParams().getParam("kind");
                String size = result.getParams().getParam("size");
                if (kind != null) {
                    size = kind + "," + size;
                }
                Result<?> primary = result.getPrimaryResult();
                out.printf(Locale.ROOT, "%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f%n",
                        benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1),
                        size == null ? "" : size, primary.getScore(), primary.getScoreError(),
                        allocatedPerOperation(result.getSecondaryResults()), threadAllocatedPerOperation(result));
            }
        }
    }

    private static TimeValue time(boolean quick) {
        return quick ? TimeValue.milliseconds(500) : TimeValue.seconds(1);
    }

    private static ChainedOptionsBuilder runner(String include, int warmups, int measurements, TimeValue time,
            Path json) {
        return new OptionsBuilder()
                .include(include)
                .warmupIterations(warmups)
                .warmupTime(time)
                .measurementIterations(measurements)
                .measurementTime(time)
                .addProfiler(GCProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    /**
     * {@link ThreadAllocation}'s bytes over the measured iterations divided by their operations (warm-up and
     * warm-down operations inside an iteration included, as the counter sees them), NaN for a benchmark without it.
     */
    static double threadAllocatedPerOperation(RunResult result) {
        long bytes = 0;
        long operations = 0;
        boolean counted = false;
        for (BenchmarkResult fork : result.getBenchmarkResults()) {
            for (IterationResult iteration : fork.getIterationResults()) {
                Result<?> counter = iteration.getSecondaryResults().get("threadAllocatedBytes");
                if (counter != null) {
                    counted = true;
                    bytes += (long) counter.getScore();
                    operations += iteration.getMetadata().getAllOps();
                }
            }
        }
        return counted && operations > 0 ? (double) bytes / operations : Double.NaN;
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

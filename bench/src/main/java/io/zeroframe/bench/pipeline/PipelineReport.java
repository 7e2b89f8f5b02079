package io.zeroframe.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns the pipeline suite's runs ({@code bench/src/main/sh/pipeline-suite}) into {@code pipeline.tsv} (one row per
 * contender and case) and {@code pipeline.md} (the section {@code results.md} ends with): per captured frame, CPU
 * time (user + system, every thread of the process, over the run only), system calls by type (the difference of
 * the {@code perf stat} syscall-tracepoint counts of runs of FRAMES and 10 frames, so start-up and ending cancel
 * out), capture-to-scanout
 * latency, resident memory, pixel bytes the CPU copied, the ratio of each contender to C and of Java to each
 * GStreamer contender (names starting {@code gst}) in the same case.
 *
 * <p>Reads {@code DIR/pipeline-runs.txt} (the contenders' lines, each with its pass), {@code DIR/pipeline-env.txt}
 * and {@code DIR/pipeline-syscalls/*} ({@code perf stat -x ,} output); draws the tsv's charts into {@code DIR/charts} ({@link PipelineCharts}), which
 * the section embeds. Usage: {@code PipelineReport DIR}.
 */
public final class PipelineReport {
    /** The contender the others are divided by. */
    private static final String BASELINE = "c";
    /** The contender divided by each GStreamer contender (names starting {@link #PEER}). */
    private static final String SUBJECT = "java";
    private static final String PEER = "gst";

    private PipelineReport() {}

    /** One contender in one case: its run of FRAMES frames and its base run of 10, each a line's fields. */
    private record Contender(String name, Map<String, String> plain, Map<String, String> base, Path syscallDir) {
        boolean ran() {
            return plain != null && !plain.containsKey("failed");
        }

        long get(String key) {
            return Long.parseLong(plain.get(key));
        }

        /** A figure a contender may not know (GStreamer's latency: {@code n/a}), empty then. */
        Optional<Long> known(String key) {
            String v = plain.getOrDefault(key, "n/a");
            return v.matches("-?[0-9]+") ? Optional.of(Long.parseLong(v)) : Optional.empty();
        }

        /** Pixel bytes the CPU copied per captured frame: Java and C never map a frame (0 by construction). */
        double copiedPerFrame() {
            return (double) known("copied_bytes").orElse(0L) / get("captured");
        }

        double syscallsPerFrame() throws IOException {
            return syscalls().map(m -> m.values().stream().mapToDouble(Double::doubleValue).sum()).orElse(-1.0);
        }

        double perFrame(String key) {
            return (double) get(key) / get("captured");
        }

        /** The pipeline thread's own CPU per captured frame (Java: {@code run_thread_cpu_us}), or n/a. */
        String threadCpuPerFrame() {
            return known("run_thread_cpu_us").map(v -> fmt((double) v / get("captured"))).orElse("n/a");
        }

        double cpuPerFrame() {
            return (double) (get("run_user_us") + get("run_sys_us")) / get("captured");
        }

        /** CPU per captured frame without the JIT compiler threads' (Java; the others have none). */
        double cpuWithoutJitPerFrame() {
            long jit = known("run_jit_user_us").orElse(0L) + known("run_jit_sys_us").orElse(0L);
            return cpuPerFrame() - (double) jit / get("captured");
        }

        /** System calls per extra captured frame between the long and the base run, by name. */
        Optional<Map<String, Double>> syscalls() throws IOException {
            if (plain == null || base == null || plain.containsKey("failed") || base.containsKey("failed")
                    || !plain.containsKey("syscalls") || !base.containsKey("syscalls")) {
                return Optional.empty();
            }
            long frames = Long.parseLong(plain.get("captured")) - Long.parseLong(base.get("captured"));
            if (frames <= 0) {
                return Optional.empty();
            }
            Map<String, Long> many = calls(syscallDir.resolve(plain.get("syscalls")));
            Map<String, Long> few = calls(syscallDir.resolve(base.get("syscalls")));
            Map<String, Double> perFrame = new TreeMap<>();
            for (var e : many.entrySet()) {
                double n = (double) (e.getValue() - few.getOrDefault(e.getKey(), 0L)) / frames;
                if (Math.abs(n) >= 0.005) {
                    perFrame.put(e.getKey(), n);
                }
            }
            return Optional.of(perFrame);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: PipelineReport DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Path syscallDir = dir.resolve("pipeline-syscalls");
        // case (driver, allocator, size) -> contender -> pass -> fields, in the order the suite ran them
        Map<String, Map<String, Map<String, Map<String, String>>>> cases = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<String> retries = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("pipeline-runs.txt"))) {
            Map<String, String> f = fields(line);
            if (f.containsKey("failed")) {
                failures.add(String.join(" ", f.getOrDefault("contender", "?"), f.getOrDefault("driver", "?"),
                        f.getOrDefault("allocator", ""), f.getOrDefault("size", ""), f.getOrDefault("pass", ""),
                        "failed (" + f.get("failed") + ")"));
            }
            if (f.containsKey("retried")) {
                retries.add(String.join(" ", f.get("contender"), f.get("driver"), f.getOrDefault("allocator", ""),
                        f.getOrDefault("size", ""), f.getOrDefault("pass", ""), "(" + f.get("retried") + ")"));
            }
            String key = f.get("driver") + " " + f.getOrDefault("allocator", "-") + " " + f.getOrDefault("size", "-");
            cases.computeIfAbsent(key, k -> new LinkedHashMap<>())
                    .computeIfAbsent(f.getOrDefault("contender", "none"), k -> new LinkedHashMap<>())
                    .put(f.get("pass"), f);
        }

        StringBuilder tsv = new StringBuilder("driver\tallocator\tsize\tcontender\tbuffers\tcamera_fps\tframes"
                + "\tcaptured\tshown\tskipped\tdropped\tfps\tcpu_user_us_per_frame\tcpu_sys_us_per_frame"
                + "\tcpu_us_per_frame\tsyscalls_per_frame\tlatency_p50_us\tlatency_p99_us\tmaxrss_kb"
                + "\ttotal_cpu_ms\trun_thread_alloc_bytes\tcopied_bytes_per_frame\tsyscalls_per_frame_by_type"
                + "\tloop_alloc_bytes_per_frame\tthread_cpu_us_per_frame\tcpu_us_per_frame_without_jit\n");
        StringBuilder md = new StringBuilder();
        md.append("## Capture to scanout: the library's pipeline beside the same pipeline in C and GStreamer\n\n");
        for (String line : Files.readAllLines(dir.resolve("pipeline-env.txt"))) {
            md.append("- ").append(line).append('\n');
        }
        md.append("""

                vivid's capture node streamed onto the first CRTC's primary plane, zero-copy, each contender its own \
                process at the same size, vivid frame rate (its highest at that size), buffer count and frame count: \
                `JavaPipeline` (the library's `CaptureToScanout` and `BufferPool`, allocator forced) and \
                `pipeline.c` (the same loop with raw ioctls), and GStreamer 1.22 as users run it \
                (`gst-launch-1.0 v4l2src io-mode=MODE ! video/x-raw,format=BGRx,... ! kmssink \
                force-modesetting=true`): `gst_dmabuf_import` (kmssink's pool, the display allocator) and \
                `gst_dmabuf` (vivid's buffers, the camera allocator). libcamera's `cam` cannot take part: its KMS \
                sink shows only formats a primary plane takes, and its vimc pipeline offers only 24-bit RGB, which \
                neither display takes ([pipeline-cam.md](pipeline-cam.md)).

                **How.** Each contender runs twice, 10 frames and then FRAMES frames, both under `perf stat` \
                counting its system calls on the kernel's syscall tracepoints (every thread; no ptrace, so the \
                loops run at their own speed, unlike under `strace -f`, which slowed C from 43 to 19 frames per \
                second). Per captured frame: **CPU** is user + system time of every thread of the process over the \
                run only, from the kernel's accounting (Java `/proc/self/stat` around the measured run, so the \
                JIT compilers, GC and other JVM threads count, JVM start-up and warm-up do not (`total CPU` has \
                them); C `getrusage`; GStreamer `/usr/bin/time` of the whole process, the difference of its two \
                runs); **system calls** are the difference of the two runs' counts per extra captured frame; \
                **latency** is V4L2 buffer timestamp (vivid: start of exposure) to flip-event timestamp, 50 us \
                buckets (n/a for GStreamer: gst-launch reports none; its latency tracer times push to render, \
                not capture to flip); **RSS** is the process's peak; **bytes copied** count GStreamer's \
                `frame copy` lines (Java and C never map a frame); **loop B allocated** is what the Java \
                pipeline thread allocated per frame in its loop (`ThreadMXBean`, read from another thread a \
                quarter and three quarters into the run); **without JIT threads** is Java's CPU less what its \
                JIT compiler threads took during the run (`/proc/self/task`): compilations still going on after \
                the warm-up, a cost a long-running preview stops paying. GStreamer's captured frames are `num-buffers`, skipped the late ones \
                kmssink did not show, dropped vivid's frames v4l2src missed (both from QoS messages).

                **Java** runs with `-XX:CompileThresholdScaling=0.1` and streams warm-up runs of 150 frames in \
                the same pipeline until one passes with its JIT nearly idle (at most 3,000 frames; `warmup=` in \
                its line, and `jit_ms_during_run=` what the JIT still compiled during the measured run), so that \
                the measured loop is C2-compiled code: the steady state a long-running preview reaches. Where \
                the CPU goes: `scripts/bench --pipeline-profile` (`pipeline-profile/`: `perf record -g` of C and \
                Java, kernel and JIT-compiled code named). Each \
                contender streams as fast as it can: a slower loop shows fewer of vivid's frames (more skipped \
                and dropped) and waits longer per frame.

                **Reading it.** The test bed is QEMU software emulation (TCG, no KVM, 2 CPUs): absolute times \
                are inflated, the JVM's more than C's, and system time includes spinning on kernel locks whose \
                holders run slowly under emulation (vivid fills the next frame while holding the queue's lock): \
                compare the ratios of one run, not absolute times. Raw lines: `pipeline-runs.txt`; call counts: \
                `pipeline-syscalls/`; the table as data: `pipeline.tsv`; charts: `charts/`.

                """);
        md.append("| display | allocator | size | contender | buffers | vivid fps | captured / shown / skipped / "
                + "dropped | CPU us/frame (user + sys) | without JIT threads | syscalls/frame | latency p50 / p99 ms | peak RSS MiB "
                + "| total CPU ms | bytes copied/frame | loop B allocated/frame |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder byType = new StringBuilder();
        for (var c : cases.entrySet()) {
            String[] key = c.getKey().split(" ");
            List<Contender> contenders = new ArrayList<>();
            for (var e : c.getValue().entrySet()) {
                contenders.add(new Contender(e.getKey(), e.getValue().get("plain"), e.getValue().get("base"),
                        syscallDir));
            }
            Optional<Contender> baseline = contenders.stream().filter(x -> x.name().equals(BASELINE))
                    .filter(Contender::ran).findFirst();
            for (Contender x : contenders) {
                if (!x.ran()) {
                    continue;
                }
                Optional<Map<String, Double>> sys = x.syscalls();
                double sysTotal = x.syscallsPerFrame();
                String types = sys.map(PipelineReport::types).orElse("n/a");
                tsv.append(String.join("\t", key[0], key[1], key[2], x.name(), x.plain().get("buffers"),
                        x.plain().get("camera_fps"), x.plain().get("frames"), x.plain().get("captured"),
                        x.plain().get("shown"), x.plain().get("skipped"), x.plain().get("dropped"),
                        x.plain().get("fps"), fmt(x.perFrame("run_user_us")), fmt(x.perFrame("run_sys_us")),
                        fmt(x.cpuPerFrame()), sysTotal < 0 ? "n/a" : fmt(sysTotal), x.plain().get("latency_p50_us"),
                        x.plain().get("latency_p99_us"), x.plain().get("maxrss_kb"),
                        fmt((x.get("total_user_us") + x.get("total_sys_us")) / 1000.0),
                        x.plain().getOrDefault("run_thread_alloc_bytes", "n/a"), fmt(x.copiedPerFrame()), types,
                        x.plain().getOrDefault("loop_alloc_bytes_per_frame", "n/a"), x.threadCpuPerFrame(),
                        fmt(x.cpuWithoutJitPerFrame())))
                        .append('\n');
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s / %s / %s / %s | %.0f "
                                + "(%.0f + %.0f) | %.0f | %s | %s / %s | %.1f | %.0f | %.0f | %s |\n", key[0], key[1],
                        key[2],
                        x.name(), x.plain().get("buffers"), x.plain().get("camera_fps"), x.plain().get("captured"),
                        x.plain().get("shown"), x.plain().get("skipped"), x.plain().get("dropped"), x.cpuPerFrame(),
                        x.perFrame("run_user_us"), x.perFrame("run_sys_us"), x.cpuWithoutJitPerFrame(),
                        sysTotal < 0 ? "n/a" : fmt(sysTotal),
                        millis(x, "latency_p50_us"), millis(x, "latency_p99_us"),
                        x.get("maxrss_kb") / 1024.0, (x.get("total_user_us") + x.get("total_sys_us")) / 1000.0,
                        x.copiedPerFrame(), x.plain().getOrDefault("loop_alloc_bytes_per_frame", "n/a")));
                byType.append("- ").append(key[0]).append(' ').append(key[1]).append(' ').append(key[2]).append(", ")
                        .append(x.name()).append(": ").append(types).append('\n');
                if (baseline.isPresent() && x != baseline.get()) {
                    md.append(ratios(x, baseline.get()));
                }
            }
            Optional<Contender> subject = contenders.stream().filter(x -> x.name().equals(SUBJECT))
                    .filter(Contender::ran).findFirst();
            for (Contender peer : contenders) {
                if (subject.isPresent() && peer.ran() && peer.name().startsWith(PEER)) {
                    md.append(ratios(subject.get(), peer));
                }
            }
        }
        md.append('\n').append(PipelineCharts.markdown());
        md.append("\nSystem calls per captured frame, by type:\n\n").append(byType);
        if (!retries.isEmpty()) {
            md.append("\nRuns whose JVM died of a fatal error in JIT-compiled code (SIGILL or SIGSEGV, an hs_err file in "
                    + "`pipeline-failures/`: QEMU's multi-threaded TCG now and then runs stale translations of code the "
                    + "JIT has just written) and were run once more, the figures above being the second run's:\n\n");
            retries.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        if (!failures.isEmpty()) {
            md.append("\nRuns that failed (see the suite's output):\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        md.append('\n');
        Files.writeString(dir.resolve("pipeline.tsv"), tsv);
        Files.writeString(dir.resolve("pipeline.md"), md);
        PipelineCharts.render(dir);
    }

    /** The table's bold row of {@code x / b}: CPU, system calls, latency and peak RSS per frame. */
    private static String ratios(Contender x, Contender b) throws IOException {
        double xSys = x.syscallsPerFrame();
        double bSys = b.syscallsPerFrame();
        return String.format(Locale.ROOT, "| | | | **%s / %s** | | | | **%s** | **%s** | **%s** | **%s / %s** | **%s** | | | |\n",
                x.name(), b.name(), ratio(x.cpuPerFrame(), b.cpuPerFrame()),
                ratio(x.cpuWithoutJitPerFrame(), b.cpuWithoutJitPerFrame()),
                xSys < 0 || bSys <= 0 ? "n/a" : ratio(xSys, bSys), ratio(x, b, "latency_p50_us"),
                ratio(x, b, "latency_p99_us"), ratio(x.get("maxrss_kb"), b.get("maxrss_kb")));
    }

    private static String ratio(Contender x, Contender b, String key) {
        return x.known(key).flatMap(v -> b.known(key).map(w -> ratio(v, w))).orElse("n/a");
    }

    private static String millis(Contender x, String key) {
        return x.known(key).map(v -> String.format(Locale.ROOT, "%.2f", v / 1000.0)).orElse("n/a");
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String word : line.trim().split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                f.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return f;
    }

    /**
     * A {@code perf stat -x ,} file's calls by system call name: each {@code syscalls:sys_enter_NAME} count, and
     * {@code other} for what {@code raw_syscalls:sys_enter} (every call) counted beyond them.
     */
    static Map<String, Long> calls(Path counts) throws IOException {
        Map<String, Long> calls = new TreeMap<>();
        long all = -1;
        for (String line : Files.readAllLines(counts)) {
            String[] w = line.split(",");
            // count, unit, event, run time, enabled %, ...; "#" comments and blank lines between
            if (w.length < 3 || !w[0].matches("[0-9]+")) {
                continue;
            }
            long n = Long.parseLong(w[0]);
            if (w[2].equals("raw_syscalls:sys_enter")) {
                all = n;
            } else if (w[2].startsWith("syscalls:sys_enter_")) {
                calls.merge(w[2].substring("syscalls:sys_enter_".length()), n, Long::sum);
            }
        }
        if (all < 0) {
            throw new IOException(counts + " has no raw_syscalls:sys_enter count");
        }
        long named = calls.values().stream().mapToLong(Long::longValue).sum();
        calls.put("other", all - named);
        return calls;
    }

    private static String types(Map<String, Double> perFrame) {
        return perFrame.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .map(e -> e.getKey() + " " + fmt(e.getValue())).collect(Collectors.joining(", "));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.2f", v);
    }

    private static String ratio(double x, double base) {
        return base <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2fx", x / base);
    }
}

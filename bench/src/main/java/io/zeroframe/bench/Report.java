package io.zeroframe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code results.md}: JMH's figures beside the C loops', with Java/C ratios and bytes allocated per
 * operation. Reads what {@code scripts/bench} left in the results directory: {@code SUITE-jmh.tsv} (from
 * {@link BenchMain}), {@code SUITE-c.tsv} (from the C programs: name, parameter, median and best ns/op, rounds)
 * and {@code SUITE-env.txt} (machine, load, JDK), for the suites {@code host} and {@code vm}; appends the pipeline
 * benchmark's section, {@code pipeline.md}, when there is one.
 */
final class Report {
    static final double LIBRARY_OVER_RAW_TARGET = 1.05;
    static final double LIBRARY_OVER_C_TARGET = 1.3;
    private static final long[] SIZES = {4096, 65536, 1048576, 16777216};

    private record Java(double score, double error, double bytes, double threadBytes) {}

    private record C(double median, double best) {}

    private Report() {}

    static void write(Path dir) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Zeroframe benchmarks\n\nWritten by `scripts/bench`. JMH figures are the mean of the measured "
                + "iterations ± JMH's 99.9% error; C figures are the median (and best) of timed rounds of the "
                + "same loop (`bench/src/main/c`); B/op is JMH's gc profiler `gc.alloc.rate.norm` unless a "
                + "table says \"benchmark thread\" (then the thread's own counter, see `ThreadAllocation`). "
                + "Raw JMH output: `host-jmh.json`, `vm-jmh.json`, `vm-paced-jmh.json`, `vm-v4l2-jmh.json`.\n\n");
        host(dir, md);
        vm(dir, md);
        Path pipeline = dir.resolve("pipeline.md"); // io.zeroframe.bench.pipeline.PipelineReport's section
        if (Files.exists(pipeline)) {
            md.append(Files.readString(pipeline));
        }
        Files.writeString(dir.resolve("results.md"), md);
    }

    private static void host(Path dir, StringBuilder md) throws IOException {
        md.append("## Binding overhead, natively on the host\n\n");
        Map<String, Java> java = java(dir.resolve("host-jmh.tsv"));
        Map<String, C> c = c(dir.resolve("host-c.tsv"));
        if (java.isEmpty()) {
            md.append("Not run.\n\n");
            return;
        }
        environment(dir.resolve("host-env.txt"), md);
        md.append("| call | C ns/op (median / best) | raw FFM ns/op | library ns/op | library / raw FFM | "
                + "library / C | library B/op | raw FFM B/op |\n|---|---|---|---|---|---|---|---|\n");
        hostRow(md, "`ioctl(FIONREAD)` on a pipe: `Syscalls.ioctl`", c.get("ioctl FIONREAD"),
                java.get("BindingOverhead.ioctlRawFfm"), java.get("BindingOverhead.ioctlLibrary"));
        hostRow(md, "`mmap`+`munmap` of a 4 KiB memfd, after: `Syscalls.mmapAddress` + `munmap(long, long)` (added)",
                c.get("mmap 4096"), java.get("BindingOverhead.mmapRawFfm"), java.get("BindingOverhead.mmapLibrary"));
        hostRow(md, "`mmap`+`munmap` of a 4 KiB memfd, before: `Syscalls.mmap` into a confined `Arena`, closed",
                c.get("mmap 4096"), java.get("BindingOverhead.mmapRawFfm"),
                java.get("BindingOverhead.mmapLibraryArena"));
        hostRow(md, "`mmap`+`munmap` of a 4 KiB memfd: public API, `Memfd.map` into a confined `Arena` (as `DmaBuf.map`), closed",
                c.get("mmap 4096"), java.get("BindingOverhead.mmapRawFfm"),
                java.get("BindingOverhead.mmapPublicApi"));
        hostRow(md, "`poll` of an empty pipe, timeout 0: `Syscalls.poll`", c.get("poll 0"),
                java.get("BindingOverhead.pollRawFfm"), java.get("BindingOverhead.pollLibrary"));
        hostRow(md, "`poll` of an empty pipe, timeout 0: `Syscalls.waitFor` (guarded against close, as every wait)",
                c.get("poll 0"), java.get("BindingOverhead.pollRawFfm"), java.get("BindingOverhead.waitForLibrary"));
        md.append(String.format(Locale.ROOT, "%nTargets: library <= %.2fx raw FFM and <= %.1fx C, ~0 B/op.%n%n",
                LIBRARY_OVER_RAW_TARGET, LIBRARY_OVER_C_TARGET));
    }

    private static void hostRow(StringBuilder md, String call, C c, Java raw, Java library) {
        md.append("| ").append(call)
                .append(" | ").append(c == null ? "-" : String.format(Locale.ROOT, "%.0f / %.0f", c.median(), c.best()))
                .append(" | ").append(ns(raw))
                .append(" | ").append(ns(library))
                .append(" | ").append(ratio(library, raw == null ? Double.NaN : raw.score(), LIBRARY_OVER_RAW_TARGET))
                .append(" | ").append(ratio(library, c == null ? Double.NaN : c.median(), LIBRARY_OVER_C_TARGET))
                .append(" | ").append(bytes(library))
                .append(" | ").append(bytes(raw))
                .append(" |\n");
    }

    private static void vm(Path dir, StringBuilder md) throws IOException {
        md.append("## dma-buf costs in the test bed (QEMU, software emulation)\n\n");
        Map<String, Java> java = java(dir.resolve("vm-jmh.tsv"));
        Map<String, C> c = c(dir.resolve("vm-c.tsv"));
        if (java.isEmpty() && c.isEmpty()) {
            md.append("Not run.\n\n");
            return;
        }
        environment(dir.resolve("vm-env.txt"), md);
        md.append("Emulation inflates the JVM's share of every call: these are what a call costs there, not the "
                + "binding's overhead (see the host table for that). Java uses the public API: `Heap.allocate`, "
                + "`Udmabuf.create`, `DmaBuf.cpuAccess`, `DmaBuf.map` into a confined arena, `DmaBuf.close`. "
                + "B/op, benchmark thread: what the thread running the operation allocated (JVM's per-thread counter); "
                + "B/op, whole JVM: JMH's gc profiler, which adds the runner's per-iteration work, so it grows for the "
                + "slow operations (few per iteration). mmap+munmap allocates its `Arena` and segment (56 B), "
                + "allocate+close its `DmaBuf`: neither is a per-frame path."
                + "\n\n");
        md.append("| buffer | operation | size | C ns/op (median / best) | Java ns/op | Java / C | "
                + "B/op, benchmark thread | B/op, whole JVM |\n|---|---|---|---|---|---|---|---|\n");
        String[][] operations = {
            {"cpuAccess", "CPU-access bracket (`DMA_BUF_IOCTL_SYNC` start+end)"},
            {"mapUnmap", "`mmap`+`munmap` of the whole buffer"},
            {"allocateClose", "allocate + close"},
        };
        for (String kind : List.of("heap", "udmabuf")) {
            for (String[] operation : operations) {
                for (long size : SIZES) {
                    C measured = c.get(kind + "." + operation[0] + " " + size);
                    Java j = java.get("DmaBufCosts." + operation[0] + " " + kind + "," + size);
                    if (measured == null && j == null) {
                        continue;
                    }
                    md.append("| ").append(kind.equals("heap") ? "system heap" : "udmabuf")
                            .append(" | ").append(operation[1])
                            .append(" | ").append(size >= 1048576 ? size / 1048576 + " MiB" : size / 1024 + " KiB")
                            .append(versusC(measured, j)).append(" |\n");
                }
            }
        }
        md.append('\n');
        drmFlip(java, c, md);
        v4l2Queue(java, c, md);
    }

    /** v4l2: the streaming cycle on vivid, ready buffers only ({@link V4l2Queue}, {@code v4l2_queue.c}). */
    private static void v4l2Queue(Map<String, Java> java, Map<String, C> c, StringBuilder md) {
        C measured = c.get("v4l2.dequeueEnqueue vivid-320x180-XR24-120fps-ready");
        Java j = java.get("V4l2Queue.dequeueEnqueue");
        if (measured == null && j == null) {
            return;
        }
        md.append("### V4L2 streaming cycle on vivid, ready buffers (320x180 XR24, 1/120 s per frame, 4 MMAP "
                + "buffers)\n\n"
                + "What one dequeue+enqueue costs, not vivid's frame period: wall time per cycle of a non-blocking "
                + "`VIDIOC_DQBUF` of a buffer vivid has already filled and the `VIDIOC_QBUF` of it. Before each "
                + "cycle, untimed, both sides wait in `poll` (Java: `VideoQueue.await`, in a JMH `Level.Invocation` "
                + "setup) until vivid (its smallest webcam size at its fastest rate, set by each program) has filled "
                + "a buffer; only the measuring thread dequeues, so the measured dequeue finds it ready (one that "
                + "did not would stop the run). Each cycle is timed alone with `CLOCK_MONOTONIC` on both sides (JMH "
                + "per invocation, `clock_gettime` in C), so the clock reads are in both figures. Same system calls: "
                + "one DQBUF and one QBUF per cycle. Java: 48 warm-up iterations of 2 s (at most 120 cycles a "
                + "second: C2 compiles the cycle after about 5,000), 5 measured; C: 120 warm-up cycles, then the "
                + "median of 7 rounds of 120 (`--quick`: 24 warm-up iterations, 3 measured; 5 rounds of 60).\n\n");
        pacedTable(md, "`VideoQueue.dequeue(0)` (`VIDIOC_DQBUF`, buffer ready) + `enqueue` (`VIDIOC_QBUF`)",
                measured, j);
    }

    /** drm: the atomic page flip on virtio-gpu ({@link DrmFlip}, {@code drm_flip.c}). */
    private static void drmFlip(Map<String, Java> java, Map<String, C> c, StringBuilder md) {
        C measured = c.get("drm.atomicFlip virtio_gpu");
        Java j = java.get("DrmFlip.flip");
        if (measured == null && j == null) {
            return;
        }
        md.append("### Atomic page flip on virtio-gpu (640x480 XRGB8888, `NONBLOCK | PAGE_FLIP_EVENT`, event read)\n\n"
                + "The flip's cost is QEMU's work on the host (virtio-gpu's resource flush), so it follows the host's "
                + "load more than either side's code.\n\n");
        pacedTable(md, "`AtomicRequest.set(plane, \"FB_ID\", fb)` + `commit` + `DrmEvents.read`", measured, j);
    }

    /**
     * A device-paced operation's row: ns/op beside C, and two allocation figures, the benchmark thread's own
     * ({@link ThreadAllocation}) and the whole JVM's (the gc profiler, which includes the runner's per-iteration work).
     */
    private static void pacedTable(StringBuilder md, String operation, C measured, Java j) {
        md.append("| operation | C ns/op (median / best) | Java ns/op | Java / C | B/op, benchmark thread | "
                        + "B/op, whole JVM |\n|---|---|---|---|---|---|\n| ").append(operation)
                .append(versusC(measured, j)).append(" |\n\n"
                        + "B/op, benchmark thread: what the thread running the operation allocated, by the JVM's "
                        + "per-thread counter, over the measured iterations (the target: 0). B/op, whole JVM: JMH's gc "
                        + "profiler, every thread's allocation divided by the operations, so the runner's own "
                        + "per-iteration work (about 7 KB an iteration here) weighs on the few hundred operations a "
                        + "device-paced iteration holds.\n\n");
    }

    private static void environment(Path file, StringBuilder md) throws IOException {
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                md.append("- ").append(line).append('\n');
            }
            md.append('\n');
        }
    }

    /** The cells " | C median / best | Java ns/op | Java / C | B/op, benchmark thread | B/op, whole JVM". */
    private static String versusC(C measured, Java j) {
        return " | " + (measured == null ? "-"
                : String.format(Locale.ROOT, "%.0f / %.0f", measured.median(), measured.best()))
                + " | " + ns(j)
                + " | " + ratio(j, measured == null ? Double.NaN : measured.median(), 0)
                + " | " + threadBytes(j)
                + " | " + bytes(j);
    }

    private static String ns(Java j) {
        if (j == null) {
            return "-";
        }
        return Double.isNaN(j.error()) ? String.format(Locale.ROOT, "%.0f", j.score())
                : String.format(Locale.ROOT, "%.0f ± %.0f", j.score(), j.error());
    }

    private static String bytes(Java j) {
        return j == null || Double.isNaN(j.bytes()) ? "-" : String.format(Locale.ROOT, "%.1f", j.bytes());
    }

    private static String threadBytes(Java j) {
        return j == null || Double.isNaN(j.threadBytes()) ? "-" : String.format(Locale.ROOT, "%.2f", j.threadBytes());
    }

    private static String ratio(Java j, double base, double target) {
        if (j == null || Double.isNaN(base) || base <= 0) {
            return "-";
        }
        double ratio = j.score() / base;
        String mark = target <= 0 ? "" : ratio <= target ? " (met)" : " (missed)";
        return String.format(Locale.ROOT, "%.2fx%s", ratio, mark);
    }

    /** benchmark (e.g. {@code BindingOverhead.ioctlLibrary}) + " " + size (if any) -> figures. */
    private static Map<String, Java> java(Path file) throws IOException {
        Map<String, Java> figures = new HashMap<>();
        for (String[] f : rows(file, 5)) {
            figures.put(f[1].isEmpty() ? f[0] : f[0] + " " + f[1],
                    new Java(Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                            f.length > 5 ? Double.parseDouble(f[5]) : Double.NaN));
        }
        return figures;
    }

    /** name + " " + parameter -> figures. */
    private static Map<String, C> c(Path file) throws IOException {
        Map<String, C> figures = new HashMap<>();
        for (String[] f : rows(file, 4)) {
            figures.put(f[0] + " " + f[1], new C(Double.parseDouble(f[2]), Double.parseDouble(f[3])));
        }
        return figures;
    }

    private static List<String[]> rows(Path file, int fields) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream()
                .map(line -> line.split("\t", -1))
                .filter(f -> f.length >= fields)
                .toList();
    }
}

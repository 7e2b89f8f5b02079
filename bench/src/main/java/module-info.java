/**
 * JMH benchmarks of Zeroframe's costs, each beside the same loop in C ({@code bench/src/main/c}); run them all
 * with {@code scripts/bench}. The module is open so JMH can reflect into its generated harness classes; the
 * runner puts it on the class path, where JMH's forks find their classes without module flags.
 */
open module io.zeroframe.bench {
    requires io.zeroframe.bindings;
    requires io.zeroframe.dmabuf;
    requires io.zeroframe.heaps;
    requires io.zeroframe.drm; // DrmFlip
    requires io.zeroframe.v4l2; // V4l2Queue
    requires io.zeroframe.samples; // pipeline.JavaPipeline: CaptureToScanout, BufferPool
    requires jmh.core;
    requires jdk.management; // ThreadAllocation: the benchmark thread's own allocation counter
    requires java.desktop; // pipeline.PipelineCharts: headless AWT and ImageIO
    requires org.jfree.jfreechart; // pipeline.PipelineCharts
}

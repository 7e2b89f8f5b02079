/**
 * Programs built on Zeroframe's public API only, and the cross-device pieces they share
 * ({@code io.zeroframe.samples.pipeline}); the {@code info} tool ({@code io.zeroframe.samples.info}); the {@code preview} tool
 * ({@code io.zeroframe.samples.preview}).
 */
module io.zeroframe.samples {
    requires transitive io.zeroframe.heaps;
    requires transitive io.zeroframe.v4l2;
    requires transitive io.zeroframe.drm;
    requires info.picocli;
    requires com.fasterxml.jackson.jr.ob;
    requires java.management; // the pipeline's CPU time per frame (ThreadMXBean)
    requires java.desktop; // preview --save-last: the PNG (javax.imageio)

    exports io.zeroframe.samples.pipeline;
    exports io.zeroframe.samples.info;
    exports io.zeroframe.samples.preview;
    // picocli sets the annotated option fields reflectively
    opens io.zeroframe.samples.info to info.picocli;
    opens io.zeroframe.samples.preview to info.picocli;
}

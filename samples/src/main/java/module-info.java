/**
 * Programs built on Zeroframe's public API only, and the cross-device pieces they share
 * ({@code io.zeroframe.samples.pipeline}).
 */
module io.zeroframe.samples {
    requires transitive io.zeroframe.heaps;
    requires transitive io.zeroframe.v4l2;
    requires transitive io.zeroframe.drm;

    exports io.zeroframe.samples.pipeline;
}

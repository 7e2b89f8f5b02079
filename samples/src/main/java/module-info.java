/** Programs built on Zeroframe's public API only. */
module io.zeroframe.samples {
    requires io.zeroframe.heaps;
    requires io.zeroframe.v4l2;
    requires io.zeroframe.drm;
}

/**
 * JMH benchmarks of Zeroframe's costs beside the same loops in C (built by the dma-buf issue). The module is
 * open so JMH can reflect into its generated harness classes.
 */
open module io.zeroframe.bench {
    requires io.zeroframe.heaps;
    requires jmh.core;
}

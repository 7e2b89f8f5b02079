package io.zeroframe.samples.pipeline;

import java.util.Arrays;

/**
 * A histogram of latencies in 20,000 buckets (longer ones count in the last bucket; the maximum stays exact),
 * preallocated so that adding one allocates nothing. Not thread-safe: a pipeline's tally guards it.
 */
final class Latencies {
    private final long bucketNanos;
    private final int[] histogram = new int[20_000];
    private long count;
    private long max;

    /** Buckets of {@code bucketNanos}: 50 us ones reach 1 s, 250 us ones 5 s. */
    Latencies(long bucketNanos) {
        this.bucketNanos = bucketNanos;
    }

    void reset() {
        Arrays.fill(histogram, 0);
        count = 0;
        max = 0;
    }

    /** Counts {@code nanos}, 0 or more. */
    void add(long nanos) {
        count++;
        max = Math.max(max, nanos);
        histogram[(int) Math.min(nanos / bucketNanos, histogram.length - 1)]++;
    }

    long count() {
        return count;
    }

    long max() {
        return max;
    }

    /** The upper edge of the bucket holding the {@code p} quantile, at most the maximum; 0 when empty. */
    long percentile(double p) {
        if (count == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p * count);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= rank) {
                return Math.min((i + 1) * bucketNanos, max);
            }
        }
        return max;
    }
}

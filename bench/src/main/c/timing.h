/* Shared timing loop for the C baselines: calibrates an iteration count that takes about 0.2 s, warms up,
 * then times ROUNDS rounds with clock_gettime(CLOCK_MONOTONIC) and prints one line per operation:
 *   NAME <TAB> PARAM <TAB> median ns/op <TAB> best ns/op <TAB> rounds x iterations
 * The Java side (io.zeroframe.bench.Report) reads these lines beside JMH's results. */
#ifndef ZF_TIMING_H
#define ZF_TIMING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int zf_rounds = 7;
static double zf_round_seconds = 0.2;

static double zf_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int zf_compare(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static inline void zf_options(int argc, char **argv) {
    if (argc > 1) zf_rounds = atoi(argv[1]);
    if (argc > 2) zf_round_seconds = atof(argv[2]);
    if (zf_rounds < 1 || zf_rounds > 1000 || zf_round_seconds <= 0) {
        fprintf(stderr, "usage: %s [ROUNDS [SECONDS_PER_ROUND]]\n", argv[0]);
        exit(2);
    }
}

/* Times op(ctx) and prints its line. op returns nonzero on failure (errno set); that aborts the program. */
static inline void zf_measure(const char *name, const char *param, int (*op)(void *), void *ctx) {
    long iterations = 1;
    double elapsed = 0;
    while (elapsed < zf_round_seconds / 4) { /* calibrate; this also warms up */
        iterations *= 2;
        double start = zf_now();
        for (long i = 0; i < iterations; i++) {
            if (op(ctx)) { perror(name); exit(1); }
        }
        elapsed = (zf_now() - start) / 1e9;
    }
    iterations = (long) (iterations * zf_round_seconds / elapsed) + 1;
    double *ns = calloc(zf_rounds, sizeof *ns);
    for (int r = 0; r < zf_rounds; r++) {
        double start = zf_now();
        for (long i = 0; i < iterations; i++) {
            if (op(ctx)) { perror(name); exit(1); }
        }
        ns[r] = (zf_now() - start) / iterations;
    }
    qsort(ns, zf_rounds, sizeof *ns, zf_compare);
    printf("%s\t%s\t%.1f\t%.1f\t%dx%ld\n", name, param, ns[zf_rounds / 2], ns[0], zf_rounds, iterations);
    fflush(stdout);
    free(ns);
}

#endif

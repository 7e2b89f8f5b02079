/**
 * Allocation negotiation, device-free: who allocates the buffers a producer and its consumers share, in which
 * format, modifier, pitch and count.
 *
 * <p>Endpoints ({@link io.zeroframe.dmabuf.negotiation.Endpoint}, with {@link
 * io.zeroframe.dmabuf.negotiation.FormatOffer}s and {@link io.zeroframe.dmabuf.negotiation.FormatLimits}) and
 * {@link io.zeroframe.dmabuf.negotiation.Allocator}s are plain values; the {@link
 * io.zeroframe.dmabuf.negotiation.Planner} intersects them, proves candidates through {@link
 * io.zeroframe.dmabuf.negotiation.Trials} (refusals are {@link io.zeroframe.dmabuf.negotiation.TrialResult}s, not
 * exceptions) and answers a {@link io.zeroframe.dmabuf.negotiation.Plan} that explains itself, or a {@link
 * io.zeroframe.dmabuf.negotiation.NoPlanException} listing every side's offers. No kernel type appears here:
 * endpoints and trials for V4L2 queues, KMS planes and heaps are built in those modules.
 */
package io.zeroframe.dmabuf.negotiation;

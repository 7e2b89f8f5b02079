/**
 * The pieces of a zero-copy media pipeline that span devices: the {@link BufferPool} that a negotiated
 * {@link io.zeroframe.dmabuf.negotiation.Plan} allocates once, pairing each buffer's V4L2 index with its KMS
 * framebuffer and tracking where it is; {@link CaptureToScanout}, the camera-to-display loop (one wait over every
 * device, explicit fences on request); {@link CodecStage}, a V4L2 memory-to-memory device (stateful encoder,
 * stateful decoder, converter) as a hop that takes and gives dma-bufs; the {@link Recorder}, which taps the
 * camera-to-display loop to encode what it shows; {@link StagePlanner}, which plans every hop of camera -> stages ->
 * display at once ({@link StagePlan}), {@link Stages}, which allocates and starts such a plan once, and
 * {@link ThroughStages}, which shows the camera after those stages, every hop by dma-buf in one loop.
 */
package io.zeroframe.samples.pipeline;

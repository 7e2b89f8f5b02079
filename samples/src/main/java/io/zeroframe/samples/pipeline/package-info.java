/**
 * The pieces of a zero-copy media pipeline that span devices: the {@link BufferPool} that a negotiated
 * {@link io.zeroframe.dmabuf.negotiation.Plan} allocates once, pairing each buffer's V4L2 index with its KMS
 * framebuffer and tracking where it is; {@link CaptureToScanout}, the camera-to-display loop (one wait over every
 * device, explicit fences on request); {@link CodecStage}, a stateful V4L2 encoder or decoder as a hop that takes
 * and gives dma-bufs; the {@link Recorder}, which taps the camera-to-display loop to encode what it shows; and
 * {@link ThroughCodec}, which shows the camera after an encoder and a decoder, every hop by dma-buf in one loop.
 */
package io.zeroframe.samples.pipeline;

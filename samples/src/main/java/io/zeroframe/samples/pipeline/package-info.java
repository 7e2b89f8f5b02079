/**
 * The pieces of a zero-copy capture-to-scanout pipeline that span devices: the {@link BufferPool} that a
 * negotiated {@link io.zeroframe.dmabuf.negotiation.Plan} allocates once, pairing each buffer's V4L2 index with
 * its KMS framebuffer and tracking where it is.
 */
package io.zeroframe.samples.pipeline;

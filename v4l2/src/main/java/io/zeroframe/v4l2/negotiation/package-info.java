/**
 * V4L2 queues in an allocation negotiation ({@link io.zeroframe.dmabuf.negotiation}): a queue described as an
 * {@link io.zeroframe.dmabuf.negotiation.Endpoint} from what the driver reports ({@code VIDIOC_ENUM_FMT},
 * {@code VIDIOC_ENUM_FRAMESIZES}, {@code VIDIOC_TRY_FMT}, the queue's capabilities, the minimum-buffers controls),
 * and its working sides for the planner's trials: its MMAP buffers exported as frames
 * ({@link io.zeroframe.dmabuf.negotiation.BufferSource}) and the import of a frame proved on the driver
 * ({@link io.zeroframe.dmabuf.negotiation.BufferSink}). Start at {@link io.zeroframe.v4l2.negotiation.VideoEndpoint}.
 */
package io.zeroframe.v4l2.negotiation;

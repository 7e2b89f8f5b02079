/**
 * The media controller and V4L2 sub-devices: the half of V4L2 that embedded cameras need, where a sensor, a receiver,
 * an ISP and a scaler are blocks of a graph rather than one video node.
 *
 * <ul>
 * <li>{@link io.zeroframe.v4l2.media.MediaDevice}: a {@code /dev/mediaN} node; {@code MEDIA_IOC_DEVICE_INFO},
 *     the whole graph at once ({@code MEDIA_IOC_G_TOPOLOGY}) as an immutable
 *     {@link io.zeroframe.v4l2.media.MediaTopology} with typed ids, and links switched with
 *     {@code MEDIA_IOC_SETUP_LINK}; the graph as text and as Graphviz dot.
 * <li>{@link io.zeroframe.v4l2.media.SubDevice}: a {@code /dev/v4l-subdevN} node; pad formats, media-bus code,
 *     frame size and interval enumeration, selections and frame intervals, in the {@code ACTIVE} or {@code TRY}
 *     configuration ({@link io.zeroframe.v4l2.media.Which}); its controls through the module's
 *     {@link io.zeroframe.v4l2.control.Controls}.
 * <li>{@link io.zeroframe.v4l2.media.MediaPipeline}: the path from a sensor to a capture video node, its links
 *     enabled and its formats propagated pad by pad, with the first pad that refused reported as a value; after
 *     that the video node streams instead of failing {@code VIDIOC_STREAMON} with EPIPE.
 * </ul>
 */
package io.zeroframe.v4l2.media;

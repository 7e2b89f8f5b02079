/**
 * What a queue offers, as {@code VIDIOC_ENUM_FMT}, {@code VIDIOC_ENUM_FRAMESIZES} and
 * {@code VIDIOC_ENUM_FRAMEINTERVALS} list it: {@link io.zeroframe.v4l2.format.FormatDescription}s, their
 * {@link io.zeroframe.v4l2.format.FrameSizes} and {@link io.zeroframe.v4l2.format.FrameIntervals}, together as
 * {@link io.zeroframe.v4l2.format.FormatOffer}s (from {@code VideoDevice.formats}, {@code frameSizes},
 * {@code frameIntervals}, {@code formatOffers}). The format a queue is set to is {@code VideoFormat}.
 */
package io.zeroframe.v4l2.format;

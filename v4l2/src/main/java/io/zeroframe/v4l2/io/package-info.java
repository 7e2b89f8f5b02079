/**
 * Where a node's video comes from or goes to: its {@link io.zeroframe.v4l2.io.VideoInput}s and
 * {@link io.zeroframe.v4l2.io.VideoOutput}s ({@code VIDIOC_ENUMINPUT}, {@code VIDIOC_ENUMOUTPUT}), analog
 * {@link io.zeroframe.v4l2.io.VideoStandard}s and digital {@link io.zeroframe.v4l2.io.DvTimings} with their
 * {@link io.zeroframe.v4l2.io.DvTimingsCapabilities}; selected and set through {@code VideoDevice}.
 */
package io.zeroframe.v4l2.io;

/**
 * The controls of a video node ({@code VIDIOC_QUERY_EXT_CTRL}, {@code VIDIOC_QUERYMENU},
 * {@code VIDIOC_G/S/TRY_EXT_CTRLS}): {@link io.zeroframe.v4l2.control.Controls}, reached through
 * {@code VideoDevice.controls()}, enumerates them as {@link io.zeroframe.v4l2.control.ControlInfo}s, reads typed
 * {@link io.zeroframe.v4l2.control.ControlValue}s and writes checked values, several at once with a
 * {@link io.zeroframe.v4l2.control.ControlChange}.
 */
package io.zeroframe.v4l2.control;

package io.zeroframe.v4l2.media;

/**
 * What {@code VIDIOC_SUBDEV_QUERYCAP} says about a sub-device node ({@code struct v4l2_subdev_capability}).
 *
 * @param version      the kernel version the V4L2 core reports, {@code KERNEL_VERSION} encoded
 * @param readOnly     {@code V4L2_SUBDEV_CAP_RO_SUBDEV}: the node was registered read-only; set calls fail EPERM
 * @param streams      {@code V4L2_SUBDEV_CAP_STREAMS}: the sub-device routes several streams per pad
 * @param capabilities the raw {@code V4L2_SUBDEV_CAP_*} bits, unknown ones included
 */
public record SubDeviceCapability(int version, boolean readOnly, boolean streams, int capabilities) {}

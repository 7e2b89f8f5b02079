package io.zeroframe.v4l2;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What {@code VIDIOC_QUERYCAP} says about a video node.
 *
 * @param path               the node, e.g. {@code /dev/video0}
 * @param driver             the driver's name, e.g. {@code vivid} or {@code uvcvideo}
 * @param card               the device's name
 * @param busInfo            where the device sits, e.g. {@code platform:vivid-000}
 * @param version            the driver's version, {@code KERNEL_VERSION}-encoded
 * @param deviceCapabilities what this node can do ({@code device_caps})
 * @param unknownCapabilityBits {@code device_caps} bits {@link VideoCapability} does not name
 * @param name               the video device's own name from sysfs ({@code /sys/class/video4linux/videoN/name}),
 *                           which tells apart nodes of one driver that share a card name, e.g. vicodec's
 *                           {@code stateful-encoder} and {@code stateful-decoder}; empty if sysfs has none
 */
public record VideoDeviceInfo(Path path, String driver, String card, String busInfo, int version,
                              Set<VideoCapability> deviceCapabilities, int unknownCapabilityBits, String name) {
    public VideoDeviceInfo {
        deviceCapabilities = deviceCapabilities.isEmpty()
                ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(deviceCapabilities)); // kernel bit order
    }
}

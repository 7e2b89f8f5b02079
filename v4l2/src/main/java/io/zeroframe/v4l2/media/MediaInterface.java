package io.zeroframe.v4l2.media;

import java.nio.file.Path;
import java.util.Optional;

/**
 * An interface of a media graph ({@code struct media_v2_interface}): a device node through which userspace controls
 * entities (a video node, a sub-device node), linked to them by {@link LinkKind#INTERFACE} links. Immutable.
 *
 * @param id       its id in the graph
 * @param type     its kind, {@link InterfaceType#OTHER} for one this library does not know
 * @param typeCode the kernel's {@code MEDIA_INTF_T_*} value
 * @param major    the device node's major number
 * @param minor    the device node's minor number
 * @param node     the node's path, resolved through {@code /sys/dev/char/MAJOR:MINOR/uevent} ({@code DEVNAME});
 *                 empty when sysfs does not know the number
 */
public record MediaInterface(InterfaceId id, InterfaceType type, int typeCode, int major, int minor,
                             Optional<Path> node) {
    @Override
    public String toString() {
        return "interface " + id + " " + type.kernelName() + " " + major + ":" + minor
                + node.map(p -> " " + p).orElse("");
    }
}

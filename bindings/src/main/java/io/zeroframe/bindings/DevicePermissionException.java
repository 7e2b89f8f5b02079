package io.zeroframe.bindings;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The kernel refused access (EACCES or EPERM), with advice that fits the object. For a device node
 * ({@link #forNode}) the message names its owner, group and mode, and how to grant access, for example:
 * {@code open on /dev/dma_heap/system: EACCES (Permission denied): node is root:root crw-------, this process
 * runs as uid 1000; grant access with a udev rule (GROUP="video", MODE="0660") and add the user to that group,
 * or run as root}. Other refusals (DRM's "not master", a privileged ioctl) carry their own advice.
 * A file seal's EPERM is not a permission problem and is reported as a plain {@link KernelException}.
 */
public final class DevicePermissionException extends KernelException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * @param advice what to do about it, e.g. "become DRM master: ..."; appended to the message
     */
    public DevicePermissionException(String operation, String path, int errno, String advice) {
        super(operation, path, errno, advice);
    }

    /** A device node or file this process may not open: the advice names its owner and mode and the fix. */
    public static DevicePermissionException forNode(String operation, String path, int errno, String detail) {
        return new DevicePermissionException(operation, path, errno,
                join(detail, path == null ? null : advice(Path.of(path))));
    }

    private static String advice(Path node) {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(node, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        String kind = attributes.isOther() ? "c" : attributes.isDirectory() ? "d" : "-";
        String group = attributes.group().getName();
        StringBuilder advice = new StringBuilder("node is ")
                .append(attributes.owner().getName()).append(':').append(group).append(' ')
                .append(kind).append(PosixFilePermissions.toString(attributes.permissions()));
        advice.append(", this process runs as ").append(currentUser());
        if ("root".equals(group)) {
            advice.append("; grant access with a udev rule (e.g. GROUP=\"video\", MODE=\"0660\")")
                    .append(" and add the user to that group, or run as root");
        } else {
            advice.append("; add the user to group '").append(group)
                    .append("' (usermod -aG ").append(group).append(" USER, then log in again)")
                    .append(" or change the node's mode with a udev rule");
        }
        return advice.toString();
    }

    private static String currentUser() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return "uid " + uid;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "user " + System.getProperty("user.name");
        }
    }

    private static String join(String first, String second) {
        if (first == null || first.isEmpty()) {
            return second;
        }
        return second == null ? first : first + "; " + second;
    }
}

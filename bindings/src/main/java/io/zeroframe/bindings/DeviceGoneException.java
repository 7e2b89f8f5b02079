package io.zeroframe.bindings;

import java.io.Serial;

/**
 * The device went away: it was unplugged or unbound (a USB camera pulled, vivid's {@code disconnect} control).
 * Nothing more will work on this file descriptor's device; close it and look for the device again.
 *
 * <p>Thrown only by call sites that know the errno means removal (a V4L2 or DRM call on an open device node).
 * ENODEV elsewhere (mmap of an exporter without mmap support, a driver refusing a PRIME import) is a plain
 * {@link KernelException}: looking for the device again would not help there.
 */
public final class DeviceGoneException extends KernelException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * @param errno usually ENODEV; some drivers answer ENXIO or EIO after removal
     * @param detail what the caller can do, or {@code null}
     */
    public DeviceGoneException(String operation, String path, int errno, String detail) {
        super(operation, path, errno, detail);
    }
}

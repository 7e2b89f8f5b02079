package io.zeroframe.bindings;

import java.io.Serial;

/**
 * The device answered ENODEV: it was unplugged or unbound (a USB camera pulled, vivid's {@code disconnect}
 * control), or the driver refuses the request for this device (virtio-gpu's PRIME import of foreign buffers).
 * Nothing more will work on this file descriptor's device; close it and look for the device again.
 */
public final class DeviceGoneException extends KernelException {
    @Serial
    private static final long serialVersionUID = 1L;

    DeviceGoneException(String operation, String path, String detail) {
        super(operation, path, Errno.ENODEV, detail);
    }
}

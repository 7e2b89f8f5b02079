package io.zeroframe.drm;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_version;
import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds and identifies DRM devices. Card numbers depend on driver load order, so find a device by its
 * driver's name rather than by number.
 *
 * {@snippet :
 * Optional<DrmDeviceInfo> gpu = DrmDevices.findByDriver("virtio_gpu");
 * }
 */
public final class DrmDevices {
    private static final IoctlRequest DRM_IOCTL_VERSION =
            IoctlRequest.of("DRM_IOCTL_VERSION", drm_h.DRM_IOCTL_VERSION());

    private DrmDevices() {}

    /** The primary nodes {@code /dev/dri/cardN}, in numeric order. */
    public static List<Path> cards() throws IOException {
        return DeviceNodes.list(Path.of("/dev/dri"), "card");
    }

    /**
     * Opens {@code node} and asks {@code DRM_IOCTL_VERSION} (twice: once for the string lengths, once to fill
     * them).
     *
     * @throws KernelException {@code open} ENOENT for a missing node, a
     *         {@link io.zeroframe.bindings.DevicePermissionException} for a node this process may not open,
     *         {@code DRM_IOCTL_VERSION} ENOTTY or EINVAL for a node that is not a DRM device
     */
    public static DrmDeviceInfo query(Path node) throws KernelException {
        try (OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR);
             Arena arena = Arena.ofConfined()) {
            MemorySegment version = drm_version.allocate(arena);
            Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
            MemorySegment name = arena.allocate(drm_version.name_len(version) + 1);
            MemorySegment date = arena.allocate(drm_version.date_len(version) + 1);
            MemorySegment desc = arena.allocate(drm_version.desc_len(version) + 1);
            drm_version.name(version, name);
            drm_version.date(version, date);
            drm_version.desc(version, desc);
            Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
            return new DrmDeviceInfo(node, name.getString(0), desc.getString(0), date.getString(0),
                    drm_version.version_major(version), drm_version.version_minor(version),
                    drm_version.version_patchlevel(version));
        }
    }

    /**
     * The first card whose driver is {@code driver}. Cards that cannot be queried are skipped; if none matches
     * and some could not be queried, their failures are thrown (the first, with the others suppressed) rather
     * than reporting the driver absent.
     */
    public static Optional<DrmDeviceInfo> findByDriver(String driver) throws IOException {
        KernelException failure = null;
        for (Path card : cards()) {
            try {
                DrmDeviceInfo info = query(card);
                if (info.driver().equals(driver)) {
                    return Optional.of(info);
                }
            } catch (KernelException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return Optional.empty();
    }
}

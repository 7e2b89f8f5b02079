package io.zeroframe.v4l2;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_gem_close;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_prime_handle;
import io.zeroframe.bindings.drm.drm_version;
import io.zeroframe.bindings.drm_mode.drm_mode_create_dumb;
import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.DmaBuf;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * vgem for tests only (the minimum of dmabuf's test helper): a DRM dumb buffer exported by PRIME as a dma-buf, the
 * way a display device hands out buffers for a camera to fill. Closing it closes the GEM handles and the card.
 */
final class TestVgem implements AutoCloseable {
    private static final IoctlRequest DRM_IOCTL_VERSION = IoctlRequest.of("DRM_IOCTL_VERSION", drm_h.DRM_IOCTL_VERSION());
    private static final IoctlRequest DRM_IOCTL_MODE_CREATE_DUMB =
            IoctlRequest.of("DRM_IOCTL_MODE_CREATE_DUMB", drm_h.DRM_IOCTL_MODE_CREATE_DUMB());
    private static final IoctlRequest DRM_IOCTL_PRIME_HANDLE_TO_FD =
            IoctlRequest.of("DRM_IOCTL_PRIME_HANDLE_TO_FD", drm_h.DRM_IOCTL_PRIME_HANDLE_TO_FD());
    private static final IoctlRequest DRM_IOCTL_GEM_CLOSE =
            IoctlRequest.of("DRM_IOCTL_GEM_CLOSE", drm_h.DRM_IOCTL_GEM_CLOSE());

    private final OwnedFd card;
    private final List<Integer> handles = new ArrayList<>();

    private TestVgem(OwnedFd card) {
        this.card = card;
    }

    /** Opens the card whose driver is "vgem", whatever its number. */
    static TestVgem open() throws IOException {
        List<String> seen = new ArrayList<>();
        for (Path node : DeviceNodes.list(Path.of("/dev/dri"), "card")) {
            OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR);
            String driver = driverName(fd);
            if (driver.equals("vgem")) {
                return new TestVgem(fd);
            }
            seen.add(node + "=" + driver);
            fd.close();
        }
        throw new AssertionError("no vgem among /dev/dri/card*: " + seen + "; device tests need the kernel test bed");
    }

    private static String driverName(OwnedFd fd) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = drm_version.allocate(arena);
            Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
            MemorySegment name = arena.allocate(drm_version.name_len(version) + 1);
            drm_version.name(version, name);
            drm_version.date_len(version, 0);
            drm_version.desc_len(version, 0);
            Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
            return name.getString(0);
        }
    }

    /** A 32-bpp dumb buffer of {@code width x height}, PRIME-exported; the caller owns the dma-buf. */
    DmaBuf dumbBuffer(int width, int height) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_mode_create_dumb.allocate(arena);
            drm_mode_create_dumb.width(request, width);
            drm_mode_create_dumb.height(request, height);
            drm_mode_create_dumb.bpp(request, 32);
            Syscalls.ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, request);
            int handle = drm_mode_create_dumb.handle(request);
            handles.add(handle);
            MemorySegment prime = drm_prime_handle.allocate(arena);
            drm_prime_handle.handle(prime, handle);
            drm_prime_handle.flags(prime, drm_h.DRM_CLOEXEC() | drm_h.DRM_RDWR());
            drm_prime_handle.fd(prime, -1);
            Syscalls.ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, prime);
            return DmaBuf.adopt(OwnedFd.adopt(drm_prime_handle.fd(prime), "dma-buf (vgem dumb " + handle + ")"));
        }
    }

    @Override
    public void close() throws KernelException {
        try (OwnedFd fd = card; Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_gem_close.allocate(arena);
            for (int handle : handles) {
                drm_gem_close.handle(request, handle);
                Syscalls.ioctl(fd, DRM_IOCTL_GEM_CLOSE, request);
            }
            handles.clear();
        }
    }
}

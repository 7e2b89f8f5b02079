package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.fail;

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
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The vgem driver as a fence producer, for tests only: dumb buffers, PRIME export, and the driver-private fence
 * ioctls of {@code vgem_drm.h} (not installed on the host, so encoded here with the generic {@code _IOC} formula).
 * Closing it closes every GEM handle it made and then the card fd, which signals vgem's remaining fences.
 */
final class Vgem implements AutoCloseable {
    static final int VGEM_FENCE_WRITE = 1;
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;
    static final IoctlRequest DRM_IOCTL_VGEM_FENCE_ATTACH = IoctlRequest.of("DRM_IOCTL_VGEM_FENCE_ATTACH",
            ioc(IOC_READ | IOC_WRITE, drm_h.DRM_COMMAND_BASE() + 0x1, 16));
    static final IoctlRequest DRM_IOCTL_VGEM_FENCE_SIGNAL = IoctlRequest.of("DRM_IOCTL_VGEM_FENCE_SIGNAL",
            ioc(IOC_WRITE, drm_h.DRM_COMMAND_BASE() + 0x2, 8));
    private static final IoctlRequest DRM_IOCTL_VERSION = IoctlRequest.of("DRM_IOCTL_VERSION", drm_h.DRM_IOCTL_VERSION());
    private static final IoctlRequest DRM_IOCTL_MODE_CREATE_DUMB =
            IoctlRequest.of("DRM_IOCTL_MODE_CREATE_DUMB", drm_h.DRM_IOCTL_MODE_CREATE_DUMB());
    private static final IoctlRequest DRM_IOCTL_PRIME_HANDLE_TO_FD =
            IoctlRequest.of("DRM_IOCTL_PRIME_HANDLE_TO_FD", drm_h.DRM_IOCTL_PRIME_HANDLE_TO_FD());
    private static final IoctlRequest DRM_IOCTL_PRIME_FD_TO_HANDLE =
            IoctlRequest.of("DRM_IOCTL_PRIME_FD_TO_HANDLE", drm_h.DRM_IOCTL_PRIME_FD_TO_HANDLE());
    private static final IoctlRequest DRM_IOCTL_GEM_CLOSE =
            IoctlRequest.of("DRM_IOCTL_GEM_CLOSE", drm_h.DRM_IOCTL_GEM_CLOSE());

    final OwnedFd card;
    private final List<Integer> handles = new ArrayList<>();

    private Vgem(OwnedFd card) {
        this.card = card;
    }

    static long ioc(int direction, int number, int size) {
        return ((long) direction << 30) | ((long) size << 16) | ((long) drm_h.DRM_IOCTL_BASE() << 8) | number;
    }

    /** Opens the card whose DRM_IOCTL_VERSION name is "vgem", whatever its number. */
    static Vgem open() throws java.io.IOException {
        List<String> seen = new ArrayList<>();
        for (Path node : DeviceNodes.list(Path.of("/dev/dri"), "card")) {
            OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR);
            String driver = driverName(fd);
            if (driver.equals("vgem")) {
                return new Vgem(fd);
            }
            seen.add(node + "=" + driver);
            fd.close();
        }
        return fail("no vgem among /dev/dri/card*: " + seen + "; device tests need the kernel test bed");
    }

    private static String driverName(OwnedFd fd) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = drm_version.allocate(arena);
            Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
            long length = drm_version.name_len(version);
            MemorySegment name = arena.allocate(length + 1);
            drm_version.name(version, name);
            drm_version.date_len(version, 0);
            drm_version.desc_len(version, 0);
            Syscalls.ioctl(fd, DRM_IOCTL_VERSION, version);
            return name.getString(0);
        }
    }

    /** A dumb buffer's GEM handle (closed by {@link #close()}). */
    int createDumb(int width, int height) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_mode_create_dumb.allocate(arena);
            drm_mode_create_dumb.width(request, width);
            drm_mode_create_dumb.height(request, height);
            drm_mode_create_dumb.bpp(request, 32);
            Syscalls.ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, request);
            int handle = drm_mode_create_dumb.handle(request);
            handles.add(handle);
            return handle;
        }
    }

    /** PRIME-exports a handle as a dma-buf fd the caller owns. */
    OwnedFd export(int handle) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_prime_handle.allocate(arena);
            drm_prime_handle.handle(request, handle);
            drm_prime_handle.flags(request, drm_h.DRM_CLOEXEC() | drm_h.DRM_RDWR());
            drm_prime_handle.fd(request, -1);
            Syscalls.ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, request);
            return OwnedFd.adopt(drm_prime_handle.fd(request), "dma-buf (vgem handle " + handle + ")");
        }
    }

    /** PRIME-imports a dma-buf (borrowed) as a GEM handle, closed with this object. */
    int importPrime(DmaBuf buffer) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_prime_handle.allocate(arena);
            drm_prime_handle.fd(request, buffer.fd());
            Syscalls.ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, request);
            int handle = drm_prime_handle.handle(request);
            if (!handles.contains(handle)) {
                handles.add(handle);
            }
            return handle;
        }
    }

    /** Attaches an unsignalled vgem fence to the buffer; returns the fence id for {@link #signal}. */
    int attachFence(int handle, int flags) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(16, 4);
            request.set(ValueLayout.JAVA_INT, 0, handle);
            request.set(ValueLayout.JAVA_INT, 4, flags);
            Syscalls.ioctl(card, DRM_IOCTL_VGEM_FENCE_ATTACH, request);
            return request.get(ValueLayout.JAVA_INT, 8);
        }
    }

    void signal(int fence) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(8, 4);
            request.set(ValueLayout.JAVA_INT, 0, fence);
            Syscalls.ioctl(card, DRM_IOCTL_VGEM_FENCE_SIGNAL, request);
        }
    }

    /** Signals and returns the errno, or 0: for measuring the kernel's answers. */
    int trySignal(int fence) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(8, 4);
            request.set(ValueLayout.JAVA_INT, 0, fence);
            int result = Syscalls.tryIoctl(card, DRM_IOCTL_VGEM_FENCE_SIGNAL, request);
            return result < 0 ? -result : 0;
        }
    }

    int tryAttachFence(int handle, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(16, 4);
            request.set(ValueLayout.JAVA_INT, 0, handle);
            request.set(ValueLayout.JAVA_INT, 4, flags);
            int result = Syscalls.tryIoctl(card, DRM_IOCTL_VGEM_FENCE_ATTACH, request);
            return result < 0 ? -result : 0;
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

package io.zeroframe.drm;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.BufferAllocator;
import io.zeroframe.dmabuf.DmaBuf;
import java.util.Objects;

/**
 * The frame model's {@link BufferAllocator} over a device's dumb buffers: each allocation is a dumb buffer 1024
 * pixels of 32 bits wide (4096-byte rows) and as high as the size needs, exported as a dma-buf
 * ({@code DRM_IOCTL_PRIME_HANDLE_TO_FD}); the GEM handle is closed again, so the dma-buf is all that is left.
 * This is how a display that refuses foreign buffers (virtio-gpu) still shares memory: it allocates, the camera
 * imports. Thread-safe (the device's calls are).
 *
 * {@snippet :
 * try (Frame frame = Frame.allocate(new DumbBufferAllocator(card), FrameLayout.of(PixelFormat.XRGB8888, 640, 480));
 *      Framebuffer fb = card.addFramebuffer(frame)) {       // re-imports its own buffer: works on virtio-gpu
 * }
 * }
 */
public final class DumbBufferAllocator implements BufferAllocator {
    private static final int WIDTH = 1024;
    private static final int BPP = 32;
    private static final long ROW = WIDTH * BPP / 8;

    private final DrmDevice device;

    /** @param device borrowed; must stay open while allocating */
    public DumbBufferAllocator(DrmDevice device) {
        this.device = Objects.requireNonNull(device, "device");
    }

    /**
     * A dma-buf of at least {@code size} bytes (whole 4096-byte rows); the caller owns it.
     *
     * @throws IllegalArgumentException for a size that is not positive or needs more than 2^31 rows
     * @throws KernelException from {@code DRM_IOCTL_MODE_CREATE_DUMB} (ENOMEM) or the export
     */
    @Override
    public DmaBuf allocate(long size) throws KernelException {
        long rows = size <= 0 ? 0 : Math.ceilDiv(size, ROW);
        if (rows <= 0 || rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dumb buffer allocation of " + size + " bytes on " + device.path()
                    + ": not a positive size a dumb buffer can hold");
        }
        try (DumbBuffer buffer = device.createDumbBuffer(WIDTH, (int) rows, BPP)) {
            return buffer.exportDmaBuf();
        }
    }

    @Override
    public String description() {
        return "DRM dumb buffers (" + device.path() + ", " + device.version().name() + ")";
    }
}

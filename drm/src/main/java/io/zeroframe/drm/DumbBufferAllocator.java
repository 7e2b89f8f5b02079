package io.zeroframe.drm;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.BufferAllocator;
import io.zeroframe.dmabuf.DmaBuf;
import java.util.Objects;

/**
 * The frame model's {@link BufferAllocator} over a device's dumb buffers: each allocation is a dumb buffer of 32-bit
 * pixels, {@code rowBytes} wide and as many rows high as the size needs, exported as a dma-buf
 * ({@code DRM_IOCTL_PRIME_HANDLE_TO_FD}); the GEM handle is closed again, so the dma-buf is all that is left.
 * This is how a display that refuses foreign buffers (virtio-gpu) still shares memory: it allocates, the camera
 * imports.
 *
 * <p>Some drivers tie a dumb buffer's width and height to the memory for good: virtio-gpu makes a host resource of
 * that size and scans out by it, whatever pitch a framebuffer names. For scan-out there, give the frame's plane-0
 * pitch as {@code rowBytes} (a single-plane 32-bit format then gets exactly its own geometry); drivers that read
 * the framebuffer's pitch (vkms) take any. Thread-safe (the device's calls are).
 *
 * {@snippet :
 * FrameLayout layout = FrameLayout.of(PixelFormat.XRGB8888, 640, 480, 64);
 * try (Frame frame = Frame.allocate(new DumbBufferAllocator(card, layout.plane(0).pitch()), layout);
 *      Framebuffer fb = card.addFramebuffer(frame)) {       // re-imports its own buffer: works on virtio-gpu
 * }
 * }
 */
public final class DumbBufferAllocator implements BufferAllocator {
    private static final int BPP = 32;

    private final DrmDevice device;
    private final long row;

    /**
     * Rows of 4096 bytes (1024 pixels).
     *
     * @param device borrowed; must stay open while allocating
     */
    public DumbBufferAllocator(DrmDevice device) {
        this(device, 4096);
    }

    /**
     * @param device   borrowed; must stay open while allocating
     * @param rowBytes the dumb buffers' row: a positive multiple of 4 (32-bit pixels)
     */
    public DumbBufferAllocator(DrmDevice device, long rowBytes) {
        this.device = Objects.requireNonNull(device, "device");
        if (rowBytes <= 0 || rowBytes % 4 != 0 || rowBytes / 4 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dumb buffer rows of " + rowBytes + " bytes: not a positive multiple of 4");
        }
        this.row = rowBytes;
    }

    /**
     * A dma-buf of at least {@code size} bytes (whole rows); the caller owns it.
     *
     * @throws IllegalArgumentException for a size that is not positive or needs more than 2^31 rows
     * @throws KernelException from {@code DRM_IOCTL_MODE_CREATE_DUMB} (ENOMEM) or the export
     */
    @Override
    public DmaBuf allocate(long size) throws KernelException {
        long rows = size <= 0 ? 0 : Math.ceilDiv(size, row);
        if (rows <= 0 || rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dumb buffer allocation of " + size + " bytes on " + device.path()
                    + ": not a positive size a dumb buffer can hold");
        }
        try (DumbBuffer buffer = device.createDumbBuffer((int) (row / 4), (int) rows, BPP)) {
            return buffer.exportDmaBuf();
        }
    }

    @Override
    public String description() {
        return "DRM dumb buffers (" + device.path() + ", " + device.version().name() + ")";
    }
}

package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DumbBufferAllocator;
import io.zeroframe.v4l2.VideoFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A decoder's frames allocated by the display: the display's dumb buffers ({@code DRM_IOCTL_MODE_CREATE_DUMB},
 * exported with {@code DRM_IOCTL_PRIME_HANDLE_TO_FD}) in the decoder's CAPTURE format, which the decoder imports
 * ({@link CodecStage#resultFrames}). This is the allocation a display that refuses foreign dma-bufs needs
 * (virtio-gpu answers {@code DRM_IOCTL_PRIME_FD_TO_HANDLE} of a codec's buffer with ENODEV): it shows only its own
 * memory, so the decoder writes into that.
 *
 * <p>Each CAPTURE setup (the stream's first format, then every resolution change) gets a new set in the new format
 * (each dumb buffer's row is the format's {@code bytesperline}, since virtio-gpu scans a dumb buffer out by its own
 * geometry); the set before it is closed then, which the display survives: a framebuffer holds its GEM object, so the
 * frame still on screen keeps its memory until its framebuffer is removed. {@link #close} closes the current set,
 * after the decoder was closed or set up anew. Called on the decoder's thread; close from the owner's.
 */
public final class DisplayFrames implements CodecStage.ResultFrames, AutoCloseable {
    private final DrmDevice display;
    private List<Frame> current = List.of();
    private boolean closed;

    /** Frames of {@code display} (borrowed: keep it open while the decoder may set CAPTURE up). */
    public DisplayFrames(DrmDevice display) {
        this.display = Objects.requireNonNull(display, "display");
    }

    /**
     * {@code count} dumb-buffer frames in {@code format}; the previous set is closed first.
     *
     * @throws KernelException {@code DRM_IOCTL_MODE_CREATE_DUMB} or the export refused (e.g. ENOMEM), or EINVAL for a
     *         CAPTURE format the frame model has no layout for (a compressed or an unknown one)
     */
    @Override
    public synchronized List<Frame> frames(VideoFormat format, int count) throws KernelException {
        if (closed) {
            throw new IllegalStateException("the display frames of " + display + " are closed");
        }
        FrameLayout layout = format.toLayout().orElseThrow(() -> KernelException.of("DRM_IOCTL_MODE_CREATE_DUMB",
                display.toString(), Errno.EINVAL, "no frame layout for the decoder's format " + format
                        + ": the display cannot allocate it"));
        closeCurrent();
        List<Frame> made = new ArrayList<>(count);
        try {
            DumbBufferAllocator allocator = new DumbBufferAllocator(display, layout.plane(0).pitch());
            for (int i = 0; i < count; i++) {
                made.add(Frame.allocate(allocator, layout));
            }
        } catch (IOException e) {
            made.forEach(Frame::close);
            if (e instanceof KernelException kernel) {
                throw kernel;
            }
            throw KernelException.of("DRM_IOCTL_MODE_CREATE_DUMB", display.toString(), Errno.EIO, e.getMessage());
        } catch (RuntimeException | Error e) {
            made.forEach(Frame::close);
            throw e;
        }
        current = List.copyOf(made);
        return current;
    }

    /** The frames of the current set (the last {@link #frames} answer), owned here. */
    public synchronized List<Frame> current() {
        return current;
    }

    private void closeCurrent() {
        current.forEach(Frame::close);
        current = List.of();
    }

    /** Closes the current set; later {@link #frames} calls throw. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        closeCurrent();
    }
}

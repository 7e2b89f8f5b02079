package io.zeroframe.drm;

import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A DRM device's dumb buffers as a negotiation's {@link BufferSource}, for {@link PlaneEndpoint#source()} and
 * {@link RenderEndpoint#source()}: one dumb buffer ({@code DRM_IOCTL_MODE_CREATE_DUMB}) laid out as the candidate
 * says, exported with {@code DRM_IOCTL_PRIME_HANDLE_TO_FD} as the one buffer of a {@link Frame}. The dumb buffer's
 * GEM handle is kept until {@link #release()}, which closes it (the frame's dma-buf keeps the memory alive).
 *
 * <p>A dumb buffer is one linear buffer whose pitch the driver chooses: formats whose layout takes one buffer only
 * (NV12, not NV12M), {@link Modifier#LINEAR} only, and a driver pitch other than the candidate's is a refusal
 * rather than another layout (every endpoint was checked against the candidate's). Multi-planar formats in one
 * buffer are made as planes' rows of plane 0's bits per pixel (an NV12 frame 1.5 times as high at 8 bpp), the way
 * applications ask for them; drivers that take only 32 bpp (virtio-gpu) refuse those with EINVAL. Every refusal
 * is {@link TrialResult.Outcome#FIXABLE_BY_REALLOCATION fixable}: another allocator may make the buffer.
 */
final class DumbBufferSource implements BufferSource {
    private static final String CREATE_DUMB = "DRM_IOCTL_MODE_CREATE_DUMB";

    private final DrmDevice device;
    private final Allocator allocator;
    private DumbBuffer held;

    DumbBufferSource(DrmDevice device, Allocator allocator) {
        this.device = device;
        this.allocator = allocator;
    }

    /**
     * The pitch alignment of the device's dumb buffers, found by making a one-pixel, 32-bpp dumb buffer and
     * closing it again: 1 when its pitch is that pixel's 4 bytes (the driver uses the smallest pitch,
     * {@code DIV_ROUND_UP(width * bpp, 8)}: vkms, virtio-gpu, vgem), else that pitch (a driver rounding rows up, to
     * 64 bytes say). Empty when the device makes no dumb buffers (a render node, a driver without them).
     */
    static OptionalInt pitchAlignment(DrmDevice device) {
        if (device.isRenderNode()) {
            return OptionalInt.empty(); // CREATE_DUMB is not allowed on render nodes
        }
        try (DumbBuffer probe = device.createDumbBuffer(1, 1, 32)) {
            return OptionalInt.of(probe.pitch() <= 4 ? 1 : probe.pitch());
        } catch (KernelException e) {
            return OptionalInt.empty();
        }
    }

    @Override
    public Allocator allocator() {
        return allocator;
    }

    @Override
    public Attempt<Frame> allocate(Candidate candidate) {
        release();
        FrameLayout layout = candidate.layout();
        PixelFormat format = layout.format();
        if (!candidate.modifier().equals(Modifier.LINEAR)) {
            return refused("dumb buffers are linear, not " + candidate.modifier());
        }
        if (layout.bufferCount() != 1) {
            return refused("a dumb buffer is one buffer and " + format + " takes " + layout.bufferCount());
        }
        long pitch = layout.plane(0).pitch();
        long rows = Math.ceilDiv(layout.bufferSize(0), pitch);
        int bpp = format.plane(0).bitsPerSample();
        if (rows > Integer.MAX_VALUE) {
            return refused(rows + " rows do not fit a dumb buffer's height");
        }
        String what = layout.width() + "x" + rows + " dumb buffer at " + bpp + " bpp";
        DumbBuffer dumb;
        try {
            dumb = device.createDumbBuffer(layout.width(), (int) rows, bpp);
        } catch (FdClosedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (KernelException e) {
            return Attempt.refused(TrialResult.refused(e, TrialResult.Outcome.FIXABLE_BY_REALLOCATION,
                    device.version().name() + " makes no " + what));
        }
        if (dumb.pitch() != pitch) {
            dumb.close();
            return refused(device.version().name() + " lays a " + what + " out with pitch " + dumb.pitch()
                    + ", the candidate needs " + pitch);
        }
        DmaBuf buffer;
        try {
            buffer = dumb.exportDmaBuf();
        } catch (KernelException e) {
            dumb.close();
            return Attempt.refused(TrialResult.refused(e, TrialResult.Outcome.FIXABLE_BY_REALLOCATION,
                    device.version().name() + " did not export its " + what));
        }
        List<Frame.Plane> planes = new ArrayList<>(layout.planes().size());
        for (FrameLayout.Plane plane : layout.planes()) {
            planes.add(new Frame.Plane(buffer, plane.offset(), plane.pitch(), plane.size()));
        }
        try {
            Frame frame = Frame.of(format, layout.width(), layout.height(), Modifier.LINEAR, planes);
            held = dumb;
            return Attempt.accepted(frame);
        } catch (RuntimeException e) {
            dumb.close(); // Frame.of closed the dma-buf
            throw e;
        }
    }

    /** A refusal of the dumb-buffer layout itself, decided before or after {@code DRM_IOCTL_MODE_CREATE_DUMB}. */
    private static Attempt<Frame> refused(String reason) {
        return Attempt.refused(TrialResult.fixable(CREATE_DUMB, "EINVAL", reason));
    }

    /** Closes the last dumb buffer's GEM handle; never throws. */
    @Override
    public void release() {
        if (held != null) {
            held.close();
            held = null;
        }
    }

    @Override
    public String toString() {
        return allocator + " (" + device.path() + ")";
    }
}

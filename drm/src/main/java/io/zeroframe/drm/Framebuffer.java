package io.zeroframe.drm;

import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_ADDFB2;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_RMFB;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.drm_mode.drm_mode_fb_cmd2;
import io.zeroframe.bindings.drm_mode.drm_mode_h;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KMS framebuffer ({@code DRM_IOCTL_MODE_ADDFB2}): planes of buffer objects with a format, pitches, offsets and
 * a modifier, which a plane's {@code FB_ID} can show. It holds its own references to the memory. {@link #close()}
 * removes it ({@code DRM_IOCTL_MODE_RMFB}), which also turns off any plane still showing it. Close is idempotent
 * and thread-safe; after the device is closed it does nothing (the kernel removed it with the file).
 */
public final class Framebuffer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Framebuffer.class);
    private static final int MAX_PLANES = 4;

    private final DrmDevice device;
    private final FramebufferId id;
    private final DrmFormat format;
    private final int width;
    private final int height;
    private final Modifier modifier;
    private final boolean withModifiers;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Framebuffer(DrmDevice device, FramebufferId id, DrmFormat format, int width, int height, Modifier modifier,
                        boolean withModifiers) {
        this.device = device;
        this.id = id;
        this.format = format;
        this.width = width;
        this.height = height;
        this.modifier = modifier;
        this.withModifiers = withModifiers;
    }

    static Framebuffer add(DrmDevice device, Frame frame) throws KernelException {
        if (!frame.isOpen()) {
            throw new IllegalArgumentException("ADDFB2 of a closed frame: " + frame);
        }
        List<GemHandle> handles = new ArrayList<>(frame.planes().size());
        try {
            long[] pitches = new long[frame.planes().size()];
            long[] offsets = new long[pitches.length];
            for (int i = 0; i < pitches.length; i++) {
                Frame.Plane plane = frame.plane(i);
                pitches[i] = plane.pitch();
                offsets[i] = plane.offset();
            }
            for (int i = 0; i < pitches.length; i++) {
                handles.add(device.importDmaBuf(frame.plane(i).buffer()));
            }
            return add(device, new DrmFormat(frame.format().drmFourcc()), frame.width(), frame.height(), handles,
                    pitches, offsets, frame.modifier(), frame.toString());
        } finally {
            for (GemHandle handle : handles.reversed()) {
                handle.close(); // the framebuffer holds its own references
            }
        }
    }

    static Framebuffer add(DrmDevice device, DumbBuffer buffer, PixelFormat format) throws KernelException {
        if (format.planeCount() != 1) {
            throw new IllegalArgumentException("ADDFB2 of " + buffer + " as " + format
                    + ": a dumb buffer holds one plane, the format has " + format.planeCount());
        }
        return add(device, DrmFormat.of(format), buffer.width(), buffer.height(), List.of(buffer.handle()),
                new long[] {buffer.pitch()}, new long[] {0}, Modifier.LINEAR, buffer.toString());
    }

    /** ADDFB2 with every handle held in use ({@link GemHandle#beginUse}), so none reaches a recycled number. */
    private static Framebuffer add(DrmDevice device, DrmFormat format, int width, int height,
                                   List<GemHandle> handles, long[] pitches, long[] offsets, Modifier modifier,
                                   String what) throws KernelException {
        if (handles.size() > MAX_PLANES) {
            throw new IllegalArgumentException("ADDFB2 of " + what + ": " + handles.size() + " planes, at most "
                    + MAX_PLANES);
        }
        int[] numbers = new int[handles.size()];
        int begun = 0;
        try {
            for (; begun < numbers.length; begun++) {
                numbers[begun] = handles.get(begun).beginUse(DRM_IOCTL_MODE_ADDFB2.name());
            }
            return add(device, format, width, height, numbers, pitches, offsets, modifier, what);
        } finally {
            for (int i = begun - 1; i >= 0; i--) {
                handles.get(i).endUse();
            }
        }
    }

    private static Framebuffer add(DrmDevice device, DrmFormat format, int width, int height, int[] handles,
                                   long[] pitches, long[] offsets, Modifier modifier, String what)
            throws KernelException {
        boolean modifiers = device.capabilities().addFb2Modifiers() && !modifier.equals(Modifier.INVALID);
        try (Arena arena = Arena.ofConfined()) {
            String detail = format + " " + width + "x" + height + " " + modifier + " from " + what;
            if (modifiers) {
                MemorySegment cmd = command(arena, format, width, height, handles, pitches, offsets, modifier, true);
                int result = device.tryIoctl(DRM_IOCTL_MODE_ADDFB2, cmd);
                if (result >= 0) {
                    return new Framebuffer(device, new FramebufferId(drm_mode_fb_cmd2.fb_id(cmd)), format, width,
                            height, modifier, true);
                }
                if (-result != Errno.EINVAL || !modifier.equals(Modifier.LINEAR)) {
                    throw device.failure(DRM_IOCTL_MODE_ADDFB2.name(), -result, detail + " (with modifiers)");
                }
                LOG.debug("{} refused ADDFB2 with modifiers for {}; adding it without", device.path(), detail);
            }
            MemorySegment cmd = command(arena, format, width, height, handles, pitches, offsets, modifier, false);
            device.ioctl(DRM_IOCTL_MODE_ADDFB2, cmd, detail);
            return new Framebuffer(device, new FramebufferId(drm_mode_fb_cmd2.fb_id(cmd)), format, width, height,
                    modifier, false);
        }
    }

    /** A {@code struct drm_mode_fb_cmd2} in {@code arena}; the modifier and its flag only {@code withModifier}. */
    private static MemorySegment command(Arena arena, DrmFormat format, int width, int height, int[] handles,
                                         long[] pitches, long[] offsets, Modifier modifier, boolean withModifier) {
        MemorySegment cmd = drm_mode_fb_cmd2.allocate(arena);
        drm_mode_fb_cmd2.width(cmd, width);
        drm_mode_fb_cmd2.height(cmd, height);
        drm_mode_fb_cmd2.pixel_format(cmd, format.fourcc());
        drm_mode_fb_cmd2.flags(cmd, withModifier ? drm_mode_h.DRM_MODE_FB_MODIFIERS() : 0);
        for (int i = 0; i < handles.length; i++) {
            drm_mode_fb_cmd2.handles(cmd, i, handles[i]);
            // __u32 fields: Frame refuses larger pitches and offsets, DRM_IOCTL_MODE_CREATE_DUMB gives u32 ones
            drm_mode_fb_cmd2.pitches(cmd, i, (int) pitches[i]);
            drm_mode_fb_cmd2.offsets(cmd, i, (int) offsets[i]);
            drm_mode_fb_cmd2.modifier(cmd, i, withModifier ? modifier.value() : 0);
        }
        return cmd;
    }

    /**
     * {@link DrmDevice#tryAddFramebuffer}: {@code frame}'s planes imported with {@link DrmDevice#tryImport}, then
     * one ADDFB2 as {@code as}, the modifier flag only when asked; refusals as values, the handles closed again.
     */
    static Attempt<Framebuffer> tryAdd(DrmDevice device, Frame frame, PixelFormat as, boolean modifierFlag) {
        if (!as.planes().equals(frame.format().planes())) {
            throw new IllegalArgumentException(DRM_IOCTL_MODE_ADDFB2.name() + " on " + device.path() + ": "
                    + frame + " cannot be read as " + as + ": its planes are laid out otherwise ("
                    + frame.format().planes() + " against " + as.planes() + ")");
        }
        int planes = frame.planes().size();
        long[] pitches = new long[planes];
        long[] offsets = new long[planes];
        for (int i = 0; i < planes; i++) {
            pitches[i] = frame.plane(i).pitch();
            offsets[i] = frame.plane(i).offset();
        }
        List<GemHandle> handles = new ArrayList<>(planes);
        int[] numbers = new int[planes];
        int begun = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < planes; i++) {
                Attempt<GemHandle> imported = device.tryImport(frame.plane(i).buffer());
                if (!imported.accepted()) {
                    return Attempt.refused(imported.result());
                }
                handles.add(imported.get());
            }
            for (; begun < planes; begun++) {
                numbers[begun] = handles.get(begun).beginUse(DRM_IOCTL_MODE_ADDFB2.name());
            }
            DrmFormat format = DrmFormat.of(as);
            MemorySegment cmd = command(arena, format, frame.width(), frame.height(), numbers, pitches, offsets,
                    frame.modifier(), modifierFlag);
            int result = device.tryIoctl(DRM_IOCTL_MODE_ADDFB2, cmd);
            if (result < 0) {
                return Attempt.refused(addRefusal(device, -result, as + " " + frame.width() + "x" + frame.height()
                        + " pitch " + pitches[0] + (modifierFlag ? " with modifier " + frame.modifier()
                        : " without modifiers") + " (" + frame.format() + " bytes)"));
            }
            return Attempt.accepted(new Framebuffer(device, new FramebufferId(drm_mode_fb_cmd2.fb_id(cmd)), format,
                    frame.width(), frame.height(), frame.modifier(), modifierFlag));
        } catch (FdClosedException e) {
            throw new IllegalStateException(e.getMessage(), e); // our own handles, just made: the device closed
        } finally {
            for (int i = begun - 1; i >= 0; i--) {
                handles.get(i).endUse();
            }
            for (GemHandle handle : handles.reversed()) {
                handle.close(); // an accepted framebuffer holds its own references
            }
        }
    }

    private static TrialResult addRefusal(DrmDevice device, int errno, String what) {
        String call = DRM_IOCTL_MODE_ADDFB2.name();
        if (errno == Errno.EBADF && !device.isOpen()) {
            throw new IllegalStateException(call + " on " + device.path() + ": the device was closed");
        }
        if (errno == Errno.ENODEV) {
            return TrialResult.notFixable(call, Errno.name(errno), "the device is gone");
        }
        String reason = errno == Errno.ENOSPC ? "the buffer is too small for " + what
                : errno == Errno.EINVAL ? "the driver refuses " + what
                : "the driver refused " + what;
        return TrialResult.fixable(call, Errno.name(errno), reason);
    }

    /** The framebuffer's id, for a plane's {@code FB_ID}. */
    public FramebufferId id() {
        return id;
    }

    public DrmFormat format() {
        return format;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The layout its planes were added with. */
    public Modifier modifier() {
        return modifier;
    }

    /** Whether it was added with {@code DRM_MODE_FB_MODIFIERS} (false after a fallback, or without the cap). */
    public boolean addedWithModifiers() {
        return withModifiers;
    }

    public boolean isOpen() {
        return open.get();
    }

    /** Removes the framebuffer ({@code DRM_IOCTL_MODE_RMFB}); planes showing it are turned off. */
    @Override
    public void close() {
        if (!open.compareAndSet(true, false) || !device.isOpen()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fb = arena.allocate(ValueLayout.JAVA_INT);
            fb.set(ValueLayout.JAVA_INT, 0, id.value());
            int result = device.tryIoctl(DRM_IOCTL_MODE_RMFB, fb);
            if (result < 0 && device.isOpen()) {
                LOG.warn("{}", KernelException.of(DRM_IOCTL_MODE_RMFB.name(), device.path(), -result,
                        id.toString()).getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "Framebuffer[" + Integer.toUnsignedString(id.value()) + " " + format + " " + width + "x" + height + " "
                + modifier + (isOpen() ? "" : ", closed") + "]";
    }
}

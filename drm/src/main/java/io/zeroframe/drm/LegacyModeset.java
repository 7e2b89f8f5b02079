package io.zeroframe.drm;

import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_PAGE_FLIP;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_SETCRTC;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_SETPLANE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.drm_mode.drm_mode_crtc;
import io.zeroframe.bindings.drm_mode.drm_mode_crtc_page_flip;
import io.zeroframe.bindings.drm_mode.drm_mode_h;
import io.zeroframe.bindings.drm_mode.drm_mode_set_plane;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * Mode setting for drivers without atomic support: {@code DRM_IOCTL_MODE_SETCRTC}, {@code DRM_IOCTL_MODE_PAGE_FLIP}
 * and {@code DRM_IOCTL_MODE_SETPLANE}. All need DRM master. Prefer {@link AtomicRequest} where
 * {@link DrmDevice#isAtomic()}: it can test a configuration first and carries fences.
 */
public final class LegacyModeset {
    private final DrmDevice device;

    /** @param device borrowed */
    public LegacyModeset(DrmDevice device) {
        this.device = Objects.requireNonNull(device, "device");
    }

    /**
     * Sets {@code crtc}'s mode and shows {@code framebuffer} from {@code (x, y)} on {@code connectors}
     * ({@code DRM_IOCTL_MODE_SETCRTC}).
     */
    public void setCrtc(CrtcId crtc, FramebufferId framebuffer, int x, int y, List<ConnectorId> connectors, Mode mode)
            throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocate(JAVA_INT, Math.max(connectors.size(), 1));
            for (int i = 0; i < connectors.size(); i++) {
                ids.setAtIndex(JAVA_INT, i, connectors.get(i).value());
            }
            MemorySegment set = drm_mode_crtc.allocate(arena);
            drm_mode_crtc.crtc_id(set, crtc.value());
            drm_mode_crtc.fb_id(set, framebuffer == null ? 0 : framebuffer.value());
            drm_mode_crtc.x(set, x);
            drm_mode_crtc.y(set, y);
            drm_mode_crtc.count_connectors(set, connectors.size());
            drm_mode_crtc.set_connectors_ptr(set, ids.address());
            if (mode != null) {
                mode.write(drm_mode_crtc.mode(set));
                drm_mode_crtc.mode_valid(set, 1);
            }
            device.ioctl(DRM_IOCTL_MODE_SETCRTC, set, crtc + " " + framebuffer + " " + mode);
        }
    }

    /**
     * Queues a flip of {@code crtc} to {@code framebuffer} at the next vblank, with a flip-complete event carrying
     * {@code userData} ({@code DRM_IOCTL_MODE_PAGE_FLIP} with {@code DRM_MODE_PAGE_FLIP_EVENT}).
     *
     * @throws KernelException EBUSY while a flip is pending; ENOMEM while the file's events are unread (see
     *         {@link DrmEvents})
     */
    public void pageFlip(CrtcId crtc, FramebufferId framebuffer, long userData) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flip = drm_mode_crtc_page_flip.allocate(arena);
            drm_mode_crtc_page_flip.crtc_id(flip, crtc.value());
            drm_mode_crtc_page_flip.fb_id(flip, framebuffer.value());
            drm_mode_crtc_page_flip.flags(flip, drm_mode_h.DRM_MODE_PAGE_FLIP_EVENT());
            drm_mode_crtc_page_flip.user_data(flip, userData);
            int result = device.tryIoctl(DRM_IOCTL_MODE_PAGE_FLIP, flip);
            device.check(DRM_IOCTL_MODE_PAGE_FLIP, result, crtc + " to " + framebuffer
                    + (result == -io.zeroframe.bindings.Errno.ENOMEM ? ": " + DrmDevice.EVENTS_UNREAD : ""));
        }
    }

    /**
     * Shows {@code framebuffer}'s source rectangle (16.16 fixed point) at the CRTC rectangle on {@code plane}
     * ({@code DRM_IOCTL_MODE_SETPLANE}); a {@code null} framebuffer turns the plane off.
     */
    public void setPlane(PlaneId plane, CrtcId crtc, FramebufferId framebuffer, int crtcX, int crtcY, int crtcW,
                         int crtcH, int srcX, int srcY, int srcW, int srcH) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = drm_mode_set_plane.allocate(arena);
            drm_mode_set_plane.plane_id(set, plane.value());
            drm_mode_set_plane.crtc_id(set, crtc.value());
            drm_mode_set_plane.fb_id(set, framebuffer == null ? 0 : framebuffer.value());
            drm_mode_set_plane.crtc_x(set, crtcX);
            drm_mode_set_plane.crtc_y(set, crtcY);
            drm_mode_set_plane.crtc_w(set, crtcW);
            drm_mode_set_plane.crtc_h(set, crtcH);
            drm_mode_set_plane.src_x(set, srcX);
            drm_mode_set_plane.src_y(set, srcY);
            drm_mode_set_plane.src_w(set, srcW);
            drm_mode_set_plane.src_h(set, srcH);
            device.ioctl(DRM_IOCTL_MODE_SETPLANE, set, plane + " on " + crtc);
        }
    }
}

package io.zeroframe.drm;

import io.zeroframe.bindings.drm_mode.drm_mode_h;
import java.util.Set;

/** Flags of an atomic commit ({@code DRM_MODE_ATOMIC_*} and {@code DRM_MODE_PAGE_FLIP_*} in drm_mode.h). */
public enum CommitFlag {
    /** {@code DRM_MODE_ATOMIC_TEST_ONLY}: check the configuration, change nothing. */
    TEST_ONLY(drm_mode_h.DRM_MODE_ATOMIC_TEST_ONLY()),
    /** {@code DRM_MODE_ATOMIC_ALLOW_MODESET}: the commit may change modes (a full modeset). */
    ALLOW_MODESET(drm_mode_h.DRM_MODE_ATOMIC_ALLOW_MODESET()),
    /** {@code DRM_MODE_ATOMIC_NONBLOCK}: return before the commit is on screen (EBUSY while one is pending). */
    NONBLOCK(drm_mode_h.DRM_MODE_ATOMIC_NONBLOCK()),
    /** {@code DRM_MODE_PAGE_FLIP_EVENT}: send a flip-complete event per CRTC, carrying the commit's user data. */
    PAGE_FLIP_EVENT(drm_mode_h.DRM_MODE_PAGE_FLIP_EVENT()),
    /** {@code DRM_MODE_PAGE_FLIP_ASYNC}: flip without waiting for vblank, where the driver allows it. */
    PAGE_FLIP_ASYNC(drm_mode_h.DRM_MODE_PAGE_FLIP_ASYNC());

    private final int bit;

    CommitFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }

    /** The kernel's bits for {@code flags}; allocates nothing. */
    static int bits(Set<CommitFlag> flags) {
        int bits = 0;
        if (flags.contains(TEST_ONLY)) {
            bits |= TEST_ONLY.bit;
        }
        if (flags.contains(ALLOW_MODESET)) {
            bits |= ALLOW_MODESET.bit;
        }
        if (flags.contains(NONBLOCK)) {
            bits |= NONBLOCK.bit;
        }
        if (flags.contains(PAGE_FLIP_EVENT)) {
            bits |= PAGE_FLIP_EVENT.bit;
        }
        if (flags.contains(PAGE_FLIP_ASYNC)) {
            bits |= PAGE_FLIP_ASYNC.bit;
        }
        return bits;
    }
}

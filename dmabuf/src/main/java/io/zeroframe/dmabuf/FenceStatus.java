package io.zeroframe.dmabuf;

import io.zeroframe.bindings.Errno;

/**
 * The state of a fence or sync_file as {@code SYNC_IOC_FILE_INFO} reports it: 1 signalled, 0 still active,
 * a negative errno when the fence signalled with an error.
 *
 * @param value the kernel's raw status
 */
public record FenceStatus(int value) {
    /** A fence that has not signalled yet. */
    public static final FenceStatus ACTIVE = new FenceStatus(0);
    /** A fence that signalled without error. */
    public static final FenceStatus SIGNALLED = new FenceStatus(1);

    /** Whether the fence has signalled, with or without an error. */
    public boolean isSignalled() {
        return value != 0;
    }

    /** Whether the fence has not signalled yet. */
    public boolean isActive() {
        return value == 0;
    }

    /** Whether the fence signalled with an error. */
    public boolean isError() {
        return value < 0;
    }

    /** The error the fence signalled with (e.g. {@link Errno#ETIMEDOUT}), or 0. */
    public int errno() {
        return value < 0 ? -value : 0;
    }

    /** {@code "active"}, {@code "signalled"} or {@code "error ETIMEDOUT (Connection timed out)"}. */
    @Override
    public String toString() {
        if (value == 0) {
            return "active";
        }
        if (value > 0) {
            return "signalled";
        }
        return "error " + Errno.name(-value) + " (" + Errno.description(-value) + ")";
    }
}

package io.zeroframe.dmabuf.internal;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.SyncFile;

/**
 * Zeroframe's own modules' way into {@link DmaBuf} and {@link SyncFile} internals (exported only to them): wrap an
 * fd a kernel call just returned, known to be a dma-buf or sync_file, without checking it again; and reach the
 * owned fd of a buffer or fence, to hold it in use while its number sits in an ioctl argument (V4L2
 * {@code QBUF} of a {@code DMABUF} buffer, PRIME import, KMS {@code IN_FENCE_FD}).
 */
public final class DmaBufAccess {
    /** What the public classes give this bridge; installed by their static initialisers. */
    public interface Bridge {
        DmaBuf wrapDmaBuf(OwnedFd fd) throws KernelException;

        OwnedFd ownedFd(DmaBuf buffer);

        SyncFile wrapSyncFile(OwnedFd fd);

        OwnedFd ownedFd(SyncFile fence);
    }

    private static volatile Bridge bridge;

    private DmaBufAccess() {}

    /** Installs the bridge; called once, by {@code DmaBuf}'s static initialiser. */
    public static void install(Bridge implementation) {
        if (bridge != null) {
            throw new IllegalStateException("DmaBufAccess is installed already");
        }
        bridge = implementation;
    }

    /**
     * A {@code DmaBuf} for an fd the kernel just returned as a dma-buf (e.g. {@code VIDIOC_EXPBUF},
     * {@code DRM_IOCTL_PRIME_HANDLE_TO_FD}, {@code DMA_HEAP_IOCTL_ALLOC}); one {@code lseek}, no {@code fstatfs}.
     *
     * @param fd takes ownership, also when this fails (then it is closed)
     */
    public static DmaBuf wrap(OwnedFd fd) throws KernelException {
        return bridge().wrapDmaBuf(fd);
    }

    /**
     * A {@code SyncFile} for an fd the kernel just returned as a sync_file (a KMS out-fence).
     *
     * @param fd takes ownership
     */
    public static SyncFile wrapSyncFile(OwnedFd fd) {
        return bridge().wrapSyncFile(fd);
    }

    /** The buffer's owned fd, borrowed: bracket its use with {@code beginUse}/{@code endUse}. */
    public static OwnedFd ownedFd(DmaBuf buffer) {
        return bridge().ownedFd(buffer);
    }

    /** The fence's owned fd, borrowed: bracket its use with {@code beginUse}/{@code endUse}. */
    public static OwnedFd ownedFd(SyncFile fence) {
        return bridge().ownedFd(fence);
    }

    private static Bridge bridge() {
        Bridge installed = bridge;
        if (installed == null) {
            try {
                Class.forName(DmaBuf.class.getName(), true, DmaBuf.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            installed = bridge;
        }
        return installed;
    }
}

package io.zeroframe.bindings.sys;

/**
 * What {@code statx(2)} says about an open file (see {@link Syscalls#fstat}).
 *
 * @param inode     inode number; two dma-buf fds of the same buffer share it
 * @param mode      file type and permission bits ({@code st_mode})
 * @param uid       owner
 * @param gid       group
 * @param size      size in bytes (0 for most device nodes; the buffer size for a dma-buf)
 * @param rdevMajor device major number, for device nodes
 * @param rdevMinor device minor number, for device nodes
 */
public record FileStatus(long inode, int mode, int uid, int gid, long size, int rdevMajor, int rdevMinor) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFREG = 0100000;

    /** Whether this is a character device node, as V4L2, DRM and dma-heap nodes are. */
    public boolean isCharacterDevice() {
        return (mode & S_IFMT) == S_IFCHR;
    }

    /** Whether this is a regular file (memfds are). */
    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }
}

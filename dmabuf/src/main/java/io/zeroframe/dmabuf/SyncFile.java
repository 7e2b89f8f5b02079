package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.PollSource;
import io.zeroframe.bindings.Pollable;
import io.zeroframe.bindings.sync_file.sync_fence_info;
import io.zeroframe.bindings.sync_file.sync_file_h;
import io.zeroframe.bindings.sync_file.sync_file_info;
import io.zeroframe.bindings.sync_file.sync_merge_data;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.internal.FdInfo;
import io.zeroframe.dmabuf.internal.Names;
import io.zeroframe.dmabuf.internal.ThreadScratch;
import io.zeroframe.dmabuf.internal.Waits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A sync_file: an fd that stands for one or more dma-fences and becomes readable when all of them have signalled.
 * Obtained from {@link DmaBuf#exportSyncFile}, from a driver (KMS out-fences, GPU submissions) through
 * {@link #adopt}, or by {@link #merge merging} two.
 *
 * <p>Owns its fd: {@link #close()} releases it (idempotent). The set of fences is fixed when the sync_file is
 * created. Thread-safe: any number of threads may {@link #await} one sync_file at once, and {@link #close()} from
 * any thread wakes them with an {@link io.zeroframe.bindings.FdClosedException}. As a {@link Pollable} it is ready
 * ({@code POLLIN}) once every fence has signalled, so a {@link io.zeroframe.bindings.Poller} can wait for it
 * together with other sources.
 *
 * {@snippet :
 * try (SyncFile fence = buffer.exportSyncFile(Access.READ)) {
 *     if (!fence.await(Duration.ofMillis(16))) {
 *         // the producer has not finished writing yet
 *     }
 * }
 * }
 */
public final class SyncFile implements AutoCloseable, Pollable {
    static final IoctlRequest SYNC_IOC_FILE_INFO = IoctlRequest.of("SYNC_IOC_FILE_INFO", sync_file_h.SYNC_IOC_FILE_INFO());
    static final IoctlRequest SYNC_IOC_MERGE = IoctlRequest.of("SYNC_IOC_MERGE", sync_file_h.SYNC_IOC_MERGE());
    private static final String LINK_TARGET = "anon_inode:sync_file";
    private static final int NAME_CAPACITY = (int) sync_merge_data.name$layout().byteSize();

    private final OwnedFd fd;
    /** The fd polled for {@code POLLIN}, made on first use (most sync_files are only awaited or passed on). */
    private PollSource signalled;

    private SyncFile(OwnedFd fd) {
        this.fd = fd;
    }

    /**
     * Takes ownership of a sync_file fd, after checking that it is one ({@code /proc/self/fd/N} links to
     * {@code anon_inode:sync_file}).
     *
     * @param fd takes ownership, also when this fails: the fd is then closed, so nothing leaks; the given
     *           {@code OwnedFd} is left closed either way
     * @throws IllegalArgumentException if {@code fd} is not a sync_file (the message names its path and link)
     * @throws KernelException EBADF if {@code fd} is already closed
     */
    public static SyncFile adopt(OwnedFd fd) throws KernelException {
        Objects.requireNonNull(fd, "fd");
        try (fd) {
            String target = FdInfo.linkTarget(fd);
            if (!target.equals(LINK_TARGET)) {
                throw new IllegalArgumentException(fd.path() + " is not a sync_file: fd " + fd.get() + " links to "
                        + target + ", not " + LINK_TARGET + " (closed it)");
            }
            return new SyncFile(OwnedFd.adopt(fd.release(), fd.path()));
        }
    }

    /** Wraps an fd a Zeroframe ioctl just returned, known to be a sync_file; takes ownership. */
    static SyncFile wrap(OwnedFd fd) {
        return new SyncFile(fd);
    }

    /**
     * Waits until every fence has signalled ({@code poll} for {@code POLLIN}), at most {@code timeout}.
     * A fence that signals with an error also ends the wait: check {@link #status()}. Allocates nothing once the
     * wake eventfd (made on the first wait that may block) exists.
     *
     * @param timeout {@link Duration#ZERO} to test without waiting; rounded up to whole milliseconds;
     *                {@code ChronoUnit.FOREVER.getDuration()} (or anything beyond 24 days) waits forever
     * @return {@code true} if signalled, {@code false} on timeout
     * @throws io.zeroframe.bindings.FdClosedException if closed before or during the wait
     */
    public boolean await(Duration timeout) throws KernelException {
        return Waits.poll(fd, Syscalls.POLLIN, timeout, "poll (sync_file)");
    }

    /** The fd polled for {@code POLLIN}: every fence has signalled. Made on the first call, then reused. */
    @Override
    public PollSource pollSource() {
        PollSource source = signalled;
        if (source == null) {
            source = PollSource.of(fd, Syscalls.POLLIN); // a race makes two equal sources: harmless
            signalled = source;
        }
        return source;
    }

    /**
     * The sync_file's state, without waiting: {@code SYNC_IOC_FILE_INFO} with {@code num_fences = 0}.
     * Allocates nothing.
     *
     * @throws KernelException EBADF once closed
     */
    public FenceStatus status() throws KernelException {
        MemorySegment info = ThreadScratch.get();
        Syscalls.ioctl(fd, SYNC_IOC_FILE_INFO, info);
        return status(sync_file_info.status(info));
    }

    /**
     * The sync_file's name, state and fences: {@code SYNC_IOC_FILE_INFO} twice, first to learn the number of
     * fences, then with an array for them.
     *
     * @throws KernelException EBADF once closed
     */
    public SyncFileInfo info() throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = sync_file_info.allocate(arena);
            Syscalls.ioctl(fd, SYNC_IOC_FILE_INFO, request);
            int count = sync_file_info.num_fences(request);
            List<SyncFileInfo.FenceInfo> fences = new ArrayList<>(count);
            FenceStatus overall = status(sync_file_info.status(request));
            if (count > 0) {
                MemorySegment array = sync_fence_info.allocateArray(count, arena);
                request.fill((byte) 0);
                sync_file_info.num_fences(request, count);
                sync_file_info.sync_fence_info(request, array.address());
                Syscalls.ioctl(fd, SYNC_IOC_FILE_INFO, request);
                overall = status(sync_file_info.status(request));
                for (int i = 0; i < count; i++) {
                    MemorySegment fence = sync_fence_info.asSlice(array, i);
                    fences.add(new SyncFileInfo.FenceInfo(
                            Names.decode(sync_fence_info.driver_name(fence)),
                            Names.decode(sync_fence_info.obj_name(fence)),
                            status(sync_fence_info.status(fence)),
                            sync_fence_info.timestamp_ns(fence)));
                }
            }
            return new SyncFileInfo(Names.decode(sync_file_info.name(request)), overall, fences);
        }
    }

    /**
     * A new sync_file that signals when both this one and {@code other} have: {@code SYNC_IOC_MERGE}.
     *
     * @param name  the new sync_file's name, at most 31 UTF-8 bytes
     * @param other borrowed for the call; stays open and owned by its caller
     * @throws IllegalArgumentException if {@code name} does not fit
     * @throws KernelException EBADF if either is closed, EMFILE when out of fds
     */
    public SyncFile merge(String name, SyncFile other) throws KernelException {
        byte[] bytes = Names.encode(name, NAME_CAPACITY, "sync_file name (sync_merge_data.name)");
        Objects.requireNonNull(other, "other");
        int otherFd = other.fd.beginUse(SYNC_IOC_MERGE.name());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = sync_merge_data.allocate(arena);
            MemorySegment.copy(bytes, 0, sync_merge_data.name(request), JAVA_BYTE, 0,
                    bytes.length);
            sync_merge_data.fd2(request, otherFd);
            Syscalls.ioctl(fd, SYNC_IOC_MERGE, request);
            return wrap(OwnedFd.adopt(sync_merge_data.fence(request), "sync_file (merged \"" + name + "\")"));
        } finally {
            other.fd.endUse();
        }
    }

    /**
     * A second sync_file fd for the same fences ({@code F_DUPFD_CLOEXEC}), owned by the returned object.
     *
     * @throws KernelException EBADF once closed
     */
    public SyncFile duplicate() throws KernelException {
        return new SyncFile(fd.duplicate());
    }

    /** The path or description used in messages, e.g. {@code sync_file (exported from dma-buf ...)}. */
    public String path() {
        return fd.path();
    }

    /** Whether this object still owns its fd. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    /**
     * The raw fd, for messages and for handing to code outside Zeroframe; -1 once closed. The fd stays owned by
     * this object and may be closed by another thread at any moment: Zeroframe's own modules pass the
     * {@code SyncFile}, not this number.
     */
    public int fd() {
        return fd.get();
    }

    OwnedFd ownedFd() {
        return fd;
    }

    /** Closes the fd; later calls do nothing. The fences themselves are unaffected. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "SyncFile[" + fd + "]";
    }

    private static FenceStatus status(int value) {
        return value == 0 ? FenceStatus.ACTIVE : value == 1 ? FenceStatus.SIGNALLED : new FenceStatus(value);
    }
}

package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.PollSource;
import io.zeroframe.bindings.Pollable;
import io.zeroframe.bindings.dma_buf.dma_buf_export_sync_file;
import io.zeroframe.bindings.dma_buf.dma_buf_h;
import io.zeroframe.bindings.dma_buf.dma_buf_import_sync_file;
import io.zeroframe.bindings.dma_buf.dma_buf_sync;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.internal.DmaBufAccess;
import io.zeroframe.dmabuf.internal.FdInfo;
import io.zeroframe.dmabuf.internal.Names;
import io.zeroframe.dmabuf.internal.ThreadScratch;
import io.zeroframe.dmabuf.internal.Waits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dma-buf: a buffer shared between devices and processes through a file descriptor. It comes from a
 * dma-heap, a V4L2 {@code VIDIOC_EXPBUF}, a DRM PRIME export or udmabuf, and is handed to the next device as
 * its fd.
 *
 * <p><b>Ownership and lifetimes.</b> Owns its fd; {@link #close()} releases it (idempotent). A mapping made with
 * {@link #map} is a plain FFM segment of the {@link Arena} given: it lives exactly as long as that arena (confined,
 * shared, auto or global), and closing the buffer does not unmap it. That is memory-safe because a mapping holds
 * its own kernel reference to the buffer, as every mmap of a file does: the buffer's memory lives until both the
 * fd and the last mapping are gone. Code that must force unmapping at a point (V4L2's {@code REQBUFS(0)} refuses
 * while buffers are mapped) maps into one arena per queue or pool and closes it there.
 *
 * <p><b>Threads.</b> Thread-safe: any method may be called from several threads at once, and {@link #close()}
 * from any thread while others use the buffer. Calls in flight keep the fd number alive until they end
 * (so none reaches a recycled number); a thread blocked in {@link #awaitIdle} is woken by a close and gets an
 * {@link FdClosedException}.
 *
 * <p><b>CPU access.</b> The CPU must bracket its access to a mapping with {@link #cpuAccess(Access)} so that the
 * kernel can invalidate or flush caches on non-coherent devices and wait for pending device work. The kernel keeps
 * no state between {@code DMA_BUF_SYNC_START} and {@code _END}: brackets may overlap (two reader threads), and
 * closing the fd would not end one, so {@link #close()} ends every bracket still open with its
 * {@code DMA_BUF_SYNC_END} first, flushing what a forgotten {@code WRITE} bracket wrote.
 *
 * {@snippet :
 * try (DmaBuf buffer = DmaBuf.adopt(fdFromAHeap);
 *      Arena arena = Arena.ofConfined()) {
 *     MemorySegment pixels = buffer.map(arena, Access.READ_WRITE);   // unmapped when arena closes
 *     try (CpuAccess cpu = buffer.cpuAccess(Access.WRITE)) {         // DMA_BUF_IOCTL_SYNC START|WRITE
 *         pixels.fill((byte) 0x80);
 *     }                                                               // DMA_BUF_IOCTL_SYNC END|WRITE
 * }
 * }
 */
public final class DmaBuf implements AutoCloseable {
    static final IoctlRequest DMA_BUF_IOCTL_SYNC = IoctlRequest.of("DMA_BUF_IOCTL_SYNC", dma_buf_h.DMA_BUF_IOCTL_SYNC());
    static final IoctlRequest DMA_BUF_SET_NAME =
            IoctlRequest.of("DMA_BUF_SET_NAME_B", dma_buf_h.DMA_BUF_SET_NAME_B());
    static final IoctlRequest DMA_BUF_IOCTL_EXPORT_SYNC_FILE =
            IoctlRequest.of("DMA_BUF_IOCTL_EXPORT_SYNC_FILE", dma_buf_h.DMA_BUF_IOCTL_EXPORT_SYNC_FILE());
    static final IoctlRequest DMA_BUF_IOCTL_IMPORT_SYNC_FILE =
            IoctlRequest.of("DMA_BUF_IOCTL_IMPORT_SYNC_FILE", dma_buf_h.DMA_BUF_IOCTL_IMPORT_SYNC_FILE());
    /** The kernel's limit for {@link #setName}, including the terminating NUL. */
    static final int NAME_CAPACITY = dma_buf_h.DMA_BUF_NAME_LEN();
    /** How /proc/self/fd/N reads for a dma-buf: {@code /dmabuf:NAME}. */
    static final String LINK_PREFIX = "/dmabuf:";
    private static final String EXPORTER_FIELD = "exp_name";
    private static final Logger LOG = LoggerFactory.getLogger(DmaBuf.class);
    private static final Access[] ACCESSES = Access.values();
    /** The operation names of {@link #awaitIdle}, one per access, so that a wait builds no string. */
    private static final String[] IDLE_WAITS = {"poll (dma-buf READ)", "poll (dma-buf WRITE)",
            "poll (dma-buf READ_WRITE)"};

    static {
        DmaBufAccess.install(new DmaBufAccess.Bridge() {
            @Override
            public DmaBuf wrapDmaBuf(OwnedFd fd) throws KernelException {
                return wrap(fd);
            }

            @Override
            public OwnedFd ownedFd(DmaBuf buffer) {
                return buffer.fd;
            }

            @Override
            public SyncFile wrapSyncFile(OwnedFd fd) {
                return SyncFile.wrap(fd);
            }

            @Override
            public OwnedFd ownedFd(SyncFile fence) {
                return fence.ownedFd();
            }
        });
    }

    private final OwnedFd fd;
    private final long size;
    /** Open CPU-access brackets per {@link Access} ordinal, so that close() can end them. */
    private final AtomicIntegerArray openBrackets = new AtomicIntegerArray(ACCESSES.length);
    /** Set by close() before it ends the open brackets, so that a bracket beginning meanwhile ends itself. */
    private volatile boolean closing;
    /** The buffer's inode, read on first use by {@link #inode()}; 0 until then. */
    private volatile long inode;

    private DmaBuf(OwnedFd fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    /**
     * Takes ownership of a dma-buf fd, after the kernel's own check that it is one: it lives on the dma-buf file
     * system ({@code fstatfs} reports {@code DMA_BUF_MAGIC}). Learns the size with {@code lseek(SEEK_END)}.
     *
     * @param fd takes ownership, also when this fails: the fd is then closed, so nothing leaks. Either way the
     *           given {@code OwnedFd} is left closed ({@code get() == -1}), so a caller's try-with-resources
     *           around it is harmless
     * @throws IllegalArgumentException if {@code fd} is not a dma-buf; the message names its path and what
     *                                  the fd links to
     * @throws KernelException EBADF if {@code fd} was already closed; a failing {@code lseek}
     */
    public static DmaBuf adopt(OwnedFd fd) throws KernelException {
        Objects.requireNonNull(fd, "fd");
        try (fd) {
            if (Syscalls.fileSystemMagic(fd) != Syscalls.DMA_BUF_MAGIC) {
                throw new IllegalArgumentException(fd.path() + " is not a dma-buf: fd " + fd.get() + " links to "
                        + FdInfo.linkTarget(fd) + ", not a file of the dma-buf file system (closed it)");
            }
            long size = Syscalls.lseek(fd, 0, Syscalls.SEEK_END);
            return new DmaBuf(OwnedFd.adopt(fd.release(), fd.path()), size);
        }
    }

    /**
     * Wraps an fd a Zeroframe ioctl just returned, known to be a dma-buf, without checking it again; for
     * {@link DmaBufAccess}.
     *
     * @param fd takes ownership, also when this fails
     */
    static DmaBuf wrap(OwnedFd fd) throws KernelException {
        try {
            return new DmaBuf(fd, Syscalls.lseek(fd, 0, Syscalls.SEEK_END));
        } catch (KernelException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The buffer's size in bytes, as {@code lseek(SEEK_END)} reported it at adoption. */
    public long size() {
        return size;
    }

    /**
     * The buffer's inode number on the dma-buf file system ({@code statx}): the same for every fd of one buffer
     * in every process (a duplicate, a received copy, a second export of it), different for different buffers.
     * Read once, then cached.
     *
     * @throws KernelException EBADF if closed before the first call
     */
    public long inode() throws KernelException {
        long known = inode;
        if (known == 0) {
            known = Syscalls.fstat(fd).inode();
            inode = known;
        }
        return known;
    }

    /**
     * Whether {@code other} is an fd of the same buffer (same {@link #inode()}): e.g. a buffer received over
     * {@link FdChannel} and the one sent, or two imports of one V4L2 export.
     *
     * @param other borrowed
     * @throws KernelException EBADF if either is closed before its inode was read
     */
    public boolean sameBufferAs(DmaBuf other) throws KernelException {
        return other == this || inode() == other.inode();
    }

    /**
     * The exporter's name from {@code /proc/self/fdinfo} ({@code exp_name}): e.g. {@code "system"} for the system
     * heap, {@code "drm"} for any DRM PRIME export, {@code "udmabuf"}.
     *
     * @throws KernelException EBADF once closed
     */
    public String exporter() throws KernelException {
        return FdInfo.read(fd).getOrDefault(EXPORTER_FIELD, "");
    }

    /**
     * The name given with {@link #setName} (by this or another process), exactly as set (spaces and newlines
     * included), read from the fd's {@code /proc/self/fd} link ({@code /dmabuf:NAME}); empty if none was set.
     *
     * @throws KernelException EBADF once closed
     */
    public Optional<String> name() throws KernelException {
        String link = FdInfo.linkTarget(fd);
        if (!link.startsWith(LINK_PREFIX)) {
            throw KernelException.of("readlink /proc/self/fd", fd.path(), Errno.EINVAL,
                    "the link reads \"" + link + "\", not " + LINK_PREFIX + "NAME");
        }
        String name = link.substring(LINK_PREFIX.length());
        return name.isEmpty() ? Optional.empty() : Optional.of(name);
    }

    /**
     * Names the buffer for debugging ({@code DMA_BUF_SET_NAME_B}): the name shows in {@code /proc/PID/fdinfo},
     * {@code /sys/kernel/debug/dma_buf/bufinfo} and the fd's link ({@code /dmabuf:NAME}).
     *
     * @param name at most {@code DMA_BUF_NAME_LEN - 1} (31) UTF-8 bytes
     * @throws IllegalArgumentException if {@code name} does not fit or contains a NUL
     * @throws KernelException EBADF once closed
     */
    public void setName(String name) throws KernelException {
        byte[] bytes = Names.encode(name, NAME_CAPACITY, "DMA_BUF_SET_NAME_B on " + fd.path()
                + ": dma-buf name (DMA_BUF_NAME_LEN " + NAME_CAPACITY + ")");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(NAME_CAPACITY);
            MemorySegment.copy(bytes, 0, text, JAVA_BYTE, 0, bytes.length);
            // the argument is the string itself, not a pointer to a __u64 holding its address
            Syscalls.ioctl(fd, DMA_BUF_SET_NAME, text);
        }
    }

    /**
     * Maps the whole buffer ({@code mmap MAP_SHARED}) for the CPU. The segment is bounded to {@link #size()} and
     * belongs to {@code arena}: it is unmapped when the arena closes (for an automatic arena, once the segment is
     * unreachable), not when this buffer closes; the mapping keeps the buffer's memory alive until then. It costs
     * what an mmap and munmap cost and registers nothing with this buffer. Bracket every access with
     * {@link #cpuAccess}.
     *
     * @param arena  the mapping's lifetime; any kind of arena
     * @param access the protection: {@code READ} maps with {@code PROT_READ} and returns a
     *               {@linkplain MemorySegment#isReadOnly() read-only} segment, so that a write throws
     *               {@link IllegalArgumentException} instead of faulting on the read-only pages
     * @throws KernelException EACCES for a writable mapping of a buffer whose fd is read-only; ENODEV for an
     *                         exporter that does not support mmap; ENOMEM at the process's mapping limit
     *                         ({@code vm.max_map_count}); {@link FdClosedException} once closed
     * @throws IllegalStateException if {@code arena} is already closed
     */
    public MemorySegment map(Arena arena, Access access) throws KernelException {
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(access, "access");
        try {
            return Syscalls.mmap(fd, "mmap (dma-buf " + access + ")", 0, size, access.protection(),
                    Syscalls.MAP_SHARED, arena);
        } catch (KernelException e) {
            if (e.errno() == Errno.ENODEV) {
                throw KernelException.of(e.operation(), e.path(), e.errno(), "the exporter (" + exporterOrUnknown()
                        + ") does not support mmap; read the buffer through a device that imports it");
            }
            if (e.errno() == Errno.ENOMEM) {
                throw KernelException.of(e.operation(), e.path(), e.errno(), "out of address space or at the"
                        + " process's mapping limit (vm.max_map_count): close arenas of mappings no longer used");
            }
            throw e;
        }
    }

    private String exporterOrUnknown() {
        try {
            return exporter();
        } catch (KernelException e) {
            return "unknown";
        }
    }

    /**
     * Begins CPU access ({@code DMA_BUF_IOCTL_SYNC} with {@code DMA_BUF_SYNC_START} and the access's direction);
     * closing the result issues the matching {@code DMA_BUF_SYNC_END}. The START waits for device work the
     * direction conflicts with (a {@code READ} waits for pending writers' fences); EINTR is retried. Brackets may
     * overlap, as the kernel allows; {@link #close()} ends those still open. Allocates no native memory. A START
     * that waits for a device's fence sleeps in the kernel, where a {@code close()} from another thread cannot
     * wake it: it returns when the fence signals, and the close takes effect then.
     *
     * @throws FdClosedException once closed
     * @throws KernelException the failed {@code DMA_BUF_IOCTL_SYNC}
     */
    public CpuAccess cpuAccess(Access access) throws KernelException {
        Objects.requireNonNull(access, "access");
        sync(dma_buf_h.DMA_BUF_SYNC_START() | access.syncFlags());
        openBrackets.getAndIncrement(access.ordinal());
        if (closing) {
            // close() ran between the START and the count: end this bracket unless close() already did
            endCpuAccess(access);
            throw new FdClosedException(DMA_BUF_IOCTL_SYNC.name(), fd.path(), "closed while CPU access began");
        }
        return new CpuAccess(this, access);
    }

    /** Ends one bracket of {@code access}, unless {@link #close()} already ended it. */
    void endCpuAccess(Access access) throws KernelException {
        int index = access.ordinal();
        int open;
        do {
            open = openBrackets.get(index);
            if (open == 0) {
                return;
            }
        } while (!openBrackets.compareAndSet(index, open, open - 1));
        sync(dma_buf_h.DMA_BUF_SYNC_END() | access.syncFlags());
    }

    private void sync(int flags) throws KernelException {
        MemorySegment request = ThreadScratch.get();
        dma_buf_sync.flags(request, flags);
        Syscalls.ioctl(fd, DMA_BUF_IOCTL_SYNC, request);
    }

    /**
     * A sync_file holding the buffer's current fences ({@code DMA_BUF_IOCTL_EXPORT_SYNC_FILE}): for
     * {@link Access#READ}, the fences a reader must wait for (its writers); for {@code WRITE} and
     * {@code READ_WRITE}, all of them. Fences added later are not covered.
     *
     * @throws KernelException EBADF once closed, EMFILE when out of fds
     */
    public SyncFile exportSyncFile(Access access) throws KernelException {
        Objects.requireNonNull(access, "access");
        MemorySegment request = ThreadScratch.get();
        dma_buf_export_sync_file.flags(request, access.syncFlags());
        dma_buf_export_sync_file.fd(request, -1);
        Syscalls.ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, request);
        return SyncFile.wrap(OwnedFd.adopt(dma_buf_export_sync_file.fd(request), "sync_file (exported from " + fd.path() + ")"));
    }

    /**
     * Adds the fences of {@code fence} to the buffer ({@code DMA_BUF_IOCTL_IMPORT_SYNC_FILE}): as a write fence
     * for {@link Access#WRITE} and {@code READ_WRITE} (readers and writers will wait for it), as a read fence for
     * {@code READ} (only writers will).
     *
     * @param fence borrowed for the call (held in use, so a concurrent close of it cannot hand the kernel a
     *              recycled number); stays open and owned by its caller
     * @throws FdClosedException if either is closed
     */
    public void importSyncFile(SyncFile fence, Access access) throws KernelException {
        Objects.requireNonNull(fence, "fence");
        Objects.requireNonNull(access, "access");
        OwnedFd fenceFd = fence.ownedFd();
        int rawFence = fenceFd.beginUse(DMA_BUF_IOCTL_IMPORT_SYNC_FILE.name());
        try {
            MemorySegment request = ThreadScratch.get();
            dma_buf_import_sync_file.flags(request, access.syncFlags());
            dma_buf_import_sync_file.fd(request, rawFence);
            Syscalls.ioctl(fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, request);
        } finally {
            fenceFd.endUse();
        }
    }

    /**
     * Waits until the buffer is idle for {@code access}, at most {@code timeout}: {@code poll} on the dma-buf fd,
     * {@code POLLIN} for {@link Access#READ} (its writers' fences have signalled), {@code POLLOUT} for
     * {@code WRITE} and {@code READ_WRITE} (all its fences have signalled). Any number of threads may wait at once;
     * a {@link #close()} from another thread wakes them. Allocates nothing once the wake eventfd exists.
     *
     * @param timeout {@link Duration#ZERO} to test without waiting; rounded up to whole milliseconds;
     *                {@code ChronoUnit.FOREVER.getDuration()} (or anything beyond 24 days) waits forever
     * @return {@code true} if idle, {@code false} on timeout
     * @throws FdClosedException if closed before or during the wait
     */
    public boolean awaitIdle(Access access, Duration timeout) throws KernelException {
        Objects.requireNonNull(access, "access");
        return Waits.poll(fd, access.pollEvents(), timeout, IDLE_WAITS[access.ordinal()]);
    }

    /**
     * The buffer's idle state for {@code access} as a {@link Pollable}, for a {@link io.zeroframe.bindings.Poller}
     * that waits for it together with other sources: the same {@code poll} as {@link #awaitIdle}. Make it once
     * and register it; a closed buffer is reported closed.
     */
    public Pollable idle(Access access) {
        Objects.requireNonNull(access, "access");
        return PollSource.of(fd, access.pollEvents());
    }

    /**
     * A second, independently owned {@code DmaBuf} for the same buffer ({@code F_DUPFD_CLOEXEC}).
     *
     * @throws KernelException EBADF once closed, EMFILE when out of fds
     */
    public DmaBuf duplicate() throws KernelException {
        return new DmaBuf(fd.duplicate(), size);
    }

    /**
     * The raw fd, for messages and for handing to code outside Zeroframe; -1 once closed. The fd stays owned by
     * this object and may be closed by another thread at any moment: Zeroframe's own modules pass the buffer,
     * not this number.
     */
    public int fd() {
        return fd.get();
    }

    OwnedFd ownedFd() {
        return fd;
    }

    /** The path or description used in messages, e.g. {@code dma-buf (/dev/dma_heap/system)}. */
    public String path() {
        return fd.path();
    }

    /** Whether this object still owns its fd. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    /**
     * Ends every CPU-access bracket still open ({@code DMA_BUF_SYNC_END}, so a forgotten {@code WRITE} bracket's
     * data is flushed for the device), then closes the fd; later calls do nothing. Mappings stay valid until their
     * arenas close. Safe from any thread while others use the buffer.
     */
    @Override
    public void close() {
        if (!fd.isOpen()) {
            return;
        }
        closing = true;
        for (Access access : ACCESSES) {
            while (openBrackets.get(access.ordinal()) > 0) {
                try {
                    endCpuAccess(access);
                } catch (KernelException e) {
                    LOG.warn("ending an open CPU-access bracket ({}) at close: {}", access, e.getMessage());
                }
            }
        }
        fd.close();
    }

    @Override
    public String toString() {
        return "DmaBuf[" + fd + ", " + size + " bytes]";
    }
}

package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.dma_buf.dma_buf_export_sync_file;
import io.zeroframe.bindings.dma_buf.dma_buf_h;
import io.zeroframe.bindings.dma_buf.dma_buf_import_sync_file;
import io.zeroframe.bindings.dma_buf.dma_buf_sync;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.internal.FdInfo;
import io.zeroframe.dmabuf.internal.Names;
import io.zeroframe.dmabuf.internal.Waits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A dma-buf: a buffer shared between devices and processes through a file descriptor. It comes from a
 * dma-heap, a V4L2 {@code VIDIOC_EXPBUF}, a DRM PRIME export or udmabuf, and is handed to the next device as
 * its fd.
 *
 * <p>Owns its fd; {@link #close()} releases it (idempotent). A mapping made with {@link #map} lives until its
 * {@link Arena} or this buffer closes, whichever comes first; touching it afterwards throws
 * {@link IllegalStateException} rather than reaching unmapped memory. Not thread-safe.
 *
 * <p>The CPU must bracket its access to a mapping with {@link #cpuAccess(Access)} so that the kernel can flush
 * or invalidate caches on non-coherent devices and wait for pending device work. The bracket reuses a scratch
 * segment of this object, so it allocates no native memory per call.
 *
 * {@snippet :
 * try (DmaBuf buffer = DmaBuf.adopt(fdFromAHeap);
 *      Arena arena = Arena.ofConfined()) {
 *     MemorySegment pixels = buffer.map(arena, Access.READ_WRITE);
 *     try (CpuAccess cpu = buffer.cpuAccess(Access.WRITE)) {   // DMA_BUF_IOCTL_SYNC START|WRITE
 *         pixels.fill((byte) 0x80);
 *     }                                                         // DMA_BUF_IOCTL_SYNC END|WRITE
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

    private final OwnedFd fd;
    private final long size;
    /** dma_buf_sync, export/import structs and pollfd, reused by the calls that may run per frame. */
    private final MemorySegment sync;
    private final MemorySegment syncFileRequest;
    private final MemorySegment pollFd;
    private CpuAccess openBracket;
    /** One shared arena per live mapping: closed by this buffer's close or by the caller's arena. */
    private final Set<Arena> mappings = ConcurrentHashMap.newKeySet();

    private DmaBuf(OwnedFd fd, long size) {
        this.fd = fd;
        this.size = size;
        Arena scratch = Arena.ofAuto();
        this.sync = dma_buf_sync.allocate(scratch);
        this.syncFileRequest = scratch.allocate(Math.max(dma_buf_export_sync_file.layout().byteSize(),
                dma_buf_import_sync_file.layout().byteSize()), 8);
        this.pollFd = scratch.allocate(Syscalls.POLLFD);
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
                        + FdInfo.linkTarget(fd) + " and its /proc/self/fdinfo has no exp_name (closed it)");
            }
            long size = Syscalls.lseek(fd, 0, Syscalls.SEEK_END);
            return new DmaBuf(OwnedFd.adopt(fd.release(), fd.path()), size);
        }
    }

    /** Wraps an fd a Zeroframe ioctl just returned, known to be a dma-buf. */
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
     * The exporter's name from {@code /proc/self/fdinfo} ({@code exp_name}): e.g. {@code "system"} for the system
     * heap, {@code "drm"} for any DRM PRIME export, {@code "udmabuf"}.
     *
     * @throws KernelException EBADF once closed
     */
    public String exporter() throws KernelException {
        return FdInfo.read(fd).getOrDefault(EXPORTER_FIELD, "");
    }

    /**
     * The name given with {@link #setName} (by this or another process), from {@code /proc/self/fdinfo}; empty
     * if none was set.
     *
     * @throws KernelException EBADF once closed
     */
    public Optional<String> name() throws KernelException {
        return Optional.ofNullable(FdInfo.read(fd).get("name"));
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
        byte[] bytes = Names.encode(name, NAME_CAPACITY, "dma-buf name (DMA_BUF_NAME_LEN " + NAME_CAPACITY + ")");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(NAME_CAPACITY);
            MemorySegment.copy(bytes, 0, text, JAVA_BYTE, 0, bytes.length);
            // the argument is the string itself, not a pointer to a __u64 holding its address
            Syscalls.ioctl(fd, DMA_BUF_SET_NAME, text);
        }
    }

    /**
     * Maps the whole buffer ({@code mmap MAP_SHARED}) for the CPU. The segment is bounded to {@link #size()} and
     * unmapped when {@code arena} closes or this buffer closes, whichever is first. Bracket every access with
     * {@link #cpuAccess}.
     *
     * <p>Map a buffer once and reuse the mapping for every frame: to be invalidated by either owner, each mapping
     * lives in a shared arena of its own, and closing a shared arena synchronises with every thread (about
     * 0.1 ms on a desktop CPU; bench/results/results.md).
     *
     * @param access the protection: {@code READ} maps with {@code PROT_READ} and returns a
     *               {@linkplain MemorySegment#isReadOnly() read-only} segment, so that a write throws
     *               {@link IllegalArgumentException} instead of faulting on the read-only pages
     * @throws KernelException e.g. EACCES for a writable mapping of a buffer whose fd is read-only, ENODEV for
     *                         an exporter that does not support mmap, EBADF once closed
     */
    public MemorySegment map(Arena arena, Access access) throws KernelException {
        Objects.requireNonNull(arena, "arena");
        Arena mapping = Arena.ofShared();
        mappings.add(mapping);
        try {
            MemorySegment segment = Syscalls.mmap(fd, "mmap (dma-buf " + access + ")", 0, size,
                    access.protection(), Syscalls.MAP_SHARED, mapping);
            MemorySegment.NULL.reinterpret(arena, ignored -> unmap(mapping));
            return segment;
        } catch (KernelException | RuntimeException e) {
            unmap(mapping);
            throw e;
        }
    }

    private void unmap(Arena mapping) {
        if (mappings.remove(mapping)) {
            mapping.close();
        }
    }

    /**
     * Begins CPU access ({@code DMA_BUF_IOCTL_SYNC} with {@code DMA_BUF_SYNC_START} and the access's direction);
     * closing the result ends it. Waits for device work the direction conflicts with; EINTR is retried.
     *
     * @throws IllegalStateException if a bracket of this buffer is still open: the kernel does not nest them
     * @throws KernelException the failed {@code DMA_BUF_IOCTL_SYNC} (EBADF once closed)
     */
    public CpuAccess cpuAccess(Access access) throws KernelException {
        Objects.requireNonNull(access, "access");
        if (openBracket != null) {
            throw new IllegalStateException("CPU access to " + fd.path() + " already began (" + openBracket.access()
                    + "); close that bracket before beginning another");
        }
        dma_buf_sync.flags(sync, dma_buf_h.DMA_BUF_SYNC_START() | access.syncFlags());
        Syscalls.ioctl(fd, DMA_BUF_IOCTL_SYNC, sync);
        openBracket = new CpuAccess(this, access);
        return openBracket;
    }

    void endCpuAccess(CpuAccess bracket) throws KernelException {
        if (openBracket != bracket) {
            return;
        }
        openBracket = null;
        if (!fd.isOpen()) {
            return;
        }
        dma_buf_sync.flags(sync, dma_buf_h.DMA_BUF_SYNC_END() | bracket.access().syncFlags());
        Syscalls.ioctl(fd, DMA_BUF_IOCTL_SYNC, sync);
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
        syncFileRequest.fill((byte) 0);
        dma_buf_export_sync_file.flags(syncFileRequest, access.syncFlags());
        dma_buf_export_sync_file.fd(syncFileRequest, -1);
        Syscalls.ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, syncFileRequest);
        return SyncFile.wrap(dma_buf_export_sync_file.fd(syncFileRequest), "sync_file (exported from " + fd.path() + ")");
    }

    /**
     * Adds the fences of {@code fence} to the buffer ({@code DMA_BUF_IOCTL_IMPORT_SYNC_FILE}): as a write fence
     * for {@link Access#WRITE} and {@code READ_WRITE} (readers and writers will wait for it), as a read fence for
     * {@code READ} (only writers will).
     *
     * @param fence borrowed for the call; stays open and owned by its caller
     * @throws KernelException EBADF if either is closed
     */
    public void importSyncFile(SyncFile fence, Access access) throws KernelException {
        Objects.requireNonNull(fence, "fence");
        Objects.requireNonNull(access, "access");
        if (!fence.isOpen()) {
            throw KernelException.of(DMA_BUF_IOCTL_IMPORT_SYNC_FILE.name(), fd.path(), Errno.EBADF,
                    "the sync_file " + fence.path() + " was already closed");
        }
        syncFileRequest.fill((byte) 0);
        dma_buf_import_sync_file.flags(syncFileRequest, access.syncFlags());
        dma_buf_import_sync_file.fd(syncFileRequest, fence.fd());
        Syscalls.ioctl(fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, syncFileRequest);
    }

    /**
     * Waits until the buffer is idle for {@code access}, at most {@code timeout}: {@code poll} on the dma-buf fd,
     * {@code POLLIN} for {@link Access#READ} (its writers' fences have signalled), {@code POLLOUT} for
     * {@code WRITE} and {@code READ_WRITE} (all its fences have signalled). Allocates nothing.
     *
     * @param timeout {@link Duration#ZERO} to test without waiting; rounded up to whole milliseconds
     * @return {@code true} if idle, {@code false} on timeout
     * @throws KernelException EBADF once closed
     */
    public boolean awaitIdle(Access access, Duration timeout) throws KernelException {
        Objects.requireNonNull(access, "access");
        return Waits.poll(pollFd, fd, access.pollEvents(), timeout, "poll (dma-buf " + access + ")");
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
     * Borrows the raw fd for passing to another ioctl (V4L2 {@code QBUF} of a {@code DMABUF} buffer, PRIME
     * import); -1 once closed. The fd stays owned by this object.
     */
    public int fd() {
        return fd.get();
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
     * Unmaps every mapping still open and closes the fd; later calls do nothing. An open {@link CpuAccess}
     * bracket is abandoned (the kernel ends it with the file).
     */
    @Override
    public void close() {
        openBracket = null;
        mappings.forEach(this::unmap);
        fd.close();
    }

    @Override
    public String toString() {
        return "DmaBuf[" + fd + ", " + size + " bytes]";
    }
}

package io.zeroframe.bindings.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.zeroframe.bindings.DeviceGoneException;
import io.zeroframe.bindings.DevicePermissionException;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.libc.libc_h;
import io.zeroframe.bindings.libc.pollfd;
import io.zeroframe.bindings.libc.statfs;
import io.zeroframe.bindings.libc.statx;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system calls Zeroframe makes, as FFM downcalls that capture errno.
 *
 * <p>Every call takes the {@link OwnedFd} it borrows, retries EINTR, and turns a failure into a
 * {@link KernelException} naming the operation, the fd's path and the errno. Each call brackets its use of the
 * fd number with {@link OwnedFd#beginUse}/{@link OwnedFd#endUse()}, so a concurrent close never lets it reach a
 * recycled number; a closed {@code OwnedFd} fails with {@link FdClosedException} before reaching the kernel.
 * {@link #waitFor} blocks in {@code poll} together with the fd's wake eventfd, so closing wakes it. errno is captured into a segment reused per thread, so the calls allocate
 * nothing on the Java heap; none uses {@code Linker.Option.critical}, because ioctls such as {@code VIDIOC_DQBUF}
 * and {@code poll} may block.
 *
 * <p>Constants and structs come from the kernel's uAPI headers through jextract (package {@code libc}), so the
 * ABI test checks them against gcc like every other binding.
 */
public final class Syscalls {
    public static final int O_RDONLY = libc_h.O_RDONLY();
    public static final int O_WRONLY = libc_h.O_WRONLY();
    public static final int O_RDWR = libc_h.O_RDWR();
    public static final int O_NONBLOCK = libc_h.O_NONBLOCK();
    public static final int O_CLOEXEC = libc_h.O_CLOEXEC();

    public static final int PROT_READ = libc_h.PROT_READ();
    public static final int PROT_WRITE = libc_h.PROT_WRITE();
    public static final int MAP_SHARED = libc_h.MAP_SHARED();
    public static final int MAP_PRIVATE = libc_h.MAP_PRIVATE();

    public static final int F_GETFD = libc_h.F_GETFD();
    public static final int F_GETFL = libc_h.F_GETFL();
    public static final int F_DUPFD_CLOEXEC = libc_h.F_DUPFD_CLOEXEC();
    public static final int F_ADD_SEALS = libc_h.F_ADD_SEALS();
    public static final int F_GET_SEALS = libc_h.F_GET_SEALS();
    public static final int F_SEAL_SEAL = libc_h.F_SEAL_SEAL();
    public static final int F_SEAL_SHRINK = libc_h.F_SEAL_SHRINK();
    public static final int F_SEAL_GROW = libc_h.F_SEAL_GROW();
    public static final int F_SEAL_WRITE = libc_h.F_SEAL_WRITE();

    public static final int MFD_CLOEXEC = libc_h.MFD_CLOEXEC();
    public static final int MFD_ALLOW_SEALING = libc_h.MFD_ALLOW_SEALING();
    /** The longest memfd name in bytes: {@code MFD_NAME_MAX_LEN} (mm/memfd.c; not in the uAPI headers). */
    public static final int MFD_NAME_MAX_LEN = 249;

    public static final int SEEK_SET = libc_h.SEEK_SET();
    public static final int SEEK_CUR = libc_h.SEEK_CUR();
    public static final int SEEK_END = libc_h.SEEK_END();

    /** The file system magic of dma-buf fds ({@code DMA_BUF_MAGIC}, "DMAB"), as {@link #fileSystemMagic} reads it. */
    public static final long DMA_BUF_MAGIC = libc_h.DMA_BUF_MAGIC();

    public static final short POLLIN = (short) libc_h.POLLIN();
    public static final short POLLPRI = (short) libc_h.POLLPRI();
    public static final short POLLOUT = (short) libc_h.POLLOUT();
    public static final short POLLERR = (short) libc_h.POLLERR();
    public static final short POLLHUP = (short) libc_h.POLLHUP();
    public static final short POLLNVAL = (short) libc_h.POLLNVAL();

    /** {@code FIONREAD}: how many bytes a pipe or socket holds ready to read, into an {@code int}. */
    public static final IoctlRequest FIONREAD = IoctlRequest.of("FIONREAD", libc_h.FIONREAD());

    /** {@code struct pollfd}: {@code int fd; short events; short revents;}. */
    public static final StructLayout POLLFD = (StructLayout) pollfd.layout();

    private static final Logger LOG = LoggerFactory.getLogger(Syscalls.class);
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** Where each thread's downcalls capture errno; shared by the classes of this package. */
    static final ThreadLocal<MemorySegment> ERRNO_SLOT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));


    private static final MethodHandle IOCTL_POINTER = capturing("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle IOCTL_VALUE = capturing("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    private static final MethodHandle OPEN = capturing("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle CLOSE = capturing("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle MMAP = capturing("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle MUNMAP = capturing("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), -1);
    /** mmap and munmap with the address as a {@code long}: no segment is made per call. */
    private static final MethodHandle MMAP_ADDRESS = capturing("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle MUNMAP_ADDRESS = capturing("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle POLL = capturing("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle FCNTL = capturing("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle STATX = capturing("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), -1);
    private static final MethodHandle FSTATFS = capturing("fstatfs",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), -1);
    private static final MethodHandle LSEEK = capturing("lseek",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle FTRUNCATE = capturing("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle MEMFD_CREATE = capturing("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle PIPE2 = capturing("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle READ = capturing("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle WRITE = capturing("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle GETPAGESIZE = capturing("getpagesize", FunctionDescriptor.of(JAVA_INT), -1);
    private static final MethodHandle EVENTFD = capturing("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle EVENTFD_WRITE = capturing("eventfd_write",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    /**
     * {@code EFD_CLOEXEC | EFD_NONBLOCK}: linux/eventfd.h defines them as {@code O_CLOEXEC} and {@code O_NONBLOCK}
     * (the header is not among the generated ones; the values are the ABI test's checked O_ flags).
     */
    private static final int EVENTFD_FLAGS = O_CLOEXEC | O_NONBLOCK;
    /** Per thread for {@link #waitFor}: its errno slot and two {@code struct pollfd} (the fd, its wake eventfd). */
    private record WaitScratch(MemorySegment errno, MemorySegment pollFds) {}

    private static final ThreadLocal<WaitScratch> WAIT_SLOT = ThreadLocal.withInitial(
            () -> new WaitScratch(ERRNO_SLOT.get(), Arena.ofAuto().allocate(POLLFD, 2)));
    private static final long POLLFD_SIZE = POLLFD.byteSize();
    private static final long POLL_FD_OFFSET = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    private static final long POLL_EVENTS_OFFSET = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    private static final long POLL_REVENTS_OFFSET =
            POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents"));

    static {
        // Failure paths must not need new code or memory: at the mmap or fd limit the JVM cannot link a downcall
        // or load a class on demand. Load the exception classes and link strerrorname_np/strerrordesc_np now.
        Errno.name(Errno.EINVAL);
        Errno.description(Errno.EINVAL);
        new FdClosedException("init", null, null).getMessage();
        DevicePermissionException.class.getName();
        DeviceGoneException.class.getName();
    }

    private Syscalls() {}

    /** The kernel's page size in bytes ({@code getpagesize()}), e.g. 4096 on x86-64; read once. */
    public static long pageSize() {
        return PageSizeHolder.VALUE;
    }

    private static final class PageSizeHolder {
        static final long VALUE;

        static {
            try {
                VALUE = (int) GETPAGESIZE.invokeExact(ERRNO_SLOT.get());
            } catch (Throwable t) {
                throw new ExceptionInInitializerError(t);
            }
        }
    }

    /**
     * {@code ioctl(fd, request, arg)} with a pointer argument, retried on EINTR.
     *
     * @param fd      borrowed for the call
     * @param arg     the argument struct; must be at least {@link IoctlRequest#argumentSize()} bytes, because
     *                the kernel reads or writes that much behind the pointer
     * @return the ioctl's non-negative result
     * @throws KernelException naming {@code request}'s kernel name and {@code fd}'s path
     * @throws IllegalArgumentException if {@code arg} is smaller than the request's encoded size
     */
    public static int ioctl(OwnedFd fd, IoctlRequest request, MemorySegment arg) throws KernelException {
        checkArgument(request, arg);
        int raw = fd.beginUse(request.name());
        try {
            int result = rawIoctl(raw, request, arg);
            if (result < 0) {
                throw KernelException.of(request.name(), fd.path(), -result);
            }
            return result;
        } finally {
            fd.endUse();
        }
    }

    /**
     * Like {@link #ioctl(OwnedFd, IoctlRequest, MemorySegment)}, but returns a failure as {@code -errno} instead
     * of throwing, for callers to whom some errors are ordinary outcomes (EAGAIN from a non-blocking
     * {@code VIDIOC_DQBUF}). A closed fd gives {@code -EBADF}.
     */
    public static int tryIoctl(OwnedFd fd, IoctlRequest request, MemorySegment arg) {
        checkArgument(request, arg);
        int raw;
        try {
            raw = fd.beginUse(request.name());
        } catch (FdClosedException e) {
            return -Errno.EBADF;
        }
        try {
            return rawIoctl(raw, request, arg);
        } finally {
            fd.endUse();
        }
    }

    private static void checkArgument(IoctlRequest request, MemorySegment arg) {
        if (request.hasArgumentStruct() && arg.byteSize() < request.argumentSize()) {
            throw new IllegalArgumentException(request.name() + " needs a " + request.argumentSize()
                    + "-byte argument, got " + arg.byteSize() + " bytes");
        }
    }

    /** The ioctl on a raw fd the caller holds in use: the result, or {@code -errno}; EINTR retried. */
    private static int rawIoctl(int raw, IoctlRequest request, MemorySegment arg) {
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            int result;
            do {
                result = (int) IOCTL_POINTER.invokeExact(errno, raw, request.number(), arg);
            } while (result == -1 && errno(errno) == Errno.EINTR);
            return result == -1 ? -errno(errno) : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code ioctl(fd, request, value)} for requests that take an integer by value, retried on EINTR. */
    public static int ioctl(OwnedFd fd, IoctlRequest request, long value) throws KernelException {
        int raw = fd.beginUse(request.name());
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            int result;
            do {
                result = (int) IOCTL_VALUE.invokeExact(errno, raw, request.number(), value);
            } while (result == -1 && errno(errno) == Errno.EINTR);
            return check(result, errno, request.name(), fd.path());
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            fd.endUse();
        }
    }

    /**
     * Opens a file or device node; {@link #O_CLOEXEC} is always added.
     *
     * @throws KernelException ENOENT for a missing node; {@link DevicePermissionException} (EACCES, EPERM) for a
     *                         node this process may not open (the message names its owner and mode and how to
     *                         grant access); {@link DeviceGoneException} (ENODEV, ENXIO) for a device node whose
     *                         device is gone
     */
    public static OwnedFd open(Path path, int flags) throws KernelException {
        String name = path.toString();
        int fd;
        int error;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(name);
            MemorySegment errno = ERRNO_SLOT.get();
            do {
                fd = (int) OPEN.invokeExact(errno, cPath, flags | O_CLOEXEC, 0);
            } while (fd == -1 && errno(errno) == Errno.EINTR);
            error = fd == -1 ? errno(errno) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd >= 0) {
            return OwnedFd.adopt(fd, name);
        }
        if (error == Errno.EACCES || error == Errno.EPERM) {
            throw DevicePermissionException.forNode("open", name, error, null);
        }
        if (error == Errno.ENODEV || error == Errno.ENXIO) {
            throw new DeviceGoneException("open", name, error,
                    "the node exists but no device answers behind it (unplugged or its driver unbound)");
        }
        throw KernelException.of("open", name, error);
    }

    /**
     * Closes a raw fd, for {@link OwnedFd#close()}; never retried (Linux frees the fd even on EINTR).
     *
     * @return 0, or the errno
     */
    public static int close(int fd) {
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            int result = (int) CLOSE.invokeExact(errno, fd);
            return result == -1 ? errno(errno) : 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Maps {@code length} bytes of {@code fd} at {@code offset} and ties the mapping to {@code arena}: the returned
     * segment is bounded to the mapping and {@code munmap} runs when the arena closes, after which any access
     * throws instead of touching unmapped memory. Without {@link #PROT_WRITE} the segment is read-only, so a
     * store throws instead of faulting.
     *
     * @param operation names the mapping in errors, e.g. {@code "mmap"} or {@code "mmap (V4L2 buffer 3)"}
     * @throws KernelException e.g. ENODEV for a file that cannot be mapped, EINVAL for a bad offset or length;
     *                         ENOMEM when this process's Zeroframe mappings would come near
     *                         {@code vm.max_map_count}, where the JVM would abort (see the message)
     */
    public static MemorySegment mmap(OwnedFd fd, String operation, long offset, long length, int prot, int flags,
                                     Arena arena) throws KernelException {
        if (length <= 0) {
            throw new IllegalArgumentException(operation + " on " + fd.path() + ": length must be positive: " + length);
        }
        MappingBudget.take(operation, fd.path());
        int raw;
        try {
            raw = fd.beginUse(operation);
        } catch (FdClosedException e) {
            MappingBudget.give();
            throw e;
        }
        MemorySegment errno = ERRNO_SLOT.get();
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, length, prot, flags, raw, offset);
        } catch (Throwable t) {
            MappingBudget.give();
            throw unexpected(t);
        } finally {
            fd.endUse();
        }
        if (address.address() == -1L) {
            MappingBudget.give();
            throw KernelException.of(operation, fd.path(), errno(errno));
        }
        String path = fd.path();
        try {
            MemorySegment mapping = address.reinterpret(length, arena, unmapped -> {
                unmapQuietly(unmapped.address(), length, path);
                MappingBudget.give();
            });
            // a store to a page mapped without PROT_WRITE would be a SIGSEGV, killing the JVM: make it throw
            return (prot & PROT_WRITE) == 0 ? mapping.asReadOnly() : mapping;
        } catch (RuntimeException e) {
            unmapQuietly(address.address(), length, path);
            MappingBudget.give();
            throw e;
        }
    }

    /**
     * How many mappings {@link #mmap} may hold at once: the kernel's per-process limit ({@code vm.max_map_count})
     * less a reserve for the JVM. A JVM that reaches the limit aborts (its JIT and GC map memory too), so
     * Zeroframe refuses a mapping with ENOMEM before that, leaving the reserve: an eighth of the limit, at least
     * 8192.
     */
    static final class MappingBudget {
        static final long LIMIT = readLimit();
        static final long CAPACITY = Math.max(0, LIMIT - Math.max(8192, LIMIT / 8));
        private static final java.util.concurrent.atomic.AtomicLong HELD = new java.util.concurrent.atomic.AtomicLong();

        private MappingBudget() {}

        static void take(String operation, String path) throws KernelException {
            if (HELD.incrementAndGet() > CAPACITY) {
                HELD.decrementAndGet();
                throw KernelException.of(operation, path, Errno.ENOMEM, "refused before the kernel: this process"
                        + " holds " + CAPACITY + " mappings made by Zeroframe, near vm.max_map_count (" + LIMIT
                        + "), at which the JVM itself aborts; close the arenas of mappings no longer used");
            }
        }

        static void give() {
            HELD.decrementAndGet();
        }

        private static long readLimit() {
            // one read: a sysctl file answers a read at a non-zero offset with nothing (proc_dointvec), and
            // Files.readString first reads a single byte from a file whose size reads 0
            try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/sys/vm/max_map_count"))) {
                return Long.parseLong(new String(in.readNBytes(32), java.nio.charset.StandardCharsets.US_ASCII).strip());
            } catch (java.io.IOException | RuntimeException e) {
                return 65530; // DEFAULT_MAX_MAP_COUNT
            }
        }
    }

    /**
     * {@code munmap}; for mappings not tied to an arena (benchmarks of the raw call).
     *
     * @throws KernelException EINVAL for an address that is not page aligned
     */
    public static void munmap(MemorySegment address, long length) throws KernelException {
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            check((int) MUNMAP.invokeExact(errno, address, length), errno, "munmap", null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Maps like {@link #mmap(OwnedFd, String, long, long, int, int, Arena)} but returns the mapping's address and
     * ties it to nothing, for paths that map and unmap per frame: it allocates nothing on the Java heap, where a
     * segment and an arena per mapping would be garbage. The caller owns the mapping and must
     * {@link #munmap(long, long)} it; to touch it, wrap it with {@code MemorySegment.ofAddress(address)
     * .reinterpret(length)} and drop that segment before unmapping.
     *
     * @param operation names the mapping in errors, e.g. {@code "mmap"}
     * @throws KernelException e.g. ENODEV for a file that cannot be mapped, EINVAL for a bad offset or length
     */
    public static long mmapAddress(OwnedFd fd, String operation, long offset, long length, int prot, int flags)
            throws KernelException {
        if (length <= 0) {
            throw new IllegalArgumentException(operation + " on " + fd.path() + ": length must be positive: " + length);
        }
        int raw = fd.beginUse(operation);
        MemorySegment errno = ERRNO_SLOT.get();
        long address;
        try {
            address = (long) MMAP_ADDRESS.invokeExact(errno, 0L, length, prot, flags, raw, offset);
        } catch (Throwable t) {
            throw unexpected(t);
        } finally {
            fd.endUse();
        }
        if (address == -1L) {
            throw KernelException.of(operation, fd.path(), errno(errno));
        }
        return address;
    }

    /**
     * {@code munmap} of a mapping made with {@link #mmapAddress}; allocates nothing on the Java heap.
     *
     * @throws KernelException EINVAL for an address that is not page aligned
     */
    public static void munmap(long address, long length) throws KernelException {
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            check((int) MUNMAP_ADDRESS.invokeExact(errno, address, length), errno, "munmap", null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void unmapQuietly(long address, long length, String path) {
        try {
            munmap(MemorySegment.ofAddress(address), length);
        } catch (KernelException e) {
            LOG.error("unmapping {} bytes of {} failed: {}", length, path, e.getMessage());
        }
    }

    /**
     * {@code poll} on {@code count} {@link #POLLFD} entries. EINTR is retried with the time that is left.
     *
     * @param timeoutMillis negative to wait forever
     * @return the number of entries with events; 0 on timeout
     */
    public static int poll(MemorySegment pollFds, int count, int timeoutMillis) throws KernelException {
        if (pollFds.byteSize() < count * POLLFD.byteSize()) {
            throw new IllegalArgumentException("poll: " + count + " entries do not fit " + pollFds.byteSize() + " bytes");
        }
        return pollRetrying(ERRNO_SLOT.get(), pollFds, count, timeoutMillis, null);
    }

    /** The {@code poll} call itself, EINTR retried with the time that is left; a failure names {@code path}. */
    private static int pollRetrying(MemorySegment errno, MemorySegment pollFds, int count, int timeoutMillis,
                                    String path) throws KernelException {
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        int timeout = timeoutMillis;
        try {
            while (true) {
                int result = (int) POLL.invokeExact(errno, pollFds, (long) count, timeout);
                if (result != -1 || errno(errno) != Errno.EINTR) {
                    return check(result, errno, "poll", path);
                }
                if (timeoutMillis > 0) {
                    timeout = (int) Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code fcntl(fd, command, argument)} for commands with an integer argument, retried on EINTR. */
    public static int fcntl(OwnedFd fd, int command, int argument) throws KernelException {
        int raw = fd.beginUse("fcntl");
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            int result;
            do {
                result = (int) FCNTL.invokeExact(errno, raw, command, argument);
            } while (result == -1 && errno(errno) == Errno.EINTR);
            if (result == -1 && errno(errno) == Errno.EPERM && command == F_ADD_SEALS) {
                throw KernelException.of("fcntl", fd.path(), Errno.EPERM, "F_SEAL_SEAL forbids adding seals");
            }
            return check(result, errno, "fcntl", fd.path());
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            fd.endUse();
        }
    }

    /** What the kernel says about an open file: {@code statx(fd, "", AT_EMPTY_PATH)}. */
    public static FileStatus fstat(OwnedFd fd) throws KernelException {
        int raw = fd.beginUse("fstat");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = statx.allocate(arena);
            MemorySegment empty = arena.allocateFrom("");
            MemorySegment errno = ERRNO_SLOT.get();
            int result = (int) STATX.invokeExact(errno, raw, empty, libc_h.AT_EMPTY_PATH(),
                    libc_h.STATX_BASIC_STATS(), buffer);
            check(result, errno, "fstat", fd.path());
            return new FileStatus(
                    statx.stx_ino(buffer),
                    Short.toUnsignedInt(statx.stx_mode(buffer)),
                    statx.stx_uid(buffer),
                    statx.stx_gid(buffer),
                    statx.stx_size(buffer),
                    statx.stx_rdev_major(buffer),
                    statx.stx_rdev_minor(buffer));
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            fd.endUse();
        }
    }

    /**
     * The magic number of the file system {@code fd} lives on ({@code fstatfs}'s {@code f_type}): how the kernel
     * tells a dma-buf ({@link #DMA_BUF_MAGIC}) from other files, in one system call.
     */
    public static long fileSystemMagic(OwnedFd fd) throws KernelException {
        int raw = fd.beginUse("fstatfs");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = statfs.allocate(arena);
            MemorySegment errno = ERRNO_SLOT.get();
            check((int) FSTATFS.invokeExact(errno, raw, buffer), errno, "fstatfs", fd.path());
            return statfs.f_type(buffer);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            fd.endUse();
        }
    }

    /** {@code lseek}; a dma-buf's size is {@code lseek(fd, 0, SEEK_END)}. */
    public static long lseek(OwnedFd fd, long offset, int whence) throws KernelException {
        int raw = fd.beginUse("lseek");
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            long result = (long) LSEEK.invokeExact(errno, raw, offset, whence);
            if (result == -1) {
                throw KernelException.of("lseek", fd.path(), errno(errno));
            }
            return result;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            fd.endUse();
        }
    }

    /**
     * {@code ftruncate}: sets the file's size, retried on EINTR.
     *
     * @throws KernelException EPERM once a seal forbids the change (a plain {@code KernelException}: a seal is
     *                         not a permission problem), EINVAL for a negative size
     */
    public static void ftruncate(OwnedFd fd, long length) throws KernelException {
        int raw = fd.beginUse("ftruncate");
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            int result;
            do {
                result = (int) FTRUNCATE.invokeExact(errno, raw, length);
            } while (result == -1 && errno(errno) == Errno.EINTR);
            if (result == -1) {
                int error = errno(errno);
                throw KernelException.of("ftruncate", fd.path(), error, error == Errno.EPERM
                        ? "a seal (F_SEAL_GROW or F_SEAL_SHRINK) forbids changing this file's size" : null);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            fd.endUse();
        }
    }

    /** A new anonymous memory file; {@link #MFD_CLOEXEC} is always added. Its path reads {@code memfd:NAME}. */
    public static OwnedFd memfdCreate(String name, int flags) throws KernelException {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("memfd_create: the name must not contain NUL: \""
                    + name.replace("\0", "\\0") + "\"");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            MemorySegment errno = ERRNO_SLOT.get();
            int fd = (int) MEMFD_CREATE.invokeExact(errno, cName, flags | MFD_CLOEXEC);
            long bytes = cName.byteSize() - 1;
            if (fd == -1 && errno(errno) == Errno.EINVAL && bytes > MFD_NAME_MAX_LEN) {
                throw KernelException.of("memfd_create", null, Errno.EINVAL, "the name is " + bytes + " bytes, at most "
                        + MFD_NAME_MAX_LEN + " (MFD_NAME_MAX_LEN) fit");
            }
            return OwnedFd.adopt(check(fd, errno, "memfd_create", null), "memfd:" + name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A pipe, both ends close-on-exec: element 0 reads, element 1 writes. */
    public static OwnedFd[] pipe(int flags) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment errno = ERRNO_SLOT.get();
            check((int) PIPE2.invokeExact(errno, fds, flags | O_CLOEXEC), errno, "pipe2", null);
            return new OwnedFd[] {
                OwnedFd.adopt(fds.getAtIndex(JAVA_INT, 0), "pipe (read end)"),
                OwnedFd.adopt(fds.getAtIndex(JAVA_INT, 1), "pipe (write end)")
            };
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code read} into {@code buffer}, retried on EINTR; returns the byte count, 0 at end of file. */
    public static long read(OwnedFd fd, MemorySegment buffer) throws KernelException {
        return transfer(READ, "read", fd, buffer);
    }

    /** {@code write} from {@code buffer}, retried on EINTR; returns the byte count written. */
    public static long write(OwnedFd fd, MemorySegment buffer) throws KernelException {
        return transfer(WRITE, "write", fd, buffer);
    }

    private static long transfer(MethodHandle call, String operation, OwnedFd fd, MemorySegment buffer)
            throws KernelException {
        int raw = fd.beginUse(operation);
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            long result;
            do {
                result = (long) call.invokeExact(errno, raw, buffer, buffer.byteSize());
            } while (result == -1 && errno(errno) == Errno.EINTR);
            if (result == -1) {
                throw KernelException.of(operation, fd.path(), errno(errno));
            }
            return result;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            fd.endUse();
        }
    }

    /**
     * A new eventfd (counter 0, {@code EFD_CLOEXEC | EFD_NONBLOCK}), for {@link OwnedFd#wakeFd()}.
     *
     * @return the raw fd; the caller owns it
     * @throws KernelException EMFILE when the process is out of fds
     */
    public static int eventfd() throws KernelException {
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            return check((int) EVENTFD.invokeExact(errno, 0, EVENTFD_FLAGS), errno, "eventfd", null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Adds 1 to an eventfd's counter, making it readable; for {@link OwnedFd#close()}. Never fails usefully. */
    public static void eventfdSignal(int eventFd) {
        MemorySegment errno = ERRNO_SLOT.get();
        try {
            int ignored = (int) EVENTFD_WRITE.invokeExact(errno, eventFd, 1L);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Blocks until {@code fd} reports one of {@code events} (or an error condition), the timeout passes, or another
     * thread closes {@code fd}: {@code poll} on the fd and, for a timeout other than 0, on its
     * {@linkplain OwnedFd#wakeFd() wake eventfd}. EINTR is retried with the time left. Thread-safe: the
     * {@code pollfd} scratch is per thread, so any number of threads may wait on one fd. Allocates nothing once the
     * fd's wake eventfd exists.
     *
     * @param timeoutMillis 0 to test without waiting, negative to wait forever
     * @return the fd's {@code revents} (which may hold {@link #POLLERR}, {@link #POLLHUP}, {@link #POLLNVAL}),
     *         or 0 on timeout
     * @throws FdClosedException if {@code fd} was closed before or during the wait
     * @throws KernelException a failing {@code poll} (EMFILE creating the wake eventfd)
     */
    public static int waitFor(OwnedFd fd, short events, int timeoutMillis, String operation) throws KernelException {
        int raw = fd.beginUse(operation);
        try {
            WaitScratch scratch = WAIT_SLOT.get();
            MemorySegment slots = scratch.pollFds();
            slots.set(JAVA_INT, POLL_FD_OFFSET, raw);
            slots.set(JAVA_SHORT, POLL_EVENTS_OFFSET, events);
            int count = 1;
            if (timeoutMillis != 0) {
                slots.set(JAVA_INT, POLLFD_SIZE + POLL_FD_OFFSET, fd.wakeFd());
                slots.set(JAVA_SHORT, POLLFD_SIZE + POLL_EVENTS_OFFSET, POLLIN);
                count = 2;
                if (!fd.isOpen()) {
                    throw closedWhileWaiting(operation, fd);
                }
            }
            // the kernel writes every revents
            int ready = pollRetrying(scratch.errno(), slots, count, timeoutMillis, fd.path());
            if (count == 2 && slots.get(JAVA_SHORT, POLLFD_SIZE + POLL_REVENTS_OFFSET) != 0) {
                throw closedWhileWaiting(operation, fd);
            }
            return ready == 0 ? 0 : slots.get(JAVA_SHORT, POLL_REVENTS_OFFSET);
        } finally {
            fd.endUse();
        }
    }

    /**
     * A {@code poll} timeout in whole milliseconds, rounded up so that a wait never ends early; -1 (wait forever)
     * for durations of {@code Integer.MAX_VALUE} ms (about 24 days) or more, {@code ChronoUnit.FOREVER} included.
     * Allocates nothing.
     *
     * @throws IllegalArgumentException for a negative duration
     */
    public static int timeoutMillis(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        if (timeout.getSeconds() >= Integer.MAX_VALUE / 1000) {
            return -1;
        }
        long millis = timeout.getSeconds() * 1000 + (timeout.getNano() + 999_999) / 1_000_000;
        return millis >= Integer.MAX_VALUE ? -1 : (int) millis;
    }

    private static FdClosedException closedWhileWaiting(String operation, OwnedFd fd) {
        return new FdClosedException(operation, fd.path(), "closed by another thread while waiting");
    }

    static int check(int result, MemorySegment errno, String operation, String path) throws KernelException {
        if (result == -1) {
            throw KernelException.of(operation, path, errno(errno));
        }
        return result;
    }

    static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    /** Rethrows a KernelException, Error or RuntimeException as is; anything else is a bug in a downcall. */
    static KernelException rethrow(Throwable t) throws KernelException {
        if (t instanceof KernelException kernel) {
            throw kernel;
        }
        throw unexpected(t);
    }

    private static AssertionError unexpected(Throwable t) {
        if (t instanceof Error error) {
            throw error;
        }
        if (t instanceof RuntimeException runtime) {
            throw runtime;
        }
        return new AssertionError("downcall failed", t);
    }

    /** A downcall that captures errno; {@code firstVariadic} is the index of the first variadic argument, or -1. */
    static MethodHandle capturing(String symbol, FunctionDescriptor descriptor, int firstVariadic) {
        MemorySegment address = LINKER.defaultLookup().find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library has no " + symbol));
        Linker.Option[] options = firstVariadic < 0
                ? new Linker.Option[] {CAPTURE_ERRNO}
                : new Linker.Option[] {CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic)};
        return LINKER.downcallHandle(address, descriptor, options);
    }
}

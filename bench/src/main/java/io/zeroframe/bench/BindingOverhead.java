package io.zeroframe.bench;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.Memfd;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the bindings layer adds to a system call, measured natively on the host: each call through
 * {@link Syscalls} (errno capture in a per-thread segment, EINTR retry, closed-fd check) beside a raw FFM downcall
 * of the same function (no errno capture, plain {@code invokeExact}); {@code binding_overhead.c} makes the same
 * calls from C.
 *
 * <ul>
 *   <li>{@code ioctl(FIONREAD)} on an empty pipe;
 *   <li>{@code mmap} + {@code munmap} of one page of a memfd: through {@link Syscalls#mmapAddress} (nothing
 *       allocated) and through {@link Syscalls#mmap} with an {@link Arena} per mapping (the safe segment),
 *       confined and shared;
 *   <li>{@code poll} of an empty pipe with a zero timeout, raw and through the guarded {@link Syscalls#waitFor};
 *   <li>the public API's mapping, {@link Memfd#map} into a confined arena, against the raw mmap + munmap.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BindingOverhead {
    static final long PAGE = 4096;
    private static final int PROT_RW = Syscalls.PROT_READ | Syscalls.PROT_WRITE;
    private static final long FIONREAD = Syscalls.FIONREAD.number();

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle RAW_IOCTL = raw("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle RAW_MMAP = raw("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle RAW_MUNMAP = raw("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle RAW_POLL = raw("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private OwnedFd pipeIn;
    private OwnedFd pipeOut;
    private OwnedFd memfd;
    private Memfd memory;
    private int rawPipeIn;
    private int rawMemfd;
    private Arena arena;
    private MemorySegment available;
    private MemorySegment pollFd;

    @Setup
    public void open() throws KernelException {
        OwnedFd[] pipe = Syscalls.pipe(0);
        pipeIn = pipe[0];
        pipeOut = pipe[1];
        memfd = Syscalls.memfdCreate("bench", 0);
        memory = Memfd.create("bench-public", PAGE);
        arena = Arena.ofConfined();
        Syscalls.write(memfd, arena.allocate(PAGE));
        rawPipeIn = pipeIn.get();
        rawMemfd = memfd.get();
        available = arena.allocate(JAVA_INT);
        pollFd = arena.allocate(Syscalls.POLLFD);
        pollFd.set(JAVA_INT, Syscalls.POLLFD.byteOffset(groupElement("fd")), rawPipeIn);
        pollFd.set(JAVA_SHORT, Syscalls.POLLFD.byteOffset(groupElement("events")), Syscalls.POLLIN);
    }

    @TearDown
    public void close() {
        arena.close();
        memfd.close();
        memory.close();
        pipeOut.close();
        pipeIn.close();
    }

    @Benchmark
    public int ioctlLibrary() throws KernelException {
        return Syscalls.ioctl(pipeIn, Syscalls.FIONREAD, available);
    }

    @Benchmark
    public int ioctlRawFfm() throws Throwable {
        return (int) RAW_IOCTL.invokeExact(rawPipeIn, FIONREAD, available);
    }

    /** The allocation-free pair, {@link Syscalls#mmapAddress} and {@link Syscalls#munmap(long, long)}. */
    @Benchmark
    public long mmapLibrary() throws KernelException {
        long address = Syscalls.mmapAddress(memfd, "mmap", 0, PAGE, PROT_RW, Syscalls.MAP_SHARED);
        Syscalls.munmap(address, PAGE);
        return address;
    }

    /** The safe mapping: a bounded segment tied to a confined arena, unmapped when the arena closes. */
    @Benchmark
    public long mmapLibraryArena() throws KernelException {
        try (Arena mapping = Arena.ofConfined()) {
            return Syscalls.mmap(memfd, "mmap", 0, PAGE, PROT_RW, Syscalls.MAP_SHARED, mapping).address();
        }
    }

    /**
     * The public API as an application maps per frame: {@link Memfd#map} into a confined arena that it closes
     * (as {@code DmaBuf.map} does for a dma-buf: the mapping is a plain segment of the caller's arena).
     */
    @Benchmark
    public long mmapPublicApi() throws KernelException {
        try (Arena mapping = Arena.ofConfined()) {
            return memory.map(mapping).address();
        }
    }

    @Benchmark
    public long mmapRawFfm() throws Throwable {
        MemorySegment address = (MemorySegment) RAW_MMAP.invokeExact(MemorySegment.NULL, PAGE, PROT_RW,
                Syscalls.MAP_SHARED, rawMemfd, 0L);
        int result = (int) RAW_MUNMAP.invokeExact(address, PAGE);
        return address.address() + result;
    }

    @Benchmark
    public int pollLibrary() throws KernelException {
        return Syscalls.poll(pollFd, 1, 0);
    }

    /**
     * The guarded wait every blocking call of the library makes ({@link Syscalls#waitFor}: in-use count against
     * a concurrent close, per-thread pollfd), here with timeout 0, so without the wake eventfd.
     */
    @Benchmark
    public int waitForLibrary() throws KernelException {
        return Syscalls.waitFor(pipeIn, Syscalls.POLLIN, 0, "poll");
    }

    @Benchmark
    public int pollRawFfm() throws Throwable {
        return (int) RAW_POLL.invokeExact(pollFd, 1L, 0);
    }

    private static MethodHandle raw(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment address = LINKER.defaultLookup().find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library has no " + symbol));
        return LINKER.downcallHandle(address, descriptor, options);
    }
}

package io.zeroframe.bench;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Udmabuf;
import io.zeroframe.heaps.Heap;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The costs users ask about, through the public API, for buffers of 4 KiB to 16 MiB from the system dma-heap
 * ({@link Heap#allocate}) and from udmabuf ({@link Udmabuf#create} over a memfd sealed with
 * {@code F_SEAL_SHRINK}): a CPU-access bracket ({@link DmaBuf#cpuAccess}: {@code DMA_BUF_IOCTL_SYNC} start + end),
 * mapping and unmapping the whole buffer ({@link DmaBuf#map} into a confined arena that is closed again) and
 * allocating + closing a buffer. {@code dmabuf_costs.c} does the same from C. Needs {@code /dev/dma_heap/system}
 * and {@code /dev/udmabuf}: run in the test bed, where emulation inflates the JVM's share, so these figures are
 * reported, not tuned.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DmaBufCosts {
    @Param({"heap", "udmabuf"})
    public String kind;

    @Param({"4096", "65536", "1048576", "16777216"})
    public long size;

    private Heap heap;
    private OwnedFd memfd;
    private DmaBuf buffer;

    @Setup
    public void open() throws KernelException {
        if (kind.equals("heap")) {
            heap = Heap.open("system");
        } else {
            memfd = Syscalls.memfdCreate("bench", Syscalls.MFD_ALLOW_SEALING);
            try (Arena arena = Arena.ofConfined()) {
                Syscalls.write(memfd, arena.allocate(size)); // the size, in pages the kernel can pin
            }
            Syscalls.fcntl(memfd, Syscalls.F_ADD_SEALS, Syscalls.F_SEAL_SHRINK);
        }
        buffer = allocate();
    }

    @TearDown
    public void close() {
        buffer.close();
        if (heap != null) {
            heap.close();
        }
        if (memfd != null) {
            memfd.close();
        }
    }

    private DmaBuf allocate() throws KernelException {
        return heap != null ? heap.allocate(size) : Udmabuf.create(memfd, 0, size);
    }

    @Benchmark
    public void cpuAccess(ThreadAllocation allocation) throws KernelException {
        CpuAccess access = buffer.cpuAccess(Access.READ_WRITE); // the bracket alone, with nothing inside
        access.close();
    }

    @Benchmark
    public long mapUnmap(ThreadAllocation allocation) throws KernelException {
        try (Arena mapping = Arena.ofConfined()) {
            return buffer.map(mapping, Access.READ_WRITE).address();
        }
    }

    @Benchmark
    public void allocateClose(ThreadAllocation allocation) throws KernelException {
        allocate().close();
    }
}

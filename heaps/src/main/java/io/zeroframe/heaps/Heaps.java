package io.zeroframe.heaps;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.BufferAllocator;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.internal.NodeAccess;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dma-heaps this machine offers. Heap names vary by board (CMA heaps are called {@code linux,cma},
 * {@code reserved}, {@code default-pool}...), so Zeroframe enumerates the directory rather than guessing names.
 *
 * {@snippet :
 * for (HeapInfo heap : Heaps.list()) {
 *     System.out.println(heap.name() + (heap.accessible() ? "" : " (no access)"));
 * }
 * try (Heap heap = Heap.open("system")) {
 *     // heap.allocate(size)
 * }
 * List<Allocator> allocators = Heaps.allocators();   // for the negotiation Planner, with the reasons
 * BufferSource system = Heaps.source(allocators.getFirst());
 * }
 *
 * <p>Thread-safe: it keeps no state.
 */
public final class Heaps {
    /** Where the kernel puts dma-heap nodes. */
    public static final Path DIRECTORY = Path.of("/dev/dma_heap");

    private static final Logger LOG = LoggerFactory.getLogger(Heaps.class);

    private Heaps() {}

    /**
     * The heaps in {@link #DIRECTORY}, sorted by name; empty when the kernel has no dma-heaps
     * ({@code CONFIG_DMABUF_HEAPS} off) or none is registered.
     *
     * @throws IOException if the directory exists but cannot be read
     */
    public static List<HeapInfo> list() throws IOException {
        return list(DIRECTORY);
    }

    static List<HeapInfo> list(Path directory) throws IOException {
        try (Stream<Path> nodes = Files.list(directory)) {
            return nodes
                    .map(node -> new HeapInfo(node.getFileName().toString(), node,
                            Files.isReadable(node)))
                    .sorted(Comparator.comparing(HeapInfo::name))
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /**
     * Every heap in {@link #DIRECTORY} as an {@link Allocator} for the negotiation
     * {@link io.zeroframe.dmabuf.negotiation.Planner}: usable ones ({@link Allocator#heap}) first, physically
     * contiguous ones (CMA) before the others, then the ones this process may not use
     * ({@link Allocator#unusable}), each group by name. Empty when the kernel has no dma-heaps.
     *
     * <p>A heap is usable when this process can open its node as {@link Heap#open} does (read-only: the kernel
     * asks no more for {@code DMA_HEAP_IOCTL_ALLOC}); the node is opened and closed at once, which takes nothing.
     * An unusable heap's reason names the node's owner, group and mode, this process's uid and groups, and the
     * fix, e.g. {@code /dev/dma_heap/system is root:root 0600 and this process (uid 1000, groups 1000) may not open
     * it for reading; add a udev rule giving a group access (SUBSYSTEM=="dma_heap", KERNEL=="system",
     * GROUP="video", MODE="0660") and run as a member of that group, or run as root}.
     *
     * <p>The kernel's hints: a heap is {@link Allocator#contiguous() contiguous} when {@code /sys/kernel/mm/cma}
     * lists a CMA area of its name (or, without that directory, when it is named as the kernel names its default
     * CMA area: {@code reserved}, {@code linux,cma}, {@code default_cma_region}, or contains "cma"). A heap tied
     * to a device ({@code /sys/class/dma_heap/NAME/device}, where a kernel links one) or named for one (any name
     * but {@code system}, {@code system-uncached} and CMA areas) is listed like the others: which device can use
     * it is left to the planner's trials. Each hint found is logged at INFO, each heap at DEBUG, each unusable heap
     * at INFO with its reason.
     *
     * @throws IOException if the directory exists but cannot be read
     */
    public static List<Allocator> allocators() throws IOException {
        return allocators(DIRECTORY, HeapHints.KERNEL, NodeAccess::stat, NodeAccess.Identity.current());
    }

    static List<Allocator> allocators(Path directory, HeapHints hints, NodeAccess.StatusReader reader,
                                      NodeAccess.Identity identity) throws IOException {
        List<Allocator> allocators = new ArrayList<>();
        for (HeapInfo heap : list(directory)) {
            NodeAccess.Rule rule = new NodeAccess.Rule(Heap.OPEN_FLAGS,
                    "SUBSYSTEM==\"dma_heap\", KERNEL==\"" + heap.name() + "\"",
                    "is gone: the heap was listed a moment ago");
            Optional<String> unusable = NodeAccess.whyUnusable(heap.path(), rule, reader, identity);
            Optional<String> contiguous = hints.contiguous(heap.name());
            Optional<String> device = hints.device(heap.name(), contiguous.isPresent());
            contiguous.ifPresent(why -> LOG.info("dma-heap {}: physically contiguous: {}", heap.name(), why));
            device.ifPresent(why -> LOG.info("dma-heap {}: tied to a device ({}); trials decide who can use it",
                    heap.name(), why));
            unusable.ifPresent(why -> LOG.info("dma-heap {}: not usable: {}", heap.name(), why));
            Allocator allocator = unusable
                    .map(why -> Allocator.unusable(Allocator.Source.DMA_HEAP, heap.name(), why))
                    .orElseGet(() -> Allocator.heap(heap.name(), contiguous.isPresent()));
            LOG.debug("dma-heap {}: {}", heap.name(), allocator);
            allocators.add(allocator);
        }
        allocators.sort(Comparator.comparing((Allocator a) -> !a.usable())
                .thenComparing(a -> !a.contiguous()));
        return List.copyOf(allocators);
    }

    /**
     * The trial side of a heap {@link Allocator} for {@link io.zeroframe.dmabuf.negotiation.DeviceTrials}
     * ({@link BufferSource#of}): each frame in new buffers of the heap, one per memory plane, laid out exactly as
     * the candidate says. The heap's node is opened ({@link Heap#open}) on the first allocation and closed by
     * {@code release()}, so a source between trials holds no fd; the frame's buffers belong to whoever took the
     * frame. A refused open (an unusable heap: EACCES) or allocation (ENOMEM) is answered as a refusal, fixable by
     * another allocator, naming the call ({@code open} or {@code DMA_HEAP_IOCTL_ALLOC}) and errno. Not
     * thread-safe, as trials are not.
     *
     * @param allocator a {@link Allocator.Source#DMA_HEAP} allocator, as {@link #allocators()} lists it
     * @throws IllegalArgumentException for an allocator of another source
     */
    public static BufferSource source(Allocator allocator) {
        return source(allocator, DIRECTORY);
    }

    static BufferSource source(Allocator allocator, Path directory) {
        Objects.requireNonNull(allocator, "allocator");
        if (allocator.source() != Allocator.Source.DMA_HEAP) {
            throw new IllegalArgumentException(allocator + " is not a dma-heap");
        }
        LazyHeap memory = new LazyHeap(directory, allocator.name());
        return BufferSource.of(allocator, memory, memory::close);
    }

    /** A heap opened on its first allocation and closed by {@link #close()}, to be opened again after. */
    private static final class LazyHeap implements BufferAllocator, AutoCloseable {
        private final Path directory;
        private final String name;
        private Heap heap;

        LazyHeap(Path directory, String name) {
            this.directory = directory;
            this.name = name;
        }

        @Override
        public DmaBuf allocate(long size) throws KernelException {
            if (heap == null) {
                heap = Heap.open(directory, name);
            }
            return heap.allocate(size);
        }

        @Override
        public String description() {
            return "dma-heap " + directory.resolve(name);
        }

        @Override
        public void close() {
            if (heap != null) {
                heap.close();
                heap = null;
            }
        }
    }
}

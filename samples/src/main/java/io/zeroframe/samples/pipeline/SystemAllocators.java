package io.zeroframe.samples.pipeline;

import io.zeroframe.dmabuf.UdmabufAllocator;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Planner;
import io.zeroframe.heaps.Heaps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The machine's allocators that belong to no endpoint: every dma-heap and udmabuf. */
public final class SystemAllocators {
    private SystemAllocators() {}

    /**
     * Describes every dma-heap ({@code /dev/dma_heap/*}) and udmabuf to {@code planner}, usable or not (an unusable
     * one is explained in the plan), and returns the sources of the usable ones, for the trials and the allocation.
     *
     * @throws IOException listing the heaps
     */
    public static List<BufferSource> addTo(Planner.Builder planner) throws IOException {
        List<BufferSource> sources = new ArrayList<>();
        for (Allocator heap : Heaps.allocators()) {
            planner.allocator(heap);
            if (heap.usable()) {
                sources.add(Heaps.source(heap));
            }
        }
        Allocator udmabuf = UdmabufAllocator.describe();
        planner.allocator(udmabuf);
        if (udmabuf.usable()) {
            sources.add(UdmabufAllocator.source());
        }
        return sources;
    }
}

package io.zeroframe.dmabuf.negotiation;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a negotiation's buffers can come from: a dma-heap, udmabuf, or an endpoint's own export (a camera's
 * V4L2 MMAP buffers exported with {@code VIDIOC_EXPBUF}, a display's dumb buffers exported with
 * {@code DRM_IOCTL_PRIME_HANDLE_TO_FD}). A description, not the allocator itself: the planner only reasons about
 * it, and its {@link Trials} allocate. An allocator found but not usable (a heap node the user may not open)
 * stays in the list with the reason, so the plan can say why it was skipped.
 *
 * <p>The allocators here lay out linear buffers only ({@link io.zeroframe.dmabuf.Modifier#LINEAR}, pitches from
 * {@link io.zeroframe.dmabuf.FrameLayout}). Immutable.
 *
 * {@snippet :
 * Allocator system = Allocator.heap("system", false);
 * Allocator cma = Allocator.unusable(Allocator.Source.DMA_HEAP, "linux,cma",
 *         "/dev/dma_heap/linux,cma is root:root 0600; add the user to a group that may read it");
 * }
 *
 * @param name                  the heap's name ("system"), "udmabuf", or the exporting endpoint's name
 * @param source                what kind of memory it is
 * @param pitchAlignment        what its own pitches are a multiple of (a DRM driver's dumb-buffer rule); 1 for
 *                              allocators that take any pitch
 * @param honoursRequestedPitch whether a larger pitch can be asked for (a heap's or udmabuf's buffer is laid out
 *                              by the caller; a V4L2 driver may honour a padded {@code bytesperline}); false when
 *                              its own rule fixes the pitch (dumb buffers)
 * @param contiguous            whether its memory is physically contiguous (a CMA heap)
 * @param unusable              why it cannot be used, with the fix; empty when usable
 */
public record Allocator(String name, Source source, int pitchAlignment, boolean honoursRequestedPitch,
                        boolean contiguous, Optional<String> unusable) {
    /** The kinds of memory. */
    public enum Source {
        /** A dma-heap ({@code /dev/dma_heap/NAME}). */
        DMA_HEAP("dma-heap"),
        /** udmabuf over memfd pages ({@code /dev/udmabuf}). */
        UDMABUF("udmabuf"),
        /** A V4L2 queue's MMAP buffers exported with {@code VIDIOC_EXPBUF}. */
        V4L2_EXPORT("V4L2 MMAP"),
        /** DRM dumb buffers exported with {@code DRM_IOCTL_PRIME_HANDLE_TO_FD}. */
        DRM_DUMB_EXPORT("DRM dumb");

        private final String noun;

        Source(String noun) {
            this.noun = noun;
        }

        /** How messages call a buffer from it: "a dma-heap buffer". */
        public String noun() {
            return noun;
        }

        /** Whether it is an endpoint's own export rather than a neutral allocator. */
        public boolean isExport() {
            return this == V4L2_EXPORT || this == DRM_DUMB_EXPORT;
        }
    }

    public Allocator {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(unusable, "unusable");
        if (pitchAlignment < 1) {
            throw new IllegalArgumentException(name + ": pitch alignment " + pitchAlignment + " is not positive");
        }
    }

    /** A usable dma-heap named {@code name}; {@code contiguous} for CMA heaps. */
    public static Allocator heap(String name, boolean contiguous) {
        return new Allocator(name, Source.DMA_HEAP, 1, true, contiguous, Optional.empty());
    }

    /** A usable udmabuf allocator. */
    public static Allocator udmabuf() {
        return new Allocator("udmabuf", Source.UDMABUF, 1, true, false, Optional.empty());
    }

    /** An allocator found but not usable, with the reason and its fix (e.g. a heap node's owner and mode). */
    public static Allocator unusable(Source source, String name, String reason) {
        return new Allocator(name, source, 1, true, false, Optional.of(reason));
    }

    /** Whether the planner may use it. */
    public boolean usable() {
        return unusable.isEmpty();
    }

    /** E.g. {@code dma-heap system}, {@code V4L2 MMAP vivid}. */
    @Override
    public String toString() {
        return source == Source.UDMABUF ? name : source.noun() + " " + name;
    }
}

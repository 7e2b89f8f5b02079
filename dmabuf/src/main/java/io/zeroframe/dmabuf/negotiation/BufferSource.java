package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.BufferAllocator;
import io.zeroframe.dmabuf.Frame;
import java.util.Objects;

/**
 * The working side of an {@link Allocator}: makes one buffer as a {@link Candidate} says, for {@link DeviceTrials}.
 * Device modules implement it: a dma-heap or udmabuf ({@link #of}), a V4L2 queue's MMAP buffers exported with
 * {@code VIDIOC_EXPBUF}, a DRM device's dumb buffers exported with PRIME.
 *
 * <p>The planner tries one candidate at a time; an implementation may keep device state for the frame it made
 * (a V4L2 queue's buffers) until {@link #release()}.
 */
public interface BufferSource {
    /** The allocator this makes buffers for; {@link DeviceTrials} matches candidates to it by equality. */
    Allocator allocator();

    /**
     * One frame laid out exactly as {@code candidate}'s layout says (format, size, pitches, offsets, modifier), or
     * the refusal: which call, its errno, and whether another allocation could help. A device that would lay the
     * frame out otherwise (a driver that rounds the pitch its own way) refuses rather than return another layout,
     * since every endpoint was checked against this one.
     *
     * @return the caller owns the frame
     */
    Attempt<Frame> allocate(Candidate candidate);

    /** Frees device state kept for the last frame made (the frame itself is closed by its owner). */
    default void release() {}

    /**
     * A source that lays frames out in buffers of a plain {@link BufferAllocator} (a dma-heap, udmabuf): one
     * buffer per memory plane of the candidate's layout. A refusal of the kernel is
     * {@link TrialResult.Outcome#FIXABLE_BY_REALLOCATION fixable}: another allocator may have the memory.
     */
    static BufferSource of(Allocator allocator, BufferAllocator memory) {
        return of(allocator, memory, () -> {});
    }

    /**
     * {@link #of(Allocator, BufferAllocator)} for an allocator that keeps something open between allocations (a
     * dma-heap opened on first use): {@code release} runs on every {@link #release()} and must not throw.
     */
    static BufferSource of(Allocator allocator, BufferAllocator memory, Runnable release) {
        Objects.requireNonNull(allocator, "allocator");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(release, "release");
        return new BufferSource() {
            @Override
            public Allocator allocator() {
                return allocator;
            }

            @Override
            public Attempt<Frame> allocate(Candidate candidate) {
                try {
                    return Attempt.accepted(Frame.allocate(memory, candidate.layout()));
                } catch (io.zeroframe.bindings.KernelException e) {
                    return Attempt.refused(TrialResult.refused(e, TrialResult.Outcome.FIXABLE_BY_REALLOCATION,
                            memory.description() + " could not allocate " + candidate.layout().totalSize()
                                    + " bytes"));
                } catch (java.io.IOException e) {
                    return Attempt.refused(TrialResult.fixable("allocate", "EIO", memory.description() + ": "
                            + e.getMessage()));
                }
            }

            @Override
            public void release() {
                release.run();
            }

            @Override
            public String toString() {
                return allocator + " (" + memory.description() + ")";
            }
        };
    }
}

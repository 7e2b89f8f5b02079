package io.zeroframe.samples.pipeline;

import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoQueue;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link StagePlanner}'s answer for a chain camera -> stages -> display (or the application): one {@link Hop} per pair
 * of neighbours, each with who allocates, the format, layout and count, and why; {@link Stages#start} allocates and
 * starts it. {@link #explain()} (also {@link #toString()}) says all of it, hop by hop.
 *
 * <p>Holds the sources of the allocators it chose (a dma-heap's, the display's dumb buffers) for {@link Stages} to
 * allocate from; they hold no fd between allocations. Immutable.
 */
public final class StagePlan {
    /** A stage as the chain was described: its kind's parameters (a coded format, a converter's output size). */
    public record Stage(CodecStage codec, Optional<FourCc> coded, Optional<Integer> width, Optional<Integer> height) {
        public Stage {
            Objects.requireNonNull(codec, "codec");
            Objects.requireNonNull(coded, "coded");
        }
    }

    /**
     * One hop: frames planned by the {@link io.zeroframe.dmabuf.negotiation.Planner} (with the source of the chosen
     * allocator, and whether the producer allocates them itself), packets of a coded format (the encoder's exported
     * packet buffers, imported by the decoder), or, with neither, the last stage's results given to the application
     * in the stage's own buffers.
     */
    public record Hop(String from, String to, Optional<Plan> frames, Optional<BufferSource> source,
                      boolean producerAllocates, Optional<FourCc> coded) {
        public Hop {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (frames.isPresent() && coded.isPresent()) {
                throw new IllegalArgumentException("a hop carries frames or packets: " + frames + ", " + coded);
            }
        }

        static Hop frames(String from, String to, Plan plan, Optional<BufferSource> source, boolean producerAllocates) {
            return new Hop(from, to, Optional.of(plan), source, producerAllocates, Optional.empty());
        }

        static Hop packets(String from, String to, FourCc coded) {
            return new Hop(from, to, Optional.empty(), Optional.empty(), true, Optional.of(coded));
        }

        static Hop application(String from) {
            return new Hop(from, "the application", Optional.empty(), Optional.empty(), true, Optional.empty());
        }

        /** Whether the application takes the results (the chain has no display). */
        public boolean toApplication() {
            return frames.isEmpty() && coded.isEmpty();
        }

        /** The frame plan; a packet hop or the application's has none. */
        public Plan plan() {
            return frames.orElseThrow(() -> new IllegalStateException(from + " -> " + to + " has no frame plan"));
        }

        /** The hop in words: the plan's lines, or the packets' format and who allocates them. */
        public String explain() {
            String head = from + " -> " + to + ": ";
            if (toApplication()) {
                return head + "the stage's own buffers (MMAP, exported with VIDIOC_EXPBUF), each given to the"
                        + " application and queued again when it returns";
            }
            if (coded.isPresent()) {
                return head + coded.get() + " packets in the encoder's MMAP buffers, exported (VIDIOC_EXPBUF) and"
                        + " imported by the decoder (V4L2_MEMORY_DMABUF)";
            }
            return head + plan().explain().replace("\n", "\n    ");
        }
    }

    private final VideoQueue camera;
    private final List<Stage> stages;
    private final List<Hop> hops;

    StagePlan(VideoQueue camera, List<Stage> stages, List<Hop> hops) {
        this.camera = Objects.requireNonNull(camera, "camera");
        this.stages = List.copyOf(stages);
        this.hops = List.copyOf(hops);
        if (this.hops.size() != this.stages.size() + 1) {
            throw new IllegalArgumentException(this.stages.size() + " stages need " + (this.stages.size() + 1)
                    + " hops, not " + this.hops.size());
        }
    }

    /** The camera queue the first hop starts at (borrowed). */
    public VideoQueue camera() {
        return camera;
    }

    /** The stages, camera side first, as described. */
    public List<Stage> stages() {
        return stages;
    }

    /** The hops, camera side first: hop {@code k} goes into stage {@code k}, the last one to the display. */
    public List<Hop> hops() {
        return hops;
    }

    /** Who allocates hop {@code k}'s buffers. */
    public Optional<Allocator> allocator(int hop) {
        return hops.get(hop).frames().map(Plan::allocator);
    }

    /** Every hop in words. */
    public String explain() {
        StringBuilder text = new StringBuilder("plan of camera -> ");
        for (Stage stage : stages) {
            text.append(stage.codec().kind().name().toLowerCase(java.util.Locale.ROOT)).append(" -> ");
        }
        text.append(hops.getLast().toApplication() ? "application, " : "display, ").append(hops.size())
                .append(" hops");
        for (int k = 0; k < hops.size(); k++) {
            text.append("\n  hop ").append(k).append(": ").append(hops.get(k).explain());
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return explain();
    }
}

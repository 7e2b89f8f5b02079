package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import java.util.List;
import java.util.Objects;

/**
 * The {@link Planner}'s answer: who allocates, in which format, modifier and layout, how many buffers, how each
 * plane registers them as framebuffers, and every candidate and allocator it did not take with the reason.
 * {@link #explain()} (also {@link #toString()}) says all of it for people; the planner logs it.
 *
 * <p>A {@link Kind#COPYING} plan is made only when the caller allowed it and no zero-copy plan exists: the
 * buffers are the consumers' side's, and the producer's frames are copied into them by the CPU.
 *
 * @param kind         zero-copy or copying
 * @param chosen       the allocator, format, modifier and layout
 * @param importers    the endpoints that import the buffers (all but the allocating one)
 * @param framebuffers how each plane registers them
 * @param count        how many buffers to allocate
 * @param countReason  how the count was reached, e.g. {@code 2 (vivid) + 2 (plane 31) + 1 slack}
 * @param rejected     the candidates and allocators not taken, in the order they were considered
 */
public record Plan(Kind kind, Candidate chosen, List<String> importers, List<Framebuffer> framebuffers, int count,
                   String countReason, List<Rejection> rejected) {
    /** Whether the frames are shared or copied. */
    public enum Kind {
        /** Every endpoint uses the same buffers. */
        ZERO_COPY,
        /** The producer's frames are copied by the CPU into the consumers' buffers. */
        COPYING
    }

    /**
     * How a plane registers each buffer ({@code DRM_IOCTL_MODE_ADDFB2}).
     *
     * @param plane        the plane endpoint's name
     * @param format       the format it registers, which may differ from the buffer's (XRGB8888 for ARGB8888)
     * @param modifierFlag whether the framebuffer carries the modifier ({@code DRM_MODE_FB_MODIFIERS})
     */
    public record Framebuffer(String plane, PixelFormat format, boolean modifierFlag) {}

    public Plan {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(countReason, "countReason");
        importers = List.copyOf(importers);
        framebuffers = List.copyOf(framebuffers);
        rejected = List.copyOf(rejected);
    }

    /** Where the buffers' planes are: pitches and offsets for V4L2 ({@code bytesperline}) and ADDFB2. */
    public FrameLayout layout() {
        return chosen.layout();
    }

    /**
     * This plan with the chosen candidate's layout replaced by {@code layout}: the same kind, allocator, format,
     * modifier, importers, framebuffers, count and rejections. Used when a producer changes its frame size mid-run (a
     * camera resolution change) and the same allocator makes the new buffers; nothing is tried again, so the caller
     * learns of a size an endpoint refuses from the calls that allocate, import or show the new buffers.
     *
     * @throws IllegalArgumentException when {@code layout}'s pixel format is not the plan's
     */
    public Plan withLayout(FrameLayout layout) {
        Objects.requireNonNull(layout, "layout");
        if (!layout.format().equals(chosen.format())) {
            throw new IllegalArgumentException("Plan.withLayout: the layout's format " + layout.format()
                    + " is not the plan's " + chosen.format() + "; a new format needs a new plan");
        }
        return new Plan(kind, new Candidate(chosen.allocator(), chosen.format(), chosen.modifier(), layout), importers,
                framebuffers, count, countReason, rejected);
    }

    /** Who allocates. */
    public Allocator allocator() {
        return chosen.allocator();
    }

    /** Just the reasons of {@link #rejected()}, for searching. */
    public List<String> reasons() {
        return rejected.stream().map(Rejection::toString).toList();
    }

    /** The whole plan in words, one fact a line. */
    public String explain() {
        StringBuilder text = new StringBuilder();
        text.append(kind == Kind.COPYING ? "COPYING plan (the producer's frames are copied by the CPU into these "
                + "buffers): " : "zero-copy plan: ").append(chosen.allocator()).append(" allocates ").append(count)
                .append(" buffers of ").append(chosen.format()).append(' ').append(chosen.modifier());
        text.append("\n  count ").append(count).append(" = ").append(countReason);
        text.append("\n  layout ").append(chosen.layout());
        text.append("\n  imported by ").append(importers.isEmpty() ? "none" : String.join(", ", importers));
        for (Framebuffer framebuffer : framebuffers) {
            text.append("\n  framebuffer on ").append(framebuffer.plane()).append(": ").append(framebuffer.format())
                    .append(' ').append(chosen.modifier()).append(framebuffer.modifierFlag()
                            ? " with the modifier flag" : " without the modifier flag");
        }
        appendRejections(text, rejected);
        return text.toString();
    }

    static void appendRejections(StringBuilder text, List<Rejection> rejected) {
        if (!rejected.isEmpty()) {
            text.append("\n  not taken:");
            rejected.forEach(rejection -> text.append("\n    ").append(rejection));
        }
    }

    @Override
    public String toString() {
        return explain();
    }
}

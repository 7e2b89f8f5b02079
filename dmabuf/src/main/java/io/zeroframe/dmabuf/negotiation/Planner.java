package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who allocates the buffers a producer and its consumers share, in which format, modifier, pitch and
 * count, proves the choice through {@link Trials}, and explains it ({@link Plan}).
 *
 * <p>How: for each format the producer offers that every consumer reads ({@link FormatOffer#reads}: the same
 * format, its multi-planar variant, or ARGB8888 read as XRGB8888), it merges every endpoint's limits for it
 * ({@link FormatLimits#merge}: larger minimums, smaller maximums, lcm of alignments), keeps the modifiers all of
 * them offer, and lays out a buffer per allocator with {@link FrameLayout} (height padded, pitch aligned to the
 * lcm, or to the allocator's own rule where it fixes the pitch). A candidate that the descriptions already rule
 * out (an endpoint that does not import, a pitch it cannot use, non-contiguous memory where contiguous is
 * required) is rejected with the reason; the others are tried in order: allocate one buffer, import it into every
 * endpoint that did not allocate it, register it as a framebuffer on every plane and test-commit it. A refusal
 * {@link TrialResult.Outcome#FIXABLE_BY_REALLOCATION fixable by reallocation} moves to the next candidate; one
 * that is {@link TrialResult.Outcome#NOT_FIXABLE not fixable} stops planning.
 *
 * <p>The default order, which {@link Preference} overrides:
 * <ol>
 *   <li>formats in the producer's order (its preference, usually its native format first);</li>
 *   <li>modifiers other than LINEAR before LINEAR (none can be laid out here yet: every allocator lays out linear
 *       buffers, so such candidates are listed as rejected, and LINEAR is what is tried);</li>
 *   <li>allocators: the producer's own export first (the device that writes allocates, as libcamera's
 *       {@code cam} does, and it imports nothing); then usable dma-heaps, physically contiguous ones (CMA) first;
 *       then udmabuf; then the consumers' own exports in the consumers' order (a display's dumb buffers, when
 *       the display refuses foreign buffers). Unusable allocators are listed with their reason.</li>
 * </ol>
 * The count is the sum of what every endpoint sharing the buffers holds at once plus the slack (1 unless set); in
 * a copying plan the producer keeps its own buffers, so only the consumers count.
 *
 * <p>Where no zero-copy plan exists, {@link #plan} makes a {@link Plan.Kind#COPYING} plan if the caller allowed it
 * (the consumers' side shares buffers, the producer's frames are copied into them in the same format: a copy, not
 * a conversion), and otherwise throws {@link NoPlanException} listing every endpoint's offers. Formats no
 * consumer shares with the producer always throw. The plan, or the reason for none, is logged at INFO.
 *
 * {@snippet :
 * Planner planner = Planner.builder(1280, 720)
 *         .producer(camera)                               // Endpoint with Role.PRODUCER
 *         .consumer(plane)                                // a KMS plane endpoint
 *         .allocator(Allocator.heap("system", false))
 *         .allocator(Allocator.udmabuf())
 *         .preference(Preference.DEFAULT.forceAllocator(camera.name()))   // "the camera allocates"
 *         .build();
 * Plan plan = planner.plan(trials);                       // throws NoPlanException
 * System.out.println(plan.explain());
 * }
 *
 * <p>Immutable; {@link #plan} is as thread-safe as the {@link Trials} it is given.
 */
public final class Planner {
    private static final Logger LOG = LoggerFactory.getLogger(Planner.class);

    /** An endpoint with its offer for the format being considered. */
    private record Use(Endpoint endpoint, FormatOffer offer) {}

    private final int width;
    private final int height;
    private final Endpoint producer;
    private final List<Endpoint> consumers;
    private final List<Allocator> allocators;
    private final Preference preference;
    private final boolean allowCopying;
    private final int slack;

    private Planner(Builder builder) {
        width = builder.width;
        height = builder.height;
        producer = Objects.requireNonNull(builder.producer, "producer");
        consumers = List.copyOf(builder.consumers);
        allocators = List.copyOf(builder.allocators);
        preference = builder.preference;
        allowCopying = builder.allowCopying;
        slack = builder.slack;
        if (!producer.role().produces()) {
            throw new IllegalArgumentException(producer + " is a " + producer.role() + ", not a producer");
        }
        if (consumers.isEmpty()) {
            throw new IllegalArgumentException("no consumers for " + producer);
        }
        consumers.stream().filter(c -> !c.role().consumes()).findFirst().ifPresent(c -> {
            throw new IllegalArgumentException(c + " is a " + c.role() + ", not a consumer");
        });
        if (width < 1 || height < 1 || slack < 0) {
            throw new IllegalArgumentException("frame " + width + "x" + height + ", slack " + slack);
        }
    }

    /** A planner for frames of {@code width x height} pixels. */
    public static Builder builder(int width, int height) {
        return new Builder(width, height);
    }

    /**
     * The plan: the first candidate in preference order that every trial accepts.
     *
     * @throws NoPlanException when no candidate works and copying is not allowed or not possible, when the
     *         endpoints share no format, or when a trial refuses in a way no other allocation fixes
     */
    public Plan plan(Trials trials) throws NoPlanException {
        List<Rejection> rejected = new ArrayList<>();
        for (Allocator allocator : allocators) {
            allocator.unusable().ifPresent(reason -> rejected.add(new Rejection(allocator.toString(),
                    TrialResult.unsuitable(TrialResult.Outcome.FIXABLE_BY_REALLOCATION, reason),
                    "not usable: " + reason)));
        }
        if (producer.offers().stream().noneMatch(offer -> consumerUses(offer.format()).isPresent())) {
            throw noPlan("no format that " + producer + " offers is taken by every consumer", rejected);
        }
        String headline = "no zero-copy plan";
        if (producer.exports().isEmpty() && !producer.imports()) {
            headline = producer + " neither exports nor imports dma-bufs: no zero-copy plan";
        } else {
            Optional<Plan> plan = search(false, trials, rejected);
            if (plan.isPresent()) {
                return logged(plan.get());
            }
        }
        if (!allowCopying) {
            throw noPlan(headline + " (copying not allowed)", rejected);
        }
        Optional<Plan> copying = search(true, trials, rejected);
        if (copying.isPresent()) {
            return logged(copying.get());
        }
        throw noPlan(headline + ", and no copying plan either", rejected);
    }

    private Optional<Plan> search(boolean copying, Trials trials, List<Rejection> rejected) throws NoPlanException {
        List<FormatOffer> formats = producer.offers().stream()
                .sorted(Comparator.comparingInt(offer -> preference.formatRank(offer.format()))).toList();
        for (FormatOffer produced : formats) {
            Optional<List<Use>> consumed = consumerUses(produced.format());
            if (consumed.isEmpty()) {
                rejected.add(described(produced.format().toString(), "not taken by " + String.join(", ",
                        consumers.stream().filter(c -> c.offerFor(produced.format()).isEmpty())
                                .map(Endpoint::name).toList())));
                continue;
            }
            List<Use> uses = new ArrayList<>();
            if (!copying) {
                uses.add(new Use(producer, produced));
            }
            uses.addAll(consumed.get());
            Optional<String> sizeProblem = sizeProblem(uses);
            if (sizeProblem.isPresent()) {
                rejected.add(described(produced.format().toString(), sizeProblem.get()));
                continue;
            }
            FormatLimits limits = uses.stream().map(use -> use.offer().limits())
                    .reduce(FormatLimits.NONE, FormatLimits::merge);
            for (Modifier modifier : modifiers(produced, consumed.get())) {
                String what = produced.format() + " " + modifier;
                if (!modifier.equals(Modifier.LINEAR)) {
                    rejected.add(described(what, "no allocator here lays out " + modifier
                            + " (heaps, udmabuf, V4L2 and dumb buffers are linear)"));
                    continue;
                }
                for (Allocator allocator : allocatorOrder(copying)) {
                    Candidate candidate = new Candidate(allocator, produced.format(), modifier,
                            layout(produced.format(), limits, allocator));
                    Optional<Rejection> rejection = describedProblem(candidate, uses, limits)
                            .or(() -> prove(candidate, uses, trials));
                    if (rejection.isEmpty()) {
                        return Optional.of(plan(copying, candidate, uses, rejected));
                    }
                    rejected.add(rejection.get());
                    if (rejection.get().result().outcome() == TrialResult.Outcome.NOT_FIXABLE) {
                        throw noPlan(rejection.get() + ": not fixable by another allocation", rejected);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Every consumer's offer that reads {@code produced}, or empty if one has none. */
    private Optional<List<Use>> consumerUses(PixelFormat produced) {
        List<Use> uses = new ArrayList<>();
        for (Endpoint consumer : consumers) {
            Optional<FormatOffer> offer = consumer.offerFor(produced);
            if (offer.isEmpty()) {
                return Optional.empty();
            }
            uses.add(new Use(consumer, offer.get()));
        }
        return Optional.of(uses);
    }

    /**
     * Why the frame size is outside one endpoint's limits; empty if inside all (then it is inside their merged
     * limits too, whose ranges are therefore not empty).
     */
    private Optional<String> sizeProblem(List<Use> uses) {
        for (Use use : uses) {
            String problem = use.offer().limits().sizeProblem(width, height);
            if (problem != null) {
                return Optional.of(use.endpoint() + ": " + problem);
            }
        }
        return Optional.empty();
    }

    /** The producer's modifiers that every consumer offers too, in its order, LINEAR last. */
    private static List<Modifier> modifiers(FormatOffer produced, List<Use> consumed) {
        return produced.modifiers().stream()
                .filter(m -> consumed.stream().allMatch(use -> use.offer().modifiers().contains(m)))
                .sorted(Comparator.comparing(m -> m.equals(Modifier.LINEAR))).toList();
    }

    /** The allocators in the documented order, then {@link Preference}'s. */
    private List<Allocator> allocatorOrder(boolean copying) {
        List<Allocator> order = new ArrayList<>();
        if (!copying) {
            producer.exports().ifPresent(order::add);
        }
        allocators.stream().filter(Allocator::usable)
                .sorted(Comparator.comparingInt(a -> a.source() == Allocator.Source.DMA_HEAP
                        ? (a.contiguous() ? 0 : 1) : 2))
                .forEach(order::add);
        consumers.forEach(consumer -> consumer.exports().ifPresent(order::add));
        return order.stream()
                .filter(a -> preference.forcedAllocator().map(a.name()::equals).orElse(true))
                .sorted(Comparator.comparingInt(a -> preference.allocatorRank(a.name()))).toList();
    }

    /** The layout {@code allocator} would give: rows padded, pitch aligned to the lcm or to its own rule. */
    private FrameLayout layout(PixelFormat format, FormatLimits limits, Allocator allocator) {
        int rows = Math.multiplyExact(Math.ceilDiv(height, limits.heightPadding()), limits.heightPadding());
        int alignment = allocator.honoursRequestedPitch()
                ? FormatLimits.lcm(limits.pitchAlignment(), allocator.pitchAlignment())
                : allocator.pitchAlignment();
        return FrameLayout.of(format, width, rows, alignment);
    }

    /** What the descriptions alone say against {@code candidate}. */
    private static Optional<Rejection> describedProblem(Candidate candidate, List<Use> uses, FormatLimits limits) {
        Allocator allocator = candidate.allocator();
        String what = candidate.toString();
        if (limits.contiguousRequired() && !allocator.contiguous()) {
            return Optional.of(described(what, "the memory must be physically contiguous and " + allocator
                    + " is not"));
        }
        if (candidate.format().isMultiPlanar() && !limits.separatePlanes()) {
            return Optional.of(described(what, "an endpoint needs the planes in one buffer"));
        }
        for (Use use : uses) {
            String problem = use.offer().limits().layoutProblem(candidate.layout());
            if (problem != null) {
                String cause = allocator.honoursRequestedPitch() ? "" : " (" + allocator + " sets its own pitch)";
                return Optional.of(described(what, use.endpoint() + ": " + problem + cause));
            }
            if (!allocates(use.endpoint(), allocator) && !use.endpoint().imports()) {
                return Optional.of(described(what, use.endpoint() + ": does not import dma-bufs"));
            }
        }
        return Optional.empty();
    }

    /** Tries {@code candidate}: allocate, import where needed, register and test-commit on every plane. */
    private static Optional<Rejection> prove(Candidate candidate, List<Use> uses, Trials trials) {
        try {
            TrialResult allocated = trials.allocate(candidate);
            if (!allocated.accepted()) {
                return Optional.of(refused(candidate, candidate.allocator().toString(), allocated, ""));
            }
            String foreign = " of a " + candidate.allocator().source().noun() + " buffer";
            for (Use use : uses) {
                if (!allocates(use.endpoint(), candidate.allocator())) {
                    TrialResult imported = trials.importInto(use.endpoint(), candidate);
                    if (!imported.accepted()) {
                        return Optional.of(refused(candidate, use.endpoint().name(), imported, foreign));
                    }
                }
            }
            for (Use use : uses) {
                Endpoint plane = use.endpoint();
                if (plane.scanout()) {
                    TrialResult registered = trials.registerFramebuffer(plane, candidate, use.offer().format(),
                            plane.framebufferModifiers());
                    TrialResult shown = registered.accepted() ? trials.testCommit(plane, candidate) : registered;
                    if (!shown.accepted()) {
                        return Optional.of(refused(candidate, plane.name(), shown, ""));
                    }
                }
            }
            return Optional.empty();
        } finally {
            trials.release(candidate);
        }
    }

    private Plan plan(boolean copying, Candidate candidate, List<Use> uses, List<Rejection> rejected) {
        List<String> importers = new ArrayList<>();
        List<Plan.Framebuffer> framebuffers = new ArrayList<>();
        int count = slack;
        List<String> counted = new ArrayList<>();
        for (Use use : uses) {
            Endpoint endpoint = use.endpoint();
            if (!allocates(endpoint, candidate.allocator())) {
                importers.add(endpoint.name());
            }
            if (endpoint.scanout()) {
                framebuffers.add(new Plan.Framebuffer(endpoint.name(), use.offer().format(),
                        endpoint.framebufferModifiers()));
            }
            count += endpoint.holds();
            counted.add(endpoint.holds() + " (" + endpoint + ")");
        }
        counted.add(slack + " slack");
        return new Plan(copying ? Plan.Kind.COPYING : Plan.Kind.ZERO_COPY, candidate, importers, framebuffers, count,
                String.join(" + ", counted), rejected);
    }

    private static boolean allocates(Endpoint endpoint, Allocator allocator) {
        return endpoint.exports().filter(allocator::equals).isPresent();
    }

    private static Rejection described(String what, String reason) {
        return new Rejection(what, TrialResult.unsuitable(TrialResult.Outcome.FIXABLE_BY_REALLOCATION, reason),
                reason);
    }

    private static Rejection refused(Candidate candidate, String who, TrialResult result, String foreign) {
        return new Rejection(candidate.toString(), result, who + ": " + result.call() + foreign + ": "
                + result.errno() + ", " + result.reason());
    }

    private Plan logged(Plan plan) {
        LOG.info("{}", plan.explain());
        return plan;
    }

    private NoPlanException noPlan(String headline, List<Rejection> rejected) {
        StringBuilder text = new StringBuilder(headline).append(" for ").append(width).append('x').append(height)
                .append("\n  offers:\n    ").append(producer.describeOffers());
        consumers.forEach(consumer -> text.append("\n    ").append(consumer.describeOffers()));
        Plan.appendRejections(text, rejected);
        LOG.info("{}", text);
        return new NoPlanException(text.toString(), rejected);
    }

    /** Builds a {@link Planner}; every setter returns this builder. Not thread-safe. */
    public static final class Builder {
        private final int width;
        private final int height;
        private Endpoint producer;
        private final List<Endpoint> consumers = new ArrayList<>();
        private final List<Allocator> allocators = new ArrayList<>();
        private Preference preference = Preference.DEFAULT;
        private boolean allowCopying;
        private int slack = 1;

        private Builder(int width, int height) {
            this.width = width;
            this.height = height;
        }

        /** The endpoint that writes the frames (a {@link Role#PRODUCER} or {@link Role#STAGE}). */
        public Builder producer(Endpoint endpoint) {
            producer = endpoint;
            return this;
        }

        /** Adds an endpoint that reads the frames (a {@link Role#CONSUMER} or {@link Role#STAGE}). */
        public Builder consumer(Endpoint endpoint) {
            consumers.add(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /** Adds an allocator besides the endpoints' own exports (a dma-heap, udmabuf), usable or not. */
        public Builder allocator(Allocator allocator) {
            allocators.add(Objects.requireNonNull(allocator, "allocator"));
            return this;
        }

        /** Overrides the default order ({@link Preference#DEFAULT}). */
        public Builder preference(Preference preference) {
            this.preference = Objects.requireNonNull(preference, "preference");
            return this;
        }

        /** Whether a {@link Plan.Kind#COPYING} plan may be made when no zero-copy plan exists (false unless set). */
        public Builder allowCopying(boolean allowed) {
            allowCopying = allowed;
            return this;
        }

        /** Buffers beyond what the endpoints hold, so none waits for a buffer to come back (1 unless set). */
        public Builder slack(int buffers) {
            slack = buffers;
            return this;
        }

        /** The planner; throws {@link IllegalArgumentException} for a missing producer or consumer. */
        public Planner build() {
            return new Planner(this);
        }
    }
}

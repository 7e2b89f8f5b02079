package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.DeviceTrials;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.NoPlanException;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.dmabuf.negotiation.Planner;
import io.zeroframe.dmabuf.negotiation.Preference;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.PlaneEndpoint;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Plans every hop of a chain camera -> stages -> display (or the application) at once, before anything is
 * allocated: who allocates each hop's buffers, in which format, layout and count. Each memory-to-memory stage is a
 * consumer on its OUTPUT queue and a producer on its CAPTURE queue ({@link VideoEndpoint} with {@link Role#STAGE}); a
 * frame hop (camera or converter to a converter, an encoder or the plane; a decoder to a converter or the plane) is
 * planned by the {@link Planner} with
 * real trials on both ends (allocate one buffer, import it, register and test-commit it on the plane), with every
 * allocator on offer: the producer's exports, the machine's dma-heaps and udmabuf, the consumer's exports (the
 * display's dumb buffers, which a display that imports nothing needs). A packet hop (an encoder's packets into a
 * decoder) is checked here, since the frame model has no compressed formats: both must list the coded format, and
 * the decoder must import the encoder's exported packet buffers. With the application as the consumer
 * ({@link Builder#toApplication}) the last stage keeps its own buffers, which the application reads.
 *
 * <p><b>At once.</b> The camera's formats are tried in the preference's order; for each, every later hop is planned
 * given what the hop before chose (a decoder's frames keep the format that entered the encoder, so the hop after it
 * prefers that format; a converter's output prefers its input's format, converting only where the next device needs
 * another). The first format for which every hop has a plan wins; if none does, the refusal names each hop that had
 * none, with the planner's reasons. The trials set the devices' formats ({@code VIDIOC_S_FMT}) and leave no buffer,
 * fd, mapping or framebuffer behind.
 *
 * {@snippet :
 * StagePlan plan = StagePlanner.builder(camera, 640, 480)
 *         .converter(vim2m)                                   // RGB24 in, RGB565 out for the display
 *         .display(card, crtc, plane, connector, mode)
 *         .build().plan();
 * System.out.println(plan.explain());
 * }
 *
 * <p>Borrows the camera, the stages (opened, not started) and the display; not thread-safe.
 */
public final class StagePlanner {
    /** How many of the camera's formats are tried before giving up: each try allocates and imports per hop. */
    static final int FORMATS_TRIED = 6;

    private final VideoQueue camera;
    private final int width;
    private final int height;
    private final List<StagePlan.Stage> stages;
    private final DrmDevice card;
    private final Crtc crtc;
    private final Plane plane;
    private final Connector connector;
    private final Mode mode;
    private final Preference preference;

    private StagePlanner(Builder builder) {
        camera = builder.camera;
        width = builder.width;
        height = builder.height;
        stages = List.copyOf(builder.stages);
        card = builder.card;
        if (card == null && !builder.application) {
            throw new IllegalStateException("no consumer: call display(...) or toApplication() before build()");
        }
        crtc = builder.crtc;
        plane = builder.plane;
        connector = builder.connector;
        mode = builder.mode;
        preference = builder.preference;
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("no stage between " + camera + " and the display: plan the camera and"
                    + " the plane with the Planner (CaptureToScanout)");
        }
        for (int k = 0; k < stages.size(); k++) {
            StagePlan.Stage stage = stages.get(k);
            boolean lastStage = k == stages.size() - 1;
            if (stage.codec().kind() == CodecStage.Kind.DECODER) {
                if (k == 0 || stages.get(k - 1).codec().kind() != CodecStage.Kind.ENCODER) {
                    throw new IllegalArgumentException("stage " + k + " (" + stage.codec() + ") is a decoder that"
                            + " does not follow an encoder: a decoder takes an encoder's packets");
                }
                if (!lastStage && stages.get(k + 1).codec().kind() != CodecStage.Kind.CONVERTER) {
                    throw new IllegalArgumentException("stage " + k + " (" + stage.codec() + ") is a decoder before"
                            + " a " + stages.get(k + 1).codec().kind() + ": only a converter (or the display) takes"
                            + " a decoder's frames, which exist once the stream plays");
                }
            } else if (k > 0 && stages.get(k - 1).codec().kind() == CodecStage.Kind.ENCODER) {
                throw new IllegalArgumentException("stage " + k + " (" + stage.codec() + ") follows an encoder:"
                        + " only a decoder takes packets");
            }
            if (lastStage && card != null && stage.codec().kind() == CodecStage.Kind.ENCODER) {
                throw new IllegalArgumentException("the last stage (" + stage.codec() + ") is an encoder: a display"
                        + " shows frames, not packets");
            }
        }
    }

    /** A planner for frames of {@code width x height} from {@code camera} (a capture queue, not streaming). */
    public static Builder builder(VideoQueue camera, int width, int height) {
        return new Builder(camera, width, height);
    }

    /**
     * The plan of every hop (see the class comment).
     *
     * @throws NoStagePlanException no format of the camera gives every hop a plan: each hop's refusal, in order
     * @throws IOException a device's answer while describing it (a {@link KernelException}), or listing the heaps
     */
    public StagePlan plan() throws IOException, NoStagePlanException {
        VideoEndpoint cameraSide = VideoEndpoint.of(camera, Role.PRODUCER, width, height);
        VideoEndpoint firstInput = VideoEndpoint.of(stages.getFirst().codec().inputQueue(), Role.STAGE, width,
                height);
        Set<PixelFormat> order = new LinkedHashSet<>(preference.formatsFirst());
        cameraSide.endpoint().offers().forEach(offer -> order.add(offer.format()));
        List<String> refusals = new ArrayList<>();
        int tried = 0;
        for (PixelFormat format : order) {
            if (tried == FORMATS_TRIED) {
                refusals.add("(the camera's other formats were not tried: " + FORMATS_TRIED + " is the limit)");
                break;
            }
            if (cameraSide.endpoint().offerFor(format).isEmpty()
                    || firstInput.endpoint().offers().stream().noneMatch(o -> o.reads(format))) {
                continue;
            }
            tried++;
            try {
                return planFrom(format, cameraSide, firstInput);
            } catch (NoStagePlanException e) {
                refusals.add(format + " from the camera: " + e.getMessage());
            }
        }
        if (tried == 0) {
            throw new NoStagePlanException("no format that " + cameraSide + " offers is taken by "
                    + firstInput + ": the camera offers " + formats(cameraSide.endpoint()) + ", the stage takes "
                    + formats(firstInput.endpoint()));
        }
        throw new NoStagePlanException("no plan for camera -> " + stageNames() + " -> " + (card == null
                ? "the application" : plane.id() + " of " + card.path()) + ":\n  " + String.join("\n  ", refusals));
    }

    /** Every hop planned with the camera's {@code format} on the first hop, or the first hop that has no plan. */
    private StagePlan planFrom(PixelFormat format, VideoEndpoint cameraSide, VideoEndpoint firstInput)
            throws IOException, NoStagePlanException {
        List<StagePlan.Hop> hops = new ArrayList<>();
        List<BufferSource> keep = new ArrayList<>();
        Plan first = frameHop(0, cameraSide, firstInput, Optional.empty(), format, keep);
        hops.add(StagePlan.Hop.frames(cameraSide.toString(), firstInput.toString(), first,
                source(first, cameraSide.source(), firstInput.source(), keep), allocates(first, cameraSide)));
        PixelFormat carried = first.chosen().format();
        for (int k = 0; k < stages.size(); k++) {
            StagePlan.Stage stage = stages.get(k);
            CodecStage codec = stage.codec();
            boolean lastStage = k == stages.size() - 1;
            int[] size = sizeOf(k + 1); // what the stage makes: a scaling converter's size, or what it was given
            int w = size[0];
            int h = size[1];
            if (lastStage && card == null) {
                hops.add(StagePlan.Hop.application(VideoEndpoint.nameOf(codec.resultQueue())));
                continue;
            }
            if (codec.kind() == CodecStage.Kind.ENCODER) {
                CodecStage decoder = stages.get(k + 1).codec();
                hops.add(packetHop(k, codec, decoder, stage.coded().orElseThrow()));
                continue;
            }
            VideoEndpoint out = VideoEndpoint.of(codec.resultQueue(), Role.STAGE, w, h);
            Plan plan;
            Optional<BufferSource> consumerSource;
            String consumerName;
            if (lastStage) {
                PlaneEndpoint screen = PlaneEndpoint.of(card, plane, crtc, connector, mode);
                plan = frameHop(k + 1, out, null, Optional.of(screen), carried, keep);
                consumerSource = screen.source();
                consumerName = screen.endpoint().name();
            } else {
                VideoEndpoint in = VideoEndpoint.of(stages.get(k + 1).codec().inputQueue(), Role.STAGE, w, h);
                plan = frameHop(k + 1, out, in, Optional.empty(), carried, keep);
                consumerSource = in.source();
                consumerName = in.toString();
            }
            hops.add(StagePlan.Hop.frames(out.toString(), consumerName, plan,
                    source(plan, out.source(), consumerSource, keep), allocates(plan, out)));
            carried = plan.chosen().format();
        }
        return new StagePlan(camera, stages, hops);
    }

    /**
     * One frame hop: {@code producer} into {@code consumer} (a stage's OUTPUT queue) or {@code screen}, {@code first}
     * tried first; the system allocators' sources are added to {@code keep}.
     */
    private Plan frameHop(int hop, VideoEndpoint producer, VideoEndpoint consumer, Optional<PlaneEndpoint> screen,
                          PixelFormat first, List<BufferSource> keep) throws IOException, NoStagePlanException {
        Planner.Builder planner = Planner.builder(sizeOf(hop)[0], sizeOf(hop)[1]).producer(producer.endpoint())
                .preference(hop == 0 ? preference.formatsFirst(first) : Preference.DEFAULT.formatsFirst(first));
        DeviceTrials.Builder trials = DeviceTrials.builder().sink(producer.sink());
        producer.source().ifPresent(trials::source);
        if (screen.isPresent()) {
            planner.consumer(screen.get().endpoint());
            trials.sink(screen.get().sink());
            screen.get().source().ifPresent(trials::source);
        } else {
            planner.consumer(consumer.endpoint());
            trials.sink(consumer.sink());
            consumer.source().ifPresent(trials::source);
        }
        List<BufferSource> system = SystemAllocators.addTo(planner);
        system.forEach(trials::source);
        Plan plan;
        try {
            plan = planner.build().plan(trials.build());
        } catch (NoPlanException e) {
            throw new NoStagePlanException("hop " + hop + " (" + producer + " -> " + (screen.isPresent()
                    ? screen.get().endpoint().name() : consumer) + "): " + e.getMessage());
        }
        if (hop == 0 && !plan.chosen().format().equals(first)) {
            throw new NoStagePlanException("hop 0: " + first + " has no plan (the planner fell back to "
                    + plan.chosen().format() + ", tried on its own)");
        }
        system.stream().filter(s -> s.allocator().equals(plan.allocator())).forEach(keep::add);
        return plan;
    }

    /** The frame size on hop {@code hop}: the camera's, or the converter's output size before it. */
    private int[] sizeOf(int hop) {
        int w = width;
        int h = height;
        for (int k = 0; k < hop && k < stages.size(); k++) {
            w = stages.get(k).width().orElse(w);
            h = stages.get(k).height().orElse(h);
        }
        return new int[] {w, h};
    }

    /** Whether {@code producer} allocates the plan's buffers itself (its own exports). */
    private static boolean allocates(Plan plan, VideoEndpoint producer) {
        return producer.source().map(s -> s.allocator().equals(plan.allocator())).orElse(false);
    }

    /** The source of the plan's allocator: the producer's, the consumer's, or a system one kept in {@code keep}. */
    private static Optional<BufferSource> source(Plan plan, Optional<BufferSource> producer,
                                                 Optional<BufferSource> consumer, List<BufferSource> keep) {
        for (Optional<BufferSource> each : List.of(producer, consumer)) {
            if (each.isPresent() && each.get().allocator().equals(plan.allocator())) {
                return each;
            }
        }
        return keep.stream().filter(s -> s.allocator().equals(plan.allocator())).findFirst();
    }

    /**
     * The packet hop from {@code encoder} to {@code decoder}: both list {@code coded} ({@code VIDIOC_ENUM_FMT}) and
     * the decoder imports ({@code V4L2_MEMORY_DMABUF} on its OUTPUT queue); the encoder allocates the packets.
     */
    private StagePlan.Hop packetHop(int k, CodecStage encoder, CodecStage decoder, FourCc coded)
            throws KernelException, NoStagePlanException {
        List<FourCc> makes = fourccs(encoder.resultQueue());
        List<FourCc> takes = fourccs(decoder.inputQueue());
        String hop = "hop " + (k + 1) + " (" + encoder + " -> " + decoder + ")";
        if (!makes.contains(coded) || !takes.contains(coded)) {
            throw new NoStagePlanException(hop + ": " + coded + " is not coded by both: the encoder makes " + makes
                    + ", the decoder takes " + takes);
        }
        if (!decoder.inputQueue().info().canImport()) {
            throw new NoStagePlanException(hop + ": the decoder's OUTPUT queue imports no dma-buf"
                    + " (no V4L2_BUF_CAP_SUPPORTS_DMABUF): the packets would have to be copied");
        }
        if (!encoder.resultQueue().info().canExport()) {
            throw new NoStagePlanException(hop + ": the encoder's CAPTURE queue has no MMAP buffers to export");
        }
        return StagePlan.Hop.packets(VideoEndpoint.nameOf(encoder.resultQueue()),
                VideoEndpoint.nameOf(decoder.inputQueue()), coded);
    }

    private static List<FourCc> fourccs(VideoQueue queue) throws KernelException {
        List<FourCc> found = new ArrayList<>();
        for (FormatDescription description : queue.device().formats(queue.type())) {
            found.add(description.fourcc());
        }
        return found;
    }

    private static List<PixelFormat> formats(Endpoint endpoint) {
        return endpoint.offers().stream().map(o -> o.format()).toList();
    }

    private String stageNames() {
        List<String> names = new ArrayList<>();
        stages.forEach(stage -> names.add(stage.codec().kind().name().toLowerCase(java.util.Locale.ROOT) + " "
                + stage.codec().path()));
        return String.join(" -> ", names);
    }

    /** No format of the camera gives every hop of the chain a plan; the message names each hop's refusal. */
    public static final class NoStagePlanException extends Exception {
        private static final long serialVersionUID = 1L;

        NoStagePlanException(String message) {
            super(message);
        }
    }

    /** Builds a {@link StagePlanner}: the stages in chain order, then the display. Not thread-safe. */
    public static final class Builder {
        private final VideoQueue camera;
        private final int width;
        private final int height;
        private final List<StagePlan.Stage> stages = new ArrayList<>();
        private DrmDevice card;
        private Crtc crtc;
        private Plane plane;
        private Connector connector;
        private Mode mode;
        private Preference preference = Preference.DEFAULT;
        private boolean application;

        private Builder(VideoQueue camera, int width, int height) {
            this.camera = Objects.requireNonNull(camera, "camera");
            if (width < 1 || height < 1) {
                throw new IllegalArgumentException("frame " + width + "x" + height + " is not positive");
            }
            this.width = width;
            this.height = height;
        }

        /** An encoder stage making {@code coded} packets; a decoder must follow it. */
        public Builder encoder(CodecStage stage, FourCc coded) {
            return add(stage, CodecStage.Kind.ENCODER, Optional.of(Objects.requireNonNull(coded, "coded")), 0, 0);
        }

        /** A decoder stage of the encoder before it; the last stage. */
        public Builder decoder(CodecStage stage) {
            return add(stage, CodecStage.Kind.DECODER, Optional.empty(), 0, 0);
        }

        /** A converter keeping the frame size. */
        public Builder converter(CodecStage stage) {
            return add(stage, CodecStage.Kind.CONVERTER, Optional.empty(), 0, 0);
        }

        /** A converter scaling to {@code width x height} (a driver that scales: vim2m). */
        public Builder converter(CodecStage stage, int width, int height) {
            if (width < 1 || height < 1) {
                throw new IllegalArgumentException("converter output " + width + "x" + height + " is not positive");
            }
            return add(stage, CodecStage.Kind.CONVERTER, Optional.empty(), width, height);
        }

        private Builder add(CodecStage stage, CodecStage.Kind kind, Optional<FourCc> coded, int w, int h) {
            Objects.requireNonNull(stage, "stage");
            if (stage.kind() != kind) {
                throw new IllegalArgumentException(stage + " was opened as " + stage.kind() + ", not " + kind);
            }
            stages.add(new StagePlan.Stage(stage, coded, w > 0 ? Optional.of(w) : Optional.empty(),
                    h > 0 ? Optional.of(h) : Optional.empty()));
            return this;
        }

        /** The display: {@code plane} on {@code crtc} driving {@code connector} in {@code mode}. */
        public Builder display(DrmDevice card, Crtc crtc, Plane plane, Connector connector, Mode mode) {
            if (application) {
                throw new IllegalStateException("the application is the consumer already");
            }
            this.card = Objects.requireNonNull(card, "card");
            this.crtc = Objects.requireNonNull(crtc, "crtc");
            this.plane = Objects.requireNonNull(plane, "plane");
            this.connector = Objects.requireNonNull(connector, "connector");
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * The application as the consumer ({@link ThroughStages#toApplication}): the last stage's results stay in its
         * own buffers, which the application reads; the last stage may be an encoder. Instead of {@link #display}.
         */
        public Builder toApplication() {
            if (card != null) {
                throw new IllegalStateException("a display is the consumer already");
            }
            application = true;
            return this;
        }

        /** The first hop's preference (formats first, an allocator forced); later hops prefer the format carried. */
        public Builder preference(Preference preference) {
            this.preference = Objects.requireNonNull(preference, "preference");
            return this;
        }

        public StagePlanner build() {
            return new StagePlanner(this);
        }
    }
}

package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.PixelFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Trials} on the real devices, put together from each allocator's {@link BufferSource} and each endpoint's
 * {@link BufferSink}: allocate one frame from the candidate's source, import it into the sinks, register and
 * test-commit it on the planes, then free everything in {@link #release}: the sinks' imports and framebuffers
 * first, then the frame, then the source's device state. A failed probe leaves no fd, mapping, GEM handle or
 * framebuffer behind, and the display is only ever touched by {@code TEST_ONLY} commits.
 *
 * {@snippet :
 * DeviceTrials trials = DeviceTrials.builder()
 *         .source(BufferSource.of(Allocator.udmabuf(), new UdmabufAllocator()))
 *         .source(cameraSource)                  // the V4L2 queue's export, from the v4l2 module
 *         .sink(cameraSink).sink(planeSink)      // from the v4l2 and drm modules
 *         .build();
 * Plan plan = planner.plan(trials);
 * }
 *
 * <p>Not thread-safe: one planner at a time.
 */
public final class DeviceTrials implements Trials {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceTrials.class);

    private final List<BufferSource> sources;
    private final Map<String, BufferSink> sinks;
    private final Set<BufferSink> touched = new LinkedHashSet<>();
    private BufferSource source;
    private Frame frame;

    private DeviceTrials(Builder builder) {
        sources = List.copyOf(builder.sources);
        sinks = Map.copyOf(builder.sinks);
    }

    /** An empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The allocators it has sources for, usable ones, in the order added: what a {@link Planner} may use. */
    public List<Allocator> allocators() {
        return sources.stream().map(BufferSource::allocator).toList();
    }

    @Override
    public TrialResult allocate(Candidate candidate) {
        if (frame != null) {
            throw new IllegalStateException("allocate() before release() of the last candidate");
        }
        Optional<BufferSource> found = sources.stream()
                .filter(s -> s.allocator().equals(candidate.allocator())).findFirst();
        if (found.isEmpty()) {
            return TrialResult.notFixable("allocate", "ENODEV", "no source was given for " + candidate.allocator());
        }
        source = found.get();
        Attempt<Frame> made = source.allocate(candidate);
        if (made.accepted()) {
            frame = made.get();
        }
        return made.result();
    }

    @Override
    public TrialResult importInto(Endpoint endpoint, Candidate candidate) {
        return sink(endpoint).map(sink -> sink.importFrame(frame(), candidate))
                .orElseGet(() -> noSink(endpoint, "import"));
    }

    @Override
    public TrialResult registerFramebuffer(Endpoint plane, Candidate candidate, PixelFormat format,
                                           boolean modifierFlag) {
        return sink(plane).map(sink -> sink.registerFramebuffer(frame(), format, modifierFlag))
                .orElseGet(() -> noSink(plane, "DRM_IOCTL_MODE_ADDFB2"));
    }

    @Override
    public TrialResult testCommit(Endpoint plane, Candidate candidate) {
        return sink(plane).map(BufferSink::testCommit).orElseGet(() -> noSink(plane, "DRM_IOCTL_MODE_ATOMIC"));
    }

    @Override
    public void release(Candidate candidate) {
        for (BufferSink sink : new ArrayList<>(touched).reversed()) {
            try {
                sink.release();
            } catch (RuntimeException e) {
                LOG.warn("releasing the trial of {} on {} failed", candidate, sink.endpoint(), e);
            }
        }
        touched.clear();
        if (frame != null) {
            frame.close();
            frame = null;
        }
        if (source != null) {
            try {
                source.release();
            } catch (RuntimeException e) {
                LOG.warn("releasing the trial allocation of {} failed", candidate, e);
            }
            source = null;
        }
    }

    private Frame frame() {
        if (frame == null) {
            throw new IllegalStateException("no trial frame: allocate() first");
        }
        return frame;
    }

    private Optional<BufferSink> sink(Endpoint endpoint) {
        BufferSink sink = sinks.get(endpoint.name());
        if (sink != null) {
            touched.add(sink);
        }
        return Optional.ofNullable(sink);
    }

    private static TrialResult noSink(Endpoint endpoint, String call) {
        return TrialResult.notFixable(call, "ENODEV", "no sink was given for " + endpoint);
    }

    /** Builds {@link DeviceTrials}; every method returns this builder. Not thread-safe. */
    public static final class Builder {
        private final List<BufferSource> sources = new ArrayList<>();
        private final Map<String, BufferSink> sinks = new HashMap<>();

        private Builder() {}

        /** Adds the source of one allocator. */
        public Builder source(BufferSource source) {
            sources.add(Objects.requireNonNull(source, "source"));
            return this;
        }

        /** Adds the sink of one endpoint; its endpoint's name must be unique. */
        public Builder sink(BufferSink sink) {
            String name = sink.endpoint().name();
            if (sinks.putIfAbsent(name, sink) != null) {
                throw new IllegalArgumentException("two sinks for endpoints named " + name);
            }
            return this;
        }

        /** The trials. */
        public DeviceTrials build() {
            return new DeviceTrials(this);
        }
    }
}

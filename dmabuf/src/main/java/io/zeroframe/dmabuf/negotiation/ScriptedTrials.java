package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.PixelFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Trials} that answer from a script instead of devices: every step is accepted unless a rule says
 * otherwise. The documented test double of {@link Trials}, so the planner's probing and fallback can be checked
 * (and an application can plan from hand-written endpoints) without a camera or a display. It records every call,
 * in order, for assertions.
 *
 * {@snippet :
 * ScriptedTrials trials = new ScriptedTrials()
 *         .answer(TrialStep.IMPORT, "virtio_gpu plane 31", Allocator.Source.DMA_HEAP,
 *                 TrialResult.fixable("DRM_IOCTL_PRIME_FD_TO_HANDLE", "ENODEV",
 *                         "the driver refuses foreign buffers"));
 * }
 *
 * <p>Not thread-safe.
 */
public final class ScriptedTrials implements Trials {
    private record Rule(TrialStep step, String name, Allocator.Source source, TrialResult result) {
        boolean matches(TrialStep asked, String who, Candidate candidate) {
            return step == asked && name.equals(who) && (source == null || source == candidate.allocator().source());
        }
    }

    private final List<Rule> rules = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();

    /**
     * From now on, {@code step} on {@code name} (the endpoint's name; the allocator's name for
     * {@link TrialStep#ALLOCATE}) answers {@code result}, whatever the buffer's allocator. Earlier rules win.
     */
    public ScriptedTrials answer(TrialStep step, String name, TrialResult result) {
        rules.add(new Rule(step, name, null, result));
        return this;
    }

    /** Like {@link #answer(TrialStep, String, TrialResult)}, for buffers from {@code source} only. */
    public ScriptedTrials answer(TrialStep step, String name, Allocator.Source source, TrialResult result) {
        rules.add(new Rule(step, name, source, result));
        return this;
    }

    /**
     * Every call so far, e.g. {@code ALLOCATE XRGB8888 LINEAR pitch 2560 from dma-heap system},
     * {@code IMPORT virtio_gpu plane 31 <- ...}, {@code REGISTER_FRAMEBUFFER virtio_gpu plane 31 as XRGB8888
     * without modifier flag <- ...}.
     */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public TrialResult allocate(Candidate candidate) {
        return answer(TrialStep.ALLOCATE, candidate.allocator().name(), candidate, "ALLOCATE " + candidate);
    }

    @Override
    public TrialResult importInto(Endpoint endpoint, Candidate candidate) {
        return answer(TrialStep.IMPORT, endpoint.name(), candidate, "IMPORT " + endpoint + " <- " + candidate);
    }

    @Override
    public TrialResult registerFramebuffer(Endpoint plane, Candidate candidate, PixelFormat format,
                                           boolean modifierFlag) {
        return answer(TrialStep.REGISTER_FRAMEBUFFER, plane.name(), candidate, "REGISTER_FRAMEBUFFER " + plane
                + " as " + format + (modifierFlag ? " with" : " without") + " modifier flag <- " + candidate);
    }

    @Override
    public TrialResult testCommit(Endpoint plane, Candidate candidate) {
        return answer(TrialStep.TEST_COMMIT, plane.name(), candidate, "TEST_COMMIT " + plane + " <- " + candidate);
    }

    private TrialResult answer(TrialStep step, String who, Candidate candidate, String call) {
        calls.add(call);
        return rules.stream().filter(rule -> rule.matches(step, who, candidate)).map(Rule::result).findFirst()
                .orElse(TrialResult.ACCEPTED);
    }
}

package io.zeroframe.dmabuf.negotiation;

import java.util.Objects;

/**
 * What a trial operation answered: accepted, or refused by a named call with an errno name and a reason, and
 * whether another allocation could help. The kernel's refusals during probing are expected outcomes, so they are
 * values here rather than exceptions; the planner turns them into the plan's list of rejected candidates.
 *
 * <p>The classification follows Weston's: a refused import, a refused {@code ADDFB2} or a rejected pitch is
 * {@link Outcome#FIXABLE_BY_REALLOCATION} (another allocator, format or layout may work); no plane able to show
 * the size, or a refused scaling, is {@link Outcome#NOT_FIXABLE} (no buffer will help, so the planner stops).
 *
 * @param outcome what it means for the candidate
 * @param call    the kernel call that refused, e.g. "DRM_IOCTL_PRIME_FD_TO_HANDLE"; empty when accepted or when
 *                the planner refused the candidate from the descriptions alone
 * @param errno   the errno's symbolic name, e.g. "ENODEV"; empty likewise
 * @param reason  what it means, e.g. "the driver refuses foreign buffers"; empty when accepted
 */
public record TrialResult(Outcome outcome, String call, String errno, String reason) {
    /** The one accepted result. */
    public static final TrialResult ACCEPTED = new TrialResult(Outcome.ACCEPTED, "", "", "");

    /** What a result means for the candidate. */
    public enum Outcome {
        /** The step worked. */
        ACCEPTED,
        /** Refused, and another allocation (allocator, format, modifier, pitch) may work. */
        FIXABLE_BY_REALLOCATION,
        /** Refused whatever the buffer: the plan cannot be made this way. */
        NOT_FIXABLE
    }

    public TrialResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(errno, "errno");
        Objects.requireNonNull(reason, "reason");
    }

    /** {@code call} refused with {@code errno} and another allocation may work. */
    public static TrialResult fixable(String call, String errno, String reason) {
        return new TrialResult(Outcome.FIXABLE_BY_REALLOCATION, call, errno, reason);
    }

    /** {@code call} refused with {@code errno} and no allocation will work. */
    public static TrialResult notFixable(String call, String errno, String reason) {
        return new TrialResult(Outcome.NOT_FIXABLE, call, errno, reason);
    }

    /**
     * The refusal {@code e} reports: its call ({@link io.zeroframe.bindings.KernelException#operation()}) and errno
     * name, with {@code reason} saying what it means for the buffer.
     */
    public static TrialResult refused(io.zeroframe.bindings.KernelException e, Outcome outcome, String reason) {
        if (outcome == Outcome.ACCEPTED) {
            throw new IllegalArgumentException("a refusal that is accepted: " + e.getMessage());
        }
        return new TrialResult(outcome, e.operation(), e.errnoName(), reason);
    }

    /** A refusal found from the descriptions, before any call. */
    static TrialResult unsuitable(Outcome outcome, String reason) {
        return new TrialResult(outcome, "", "", reason);
    }

    /** Whether the step worked. */
    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }

    /** E.g. {@code DRM_IOCTL_MODE_ADDFB2: EINVAL, pitch rejected}, or {@code accepted}. */
    @Override
    public String toString() {
        if (accepted()) {
            return "accepted";
        }
        return call.isEmpty() ? reason : call + ": " + errno + ", " + reason;
    }
}

package io.zeroframe.dmabuf.negotiation;

import java.util.Objects;

/**
 * What a trial operation that makes something answered: the thing made (a {@link io.zeroframe.dmabuf.Frame}, a GEM
 * handle, a framebuffer), or the {@link TrialResult} that says which call refused, with which errno and whether
 * another allocation could help. Probing expects refusals, so they are values here, not exceptions.
 *
 * {@snippet :
 * Attempt<Framebuffer> added = drm.tryAddFramebuffer(frame, PixelFormat.XRGB8888, true);
 * if (!added.accepted()) {
 *     System.out.println(added.result());   // DRM_IOCTL_MODE_ADDFB2: EINVAL, the driver refuses this pitch
 * }
 * }
 *
 * @param <T>    what an accepted attempt made; the caller owns it
 * @param result {@link TrialResult#ACCEPTED} when the value is present, else the refusal
 * @param value  what was made; null when refused
 */
public record Attempt<T>(TrialResult result, T value) {
    public Attempt {
        Objects.requireNonNull(result, "result");
        if (result.accepted() != (value != null)) {
            throw new IllegalArgumentException("an accepted attempt has a value and a refused one none: " + result);
        }
    }

    /** An accepted attempt that made {@code value}. */
    public static <T> Attempt<T> accepted(T value) {
        return new Attempt<>(TrialResult.ACCEPTED, Objects.requireNonNull(value, "value"));
    }

    /** A refused attempt. */
    public static <T> Attempt<T> refused(TrialResult refusal) {
        if (refusal.accepted()) {
            throw new IllegalArgumentException("a refusal that is accepted");
        }
        return new Attempt<>(refusal, null);
    }

    /** Whether it made its value. */
    public boolean accepted() {
        return result.accepted();
    }

    /**
     * What it made.
     *
     * @throws IllegalStateException when it was refused (the message is the refusal)
     */
    public T get() {
        if (value == null) {
            throw new IllegalStateException("refused: " + result);
        }
        return value;
    }
}

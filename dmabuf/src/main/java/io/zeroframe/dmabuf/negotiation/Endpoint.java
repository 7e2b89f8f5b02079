package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.PixelFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A device queue or plane that a negotiation's buffers pass through, described as a plain value: what it is
 * ({@link Role}), the formats it takes with their modifiers and limits, whether it can provide buffers itself
 * (its {@link #exports()}) and whether it claims to import dma-bufs, and how many buffers it holds at once.
 * Endpoints for real devices (a V4L2 queue, a KMS plane, vgem) are built from what the kernel reports; tests and
 * applications may write them by hand.
 *
 * <p>A claim is only a claim: drivers advertise imports they refuse (virtio-gpu sets {@code DRM_CAP_PRIME} import
 * and answers ENODEV to foreign buffers), which is why the planner proves each candidate through {@link Trials}.
 *
 * {@snippet :
 * Endpoint camera = Endpoint.builder("vivid /dev/video0 capture", Role.PRODUCER)
 *         .offer(FormatOffer.linear(PixelFormat.XRGB8888))
 *         .exportsV4l2(true)          // MMAP + VIDIOC_EXPBUF, honours a padded bytesperline
 *         .imports(true)              // V4L2_MEMORY_DMABUF
 *         .holds(2)                   // V4L2_CID_MIN_BUFFERS_FOR_CAPTURE
 *         .build();
 * }
 *
 * @param name                  for people and logs, e.g. "vivid /dev/video0 capture", "virtio_gpu plane 31"
 * @param role                  what it does with frames
 * @param offers                the formats it takes, most preferred first
 * @param exports               the buffers it can allocate and export itself; empty if none
 * @param imports               whether it claims to import dma-bufs
 * @param scanout               whether it is a KMS plane: frames are registered as framebuffers
 *                              ({@code DRM_IOCTL_MODE_ADDFB2}) and shown by an atomic commit
 * @param framebufferModifiers  for a plane: whether its device honours a modifier on framebuffers
 *                              ({@code DRM_CAP_ADDFB2_MODIFIERS}); without it framebuffers carry no modifier flag
 * @param holds                 how many buffers it holds at once (V4L2 {@code V4L2_CID_MIN_BUFFERS_FOR_CAPTURE};
 *                              2 for a plane: one on screen, one pending)
 */
public record Endpoint(String name, Role role, List<FormatOffer> offers, Optional<Allocator> exports,
                       boolean imports, boolean scanout, boolean framebufferModifiers, int holds) {
    public Endpoint {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(exports, "exports");
        offers = List.copyOf(offers);
        if (holds < 0) {
            throw new IllegalArgumentException(name + ": holds " + holds + " buffers");
        }
    }

    /** A builder for an endpoint named {@code name} (no formats, no export, no import, holds 1). */
    public static Builder builder(String name, Role role) {
        return new Builder(name, role);
    }

    /** Its offer that reads a buffer laid out as {@code produced} (see {@link FormatOffer#reads}), if any. */
    public Optional<FormatOffer> offerFor(PixelFormat produced) {
        return offers.stream().filter(offer -> offer.reads(produced)).findFirst();
    }

    /** Its name and formats, e.g. {@code vivid: XRGB8888 [LINEAR], NV12 [LINEAR]}. */
    String describeOffers() {
        return name + ": " + (offers.isEmpty() ? "no formats" : String.join(", ",
                offers.stream().map(FormatOffer::toString).toList()));
    }

    @Override
    public String toString() {
        return name;
    }

    /** Builds an {@link Endpoint}; every setter returns this builder. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final Role role;
        private final List<FormatOffer> offers = new ArrayList<>();
        private Allocator exports;
        private boolean imports;
        private boolean scanout;
        private boolean framebufferModifiers;
        private int holds = 1;

        private Builder(String name, Role role) {
            this.name = name;
            this.role = role;
        }

        /** Adds a format, after those added before (less preferred). */
        public Builder offer(FormatOffer offer) {
            offers.add(offer);
            return this;
        }

        /**
         * It exports V4L2 MMAP buffers with {@code VIDIOC_EXPBUF}; {@code honoursRequestedPitch} if its driver
         * takes a padded {@code bytesperline} from {@code VIDIOC_S_FMT}.
         */
        public Builder exportsV4l2(boolean honoursRequestedPitch) {
            exports = new Allocator(name, Allocator.Source.V4L2_EXPORT, 1, honoursRequestedPitch, false,
                    Optional.empty());
            return this;
        }

        /** It allocates dumb buffers, pitch a multiple of {@code pitchAlignment}, exported with PRIME. */
        public Builder exportsDumb(int pitchAlignment) {
            exports = new Allocator(name, Allocator.Source.DRM_DUMB_EXPORT, pitchAlignment, false, false,
                    Optional.empty());
            return this;
        }

        /** Whether it claims to import dma-bufs. */
        public Builder imports(boolean claims) {
            imports = claims;
            return this;
        }

        /** It is a KMS plane; {@code framebufferModifiers} if its device has {@code DRM_CAP_ADDFB2_MODIFIERS}. */
        public Builder scanout(boolean framebufferModifiers) {
            scanout = true;
            this.framebufferModifiers = framebufferModifiers;
            return this;
        }

        /** It holds {@code buffers} at once. */
        public Builder holds(int buffers) {
            holds = buffers;
            return this;
        }

        /** The endpoint. */
        public Endpoint build() {
            return new Endpoint(name, role, offers, Optional.ofNullable(exports), imports, scanout,
                    framebufferModifiers, holds);
        }
    }
}

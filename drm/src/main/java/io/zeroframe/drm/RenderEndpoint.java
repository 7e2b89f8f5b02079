package io.zeroframe.drm;

import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.FormatOffer;
import io.zeroframe.dmabuf.negotiation.Role;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A DRM device without display (a render-only device such as vgem, or any device used only to import buffers),
 * as a negotiation {@link Endpoint} that imports frames with PRIME, with its working sides {@link #source()} and
 * {@link #sink()}.
 *
 * <p>The description ({@link #endpoint()}): name {@code "<driver> <path>"} (e.g. {@code "vgem /dev/dri/card0"});
 * {@link Role#CONSUMER}; holds 1. Offers every {@link PixelFormat} the frame model has, {@code LINEAR}, without
 * limits: such a device reports no formats (it has no KMS planes, and a GEM buffer is bytes to it), so the formats
 * are whatever the other endpoints agree on, and the import trial is the check. Imports when {@code DRM_CAP_PRIME}
 * has the import bit. Exports dumb buffers when it can make them and export them with PRIME: vgem reports no
 * {@code DRM_CAP_DUMB_BUFFER} (mode-setting caps answer EOPNOTSUPP without KMS) yet makes them, so building the
 * endpoint makes (and closes) one 1x1 dumb buffer to find out and to learn the pitch rule; a render node never
 * exports (the kernel refuses dumb buffers there). It opens no node.
 *
 * {@snippet :
 * try (DrmDevice vgem = DrmDevice.open(DrmDevices.findByDriver("vgem").orElseThrow().path())) {
 *     RenderEndpoint importer = RenderEndpoint.of(vgem);
 *     DeviceTrials trials = DeviceTrials.builder().sink(importer.sink()).build();
 * }
 * }
 *
 * <p>Immutable; the device is borrowed and must stay open while the source and sinks are used.
 */
public final class RenderEndpoint {
    private final DrmDevice device;
    private final Endpoint endpoint;

    private RenderEndpoint(DrmDevice device, Endpoint endpoint) {
        this.device = device;
        this.endpoint = endpoint;
    }

    /**
     * The endpoint of {@code device}, a card or a render node.
     *
     * @param device borrowed
     */
    public static RenderEndpoint of(DrmDevice device) {
        Objects.requireNonNull(device, "device");
        Endpoint.Builder builder = Endpoint.builder(device.version().name() + " " + device.path(), Role.CONSUMER)
                .imports(device.capabilities().primeImport());
        PixelFormat.all().forEach(format -> builder.offer(FormatOffer.linear(format)));
        OptionalInt dumbPitch = device.capabilities().primeExport()
                ? DumbBufferSource.pitchAlignment(device) : OptionalInt.empty();
        dumbPitch.ifPresent(builder::exportsDumb);
        return new RenderEndpoint(device, builder.build());
    }

    /** The description the planner reasons about. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * The device's dumb buffers as the planner's source for this endpoint's export, as
     * {@link PlaneEndpoint#source()} describes; empty when the endpoint exports nothing. A new source on every call.
     */
    public Optional<BufferSource> source() {
        return endpoint.exports().map(allocator -> new DumbBufferSource(device, allocator));
    }

    /**
     * The trial step on this device: {@code importFrame} is {@link DrmDevice#tryImport} of each of the frame's
     * buffers, the handles kept until {@code release()}, which closes them and never throws. It has no
     * framebuffers: {@code registerFramebuffer} and {@code testCommit} answer a refusal that is not fixable. A new
     * sink on every call; one candidate at a time; not thread-safe.
     */
    public BufferSink sink() {
        return new ImportSink(device, endpoint);
    }

    @Override
    public String toString() {
        return endpoint.name();
    }
}

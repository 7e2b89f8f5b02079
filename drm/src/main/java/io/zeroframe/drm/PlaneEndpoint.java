package io.zeroframe.drm;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.FormatLimits;
import io.zeroframe.dmabuf.negotiation.FormatOffer;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KMS plane showing frames on a CRTC, a connector and a mode, as a negotiation {@link Endpoint} (what the plane
 * takes, from what the kernel reports), with its working sides: {@link #source()} (the device's dumb buffers,
 * exported) and {@link #sink()} (PRIME import, {@code ADDFB2} and an atomic {@code TEST_ONLY} commit of the whole
 * configuration). Made from the objects a program has after reading the device: {@link DrmDevice#planes()},
 * {@link DrmDevice#crtcs()}, {@link DrmDevice#connectors()} and one of the connector's {@link Connector#modes()}.
 *
 * <p>The description ({@link #endpoint()}):
 * <ul>
 *   <li>name {@code "<driver> plane <id>"}, e.g. {@code "virtio_gpu plane 31"}; {@link Role#CONSUMER}; holds 2
 *       buffers (one on screen, one pending);</li>
 *   <li>offers: the plane's formats in its order, those the frame model has a {@link PixelFormat} for (vkms's
 *       {@code XR48}, {@code AR48} are left out), each with the modifiers {@code IN_FORMATS} lists for it, or
 *       {@link Modifier#LINEAR} alone on a plane without {@code IN_FORMATS};</li>
 *   <li>limits, the same for every format: frame sizes within the mode config's minimum and maximum
 *       ({@code DRM_IOCTL_MODE_GETRESOURCES}), except on a plane that must cover its whole CRTC, which takes
 *       exactly the mode's size. The kernel does not say which planes must; overlay and cursor planes are taken to
 *       be placeable, and a primary plane is probed where the device makes dumb buffers: a 64x64 dumb framebuffer
 *       at the CRTC's top left in a {@code TEST_ONLY} commit is refused by virtio-gpu (EINVAL, "Plane must cover
 *       entire CRTC") and accepted by vkms in 6.12. Without dumb buffers, or where the probe cannot tell, a
 *       primary plane is taken to cover its CRTC, as most drivers' do ({@link #coversWholeCrtc()}). The trial's
 *       test commit has the last word either way. Pitch alignment, which KMS does not report: what the device's
 *       dumb buffers use, learnt from a 1x1 32-bpp dumb buffer (its pitch when above the pixel's 4 bytes, for a
 *       driver that rounds rows up; else 1, as vkms, virtio-gpu and vgem give the smallest pitch); 1 without dumb
 *       buffers;</li>
 *   <li>{@code scanout}, with framebuffer modifiers when the device has {@code DRM_CAP_ADDFB2_MODIFIERS};
 *       {@code imports} when {@code DRM_CAP_PRIME} has the import bit (a claim: virtio-gpu sets it and refuses
 *       foreign buffers); exports dumb buffers, with that pitch alignment, when the device has
 *       {@code DRM_CAP_DUMB_BUFFER} and the PRIME export bit.</li>
 * </ul>
 * Building it reads the device's resources, makes (and frees) a 1x1 dumb buffer to learn the dumb pitch rule
 * and, for a primary plane, the probe's dumb buffer, framebuffer and {@code TEST_ONLY} commit; it opens no node
 * and does not change the display.
 *
 * {@snippet :
 * DrmDevice card = DrmDevice.open(DrmDevices.findByDriver("vkms").orElseThrow().path());
 * Connector connector = card.connectors().getFirst();
 * Crtc crtc = card.crtcs().getFirst();
 * Plane primary = card.planes().stream().filter(p -> p.type() == PlaneType.PRIMARY && p.canUse(crtc.id()))
 *         .findFirst().orElseThrow();
 * PlaneEndpoint plane = PlaneEndpoint.of(card, primary, crtc, connector, connector.preferredMode().orElseThrow());
 * DeviceTrials.Builder trials = DeviceTrials.builder().sink(plane.sink());
 * plane.source().ifPresent(trials::source);
 * }
 *
 * <p>Immutable; the device is borrowed and must stay open while the source and sinks are used.
 */
public final class PlaneEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(PlaneEndpoint.class);
    /** The probe frame's width and height (see {@link #refusesPartialCover}). */
    private static final int PROBE = 64;

    private final DrmDevice device;
    private final Plane plane;
    private final Crtc crtc;
    private final Connector connector;
    private final Mode mode;
    private final boolean wholeCrtc;
    private final FormatLimits limits;
    private final Endpoint endpoint;

    private PlaneEndpoint(DrmDevice device, Plane plane, Crtc crtc, Connector connector, Mode mode,
                          boolean wholeCrtc, FormatLimits limits, Endpoint endpoint) {
        this.device = device;
        this.plane = plane;
        this.crtc = crtc;
        this.connector = connector;
        this.mode = mode;
        this.wholeCrtc = wholeCrtc;
        this.limits = limits;
        this.endpoint = endpoint;
    }

    /**
     * The endpoint of {@code plane} showing frames on {@code crtc}, driven to {@code connector} in {@code mode}.
     *
     * @param device borrowed: a card (primary node) opened with {@link ClientCap#ATOMIC}
     * @throws IllegalArgumentException if the device is a render node or not atomic, or the plane cannot be
     *         attached to the CRTC
     * @throws KernelException reading the device's resources ({@code DRM_IOCTL_MODE_GETRESOURCES})
     */
    public static PlaneEndpoint of(DrmDevice device, Plane plane, Crtc crtc, Connector connector, Mode mode)
            throws KernelException {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(plane, "plane");
        Objects.requireNonNull(crtc, "crtc");
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(mode, "mode");
        if (device.isRenderNode() || !device.isAtomic()) {
            throw new IllegalArgumentException("a plane endpoint on " + device.path() + " needs a card opened with "
                    + "the atomic client cap (its trials are atomic TEST_ONLY commits); it has " + device.clientCaps());
        }
        if (!plane.canUse(crtc.id())) {
            throw new IllegalArgumentException(plane.id() + " of " + device.path() + " cannot be attached to "
                    + crtc.id() + "; it takes " + plane.possibleCrtcs());
        }
        DrmCapabilities caps = device.capabilities();
        OptionalInt dumbPitch = caps.dumbBuffers() && caps.primeExport()
                ? DumbBufferSource.pitchAlignment(device) : OptionalInt.empty();
        Resources resources = device.resources();
        boolean wholeCrtc = plane.type() == PlaneType.PRIMARY
                && (dumbPitch.isEmpty() || refusesPartialCover(device, plane, crtc, connector, mode, resources));
        FormatLimits limits = limits(resources, wholeCrtc, mode, dumbPitch.orElse(1));
        Endpoint.Builder builder = Endpoint.builder(device.version().name() + " plane "
                        + Integer.toUnsignedString(plane.id().value()), Role.CONSUMER)
                .imports(caps.primeImport())
                .scanout(caps.addFb2Modifiers())
                .holds(2);
        offers(plane, limits).forEach(builder::offer);
        dumbPitch.ifPresent(builder::exportsDumb);
        return new PlaneEndpoint(device, plane, crtc, connector, mode, wholeCrtc, limits, builder.build());
    }

    /**
     * Whether a primary plane refuses to show less than its whole CRTC, found with a {@code PROBE x PROBE}
     * XRGB8888 (or ARGB8888) dumb framebuffer shown at the CRTC's top left in a {@code TEST_ONLY} commit: EINVAL
     * means it must cover the CRTC (virtio-gpu: the atomic helpers' "Plane must cover entire CRTC"), acceptance that
     * it may be placed (vkms in 6.12). Where the probe cannot tell (a mode no larger than the probe, a plane
     * without those formats, any other answer or failure) the plane is taken to cover its CRTC: that is true of
     * most drivers' primary planes, and the stricter description costs nothing for full-screen frames. Every
     * object the probe makes is freed before it returns; the display does not change.
     */
    private static boolean refusesPartialCover(DrmDevice device, Plane plane, Crtc crtc, Connector connector,
                                               Mode mode, Resources resources) {
        int width = Math.max(PROBE, resources.minWidth());
        int height = Math.max(PROBE, resources.minHeight());
        Optional<PixelFormat> format = plane.formats().stream().map(DrmFormat::pixelFormat).flatMap(Optional::stream)
                .filter(f -> f.equals(PixelFormat.XRGB8888) || f.equals(PixelFormat.ARGB8888)).findFirst();
        if (format.isEmpty() || width >= mode.hdisplay() || height >= mode.vdisplay()) {
            return true;
        }
        try (DumbBuffer buffer = device.createDumbBuffer(width, height, 32);
             Framebuffer framebuffer = device.addFramebuffer(buffer, format.get())) {
            TrialResult shown = show(device, plane, crtc, connector, mode, framebuffer);
            LOG.debug("{} {}: a {}x{} frame at the CRTC's top left: {}", device.path(), plane.id(), width, height,
                    shown);
            return !shown.accepted();
        } catch (KernelException e) {
            LOG.debug("{} {}: the partial-cover probe failed; taken to cover its CRTC", device.path(), plane.id(), e);
            return true;
        }
    }

    /**
     * An atomic {@code TEST_ONLY | ALLOW_MODESET} commit of {@code connector} on {@code crtc} in {@code mode} with
     * {@code plane} showing {@code framebuffer} unscaled at the CRTC's top left; the request (and its
     * {@code MODE_ID} blob) is freed before it returns.
     *
     * @throws KernelException building the request (reading the objects' properties, creating the blob)
     */
    private static TrialResult show(DrmDevice device, Plane plane, Crtc crtc, Connector connector, Mode mode,
                                    Framebuffer framebuffer) throws KernelException {
        int width = framebuffer.width();
        int height = framebuffer.height();
        try (AtomicRequest request = device.newAtomicRequest()) {
            request.set(connector.id(), "CRTC_ID", crtc.id());
            request.set(crtc.id(), "MODE_ID", mode);
            request.set(crtc.id(), "ACTIVE", true);
            request.set(plane.id(), "FB_ID", framebuffer.id());
            request.set(plane.id(), "CRTC_ID", crtc.id());
            request.set(plane.id(), "SRC_X", 0);
            request.set(plane.id(), "SRC_Y", 0);
            request.set(plane.id(), "SRC_W", (long) width << 16);
            request.set(plane.id(), "SRC_H", (long) height << 16);
            request.set(plane.id(), "CRTC_X", 0);
            request.set(plane.id(), "CRTC_Y", 0);
            request.set(plane.id(), "CRTC_W", width);
            request.set(plane.id(), "CRTC_H", height);
            return request.test();
        }
    }

    /**
     * The limits of every format of a plane on {@code mode}: the mode's size for a plane that must cover its CRTC
     * ({@code wholeCrtc}), else the mode config's range; rows aligned to {@code pitchAlignment}.
     */
    static FormatLimits limits(Resources resources, boolean wholeCrtc, Mode mode, int pitchAlignment) {
        FormatLimits.Builder limits = FormatLimits.builder().pitchAlignment(pitchAlignment);
        if (wholeCrtc) {
            return limits.width(mode.hdisplay(), mode.hdisplay(), 1).height(mode.vdisplay(), mode.vdisplay(), 1)
                    .build();
        }
        int minWidth = Math.max(1, resources.minWidth());
        int minHeight = Math.max(1, resources.minHeight());
        return limits.width(minWidth, Math.max(minWidth, resources.maxWidth()), 1)
                .height(minHeight, Math.max(minHeight, resources.maxHeight()), 1).build();
    }

    /** The plane's formats the frame model knows, in the plane's order, each with its modifiers. */
    static List<FormatOffer> offers(Plane plane, FormatLimits limits) {
        return plane.formats().stream()
                .filter(format -> format.pixelFormat().isPresent() && !plane.modifiers(format).isEmpty())
                .map(format -> new FormatOffer(format.pixelFormat().orElseThrow(), plane.modifiers(format), limits))
                .toList();
    }

    /** The description the planner reasons about. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** The plane. */
    public Plane plane() {
        return plane;
    }

    /** The mode the trials commit. */
    public Mode mode() {
        return mode;
    }

    /**
     * Whether a frame must be exactly the mode's size on this plane: a primary plane that refused the probe, or
     * that could not be probed (see the class comment).
     */
    public boolean coversWholeCrtc() {
        return wholeCrtc;
    }

    /**
     * The device's dumb buffers as the planner's source for this endpoint's export: one dumb buffer
     * ({@code DRM_IOCTL_MODE_CREATE_DUMB}) laid out as the candidate says, exported with
     * {@code DRM_IOCTL_PRIME_HANDLE_TO_FD} as the one buffer of a {@link Frame}; {@code release()} closes the dumb
     * buffer's handle. Refused, fixable, naming {@code DRM_IOCTL_MODE_CREATE_DUMB}: a driver pitch other than the
     * candidate's, a format in several buffers (NV12M), a modifier other than LINEAR, or the driver's own refusal
     * (virtio-gpu takes 32 bpp only). Empty when the endpoint exports nothing. A new source on every call.
     */
    public Optional<BufferSource> source() {
        return endpoint.exports().map(allocator -> new DumbBufferSource(device, allocator));
    }

    /**
     * The trial steps on this plane, for {@link io.zeroframe.dmabuf.negotiation.DeviceTrials}. A new sink on every
     * call; one candidate at a time; not thread-safe.
     * <ul>
     *   <li>{@code importFrame}: {@link DrmDevice#tryImport} of each of the frame's buffers, the handles kept until
     *       {@code release()} (the refusal, e.g. virtio-gpu's ENODEV for a foreign buffer, is fixable);</li>
     *   <li>{@code registerFramebuffer}: {@link DrmDevice#tryAddFramebuffer}, kept until {@code release()};</li>
     *   <li>{@code testCommit}: one {@link AtomicRequest#test()} ({@code TEST_ONLY | ALLOW_MODESET}) of the whole
     *       configuration: the connector's {@code CRTC_ID}, the CRTC's {@code MODE_ID} (a blob, destroyed before
     *       the call returns) and {@code ACTIVE}, and the plane's {@code FB_ID}, {@code CRTC_ID}, and the frame
     *       unscaled at the CRTC's top left ({@code SRC_*} the whole frame, {@code CRTC_*} the same size at 0,0).
     *       The display does not change. EINVAL or ERANGE for a frame whose size the plane cannot show (outside
     *       the endpoint's size limits: not the mode's size on a plane that must cover its CRTC and does not
     *       scale) is {@link TrialResult.Outcome#NOT_FIXABLE not fixable}: no buffer of that size will pass.
     *       Other refusals are fixable, except not being DRM master and a device gone;</li>
     *   <li>{@code release()}: removes the framebuffer and closes the handles; never throws.</li>
     * </ul>
     */
    public BufferSink sink() {
        return new PlaneSink();
    }

    @Override
    public String toString() {
        return endpoint.name() + " on " + crtc.id() + ", " + connector.name() + " " + mode;
    }

    private final class PlaneSink extends ImportSink {
        private Framebuffer framebuffer;

        PlaneSink() {
            super(PlaneEndpoint.this.device, PlaneEndpoint.this.endpoint);
        }

        @Override
        public TrialResult registerFramebuffer(Frame frame, PixelFormat format, boolean modifierFlag) {
            removeFramebuffer();
            Attempt<Framebuffer> added = device.tryAddFramebuffer(frame, format, modifierFlag);
            if (added.accepted()) {
                framebuffer = added.get();
            }
            return added.result();
        }

        @Override
        public TrialResult testCommit() {
            if (framebuffer == null) {
                throw new IllegalStateException(endpoint + ": testCommit() without an accepted registerFramebuffer()");
            }
            try {
                return classify(show(device, plane, crtc, connector, mode, framebuffer), framebuffer.width(),
                        framebuffer.height(), endpoint.name(), mode, limits, wholeCrtc);
            } catch (FdClosedException e) {
                throw new IllegalStateException(e.getMessage(), e);
            } catch (KernelException e) {
                return TrialResult.refused(e, TrialResult.Outcome.NOT_FIXABLE, "could not build the test commit");
            }
        }

        @Override
        public void release() {
            removeFramebuffer();
            super.release();
        }

        private void removeFramebuffer() {
            if (framebuffer != null) {
                try {
                    framebuffer.close();
                } catch (RuntimeException e) {
                    LOG.warn("removing the trial framebuffer {} failed", framebuffer, e);
                }
                framebuffer = null;
            }
        }

    }

    /**
     * {@code result} made {@link TrialResult.Outcome#NOT_FIXABLE not fixable} when it is EINVAL or ERANGE for a
     * {@code width x height} frame outside {@code limits} (see {@link #sink()}); else {@code result} as it is.
     */
    static TrialResult classify(TrialResult result, int width, int height, String name, Mode mode,
                                FormatLimits limits, boolean wholeCrtc) {
        boolean shown = width >= limits.minWidth() && width <= limits.maxWidth() && height >= limits.minHeight()
                && height <= limits.maxHeight();
        boolean sizeErrno = result.errno().equals(Errno.name(Errno.EINVAL))
                || result.errno().equals(Errno.name(Errno.ERANGE));
        if (result.outcome() != TrialResult.Outcome.FIXABLE_BY_REALLOCATION || shown || !sizeErrno) {
            return result;
        }
        String rule = wholeCrtc ? "a primary plane must cover its whole CRTC (" + mode.hdisplay() + "x"
                + mode.vdisplay() + ") and does not scale"
                : "it shows " + limits.minWidth() + ".." + limits.maxWidth() + " x " + limits.minHeight() + ".."
                + limits.maxHeight();
        return TrialResult.notFixable(result.call(), result.errno(), name + " cannot show a " + width + "x" + height
                + " frame on " + mode + ": " + rule + "; no buffer of this size will pass");
    }
}

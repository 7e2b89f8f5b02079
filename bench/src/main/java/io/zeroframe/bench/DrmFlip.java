package io.zeroframe.bench;

import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.drm.AtomicRequest;
import io.zeroframe.drm.CommitFlag;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.ConnectorType;
import io.zeroframe.drm.CrtcId;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmDevices;
import io.zeroframe.drm.DrmEvent;
import io.zeroframe.drm.DrmEvents;
import io.zeroframe.drm.DumbBuffer;
import io.zeroframe.drm.FramebufferId;
import io.zeroframe.drm.Framebuffer;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.PlaneId;
import io.zeroframe.drm.PlaneType;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An atomic page flip on virtio-gpu through the public API: {@link AtomicRequest#set} of the primary plane's
 * {@code FB_ID} to the other of two 640x480 XRGB8888 dumb-buffer framebuffers, a {@code NONBLOCK |
 * PAGE_FLIP_EVENT} commit, and {@link DrmEvents#read} of its flip-complete event. {@code drm_flip.c} does the same
 * with raw ioctls. Target: 0 B/op on the benchmark thread ({@link ThreadAllocation}). Needs the test bed's virtio-gpu
 * card, with no other master.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DrmFlip {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;
    private static final Set<CommitFlag> FLIP = EnumSet.of(CommitFlag.NONBLOCK, CommitFlag.PAGE_FLIP_EVENT);

    private DrmDevice card;
    private DumbBuffer[] buffers;
    private Framebuffer[] framebuffers;
    private FramebufferId[] ids;
    private AtomicRequest request;
    private DrmEvents events;
    private final DrmEvent event = new DrmEvent();
    private PlaneId plane;
    private long flips;

    @Setup
    public void modeset() throws IOException {
        card = DrmDevice.open(DrmDevices.findByDriver("virtio_gpu").orElseThrow(
                () -> new IllegalStateException("no virtio-gpu card: run in the test bed")).path());
        Connector connector = card.connectors().stream()
                .filter(c -> !c.type().equals(ConnectorType.WRITEBACK)).findFirst().orElseThrow();
        io.zeroframe.drm.Mode mode = connector.modes().stream()
                .filter(m -> m.hdisplay() == WIDTH && m.vdisplay() == HEIGHT).findFirst().orElseThrow();
        CrtcId crtc = card.resources().crtcs().getFirst();
        Plane primary = card.planes().stream().filter(p -> p.type() == PlaneType.PRIMARY && p.canUse(crtc))
                .findFirst().orElseThrow();
        plane = primary.id();
        buffers = new DumbBuffer[] {card.createDumbBuffer(WIDTH, HEIGHT, 32), card.createDumbBuffer(WIDTH, HEIGHT, 32)};
        framebuffers = new Framebuffer[] {card.addFramebuffer(buffers[0], PixelFormat.XRGB8888),
            card.addFramebuffer(buffers[1], PixelFormat.XRGB8888)};
        ids = new FramebufferId[] {framebuffers[0].id(), framebuffers[1].id()};
        request = card.newAtomicRequest();
        request.set(crtc, "MODE_ID", mode);
        request.set(crtc, "ACTIVE", 1);
        request.set(connector.id(), "CRTC_ID", crtc);
        request.set(plane, "FB_ID", ids[0]);
        request.set(plane, "CRTC_ID", crtc);
        request.set(plane, "SRC_X", 0);
        request.set(plane, "SRC_Y", 0);
        request.set(plane, "SRC_W", (long) WIDTH << 16);
        request.set(plane, "SRC_H", (long) HEIGHT << 16);
        request.set(plane, "CRTC_X", 0);
        request.set(plane, "CRTC_Y", 0);
        request.set(plane, "CRTC_W", WIDTH);
        request.set(plane, "CRTC_H", HEIGHT);
        request.commit(EnumSet.of(CommitFlag.ALLOW_MODESET), 0);
        events = card.events();
    }

    /** One flip to the other framebuffer and its event. */
    @Benchmark
    public long flip(ThreadAllocation allocation) throws IOException {
        long n = ++flips;
        request.set(plane, "FB_ID", ids[(int) (n & 1)]);
        request.commit(FLIP, n);
        if (!events.read(event, 5000) || event.userData() != n) {
            throw new IllegalStateException("flip " + n + ": no event or the wrong one: " + event);
        }
        return event.sequence();
    }

    @TearDown
    public void close() {
        request.close();
        for (Framebuffer framebuffer : framebuffers) {
            framebuffer.close();
        }
        for (DumbBuffer buffer : buffers) {
            buffer.close();
        }
        card.close();
    }
}

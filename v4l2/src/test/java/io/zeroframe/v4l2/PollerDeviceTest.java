package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Poller;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.Allocations;
import io.zeroframe.bindings.testing.BlockedCall;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.FenceStatus;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.drm.AtomicRequest;
import io.zeroframe.drm.CommitFlag;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.ConnectionStatus;
import io.zeroframe.drm.ConnectorType;
import io.zeroframe.drm.CrtcId;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmDevices;
import io.zeroframe.drm.DrmEvent;
import io.zeroframe.drm.DrmEvents;
import io.zeroframe.drm.DumbBuffer;
import io.zeroframe.drm.Framebuffer;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.PlaneType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One {@link Poller} over a vivid capture queue, vivid's events, vkms's DRM events (a page flip and a vblank
 * asked for), vkms's out-fence (a sync_file) and a dma-buf's idle state: each readiness is reported in one
 * {@code poll}, nothing is reported that was not there, a wait allocates no more than its bare {@code poll}, and
 * closing the vivid queue during a wait wakes it and reports the queue closed.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class PollerDeviceTest {
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;
    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    @Test
    void oneWaitForCameraDisplayFenceAndBuffer() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (VideoDevice camera = VideoDevice.open(Vivid.capture());
             VideoDevice other = VideoDevice.open(Vivid.capture());
             DrmDevice card = DrmDevice.open(DrmDevices.findByDriver("vkms").orElseThrow(
                     () -> new AssertionError("no vkms card: device tests need the kernel test bed")).path());
             Poller poller = Poller.open()) {
            Connector connector = card.connectors().stream()
                    .filter(c -> !c.type().equals(ConnectorType.WRITEBACK) && c.status() == ConnectionStatus.CONNECTED)
                    .findFirst().orElseThrow();
            Mode mode = connector.preferredMode().orElseThrow();
            CrtcId crtc = card.resources().crtcs().getFirst();
            Plane primary = card.planes().stream().filter(p -> p.type() == PlaneType.PRIMARY && p.canUse(crtc))
                    .findFirst().orElseThrow();
            try (DumbBuffer front = card.createDumbBuffer(mode.hdisplay(), mode.vdisplay(), 32);
                 DumbBuffer back = card.createDumbBuffer(mode.hdisplay(), mode.vdisplay(), 32);
                 Framebuffer frontFb = card.addFramebuffer(front, PixelFormat.XRGB8888);
                 Framebuffer backFb = card.addFramebuffer(back, PixelFormat.XRGB8888);
                 DmaBuf shown = front.exportDmaBuf();
                 AtomicRequest req = card.newAtomicRequest()) {
                req.set(crtc, "MODE_ID", mode);
                req.set(crtc, "ACTIVE", 1);
                req.set(connector.id(), "CRTC_ID", crtc);
                for (Connector c : card.connectors()) {
                    if (c.type().equals(ConnectorType.WRITEBACK)) {
                        req.set(c.id(), "CRTC_ID", 0); // vkms cannot clone its Virtual and Writeback encoders
                    }
                }
                req.set(primary.id(), "FB_ID", frontFb.id());
                req.set(primary.id(), "CRTC_ID", crtc);
                req.set(primary.id(), "SRC_W", (long) mode.hdisplay() << 16);
                req.set(primary.id(), "SRC_H", (long) mode.vdisplay() << 16);
                req.set(primary.id(), "CRTC_W", mode.hdisplay());
                req.set(primary.id(), "CRTC_H", mode.vdisplay());
                req.commit(EnumSet.of(CommitFlag.ALLOW_MODESET), 0);
                DrmEvents drm = card.events();
                DrmEvent event = new DrmEvent();
                while (drm.read(event, 0)) {
                    // nothing should be there; drained so that only what is asked below comes
                }

                camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180));
                VideoQueue queue = camera.openQueue(CAPTURE);
                VideoEvents events = camera.openEvents();
                int brightness = camera.controls().find("brightness").id();
                events.subscribe(EventType.CTRL, brightness, false);
                int queueKey = poller.register(queue);
                int eventsKey = poller.register(events);
                int drmKey = poller.register(drm);
                int idleKey = poller.register(shown.idle(Access.READ));
                try {
                    assertEquals(1, poller.await(Duration.ZERO), "only the idle buffer: the queue has no buffers");
                    assertTrue(poller.ready(idleKey));
                    List<VideoBuffer> buffers = queue.allocate(2);
                    for (VideoBuffer buffer : buffers) {
                        queue.enqueue(buffer);
                    }
                    queue.streamOn();

                    // the flip with its event and out-fence, a vblank event, a control changed elsewhere
                    req.set(primary.id(), "FB_ID", backFb.id());
                    req.requestOutFence(crtc);
                    req.commit(EnumSet.of(CommitFlag.NONBLOCK, CommitFlag.PAGE_FLIP_EVENT), 77);
                    try (SyncFile fence = req.takeOutFence(crtc).orElseThrow()) {
                        card.requestVblankEvent(crtc, 78);
                        other.controls().set("brightness", 90);
                        int fenceKey = poller.register(fence);
                        // level-triggered and nothing taken: the waits end once every source is ready at once
                        int waits = 0;
                        int ready = 0;
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (ready < 5 && System.nanoTime() < deadline) {
                            ready = poller.await(Duration.ofSeconds(5));
                            waits++;
                        }
                        System.out.printf("all 5 sources ready in one poll after %d wait(s); revents queue 0x%x, "
                                + "events 0x%x, drm 0x%x, fence 0x%x, idle 0x%x%n", waits, poller.revents(queueKey),
                                poller.revents(eventsKey), poller.revents(drmKey), poller.revents(fenceKey),
                                poller.revents(idleKey));
                        assertEquals(5, ready);
                        assertEquals(Syscalls.POLLIN, poller.revents(queueKey));
                        assertEquals(Syscalls.POLLPRI, poller.revents(eventsKey));
                        assertEquals(Syscalls.POLLIN, poller.revents(drmKey));
                        assertEquals(Syscalls.POLLIN, poller.revents(fenceKey));
                        assertEquals(Syscalls.POLLIN, poller.revents(idleKey));

                        // what each source said is there is there
                        VideoBuffer first = queue.dequeue(0).orElseThrow();
                        VideoEvent changed = events.next(0).orElseThrow();
                        assertEquals(brightness, changed.id());
                        assertEquals(90, changed.controlValue());
                        assertEquals(FenceStatus.SIGNALLED, fence.status());
                        EnumSet<DrmEvent.Kind> kinds = EnumSet.noneOf(DrmEvent.Kind.class);
                        while (drm.read(event, 100)) {
                            kinds.add(event.kind());
                            assertEquals(event.kind() == DrmEvent.Kind.FLIP_COMPLETE ? 77 : 78, event.userData());
                        }
                        assertEquals(EnumSet.of(DrmEvent.Kind.FLIP_COMPLETE, DrmEvent.Kind.VBLANK), kinds);
                        poller.unregister(fenceKey);
                        poller.unregister(idleKey);

                        // taken: with both buffers held by the application, nothing can come
                        VideoBuffer second = queue.dequeue(10_000).orElseThrow();
                        assertEquals(0, poller.await(Duration.ofMillis(200)), "nothing is left to report");
                        assertFalse(poller.ready(queueKey) || poller.ready(eventsKey) || poller.ready(drmKey));

                        // a wait allocates no more than a bare poll (the wake eventfds exist by now)
                        MemorySegment bare = Arena.ofAuto().allocate(Syscalls.POLLFD, 1);
                        bare.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, -1);
                        long bytes = Allocations.ofRepeated(300, 300, () -> poller.await(Duration.ZERO));
                        long baseline = Allocations.ofRepeated(300, 300, () -> Syscalls.poll(bare, 1, 0));
                        System.out.println("300 waits on 3 sources: " + bytes + " B; 300 bare polls: " + baseline + " B");
                        Allocations.assertNoMoreThanSystemCalls("Poller waits", 300, bytes, baseline);

                        // closing the queue from another thread wakes the wait; the queue is reported closed
                        BlockedCall call = new BlockedCall();
                        long[] returned = new long[1];
                        Future<Integer> waiter = thread.submit(() -> {
                            call.enter();
                            int result = poller.await(FOREVER);
                            returned[0] = System.nanoTime();
                            return result;
                        });
                        call.awaitBlocked(waiter);
                        long closing = System.nanoTime();
                        queue.close();
                        long closed = System.nanoTime();
                        assertEquals(1, waiter.get(5, TimeUnit.SECONDS));
                        long woken = (returned[0] - closing) / 1_000_000;
                        System.out.println("VideoQueue.close() took " + (closed - closing) / 1_000_000 + " ms");
                        assertTrue(poller.closed(queueKey));
                        assertFalse(poller.closed(eventsKey) || poller.closed(drmKey));
                        System.out.println("closing the vivid queue woke the poller after " + woken + " ms ("
                                + first.index() + ", " + second.index() + " held)");
                        assertEquals(1, poller.await(Duration.ofSeconds(5)), "still reported closed, at once");
                        assertTrue(poller.closed(queueKey));
                    }
                } finally {
                    other.controls().set("brightness", 128);
                    events.close();
                    queue.close();
                }   // removing the framebuffers on screen turns the CRTC off
            }
        } finally {
            thread.shutdownNow();
            assertTrue(thread.awaitTermination(5, TimeUnit.SECONDS));
        }
    }
}

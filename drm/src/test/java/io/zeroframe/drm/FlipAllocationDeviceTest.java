package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The flip hot path adds no allocation of its own: on a prepared request, {@code set(plane, "FB_ID", fb)} + a
 * {@code NONBLOCK | PAGE_FLIP_EVENT} commit + {@code DrmEvents.read} of its event allocate no more than the three
 * bare system calls underneath ({@code Syscalls.tryIoctl} with a shared-arena segment, {@code Syscalls.waitFor},
 * {@code Syscalls.read} into an automatic-arena segment), measured in the same JVM with its per-thread allocation
 * counter ({@code com.sun.management.ThreadMXBean}, reached reflectively: this module does not read
 * jdk.management), 300 flips after 300 warm-up flips, on virtio-gpu. (Under the test bed's C1-only JIT each of those
 * downcalls allocates about 40 bytes inside the JDK's linker, which C2 removes when the call inlines; the
 * JMH benchmark DrmFlip measures the flip under C2.)
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class FlipAllocationDeviceTest {
    private static final Set<CommitFlag> FLIP = EnumSet.of(CommitFlag.NONBLOCK, CommitFlag.PAGE_FLIP_EVENT);

    @Test
    void aPreparedFlipAndItsEventAllocateNoMoreThanTheirSystemCalls() throws Exception {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getCurrentThreadAllocatedBytes");
        try (DrmDevice card = Cards.open("virtio_gpu")) {
            Cards.Display display = Cards.display(card);
            int width = 640;
            int height = 480;
            Mode mode = display.connector().modes().stream()
                    .filter(m -> m.hdisplay() == width && m.vdisplay() == height).findFirst().orElseThrow();
            display = new Cards.Display(display.crtc(), display.primary(), display.connector(), mode);
            try (DumbBuffer a = card.createDumbBuffer(width, height, 32);
                 DumbBuffer b = card.createDumbBuffer(width, height, 32);
                 Framebuffer fbA = card.addFramebuffer(a, Cards.XRGB);
                 Framebuffer fbB = card.addFramebuffer(b, Cards.XRGB);
                 AtomicRequest req = Cards.modeset(card, display, display.connector().id(), fbA)) {
                req.commit(Cards.MODESET, 0);
                FramebufferId[] ids = {fbA.id(), fbB.id()};
                PlaneId plane = display.primary().id();
                DrmEvents events = card.events();
                DrmEvent event = new DrmEvent();
                long mismatches = flips(req, events, event, plane, ids, 1, 300);
                long before = (long) allocated.invoke(threads);
                mismatches += flips(req, events, event, plane, ids, 301, 300);
                long after = (long) allocated.invoke(threads);
                long reading = (long) allocated.invoke(threads) - after; // the counter's own cost, if any
                assertEquals(0, mismatches, "flips without their event");
                long bytes = after - before - reading;
                long baseline = bareSystemCalls(threads, allocated);
                System.out.printf("300 prepared flips with events allocated %d bytes (%.2f B/flip); the same three"
                        + " bare system calls %d bytes (%.2f B/call triple)%n", bytes, bytes / 300.0, baseline,
                        baseline / 300.0);
                // 8 B per cycle absorbs the JIT changing tiers inside the window (+1.5 B/cycle seen with C2
                // enabled); any object the library allocated per call would add at least 16 B per cycle
                assertTrue(bytes <= baseline + 300 * 8, bytes + " bytes allocated by 300 flips, more than the "
                        + baseline + " of their bare system calls + 8 B per cycle");
            }
        }
    }

    /** What 300 x (ioctl, poll, read) allocate by themselves, with segments of the same arena kinds. */
    static long bareSystemCalls(Object threads, Method allocated) throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd zero = Syscalls.open(java.nio.file.Path.of("/dev/zero"), Syscalls.O_RDONLY);
             Arena shared = Arena.ofShared()) {
            zero.wakeFd();
            MemorySegment argument = shared.allocate(ValueLayout.JAVA_INT);
            MemorySegment buffer = Arena.ofAuto().allocate(4096, 8);
            for (int i = 0; i < 600; i++) {
                bare(pipe[0], zero, argument, buffer);
            }
            long before = (long) allocated.invoke(threads);
            for (int i = 0; i < 300; i++) {
                bare(pipe[0], zero, argument, buffer);
            }
            return (long) allocated.invoke(threads) - before;
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
    }

    private static void bare(OwnedFd pipe, OwnedFd zero, MemorySegment argument, MemorySegment buffer)
            throws Exception {
        Syscalls.tryIoctl(pipe, Syscalls.FIONREAD, argument);
        Syscalls.waitFor(zero, Syscalls.POLLIN, 5000, "poll");
        Syscalls.read(zero, buffer);
    }

    private static long flips(AtomicRequest req, DrmEvents events, DrmEvent event, PlaneId plane,
                              FramebufferId[] ids, long first, int count) throws Exception {
        long mismatches = 0;
        for (long n = first; n < first + count; n++) {
            req.set(plane, "FB_ID", ids[(int) (n & 1)]);
            req.commit(FLIP, n);
            if (!events.read(event, 5000) || event.userData() != n) {
                mismatches++;
            }
        }
        return mismatches;
    }
}

package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.Allocations;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * counter ({@link io.zeroframe.bindings.testing.Allocations}), 300 flips after 300 warm-up flips, on virtio-gpu.
 * (Under the test bed's C1-only JIT each of those downcalls allocates about 40 bytes inside the JDK's linker, which
 * C2 removes when the call inlines; the JMH benchmark DrmFlip measures the flip under C2: 0 B/op on its thread.)
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class FlipAllocationDeviceTest {
    private static final Set<CommitFlag> FLIP = EnumSet.of(CommitFlag.NONBLOCK, CommitFlag.PAGE_FLIP_EVENT);

    @Test
    void aPreparedFlipAndItsEventAllocateNoMoreThanTheirSystemCalls() throws Exception {
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
                long[] mismatches = {flips(req, events, event, plane, ids, 1, 300)};
                long bytes = Allocations.of(() -> mismatches[0] += flips(req, events, event, plane, ids, 301, 300));
                assertEquals(0, mismatches[0], "flips without their event");
                long baseline = bareSystemCalls();
                System.out.printf("300 prepared flips with events allocated %d bytes (%.2f B/flip); the same three"
                        + " bare system calls %d bytes (%.2f B/call triple)%n", bytes, bytes / 300.0, baseline,
                        baseline / 300.0);
                Allocations.assertNoMoreThanSystemCalls("flips", 300, bytes, baseline);
            }
        }
    }

    /** What 300 x (ioctl, poll, read) allocate by themselves, with segments of the same arena kinds. */
    static long bareSystemCalls() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd zero = Syscalls.open(java.nio.file.Path.of("/dev/zero"), Syscalls.O_RDONLY);
             Arena shared = Arena.ofShared()) {
            zero.wakeFd();
            MemorySegment argument = shared.allocate(ValueLayout.JAVA_INT);
            MemorySegment buffer = Arena.ofAuto().allocate(4096, 8);
            return Allocations.ofRepeated(600, 300, () -> bare(pipe[0], zero, argument, buffer));
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

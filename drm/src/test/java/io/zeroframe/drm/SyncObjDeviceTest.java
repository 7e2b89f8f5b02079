package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.Allocations;
import io.zeroframe.bindings.testing.CloseWakes;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.FenceStatus;
import io.zeroframe.dmabuf.SyncFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SyncObj} on virtio-gpu (the test bed's driver with {@code DRM_CAP_SYNCOBJ} and
 * {@code DRM_CAP_SYNCOBJ_TIMELINE}); unsignalled fences come from vgem, which signals them on request.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class SyncObjDeviceTest {
    @Test
    void binarySignalResetAndExport() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu"); SyncObj empty = card.createSyncObj(false);
                SyncObj signalled = card.createSyncObj(true)) {
            assertTrue(card.capabilities().syncobj());
            assertFalse(empty.isSignalled(), "a sync object without a fence is not signalled");
            KernelException none = assertThrows(KernelException.class, empty::exportFence);
            assertEquals(Errno.EINVAL, none.errno());
            assertTrue(none.getMessage().startsWith("DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD on " + card.path()), none.getMessage());
            assertTrue(none.getMessage().contains("holds no fence yet"), none.getMessage());
            assertTrue(signalled.isSignalled());
            empty.signal();
            assertTrue(empty.isSignalled());
            try (SyncFile fence = empty.exportFence()) {
                assertEquals(FenceStatus.SIGNALLED, fence.status());
            }
            empty.reset();
            assertFalse(empty.isSignalled());
            long start = System.nanoTime();
            assertFalse(empty.await(Duration.ofMillis(200)));
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 195 && waited < 2000, "a 200 ms wait took " + waited + " ms");
        }
    }

    @Test
    void anImportedVgemFenceSignalsThroughTheSyncObject() throws Exception {
        try (DrmDevice vgem = Cards.open("vgem"); DrmDevice card = Cards.open("virtio_gpu");
                DumbBuffer fenced = vgem.createDumbBuffer(16, 16, 32); SyncObj done = card.createSyncObj(false)) {
            int fence = VgemFences.attachWriteFence(vgem, fenced.handle());
            try (DmaBuf exported = fenced.exportDmaBuf(); SyncFile producer = exported.exportSyncFile(Access.READ)) {
                assertEquals(FenceStatus.ACTIVE, producer.status());
                done.importFence(producer);
                assertFalse(done.isSignalled());
                assertFalse(done.await(Duration.ofMillis(100)));
                try (SyncFile out = done.exportFence()) {
                    assertEquals(FenceStatus.ACTIVE, out.status(), "the exported fence is the imported one");
                    long signalled = System.nanoTime();
                    VgemFences.signal(vgem, fence);
                    assertTrue(done.await(Duration.ofSeconds(5)), "not signalled 5 s after vgem signalled");
                    System.out.printf("sync object signalled %.2f ms after the vgem fence%n",
                            (System.nanoTime() - signalled) / 1e6);
                    assertEquals(FenceStatus.SIGNALLED, out.status());
                }
            }
        }
    }

    @Test
    void timelinePoints() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu"); SyncObj timeline = card.createSyncObj(false)) {
            assertTrue(card.capabilities().reported(Capability.SYNCOBJ_TIMELINE));
            assertEquals(0, timeline.timelineValue());
            timeline.signal(5);
            assertEquals(5, timeline.timelineValue());
            assertTrue(timeline.await(3, Duration.ZERO), "point 3 is below the signalled 5");
            assertFalse(timeline.await(7, Duration.ofMillis(100)));
            timeline.signal(9);
            assertTrue(timeline.await(7, Duration.ZERO));
            assertEquals(9, timeline.timelineValue());
            assertThrows(IllegalArgumentException.class, () -> timeline.await(-1, Duration.ZERO));
        }
    }

    @Test
    void closeFromAnotherThreadEndsAWaitAndLaterCallsSayClosed() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu")) {
            SyncObj waited = card.createSyncObj(false);
            long woken = CloseWakes.wakeAfterClose(() -> waited.await(java.time.temporal.ChronoUnit.FOREVER.getDuration()),
                    waited::close);
            System.out.println("sync object wait ended " + woken + " ms after close");
            assertFalse(waited.isOpen());
            FdClosedException after = assertThrows(FdClosedException.class, waited::signal);
            assertTrue(after.getMessage().startsWith("DRM_IOCTL_SYNCOBJ_SIGNAL on " + card.path()), after.getMessage());
            waited.close(); // idempotent
            SyncObj timeline = card.createSyncObj(false);
            CloseWakes.wakeAfterClose(() -> timeline.await(1, Duration.ofSeconds(30)), timeline::close);
        }
    }

    @Test
    void closeRacingCallsNeverReachesTheHandleOfANewerSyncObject() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu")) {
            ExecutorService racers = Executors.newFixedThreadPool(3);
            try {
                for (int round = 0; round < 20; round++) {
                    SyncObj victim = card.createSyncObj(false);
                    List<Future<?>> calls = new ArrayList<>();
                    CountDownLatch calling = new CountDownLatch(3);
                    for (int i = 0; i < 3; i++) {
                        calls.add(racers.submit(() -> {
                            victim.signal();
                            calling.countDown(); // its calls reach the kernel: the race is on
                            while (true) {
                                victim.reset();
                                victim.signal();
                            }
                        }));
                    }
                    assertTrue(calling.await(10, TimeUnit.SECONDS), "the racers did not start calling");
                    victim.close();
                    // the kernel gives the lowest free id: the newer sync object gets the closed one's number
                    try (SyncObj newer = card.createSyncObj(false)) {
                        assertEquals(victim.handle(), newer.handle(), "the number was not reused");
                        for (Future<?> call : calls) {
                            ExecutionException e = assertThrows(ExecutionException.class,
                                    () -> call.get(5, TimeUnit.SECONDS));
                            assertInstanceOf(FdClosedException.class, e.getCause(), e.getCause().toString());
                        }
                        assertFalse(newer.isSignalled(), "a racing signal() reached the newer sync object");
                    }
                }
            } finally {
                racers.shutdownNow();
                assertTrue(racers.awaitTermination(5, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * Two threads close one sync object at once (released together by a barrier) while this thread makes new sync
     * objects, one of which gets the closed one's number: close destroys once, so every newer sync object stays
     * alive. (The old check-then-set was a few instructions wide: this catches it only when the two closes
     * interleave exactly there; it did not in 1,500 rounds before the fix.)
     */
    @Test
    void concurrentClosesDestroyOnceAndTheNewerSyncObjectWithTheNumberLives() throws Exception {
        int rounds = 300;
        try (DrmDevice card = Cards.open("virtio_gpu")) {
            AtomicReference<SyncObj> victim = new AtomicReference<>();
            AtomicInteger closes = new AtomicInteger();
            CyclicBarrier start = new CyclicBarrier(3);
            List<Future<?>> closers = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            int reused = 0;
            try {
                for (int i = 0; i < 2; i++) {
                    closers.add(pool.submit(() -> {
                        for (int r = 1; r <= rounds; r++) {
                            start.await(10, TimeUnit.SECONDS);
                            victim.get().close();
                            closes.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (int r = 1; r <= rounds; r++) {
                    SyncObj closing = card.createSyncObj(false);
                    victim.set(closing);
                    List<SyncObj> newer = new ArrayList<>();
                    try {
                        start.await(10, TimeUnit.SECONDS); // both closers go
                        long deadline = System.nanoTime() + 10_000_000_000L;
                        while (closes.get() < 2 * r) {
                            assertTrue(System.nanoTime() < deadline, "the closers did not close within 10 s");
                            newer.add(card.createSyncObj(true));
                        }
                        newer.add(card.createSyncObj(true));
                        for (SyncObj made : newer) {
                            if (made.handle() == closing.handle()) {
                                reused++;
                            }
                            assertTrue(made.isSignalled(), made + ": a second destroy of " + closing
                                    + " reached the newer sync object with its number (round " + r + ")");
                        }
                    } finally {
                        newer.forEach(SyncObj::close);
                    }
                }
                for (Future<?> closer : closers) {
                    closer.get(10, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            }
            System.out.println(rounds + " rounds of two concurrent closes: a newer sync object got the closed number "
                    + reused + " times and stayed alive");
            assertTrue(reused >= rounds, "the number was reused in only " + reused + " rounds");
        }
    }

    @Test
    void badInputIsNamed() throws Exception {
        try (DrmDevice vkms = Cards.open("vkms")) {
            KernelException e = assertThrows(KernelException.class, () -> vkms.createSyncObj(false));
            assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
            assertTrue(e.getMessage().startsWith("DRM_IOCTL_SYNCOBJ_CREATE on " + vkms.path()), e.getMessage());
            assertTrue(e.getMessage().contains("the driver vkms has no sync objects (DRM_CAP_SYNCOBJ is 0)"),
                    e.getMessage());
        }
        try (DrmDevice card = Cards.open("virtio_gpu"); SyncObj target = card.createSyncObj(false)) {
            SyncFile closed = firstSignalledFence(card);
            closed.close();
            assertThrows(FdClosedException.class, () -> target.importFence(closed));
            assertFalse(target.isSignalled(), "a failed import changed nothing");
        }
    }

    @Test
    void signalTestAndResetAllocateNoMoreThanTheirSystemCalls() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (DrmDevice card = Cards.open("virtio_gpu"); SyncObj fence = card.createSyncObj(false);
                OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1]) {
            Allocations.Work cycle = () -> {
                fence.signal();
                if (!fence.isSignalled() || fence.timelineValue() < 0) {
                    throw new AssertionError("signalled, yet not");
                }
                fence.reset();
            };
            long bytes = Allocations.ofRepeated(300, 300, cycle);
            MemorySegment argument = Arena.ofAuto().allocate(ValueLayout.JAVA_INT);
            long baseline = Allocations.ofRepeated(600, 300, () -> {
                for (int i = 0; i < 4; i++) {
                    Syscalls.tryIoctl(readEnd, Syscalls.FIONREAD, argument);
                }
            });
            System.out.printf("300 x (signal, isSignalled, timelineValue, reset) allocated %d bytes; 300 x 4 bare"
                    + " ioctls %d bytes%n", bytes, baseline);
            Allocations.assertNoMoreThanSystemCalls("sync object cycles", 300, bytes, baseline);
        }
    }

    @Test
    void aThousandCyclesLeaveNoHandlesOrFds() throws Exception {
        try (DrmDevice card = Cards.open("virtio_gpu")) {
            int first;
            try (SyncObj probe = card.createSyncObj(false)) {
                first = probe.handle();
            }
            for (int i = 0; i < 1000; i++) {
                try (SyncObj source = card.createSyncObj(true); SyncObj sink = card.createSyncObj(false);
                        SyncFile fence = source.exportFence()) {
                    sink.importFence(fence);
                    assertTrue(sink.isSignalled());
                }
            }
            // sync object handles are the lowest free ids of the file: all 2,000 were destroyed if the next is first
            try (SyncObj after = card.createSyncObj(false)) {
                assertEquals(first, after.handle(), "a sync object handle leaked");
            }
        }
    }

    private static SyncFile firstSignalledFence(DrmDevice card) throws KernelException {
        try (SyncObj source = card.createSyncObj(true)) {
            return source.exportFence();
        }
    }
}

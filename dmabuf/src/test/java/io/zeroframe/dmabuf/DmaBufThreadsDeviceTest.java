package io.zeroframe.dmabuf;

import static io.zeroframe.bindings.testing.CloseWakes.wakeAfterClose;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.BlockedCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * DmaBuf and SyncFile as real applications use them: mappings in every kind of arena, close from another thread
 * while calls are in flight or blocked, many waiters on one fence, and what a CPU-access bracket does.
 */
@Tag("device")
class DmaBufThreadsDeviceTest extends DeviceTestSupport {
    private static final long SIZE = 1 << 20;
    private static final String MAPPED = "/dmabuf:";

    @Test
    void anAutoArenaMappingSurvivesGcWhileReferencedAndIsUnmappedOnceDropped() throws Exception {
        long before = ProcessFds.mappingsOf(MAPPED);
        MemorySegment pixels;
        try (DmaBuf buffer = allocate(SIZE)) {
            pixels = buffer.map(Arena.ofAuto(), Access.READ_WRITE);
            pixels.set(JAVA_LONG, SIZE - 8, 0x5a5a5a5aL);
        }
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            assertEquals(0x5a5a5a5aL, pixels.get(JAVA_LONG, SIZE - 8), "a referenced mapping lost its bytes");
            assertEquals(before + 1, ProcessFds.mappingsOf(MAPPED), "a referenced mapping was unmapped");
        }
        pixels = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcessFds.mappingsOf(MAPPED) != before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, ProcessFds.mappingsOf(MAPPED), "a dropped automatic mapping was not unmapped");
    }

    @Test
    void aMappingOutlivesItsBuffersCloseAndStillReadsItsBytes() throws Exception {
        long before = ProcessFds.mappingsOf(MAPPED);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pixels;
            try (DmaBuf buffer = allocate(SIZE)) {
                pixels = buffer.map(arena, Access.READ_WRITE);
                try (CpuAccess cpu = buffer.cpuAccess(Access.WRITE)) {
                    for (long offset = 0; offset < SIZE; offset += 8) {
                        pixels.set(JAVA_LONG, offset, offset * 31);
                    }
                }
            }
            assertEquals(before + 1, ProcessFds.mappingsOf(MAPPED), "the mapping must live as long as its arena");
            for (long offset = 0; offset < SIZE; offset += 4096) {
                assertEquals(offset * 31, pixels.get(JAVA_LONG, offset));
            }
        }
        assertEquals(before, ProcessFds.mappingsOf(MAPPED));
    }

    /**
     * 50,000 map/unmap cycles of one long-lived buffer (each mapping in a confined arena that is then closed) leave
     * the Java heap as it was: a mapping registers nothing with the buffer or any longer-lived arena. (Before,
     * each map kept a cleanup, and with it the buffer, in the caller's arena: 42 MB retained after 50,000.)
     */
    @Test
    void fiftyThousandMapUnmapCyclesLeaveTheHeapFlat() throws Exception {
        try (DmaBuf buffer = allocate(4096); Arena longLived = Arena.ofShared()) {
            MemorySegment kept = buffer.map(longLived, Access.READ);
            cycles(buffer, 5_000); // warm up: classes, JIT, thread-locals
            long before = usedHeapAfterGc();
            cycles(buffer, 50_000);
            long grown = usedHeapAfterGc() - before;
            assertTrue(grown < 1 << 20, "50,000 map/unmap cycles kept " + grown + " bytes of heap");
            assertEquals(0L, kept.get(JAVA_LONG, 0));
        }
    }

    private static void cycles(DmaBuf buffer, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            try (Arena arena = Arena.ofConfined()) {
                buffer.map(arena, Access.READ_WRITE).set(JAVA_LONG, 0, 0L);
            }
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    @Test
    void mappingsWorkInEveryKindOfArena() throws Exception {
        try (DmaBuf buffer = allocate(SIZE)) {
            try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
                MemorySegment a = buffer.map(confined, Access.READ_WRITE);
                MemorySegment b = buffer.map(shared, Access.READ);
                a.set(JAVA_LONG, 0, 7L);
                assertEquals(7L, b.get(JAVA_LONG, 0), "two mappings of one buffer see the same memory");
                ExecutorService other = Executors.newSingleThreadExecutor();
                try {
                    assertEquals(7L, other.submit(() -> b.get(JAVA_LONG, 0)).get(10, TimeUnit.SECONDS));
                } finally {
                    other.shutdown();
                }
            }
            MemorySegment global = buffer.map(Arena.global(), Access.READ);
            assertEquals(7L, global.get(JAVA_LONG, 0));
            // a global mapping lives until the process ends: take it off the books of the leak check
            Syscalls.munmap(global, global.byteSize());
        }
    }

    @Test
    void closingASharedArenaWhileAnotherThreadWritesTheMappingNeverCrashes() throws Exception {
        long before = ProcessFds.mappingsOf(MAPPED);
        try (DmaBuf buffer = allocate(SIZE)) {
            Arena arena = Arena.ofShared();
            MemorySegment pixels = buffer.map(arena, Access.READ_WRITE);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                AtomicLong fills = new AtomicLong();
                Future<Long> writes = writer.submit(() -> {
                    while (true) {
                        pixels.fill((byte) fills.getAndIncrement()); // throws once the arena is closed
                    }
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (fills.get() < 3 && !writes.isDone() && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // until the writer is in its loop of fills
                }
                assertTrue(fills.get() >= 3, "the writer did not start writing: " + fills + " fills");
                arena.close();
                ExecutionException e = assertThrows(ExecutionException.class, () -> writes.get(10, TimeUnit.SECONDS));
                assertInstanceOf(IllegalStateException.class, e.getCause(), e.getCause().toString());
                assertEquals("Already closed", e.getCause().getMessage());
            } finally {
                writer.shutdownNow();
                assertTrue(writer.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
        assertEquals(before, ProcessFds.mappingsOf(MAPPED));
    }

    @Test
    void aSharedArenaHeldByANativeCallRefusesToCloseUntilTheCallEnds() throws Exception {
        long before = ProcessFds.mappingsOf(MAPPED);
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (DmaBuf buffer = allocate(SIZE); OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1];
             Arena scratch = Arena.ofConfined()) {
            Arena arena = Arena.ofShared();
            MemorySegment pixels = buffer.map(arena, Access.READ_WRITE);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                // write(2) of 1 MiB into a 64 KiB pipe blocks inside the native call, which holds the arena
                BlockedCall blocking = new BlockedCall();
                Future<Long> written = writer.submit(() -> {
                    blocking.enter();
                    return Syscalls.write(writeEnd, pixels);
                });
                blocking.awaitBlocked(written); // in write(2), on a full pipe
                IllegalStateException refused = assertThrows(IllegalStateException.class, arena::close);
                assertTrue(refused.getMessage().startsWith("Session is acquired by"), refused.getMessage());
                MemorySegment sink = scratch.allocate(64 * 1024);
                long drained = 0;
                while (drained < SIZE) {
                    drained += Syscalls.read(readEnd, sink);
                }
                assertEquals(SIZE, (long) written.get(10, TimeUnit.SECONDS));
                arena.close();
                assertThrows(IllegalStateException.class, () -> pixels.get(JAVA_LONG, 0));
            } finally {
                writer.shutdownNow();
                assertTrue(writer.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
        assertEquals(before, ProcessFds.mappingsOf(MAPPED));
    }

    /**
     * Thread A names a dma-buf ({@code DMA_BUF_SET_NAME_B}) through one {@code DmaBuf} in a loop while thread B
     * closes it and at once duplicates a decoy buffer, which takes the lowest free fd number: the closed one unless
     * a call of A still holds it. A call that reached the recycled number would rename the decoy's buffer.
     */
    @Test
    void closeRacingIoctlsOnOneBufferNeverTouchesARecycledFdNumber() throws Exception {
        int iterations = 100_000;
        try (DmaBuf named = allocate(4096); DmaBuf decoyBuffer = allocate(4096)) {
            decoyBuffer.setName("decoy");
            CyclicBarrier start = new CyclicBarrier(2);
            CyclicBarrier done = new CyclicBarrier(2);
            AtomicReference<DmaBuf> target = new AtomicReference<>();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            ExecutorService caller = Executors.newSingleThreadExecutor();
            int reused = 0;
            try {
                Future<?> loop = caller.submit(() -> {
                    for (int i = 0; i < iterations; i++) {
                        start.await(30, TimeUnit.SECONDS);
                        try {
                            while (true) {
                                target.get().setName("race");
                            }
                        } catch (FdClosedException expected) {
                            // refused before reaching the kernel
                        } catch (Throwable t) {
                            unexpected.compareAndSet(null, t);
                        }
                        done.await(30, TimeUnit.SECONDS);
                    }
                    return null;
                });
                for (int i = 0; i < iterations; i++) {
                    DmaBuf fd = named.duplicate();
                    int number = fd.fd();
                    target.set(fd);
                    start.await(30, TimeUnit.SECONDS);
                    fd.close();
                    try (DmaBuf decoy = decoyBuffer.duplicate()) {
                        reused += decoy.fd() == number ? 1 : 0;
                        done.await(30, TimeUnit.SECONDS);
                    }
                    if (unexpected.get() != null) {
                        throw new AssertionError("iteration " + i, unexpected.get());
                    }
                    if (i % 1000 == 0 || i == iterations - 1) {
                        assertEquals(Optional.of("decoy"), decoyBuffer.name(), "iteration " + i
                                + ": a call reached the decoy that took fd " + number);
                    }
                }
                loop.get(60, TimeUnit.SECONDS);
            } finally {
                caller.shutdownNow();
                assertTrue(caller.awaitTermination(10, TimeUnit.SECONDS));
            }
            assertTrue(reused > 0 && reused < iterations, "the race never went both ways: " + reused + " reused");
            assertEquals(Optional.of("race"), named.name());
        }
    }

    @Test
    void blockedFenceAndIdleWaitsReturnWithin100MsOfAClose() throws Exception {
        try (Vgem vgem = Vgem.open(); DmaBuf buffer = DmaBuf.adopt(vgem.export(vgem.createDumb(64, 64)))) {
            int fence = vgem.attachFence(vgem.importPrime(buffer), Vgem.VGEM_FENCE_WRITE);
            SyncFile pending = buffer.exportSyncFile(Access.READ);
            long awaitMs = wakeAfterClose(() -> pending.await(Duration.ofSeconds(30)), pending::close);
            // under TCG on two busy cores a woken thread can take a few hundred ms to run (299 ms seen with three
            // VMs at once); a second tells a wake from the 30 s timeout with margin
            assertTrue(awaitMs < 1000, "SyncFile.await woke " + awaitMs + " ms after close");
            DmaBuf busy = buffer.duplicate();
            long idleMs = wakeAfterClose(() -> busy.awaitIdle(Access.READ, Duration.ofSeconds(30)), busy::close);
            assertTrue(idleMs < 1000, "DmaBuf.awaitIdle woke " + idleMs + " ms after close");
            vgem.signal(fence);
        }
    }

    @Test
    void eightThreadsWaitingOnOneFenceAllWakeWhenItSignals() throws Exception {
        try (Vgem vgem = Vgem.open(); DmaBuf buffer = DmaBuf.adopt(vgem.export(vgem.createDumb(64, 64)));
             SyncFile fence = attachAndExport(vgem, buffer)) {
            ExecutorService waiters = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> waits = new ArrayList<>();
                List<BlockedCall> blocking = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    BlockedCall call = new BlockedCall();
                    blocking.add(call);
                    waits.add(waiters.submit(() -> {
                        call.enter();
                        return fence.await(Duration.ofSeconds(30));
                    }));
                }
                for (int i = 0; i < 8; i++) {
                    blocking.get(i).awaitBlocked(waits.get(i)); // each waiter sleeps in its poll of the fence
                }
                assertEquals(FenceStatus.ACTIVE, fence.status());
                vgem.signal(fenceId);
                for (Future<Boolean> wait : waits) {
                    assertTrue(wait.get(5, TimeUnit.SECONDS), "a waiter timed out although the fence signalled");
                }
                assertEquals(FenceStatus.SIGNALLED, fence.status());
            } finally {
                waiters.shutdownNow();
                assertTrue(waiters.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
    }

    private int fenceId;

    private SyncFile attachAndExport(Vgem vgem, DmaBuf buffer) throws Exception {
        fenceId = vgem.attachFence(vgem.importPrime(buffer), Vgem.VGEM_FENCE_WRITE);
        return buffer.exportSyncFile(Access.READ);
    }

    /**
     * What a bracket does in the kernel: {@code DMA_BUF_SYNC_START} for reading waits for the buffer's pending
     * write fence (a swapped START and END would not wait), and returns once the fence signals.
     */
    @Test
    void aReadBracketWaitsForAPendingWriteFenceAndBeginsWhenItSignals() throws Exception {
        try (Vgem vgem = Vgem.open(); DmaBuf buffer = DmaBuf.adopt(vgem.export(vgem.createDumb(64, 64)))) {
            int fence = vgem.attachFence(vgem.importPrime(buffer), Vgem.VGEM_FENCE_WRITE);
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try {
                BlockedCall starting = new BlockedCall();
                Future<Long> begun = reader.submit(() -> {
                    starting.enter();
                    try (CpuAccess cpu = buffer.cpuAccess(Access.READ)) {
                        return System.nanoTime();
                    }
                });
                // fails at once if SYNC_START|READ returns without waiting for the pending write fence
                starting.awaitBlocked(begun);
                long signalled = System.nanoTime();
                vgem.signal(fence);
                long waited = (begun.get(10, TimeUnit.SECONDS) - signalled) / 1_000_000;
                assertTrue(waited < 1000, "the bracket began " + waited + " ms after the fence signalled");
            } finally {
                reader.shutdownNow();
                assertTrue(reader.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void closingABufferEndsItsOpenBracketsAndLaterBracketClosesAreNoOps() throws Exception {
        DmaBuf buffer = allocate(SIZE);
        CpuAccess write = buffer.cpuAccess(Access.WRITE);
        CpuAccess read = buffer.cpuAccess(Access.READ); // brackets may overlap, as the kernel allows
        buffer.close();
        assertFalse(buffer.isOpen());
        write.close(); // ended by the buffer's close already: no ioctl on a closed fd, no exception
        read.close();
        FdClosedException late = assertThrows(FdClosedException.class, () -> buffer.cpuAccess(Access.READ));
        assertTrue(late.getMessage().startsWith("DMA_BUF_IOCTL_SYNC on "), late.getMessage());
        assertTrue(late.getMessage().endsWith(": EBADF (Bad file descriptor): the fd was already closed"),
                late.getMessage());
    }

    @Test
    void namesKeepSpacesAndNewlinesAsSet() throws Exception {
        try (DmaBuf buffer = allocate(4096)) {
            buffer.setName(" camera\nframe 7 ");
            assertEquals(Optional.of(" camera\nframe 7 "), buffer.name());
            assertTrue(HeldDmaBuf.list().stream().anyMatch(held -> held.fd() == buffer.fd()
                    && held.name().equals(Optional.of(" camera\nframe 7 "))));
        }
    }

    @Test
    void twoDmaBufsOfOneBufferAreRecognisedAsTheSame() throws Exception {
        try (DmaBuf a = allocate(4096); DmaBuf b = a.duplicate(); DmaBuf other = allocate(4096)) {
            assertTrue(a.sameBufferAs(b));
            assertFalse(a.sameBufferAs(other));
            assertEquals(a.inode(), b.inode());
        }
    }
}

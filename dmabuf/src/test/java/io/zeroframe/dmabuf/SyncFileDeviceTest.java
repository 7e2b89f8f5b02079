package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * sync_file fences from vgem, mirroring igt's dmabuf_sync_file: export before signal, a sync_file covers only the
 * fences present when it was exported, import into another buffer, merge, timed waits.
 */
@Tag("device")
class SyncFileDeviceTest extends DeviceTestSupport {
    private static final Duration SHORT = Duration.ofMillis(50);

    @Test
    void anExportedWriteFenceSignalsWhenVgemSignalsIt() throws Exception {
        try (Vgem vgem = Vgem.open()) {
            int handle = vgem.createDumb(64, 64);
            int fence = vgem.attachFence(handle, Vgem.VGEM_FENCE_WRITE);
            try (DmaBuf buffer = DmaBuf.adopt(vgem.export(handle))) {
                assertEquals("drm", buffer.exporter(), "PRIME exports are named after drm_prime, not the driver");
                assertFalse(buffer.awaitIdle(Access.READ, Duration.ZERO), "a reader must wait for the writer");
                assertFalse(buffer.awaitIdle(Access.WRITE, SHORT));
                try (SyncFile readFence = buffer.exportSyncFile(Access.READ);
                     SyncFile allFences = buffer.exportSyncFile(Access.WRITE)) {
                    assertFalse(readFence.await(SHORT));
                    assertEquals(FenceStatus.ACTIVE, readFence.status());
                    assertEquals(FenceStatus.ACTIVE, allFences.status());
                    SyncFileInfo before = readFence.info();
                    assertEquals(FenceStatus.ACTIVE, before.status());
                    assertEquals(1, before.fences().size(), before.toString());
                    SyncFileInfo.FenceInfo only = before.fences().getFirst();
                    assertEquals("vgem", only.driver());
                    assertEquals(FenceStatus.ACTIVE, only.status());
                    assertEquals(0, only.timestampNanos());

                    vgem.signal(fence);

                    assertTrue(readFence.await(SHORT));
                    assertTrue(allFences.await(Duration.ZERO));
                    assertEquals(FenceStatus.SIGNALLED, readFence.status());
                    SyncFileInfo after = readFence.info();
                    assertEquals(FenceStatus.SIGNALLED, after.status());
                    assertEquals(FenceStatus.SIGNALLED, after.fences().getFirst().status());
                    assertTrue(after.fences().getFirst().timestampNanos() > 0, after.toString());
                    assertTrue(buffer.awaitIdle(Access.READ, Duration.ZERO));
                    assertTrue(buffer.awaitIdle(Access.WRITE, Duration.ZERO));
                }
            }
            // vgem forgets a fence once signalled: a second signal, like an unknown id, is ENOENT
            assertEquals("ENOENT", Errno.name(vgem.trySignal(fence)), "DRM_IOCTL_VGEM_FENCE_SIGNAL twice");
            assertEquals("ENOENT", Errno.name(vgem.trySignal(0x7fff)), "DRM_IOCTL_VGEM_FENCE_SIGNAL of an unknown id");
        }
    }

    @Test
    void aSyncFileCoversOnlyTheFencesPresentAtExport() throws Exception {
        try (Vgem vgem = Vgem.open()) {
            int handle = vgem.createDumb(64, 64);
            int first = vgem.attachFence(handle, 0);
            try (DmaBuf buffer = DmaBuf.adopt(vgem.export(handle))) {
                assertTrue(buffer.awaitIdle(Access.READ, Duration.ZERO), "a read fence does not block readers");
                assertFalse(buffer.awaitIdle(Access.WRITE, Duration.ZERO), "a read fence blocks writers");
                try (SyncFile early = buffer.exportSyncFile(Access.WRITE)) {
                    int second = vgem.attachFence(handle, 0);
                    try (SyncFile late = buffer.exportSyncFile(Access.WRITE)) {
                        assertEquals(2, late.info().fences().size());
                        vgem.signal(first);
                        assertTrue(early.await(SHORT), "early covers only the first fence");
                        assertFalse(late.await(Duration.ZERO), "late also waits for the second");
                        assertFalse(buffer.awaitIdle(Access.WRITE, Duration.ZERO));
                        vgem.signal(second);
                        assertTrue(late.await(SHORT));
                        assertTrue(buffer.awaitIdle(Access.WRITE, Duration.ZERO));
                    }
                }
                // measured: a write fence while an unsignalled write fence is attached
                int writer = vgem.attachFence(handle, Vgem.VGEM_FENCE_WRITE);
                int conflict = vgem.tryAttachFence(handle, Vgem.VGEM_FENCE_WRITE);
                assertEquals(Errno.EBUSY, conflict, "DRM_IOCTL_VGEM_FENCE_ATTACH of a second write fence: "
                        + Errno.name(conflict));
                vgem.signal(writer);
            }
        }
    }

    @Test
    void anImportedWriteFenceHoldsBackAHeapBuffer() throws Exception {
        try (Vgem vgem = Vgem.open(); DmaBuf heap = allocate(1 << 16)) {
            int handle = vgem.createDumb(64, 64);
            int fence = vgem.attachFence(handle, Vgem.VGEM_FENCE_WRITE);
            try (DmaBuf producer = DmaBuf.adopt(vgem.export(handle));
                 SyncFile producerDone = producer.exportSyncFile(Access.READ)) {
                heap.importSyncFile(producerDone, Access.WRITE);
                assertTrue(producerDone.isOpen(), "import borrows the sync_file");
                assertFalse(heap.awaitIdle(Access.READ, Duration.ZERO));
                try (SyncFile heapReady = heap.exportSyncFile(Access.READ)) {
                    assertFalse(heapReady.await(SHORT));
                    assertEquals("vgem", heapReady.info().fences().getFirst().driver());
                    vgem.signal(fence);
                    assertTrue(heapReady.await(SHORT));
                    assertTrue(heap.awaitIdle(Access.WRITE, Duration.ZERO));
                }
            }
        }
    }

    @Test
    void anImportedReadFenceHoldsBackOnlyWriters() throws Exception {
        try (Vgem vgem = Vgem.open(); DmaBuf heap = allocate(1 << 16)) {
            int handle = vgem.createDumb(64, 64);
            int fence = vgem.attachFence(handle, Vgem.VGEM_FENCE_WRITE);
            try (DmaBuf producer = DmaBuf.adopt(vgem.export(handle));
                 SyncFile pending = producer.exportSyncFile(Access.READ)) {
                heap.importSyncFile(pending, Access.READ);
                assertTrue(heap.awaitIdle(Access.READ, Duration.ZERO), "readers do not wait for readers");
                assertFalse(heap.awaitIdle(Access.WRITE, Duration.ZERO), "writers do");
                try (SyncFile forReaders = heap.exportSyncFile(Access.READ);
                     SyncFile forWriters = heap.exportSyncFile(Access.WRITE)) {
                    assertTrue(forReaders.await(Duration.ZERO));
                    assertFalse(forWriters.await(Duration.ZERO));
                    vgem.signal(fence);
                    assertTrue(forWriters.await(SHORT));
                }
            }
        }
    }

    @Test
    void mergeSignalsWhenBothHave() throws Exception {
        try (Vgem vgem = Vgem.open()) {
            int a = vgem.createDumb(64, 64);
            int b = vgem.createDumb(64, 64);
            int fenceA = vgem.attachFence(a, Vgem.VGEM_FENCE_WRITE);
            int fenceB = vgem.attachFence(b, Vgem.VGEM_FENCE_WRITE);
            try (DmaBuf bufferA = DmaBuf.adopt(vgem.export(a));
                 DmaBuf bufferB = DmaBuf.adopt(vgem.export(b));
                 SyncFile syncA = bufferA.exportSyncFile(Access.READ);
                 SyncFile syncB = bufferB.exportSyncFile(Access.READ);
                 SyncFile both = syncA.merge("both frames", syncB)) {
                assertTrue(syncB.isOpen(), "merge borrows the other sync_file");
                SyncFileInfo info = both.info();
                assertEquals("both frames", info.name());
                assertEquals(2, info.fences().size());
                assertEquals(List.of("vgem", "vgem"), info.fences().stream().map(SyncFileInfo.FenceInfo::driver).toList());
                vgem.signal(fenceA);
                assertTrue(syncA.await(SHORT));
                assertFalse(both.await(SHORT));
                assertEquals(FenceStatus.ACTIVE, both.status());
                vgem.signal(fenceB);
                assertTrue(both.await(SHORT));
                assertEquals(FenceStatus.SIGNALLED, both.status());
            }
        }
    }

    @Test
    void aTimedWaitReturnsFalseAfterAboutTheTimeGiven() throws Exception {
        try (Vgem vgem = Vgem.open()) {
            int handle = vgem.createDumb(64, 64);
            int fence = vgem.attachFence(handle, Vgem.VGEM_FENCE_WRITE);
            try (DmaBuf buffer = DmaBuf.adopt(vgem.export(handle));
                 SyncFile pending = buffer.exportSyncFile(Access.READ)) {
                long start = System.nanoTime();
                assertFalse(pending.await(Duration.ofMillis(200)));
                long syncFileWait = System.nanoTime() - start;
                start = System.nanoTime();
                assertFalse(buffer.awaitIdle(Access.READ, Duration.ofMillis(200)));
                long bufferWait = System.nanoTime() - start;
                assertTrue(syncFileWait >= 199_000_000L && syncFileWait < 2_000_000_000L, "took " + syncFileWait);
                assertTrue(bufferWait >= 199_000_000L && bufferWait < 2_000_000_000L, "took " + bufferWait);
                vgem.signal(fence);
            }
        }
    }
}

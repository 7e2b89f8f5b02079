package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.SyncFile;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an {@link AtomicRequest} holds on vkms: the in-fences a failed commit had begun to use are released exactly,
 * and a {@code MODE_ID} set again frees the blob it replaces.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class AtomicRequestDeviceTest {
    private static final String SYNC_FILE = "anon_inode:sync_file";

    /**
     * The request's objects are visited in the order they were first named, its entries in the order they were
     * set: here the open fence (primary plane, object 0) is begun first, then the closed one (overlay, object 1)
     * fails, although the closed fence's entry comes first.
     */
    @Test
    void aClosedInFenceFailsTheCommitAndTheOtherFenceStillClosesItsFd() throws Exception {
        try (DrmDevice card = Cards.open("vkms"); DumbBuffer source = card.createDumbBuffer(16, 16, 32);
                DmaBuf exported = source.exportDmaBuf(); AtomicRequest req = card.newAtomicRequest()) {
            CrtcId crtc = card.resources().crtcs().getFirst();
            Plane primary = Cards.planeOfType(card, crtc, PlaneType.PRIMARY);
            Plane overlay = Cards.planeOfType(card, crtc, PlaneType.OVERLAY);
            SyncFile open = exported.exportSyncFile(Access.READ);
            SyncFile closed = exported.exportSyncFile(Access.READ);
            assertEquals(2, Cards.openFdsOf(SYNC_FILE).size());
            req.set(primary.id(), "FB_ID", 0);        // the primary plane is object 0
            req.setInFence(overlay.id(), closed);     // entry 1, on object 1
            req.setInFence(primary.id(), open);       // entry 2, on object 0: begun first
            closed.close();
            FdClosedException e = assertThrows(FdClosedException.class,
                    () -> req.commit(EnumSet.of(CommitFlag.TEST_ONLY), 0));
            assertTrue(e.getMessage().startsWith("DRM_IOCTL_MODE_ATOMIC on "), e.getMessage());
            assertEquals(1, Cards.openFdsOf(SYNC_FILE).size(), "the open fence's fd");
            open.close();
            assertEquals(List.of(), Cards.openFdsOf(SYNC_FILE),
                    "the open fence's fd stayed open after its close(): the commit never ended its use");
        }
    }

    /**
     * A request reused frame after frame, some frames with an in-fence: once the fence of the last one is closed,
     * the next commit fails naming the closed fence unless {@link AtomicRequest#clearInFence} took it out, after
     * which the commit needs no fence ({@code IN_FENCE_FD} -1).
     */
    @Test
    void clearInFenceLetsTheNextCommitGoWithoutTheFenceTheLastOneUsed() throws Exception {
        try (DrmDevice card = Cards.open("vkms"); DumbBuffer source = card.createDumbBuffer(16, 16, 32);
                DmaBuf exported = source.exportDmaBuf()) {
            Cards.Display display = Cards.display(card);
            Set<CommitFlag> test = EnumSet.of(CommitFlag.TEST_ONLY, CommitFlag.ALLOW_MODESET);
            try (DumbBuffer shown = card.createDumbBuffer(display.mode().hdisplay(), display.mode().vdisplay(), 32);
                    Framebuffer fb = card.addFramebuffer(shown, Cards.XRGB);
                    AtomicRequest req = Cards.modeset(card, display, display.connector().id(), fb)) {
                try (SyncFile fence = exported.exportSyncFile(Access.READ)) {
                    req.setInFence(display.primary().id(), fence);
                    req.commit(test, 0);
                }
                assertThrows(FdClosedException.class, () -> req.commit(test, 0),
                        "the closed fence was still the request's in-fence");
                req.clearInFence(display.primary().id());
                req.commit(test, 0);
                assertEquals(List.of(), Cards.openFdsOf(SYNC_FILE));
            }
        }
    }

    @Test
    void settingModeIdAgainFreesTheBlobItReplaces() throws Exception {
        try (DrmDevice card = Cards.open("vkms");
                DumbBuffer buffer = card.createDumbBuffer(1024, 768, 32);
                Framebuffer fb = card.addFramebuffer(buffer, Cards.XRGB)) {
            Cards.Display display = Cards.display(card);
            Set<Long> ids = new LinkedHashSet<>();
            long last;
            try (AtomicRequest req = Cards.modeset(card, display, display.connector().id(), fb)) {
                for (int i = 0; i < 100; i++) {
                    req.set(display.crtc(), "MODE_ID", display.mode());
                    ids.add(req.value(display.crtc(), "MODE_ID"));
                }
                last = req.value(display.crtc(), "MODE_ID");
                for (long id : ids) {
                    if (id != last) {
                        KernelException gone = assertThrows(KernelException.class,
                                () -> card.blob(new BlobId((int) id)), "blob " + id + " was replaced, yet lives");
                        assertEquals(Errno.ENOENT, gone.errno(), gone.getMessage());
                    }
                }
                assertEquals(Mode.SIZE, card.blob(new BlobId((int) last)).length, "the current blob lives");
                req.test(true); // and the request still commits with it
                System.out.println("100 MODE_ID sets on one request used " + ids.size() + " blob ids " + ids);
                assertTrue(ids.size() <= 2, ids.size() + " blobs for one property");
            }
            KernelException closed = assertThrows(KernelException.class, () -> card.blob(new BlobId((int) last)));
            assertEquals(Errno.ENOENT, closed.errno(), "the request's close destroys its last blob");
        }
    }
}

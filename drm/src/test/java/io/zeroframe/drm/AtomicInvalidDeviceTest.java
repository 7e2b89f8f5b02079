package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.dmabuf.internal.DmaBufAccess;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * igt kms_atomic's invalid cases on vkms, each a clear exception naming the ioctl, the card and the errno; and the
 * request's own checks of property names, immutability and values.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class AtomicInvalidDeviceTest {
    private DrmDevice card;
    private Cards.Display display;
    private DumbBuffer buffer;
    private Framebuffer fb;
    private AtomicRequest req;

    @BeforeEach
    void validModeset() throws Exception {
        card = Cards.open("vkms");
        display = Cards.display(card);
        buffer = card.createDumbBuffer(display.mode().hdisplay(), display.mode().vdisplay(), 32);
        fb = card.addFramebuffer(buffer, Cards.XRGB);
        req = Cards.modeset(card, display, display.connector().id(), fb);
        req.test(true); // the base request is valid
    }

    @AfterEach
    void close() {
        req.close();
        fb.close();
        buffer.close();
        card.close();
    }

    private KernelException commitFails(int errno, EnumSet<CommitFlag> flags) {
        KernelException e = assertThrows(KernelException.class, () -> req.commit(flags, 0));
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals("DRM_IOCTL_MODE_ATOMIC", e.operation());
        assertTrue(e.getMessage().startsWith("DRM_IOCTL_MODE_ATOMIC on " + card.path() + ": " + Errno.name(errno)),
                e.getMessage());
        return e;
    }

    @Test
    void aBadCrtcIdIsEinval() throws Exception {
        req.set(display.primary().id(), "CRTC_ID", display.primary().id().value()); // a plane, not a CRTC
        KernelException e = commitFails(Errno.EINVAL, EnumSet.of(CommitFlag.TEST_ONLY, CommitFlag.ALLOW_MODESET));
        assertTrue(e.getMessage().contains("3 objects, 13 properties, flags [TEST_ONLY, ALLOW_MODESET]"), e.getMessage());
    }

    @Test
    void aFramebufferSmallerThanTheSourceIsEnospc() throws Exception {
        req.set(display.primary().id(), "SRC_W", (long) (fb.width() + 1) << 16);
        commitFails(Errno.ENOSPC, EnumSet.of(CommitFlag.TEST_ONLY, CommitFlag.ALLOW_MODESET));
    }

    @Test
    void anInFenceFdThatIsNoSyncFileIsEinval() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        // a pipe passed off as a sync_file: the only way to set IN_FENCE_FD is setInFence, which holds the fd
        try (SyncFile notAFence = DmaBufAccess.wrapSyncFile(pipe[0]); OwnedFd writeEnd = pipe[1]) {
            req.setInFence(display.primary().id(), notAFence);
            commitFails(Errno.EINVAL, EnumSet.of(CommitFlag.ALLOW_MODESET));
        }
    }

    @Test
    void aTestOnlyCommitWithAPageFlipEventIsEinval() {
        KernelException e = commitFails(Errno.EINVAL, EnumSet.of(CommitFlag.TEST_ONLY, CommitFlag.PAGE_FLIP_EVENT,
                CommitFlag.ALLOW_MODESET));
        assertTrue(e.getMessage().contains("the kernel refuses a page-flip event on a test-only commit"), e.getMessage());
    }

    @Test
    void objectIdZeroCannotBeNamedAndAMissingObjectIsEnoent() {
        assertThrows(IllegalArgumentException.class, () -> new PlaneId(0));
        KernelException e = assertThrows(KernelException.class, () -> req.set(new PlaneId(0x7fff_fff0), "FB_ID", 0));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().startsWith("DRM_IOCTL_MODE_OBJ_GETPROPERTIES on " + card.path() + ": ENOENT"),
                e.getMessage());
        assertTrue(e.getMessage().contains("plane 2147483632"), e.getMessage());
    }

    @Test
    void aTestOnlyCommitReturnsNoOutFence() throws Exception {
        req.requestOutFence(display.crtc());
        req.test(true);
        assertTrue(req.takeOutFence(display.crtc()).isEmpty());
    }

    /** close() from another thread while commits run: it waits for the one in flight; the next one says closed. */
    @Test
    void closingTheRequestWhileAnotherThreadCommitsEndsItsCommitsCleanly() throws Exception {
        java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CompletableFuture<Throwable> worker = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                while (true) {
                    req.test(true);
                    commits.incrementAndGet();
                }
            } catch (Throwable e) {
                return e;
            }
        });
        while (commits.get() < 20) {
            Thread.sleep(10);
        }
        req.close();
        Throwable ended = worker.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(ended instanceof io.zeroframe.bindings.FdClosedException, String.valueOf(ended));
        assertTrue(ended.getMessage().contains("DRM_IOCTL_MODE_ATOMIC") && ended.getMessage().contains("closed"),
                ended.getMessage());
    }

    @Test
    void theRequestRefusesUnknownImmutableAndOutOfRangeProperties() {
        PlaneId plane = display.primary().id();
        String unknown = assertThrows(IllegalArgumentException.class, () -> req.set(plane, "FB_IDX", 1)).getMessage();
        assertTrue(unknown.contains("plane " + plane.value() + " has no property \"FB_IDX\"; it has [type,"), unknown);
        String immutable = assertThrows(IllegalArgumentException.class, () -> req.set(plane, "type", 0)).getMessage();
        assertTrue(immutable.contains("property \"type\" of plane " + plane.value() + " is immutable"), immutable);
        String range = assertThrows(IllegalArgumentException.class,
                () -> req.set(plane, "CRTC_W", 1L << 32)).getMessage();
        assertTrue(range.contains("property \"CRTC_W\" of plane " + plane.value() + " does not accept 4294967296")
                && range.contains("range [0, 2147483647]"), range);
        String signed = assertThrows(IllegalArgumentException.class,
                () -> req.set(plane, "CRTC_X", 1L << 40)).getMessage();
        assertTrue(signed.contains("signed range [-2147483648, 2147483647]"), signed);
        String enumeration = assertThrows(IllegalArgumentException.class,
                () -> req.set(display.connector().id(), "DPMS", 7)).getMessage();
        assertTrue(enumeration.contains("does not accept 7") && enumeration.contains("On=0"), enumeration);
    }

    /** A pointer or an fd as a plain number would make the kernel write anywhere, or use an fd nobody holds. */
    @Test
    void pointerAndFdPropertiesAreRefusedAsPlainNumbers() throws Exception {
        int before = req.propertyCount();
        String out = assertThrows(IllegalArgumentException.class,
                () -> req.set(display.crtc(), "OUT_FENCE_PTR", 0x1000)).getMessage();
        assertTrue(out.contains("\"OUT_FENCE_PTR\"") && out.contains("requestOutFence"), out);
        String in = assertThrows(IllegalArgumentException.class,
                () -> req.set(display.primary().id(), "IN_FENCE_FD", 0)).getMessage();
        assertTrue(in.contains("\"IN_FENCE_FD\"") && in.contains("setInFence"), in);
        Connector writeback = card.connectors().stream().filter(c -> c.type().equals(ConnectorType.WRITEBACK))
                .findFirst().orElseThrow(() -> new AssertionError("no writeback connector on vkms"));
        String wb = assertThrows(IllegalArgumentException.class,
                () -> req.set(writeback.id(), "WRITEBACK_OUT_FENCE_PTR", 0x1000)).getMessage();
        assertTrue(wb.contains("\"WRITEBACK_OUT_FENCE_PTR\"") && wb.contains("requestWritebackFence"), wb);
        assertEquals(before, req.propertyCount(), "nothing was added");
        req.test(true);
    }
}

package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.dma_buf.dma_buf_h;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.internal.FdInfo;
import io.zeroframe.dmabuf.internal.Names;
import io.zeroframe.dmabuf.internal.Waits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What needs no dma-buf device: adoption checks with memfds and pipes, flag encodings, parsers. */
@ExtendWith(NoLeaks.class)
class DmaBufTest {



    @Test
    void adoptingAMemfdIsRejectedAndClosesIt() throws Exception {
        OwnedFd memfd = Syscalls.memfdCreate("frames", 0);
        int raw = memfd.get();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DmaBuf.adopt(memfd));
        assertEquals("memfd:frames is not a dma-buf: fd " + raw + " links to /memfd:frames (deleted)"
                + ", not a file of the dma-buf file system (closed it)", e.getMessage());
        assertFalse(memfd.isOpen());
    }

    @Test
    void adoptingAPipeIsRejectedAndClosesIt() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd writeEnd = pipe[1]) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DmaBuf.adopt(pipe[0]));
            assertTrue(e.getMessage().startsWith("pipe (read end) is not a dma-buf: fd "), e.getMessage());
            assertTrue(e.getMessage().contains(" links to pipe:["), e.getMessage());
            assertFalse(pipe[0].isOpen());
        }
    }

    @Test
    void adoptingAClosedFdFailsWithEbadf() throws Exception {
        OwnedFd memfd = Syscalls.memfdCreate("gone", 0);
        memfd.close();
        KernelException e = assertThrows(KernelException.class, () -> DmaBuf.adopt(memfd));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("fstatfs on memfd:gone: EBADF (Bad file descriptor): the fd was already closed",
                e.getMessage());
    }

    @Test
    void adoptingAMemfdAsASyncFileIsRejectedAndClosesIt() throws Exception {
        OwnedFd memfd = Syscalls.memfdCreate("fence", 0);
        int raw = memfd.get();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyncFile.adopt(memfd));
        assertEquals("memfd:fence is not a sync_file: fd " + raw + " links to /memfd:fence (deleted),"
                + " not anon_inode:sync_file (closed it)", e.getMessage());
        assertFalse(memfd.isOpen());
    }

    @Test
    void accessEncodesTheKernelFlags() {
        assertEquals(dma_buf_h.DMA_BUF_SYNC_READ(), Access.READ.syncFlags());
        assertEquals(dma_buf_h.DMA_BUF_SYNC_WRITE(), Access.WRITE.syncFlags());
        assertEquals(dma_buf_h.DMA_BUF_SYNC_RW(), Access.READ_WRITE.syncFlags());
        assertEquals(1, Access.READ.syncFlags());
        assertEquals(2, Access.WRITE.syncFlags());
        assertEquals(3, Access.READ_WRITE.syncFlags());
        assertEquals(0, dma_buf_h.DMA_BUF_SYNC_START());
        assertEquals(4, dma_buf_h.DMA_BUF_SYNC_END());
        assertEquals(Syscalls.PROT_READ, Access.READ.protection());
        assertEquals(Syscalls.PROT_READ | Syscalls.PROT_WRITE, Access.READ_WRITE.protection());
        assertEquals(Syscalls.POLLIN, Access.READ.pollEvents());
        assertEquals(Syscalls.POLLOUT, Access.WRITE.pollEvents());
        assertEquals(Syscalls.POLLOUT, Access.READ_WRITE.pollEvents());
    }

    @Test
    void ioctlRequestsCarryTheirKernelNamesAndSizes() {
        assertEquals("DMA_BUF_IOCTL_SYNC", DmaBuf.DMA_BUF_IOCTL_SYNC.name());
        assertEquals(8, DmaBuf.DMA_BUF_IOCTL_SYNC.argumentSize());
        assertEquals(8, DmaBuf.DMA_BUF_SET_NAME.argumentSize());
        assertEquals(8, DmaBuf.DMA_BUF_IOCTL_EXPORT_SYNC_FILE.argumentSize());
        assertEquals(8, DmaBuf.DMA_BUF_IOCTL_IMPORT_SYNC_FILE.argumentSize());
        assertEquals(32, DmaBuf.NAME_CAPACITY);
        assertEquals(56, SyncFile.SYNC_IOC_FILE_INFO.argumentSize());
        assertEquals(48, SyncFile.SYNC_IOC_MERGE.argumentSize());
    }

    @Test
    void fenceStatusReadsLikeTheKernel() {
        assertTrue(FenceStatus.ACTIVE.isActive());
        assertEquals("active", FenceStatus.ACTIVE.toString());
        assertTrue(FenceStatus.SIGNALLED.isSignalled());
        assertEquals("signalled", FenceStatus.SIGNALLED.toString());
        FenceStatus failed = new FenceStatus(-Errno.ETIMEDOUT);
        assertTrue(failed.isError() && failed.isSignalled());
        assertEquals(Errno.ETIMEDOUT, failed.errno());
        assertEquals("error ETIMEDOUT (Connection timed out)", failed.toString());
    }

    @Test
    void fdinfoIsParsedAsKeyValueLines() {
        Map<String, String> fields = FdInfo.parse("pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t1063\n"
                + "size:\t1048576\ncount:\t1\nexp_name:\tsystem\nname:\tcamera: frame 1\n");
        assertEquals("system", fields.get("exp_name"));
        assertEquals("camera: frame 1", fields.get("name"));
        assertEquals("1048576", fields.get("size"));
    }

    @Test
    void namesMustFitTheKernelField() {
        assertEquals(31, Names.encode("x".repeat(31), 32, "dma-buf name").length);
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> Names.encode("é".repeat(16), 32, "dma-buf name (DMA_BUF_NAME_LEN 32)"));
        assertEquals("dma-buf name (DMA_BUF_NAME_LEN 32): \"" + "é".repeat(16)
                + "\" is 32 bytes in UTF-8, at most 31 fit", tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Names.encode("a\0b", 32, "name"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment field = arena.allocate(8);
            field.setString(0, "vgem");
            assertEquals("vgem", Names.decode(field));
            field.fill((byte) 'a');
            assertEquals("aaaaaaaa", Names.decode(field));
        }
    }

    @Test
    void timeoutsRoundUpToWholeMilliseconds() {
        assertEquals(0, Waits.toMillis(Duration.ZERO));
        assertEquals(1, Waits.toMillis(Duration.ofNanos(1)));
        assertEquals(50, Waits.toMillis(Duration.ofMillis(50)));
        assertEquals(-1, Waits.toMillis(Duration.ofDays(365)), "beyond 24 days waits forever");
        assertEquals(-1, Waits.toMillis(java.time.temporal.ChronoUnit.FOREVER.getDuration()));
        assertEquals(2_000_000_000, Waits.toMillis(Duration.ofMillis(2_000_000_000)));
        assertThrows(IllegalArgumentException.class, () -> Waits.toMillis(Duration.ofMillis(-1)));
    }

    @Test
    void pollingAPipeReportsReadinessAndTimeouts() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1]; Arena arena = Arena.ofConfined()) {
            long start = System.nanoTime();
            assertFalse(Waits.poll(readEnd, Syscalls.POLLIN, Duration.ofMillis(30), "poll"));
            assertTrue(System.nanoTime() - start >= 29_000_000L);
            Syscalls.write(writeEnd, arena.allocateFrom("x"));
            assertTrue(Waits.poll(readEnd, Syscalls.POLLIN, Duration.ZERO, "poll"));
        }
    }
}

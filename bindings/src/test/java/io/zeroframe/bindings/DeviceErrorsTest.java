package io.zeroframe.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.zeroframe.bindings.sys.DeviceErrors;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The errno classification that the V4L2 and DRM devices share, on a memfd standing in for a device's fd. */
@ExtendWith(NoLeaks.class)
class DeviceErrorsTest {
    private static final DeviceErrors ERRORS = new DeviceErrors("the device is gone; find it again");

    @Test
    void enodevIsDeviceGoneWithTheCallersDetailAndTheDevicesAdvice() throws Exception {
        try (OwnedFd fd = Syscalls.memfdCreate("dev", 0)) {
            KernelException e = ERRORS.failure(fd, "VIDIOC_DQBUF", Errno.ENODEV, "buffer 3");
            assertInstanceOf(DeviceGoneException.class, e);
            assertEquals("VIDIOC_DQBUF on memfd:dev: ENODEV (No such device): buffer 3; the device is gone; find it"
                    + " again", e.getMessage());
            assertEquals("VIDIOC_DQBUF on memfd:dev: ENODEV (No such device): the device is gone; find it again",
                    ERRORS.failure(fd, "VIDIOC_DQBUF", Errno.ENODEV, null).getMessage());
        }
    }

    @Test
    void ebadfIsFdClosedOnlyOnceTheFdIsClosed() throws Exception {
        OwnedFd fd = Syscalls.memfdCreate("dev", 0);
        KernelException open = ERRORS.failure(fd, "VIDIOC_QBUF", Errno.EBADF, "dma-buf of buffer 0");
        assertEquals(KernelException.class, open.getClass(), "EBADF on an open fd is a bad fd in the argument");
        assertEquals("VIDIOC_QBUF on memfd:dev: EBADF (Bad file descriptor): dma-buf of buffer 0", open.getMessage());
        fd.close();
        KernelException closed = ERRORS.failure(fd, "VIDIOC_QBUF", Errno.EBADF, "dma-buf of buffer 0");
        assertInstanceOf(FdClosedException.class, closed);
        assertEquals("VIDIOC_QBUF on memfd:dev: EBADF (Bad file descriptor): the fd was already closed",
                closed.getMessage());
    }

    @Test
    void eaccesIsAPermissionProblemOnlyWhereTheCallerSaysWhatItMeans() throws Exception {
        try (OwnedFd fd = Syscalls.memfdCreate("card", 0)) {
            KernelException plain = ERRORS.failure(fd, "VIDIOC_S_CTRL", Errno.EACCES, "a read-only control");
            assertEquals(KernelException.class, plain.getClass());
            KernelException master = ERRORS.failure(fd, "DRM_IOCTL_MODE_ATOMIC", Errno.EACCES, "commit",
                    "not master: stop the compositor");
            assertInstanceOf(DevicePermissionException.class, master);
            assertEquals("DRM_IOCTL_MODE_ATOMIC on memfd:card: EACCES (Permission denied): commit; not master: stop"
                    + " the compositor", master.getMessage());
            KernelException noDetail = ERRORS.failure(fd, "DRM_IOCTL_MODE_ATOMIC", Errno.EACCES, null, "not master");
            assertEquals("DRM_IOCTL_MODE_ATOMIC on memfd:card: EACCES (Permission denied): not master",
                    noDetail.getMessage());
            // the advice is only for EACCES: other errnos keep the plain class and the caller's detail
            KernelException other = ERRORS.failure(fd, "DRM_IOCTL_MODE_ATOMIC", Errno.EINVAL, "commit", "not master");
            assertEquals(KernelException.class, other.getClass());
            assertEquals("DRM_IOCTL_MODE_ATOMIC on memfd:card: EINVAL (Invalid argument): commit", other.getMessage());
        }
    }

    @Test
    void classifyReplacesOnlyPlainExceptionsWhoseErrnoMeansSomethingHere() throws Exception {
        try (OwnedFd fd = Syscalls.memfdCreate("dev", 0)) {
            KernelException gone = ERRORS.classify(fd, KernelException.of("VIDIOC_G_FMT", fd.path(), Errno.ENODEV));
            assertInstanceOf(DeviceGoneException.class, gone);
            assertEquals("VIDIOC_G_FMT", gone.operation());
            KernelException einval = KernelException.of("VIDIOC_G_FMT", fd.path(), Errno.EINVAL);
            assertSame(einval, ERRORS.classify(fd, einval));
            KernelException classified = new FdClosedException("VIDIOC_G_FMT", fd.path(), "closed while waiting");
            assertSame(classified, ERRORS.classify(fd, classified));
        }
    }
}

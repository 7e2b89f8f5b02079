package io.zeroframe.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class KernelExceptionTest {
    @Test
    void messageNamesOperationPathAndErrno() {
        KernelException e = KernelException.of("DRM_IOCTL_MODE_ATOMIC", "/dev/dri/card1", Errno.EINVAL);
        assertEquals("DRM_IOCTL_MODE_ATOMIC on /dev/dri/card1: EINVAL (Invalid argument)", e.getMessage());
        assertInstanceOf(IOException.class, e);
        assertEquals(KernelException.class, e.getClass());
    }

    @Test
    void withoutAPathTheMessageOmitsIt() {
        assertEquals("memfd_create: EINVAL (Invalid argument): name too long",
                KernelException.of("memfd_create", null, Errno.EINVAL, "name too long").getMessage());
    }

    @Test
    void theErrnoAloneNeverPicksASubclass() {
        KernelException e = KernelException.of("VIDIOC_DQBUF", "/dev/video0", Errno.ENODEV);
        assertEquals(KernelException.class, e.getClass());
        assertEquals("VIDIOC_DQBUF on /dev/video0: ENODEV (No such device)", e.getMessage());
        assertEquals(KernelException.class, KernelException.of("ioctl", null, Errno.EPERM).getClass());
        assertEquals(KernelException.class, KernelException.of("DRM_IOCTL_MODE_ATOMIC", "/dev/dri/card0",
                Errno.EACCES).getClass());
        DeviceGoneException gone = new DeviceGoneException("VIDIOC_DQBUF", "/dev/video0", Errno.ENODEV, null);
        assertEquals("VIDIOC_DQBUF on /dev/video0: ENODEV (No such device)", gone.getMessage());
    }

    @Test
    void permissionErrorsNameTheNodeOwnerModeAndFix() {
        KernelException e = DevicePermissionException.forNode("open", "/dev/null", Errno.EACCES, null);
        assertTrue(e.getMessage().startsWith(
                "open on /dev/null: EACCES (Permission denied): node is root:root crw-rw-rw-, this process runs as uid "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; grant access with a udev rule (e.g. GROUP=\"video\", MODE=\"0660\")"
                + " and add the user to that group, or run as root"), e.getMessage());
    }

    @Test
    void errnoNamesComeFromTheCLibrary() {
        assertEquals("ENOTTY", Errno.name(Errno.ENOTTY));
        assertEquals("Inappropriate ioctl for device", Errno.description(Errno.ENOTTY));
        assertEquals("ETIME", Errno.name(Errno.ETIME));
        assertEquals("errno 4242", Errno.name(4242));
    }
}

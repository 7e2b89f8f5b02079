package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.zeroframe.dmabuf.internal.NodeAccess;
import io.zeroframe.dmabuf.negotiation.Allocator;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link UdmabufAllocator#describe()} against the test bed's {@code /dev/udmabuf} ({@code root:video 0660}, the test
 * user is in group video) and the root-only second node of it that the test bed's init makes for this test.
 */
@Tag("device")
class UdmabufAllocatorDeviceTest extends DeviceTestSupport {
    @Test
    void udmabufIsUsableInTheTestBed() {
        require(Udmabuf.DEVICE);
        assertEquals(Allocator.udmabuf(), UdmabufAllocator.describe());
    }

    @Test
    void aNodeThisUserMayNotOpenMakesUdmabufUnusableWithOwnerModeAndFix() throws Exception {
        Path locked = require(Path.of("/run/zf-locked/udmabuf"));
        NodeAccess.Identity me = NodeAccess.Identity.current();
        assertNotEquals(0, me.uid(), "device tests run as an unprivileged user (scripts/test: --user 1000:1000)");
        assertEquals(Allocator.unusable(Allocator.Source.UDMABUF, "udmabuf", "/run/zf-locked/udmabuf is root:root"
                + " 0600 and this process (" + me + ") may not open it for reading and writing; add a udev rule"
                + " giving a group access (KERNEL==\"udmabuf\", GROUP=\"video\", MODE=\"0660\") and run as a member"
                + " of that group, or run as root"), UdmabufAllocator.describe(locked, NodeAccess::stat, me));
    }
}

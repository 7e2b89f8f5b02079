package io.zeroframe.dmabuf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The reasons {@link NodeAccess} gives, from made-up stat results (the kernel's own refusal is a device test). */
@ExtendWith(NoLeaks.class)
class NodeAccessTest {
    private static final Path HEAP = Path.of("/dev/dma_heap/system");
    private static final NodeAccess.Rule HEAP_RULE = new NodeAccess.Rule(Syscalls.O_RDONLY,
            "SUBSYSTEM==\"dma_heap\", KERNEL==\"system\"", "is gone");
    private static final NodeAccess.Rule UDMABUF_RULE = new NodeAccess.Rule(Syscalls.O_RDWR, "KERNEL==\"udmabuf\"",
            "not present: load the udmabuf module (CONFIG_UDMABUF)");
    private static final NodeAccess.Identity USER = new NodeAccess.Identity(1000, Set.of(1000));

    @Test
    void aRootOnlyNodeNeedsAUdevRuleGivingAGroupAccess() {
        NodeAccess.Status status = new NodeAccess.Status("root", "root", 0, 0, 0600);
        assertEquals("/dev/dma_heap/system is root:root 0600 and this process (uid 1000, groups 1000) may not open"
                + " it for reading; add a udev rule giving a group access (SUBSYSTEM==\"dma_heap\","
                + " KERNEL==\"system\", GROUP=\"video\", MODE=\"0660\") and run as a member of that group, or run"
                + " as root", NodeAccess.refusal(HEAP, HEAP_RULE, status, USER));
    }

    @Test
    void aNodeItsGroupMayOpenNeedsTheUserInThatGroup() {
        NodeAccess.Status status = new NodeAccess.Status("root", "video", 0, 44, 0660);
        assertEquals("/dev/udmabuf is root:video 0660 and this process (uid 1000, groups 1000) may not open it for"
                + " reading and writing; add the user to group 'video' (usermod -aG video USER, then log in again),"
                + " or run as a member of it",
                NodeAccess.refusal(Path.of("/dev/udmabuf"), UDMABUF_RULE, status, USER));
    }

    @Test
    void aGroupWithoutTheNeededBitsNeedsARuleForThatGroup() {
        // group read is enough for a heap but not for udmabuf, which is opened for writing too
        NodeAccess.Status status = new NodeAccess.Status("root", "video", 0, 44, 0640);
        NodeAccess.Identity member = new NodeAccess.Identity(1000, Set.of(1000, 44));
        assertEquals("/dev/udmabuf is root:video 0640 and this process (uid 1000, groups 44 1000) may not open it"
                + " for reading and writing; add a udev rule giving its group access (KERNEL==\"udmabuf\","
                + " GROUP=\"video\", MODE=\"0660\") and run as a member of that group, or run as root",
                NodeAccess.refusal(Path.of("/dev/udmabuf"), UDMABUF_RULE, status, member));
        assertTrue(NodeAccess.refusal(HEAP, HEAP_RULE, status, member).contains(
                "may not open it for reading; its mode allows this, so an ACL or a security module (SELinux,"
                        + " AppArmor) refuses it: check getfacl /dev/dma_heap/system and the audit log"));
    }

    @Test
    void aModeThatAdmitsEveryoneBlamesAclsOrTheSecurityModule() {
        NodeAccess.Status world = new NodeAccess.Status("system", "system", 1000, 1000, 0444);
        assertEquals("/dev/dma_heap/system is system:system 0444 and this process (uid 2000, groups 2000) may not"
                + " open it for reading; its mode allows this, so an ACL or a security module (SELinux, AppArmor)"
                + " refuses it: check getfacl /dev/dma_heap/system and the audit log",
                NodeAccess.refusal(HEAP, HEAP_RULE, world, new NodeAccess.Identity(2000, Set.of(2000))));
    }

    @Test
    void anOwnerWithoutTheBitsIsToldToUseAGroup() {
        NodeAccess.Status status = new NodeAccess.Status("zf", "zf", 1000, 1000, 0000);
        assertTrue(NodeAccess.refusal(HEAP, HEAP_RULE, status, USER).endsWith("0000 and this process (uid 1000,"
                + " groups 1000) may not open it for reading; add a udev rule giving its group access"
                + " (SUBSYSTEM==\"dma_heap\", KERNEL==\"system\", GROUP=\"zf\", MODE=\"0660\") and run as a member"
                + " of that group, or run as root"), NodeAccess.refusal(HEAP, HEAP_RULE, status, USER));
    }

    @Test
    void anOpenableNodeIsUsableAndAMissingOneSaysWhatToLoad(@TempDir Path directory) throws Exception {
        Path node = Files.createFile(directory.resolve("udmabuf"));
        NodeAccess.StatusReader unused = path -> {
            throw new AssertionError("stat is read only for a refusal");
        };
        assertEquals(Optional.empty(), NodeAccess.whyUnusable(node, UDMABUF_RULE, unused, USER));
        assertEquals(Optional.of(directory.resolve("gone") + " not present: load the udmabuf module (CONFIG_UDMABUF)"),
                NodeAccess.whyUnusable(directory.resolve("gone"), UDMABUF_RULE, unused, USER));
    }

    @Test
    void statReadsOwnerGroupAndMode(@TempDir Path directory) throws Exception {
        Path node = Files.createFile(directory.resolve("node"));
        Files.setPosixFilePermissions(node, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        NodeAccess.Status status = NodeAccess.stat(node).orElseThrow();
        assertEquals(0640, status.permissions());
        assertEquals(Files.getOwner(node).getName(), status.owner());
        assertEquals((int) Files.getAttribute(node, "unix:uid"), status.uid());
        assertEquals(Optional.empty(), NodeAccess.stat(directory.resolve("gone")));
    }

    @Test
    void theCurrentProcessIsReadFromProc() throws Exception {
        NodeAccess.Identity identity = NodeAccess.Identity.current();
        assertEquals((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid"), identity.uid());
        assertTrue(identity.groups().contains((int) Files.getAttribute(Path.of("/proc/self"), "unix:gid")));
    }
}

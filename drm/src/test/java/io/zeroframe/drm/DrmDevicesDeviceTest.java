package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Discovery of the test bed's three DRM devices: vgem and virtio-gpu (with render nodes) and vkms (without). */
@Tag("device")
@ExtendWith(NoLeaks.class)
class DrmDevicesDeviceTest {
    @Test
    void theTestBedsCardsAreFoundByDriverName() throws Exception {
        DrmDeviceInfo vgem = DrmDevices.findByDriver("vgem").orElseThrow();
        DrmDeviceInfo gpu = DrmDevices.findByDriver("virtio_gpu").orElseThrow();
        DrmDeviceInfo vkms = DrmDevices.findByDriver("vkms").orElseThrow();
        assertEquals(3, Set.of(vgem.path(), gpu.path(), vkms.path()).size());
        assertTrue(DrmDevices.cards().containsAll(List.of(vgem.path(), gpu.path(), vkms.path())), DrmDevices.cards().toString());
        assertTrue(DrmDevices.findByDriver("no_such_driver").isEmpty());
    }

    @Test
    void renderNodesGiveTheVersionAndDisplayOnlyDriversComeFromSysfs() throws Exception {
        DrmDeviceInfo vgem = DrmDevices.findByDriver("vgem").orElseThrow();
        DrmVersion vgemVersion = vgem.version().orElseThrow();
        assertEquals("vgem", vgemVersion.name());
        assertEquals("Virtual GEM provider", vgemVersion.description());
        assertTrue(vgem.renderNode().orElseThrow().getFileName().toString().startsWith("renderD"), vgem.toString());
        assertEquals(Path.of("/sys/devices/platform/vgem"), vgem.sysfsDevice());

        DrmDeviceInfo gpu = DrmDevices.findByDriver("virtio_gpu").orElseThrow();
        assertTrue(gpu.version().orElseThrow().description().toLowerCase().contains("virtio"), gpu.toString());
        assertNotEquals(vgem.renderNode(), gpu.renderNode());

        // vkms has no render node: its name comes from sysfs and its version is unknown
        DrmDeviceInfo vkms = DrmDevices.findByDriver("vkms").orElseThrow();
        assertTrue(vkms.renderNode().isEmpty(), vkms.toString());
        assertTrue(vkms.version().isEmpty(), vkms.toString());
        assertEquals(Path.of("/sys/devices/platform/vkms"), vkms.sysfsDevice());

        // a render node identifies the same device as its card
        assertEquals(vgem, DrmDevices.query(vgem.renderNode().orElseThrow()));
        assertEquals(2, DrmDevices.renderNodes().size(), DrmDevices.renderNodes().toString());
    }

    /** Discovery must not become DRM master by accident: inotify sees every open of a primary node. */
    @Test
    void discoveryNeverOpensAPrimaryNode() throws Throwable {
        List<Path> cards = DrmDevices.cards();
        assertEquals(3, cards.size(), cards.toString());
        try (Inotify inotify = new Inotify()) {
            for (Path card : cards) {
                inotify.watchOpens(card);
            }
            Set<String> drivers = new HashSet<>();
            for (Path card : cards) {
                drivers.add(DrmDevices.query(card).driver());
            }
            DrmDevices.findByDriver("vkms").orElseThrow();
            assertEquals(Set.of("vgem", "virtio_gpu", "vkms"), drivers);
            assertFalse(inotify.hasEvents(), "discovery opened a primary node");
            // the control: opening a card is seen
            try (OwnedFd opened = Syscalls.open(cards.getFirst(), Syscalls.O_RDWR)) {
                assertTrue(inotify.hasEvents(), "inotify did not report opening " + cards.getFirst());
            }
        }
    }

    @Test
    void aNodeThatIsNotDrmFailsNamingIt() {
        NoSuchFileException notDrm = assertThrows(NoSuchFileException.class,
                () -> DrmDevices.query(Path.of("/dev/dma_heap/system")));
        assertEquals("/dev/dma_heap/system: not a DRM card or render node (no /sys/class/drm/system)",
                notDrm.getMessage());
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> DrmDevices.query(Path.of("/dev/dri/card99")));
        assertEquals("/dev/dri/card99", missing.getMessage());
    }

    /** inotify(7) for IN_OPEN on device nodes, through the C library (test code only). */
    private static final class Inotify implements AutoCloseable {
        private static final int IN_OPEN = 0x20;
        private static final Linker LINKER = Linker.nativeLinker();
        private static final MethodHandle INIT = LINKER.downcallHandle(
                LINKER.defaultLookup().find("inotify_init1").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        private static final MethodHandle ADD_WATCH = LINKER.downcallHandle(
                LINKER.defaultLookup().find("inotify_add_watch").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_INT));
        private final OwnedFd fd;

        Inotify() throws Throwable {
            int raw = (int) INIT.invokeExact(Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC);
            assertTrue(raw >= 0, "inotify_init1 failed");
            fd = OwnedFd.adopt(raw, "inotify");
        }

        void watchOpens(Path node) throws Throwable {
            try (Arena arena = Arena.ofConfined()) {
                int watch = (int) ADD_WATCH.invokeExact(fd.get(), arena.allocateFrom(node.toString()), IN_OPEN);
                assertTrue(watch >= 0, "inotify_add_watch " + node + " failed");
            }
        }

        boolean hasEvents() throws Exception {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment pollFd = arena.allocate(Syscalls.POLLFD);
                pollFd.set(ValueLayout.JAVA_INT, 0, fd.get());
                pollFd.set(ValueLayout.JAVA_SHORT, 4, Syscalls.POLLIN);
                return Syscalls.poll(pollFd, 1, 0) == 1;
            }
        }

        @Override
        public void close() {
            fd.close();
        }
    }
}

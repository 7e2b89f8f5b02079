package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.internal.NodeAccess;
import io.zeroframe.dmabuf.negotiation.Allocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What {@link UdmabufAllocator} refuses before it asks the kernel (no /dev/udmabuf needed). */
@ExtendWith(NoLeaks.class)
class UdmabufAllocatorTest {
    @Test
    void sizesThatAreNotPositiveOrCannotBeRoundedAreRefused() {
        UdmabufAllocator allocator = new UdmabufAllocator();
        assertEquals("udmabuf allocation of 0 bytes: not a positive size",
                assertThrows(IllegalArgumentException.class, () -> allocator.allocate(0)).getMessage());
        assertEquals("udmabuf allocation of -5 bytes: not a positive size",
                assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-5)).getMessage());
        assertEquals("udmabuf allocation of 9223372036854775807 bytes: too large to round up to whole pages",
                assertThrows(IllegalArgumentException.class, () -> allocator.allocate(Long.MAX_VALUE)).getMessage());
    }

    @Test
    void withoutTheNodeUdmabufIsUnusableAndSaysWhatToLoad(@TempDir Path directory) {
        NodeAccess.Identity user = new NodeAccess.Identity(1000, Set.of(1000));
        Allocator missing = UdmabufAllocator.describe(directory.resolve("udmabuf"), NodeAccess::stat, user);
        assertEquals(Allocator.unusable(Allocator.Source.UDMABUF, "udmabuf", directory.resolve("udmabuf")
                + " not present: load the udmabuf module (CONFIG_UDMABUF)"), missing);
        assertEquals(Optional.of(directory.resolve("udmabuf") + " not present: load the udmabuf module"
                + " (CONFIG_UDMABUF)"), missing.unusable());
    }

    @Test
    void anOpenableNodeMakesUdmabufUsable(@TempDir Path directory) throws Exception {
        Path node = Files.createFile(directory.resolve("udmabuf"));
        assertEquals(Allocator.udmabuf(), UdmabufAllocator.describe(node, NodeAccess::stat,
                new NodeAccess.Identity(1000, Set.of(1000))));
        assertEquals(Allocator.udmabuf(), UdmabufAllocator.source().allocator());
    }
}

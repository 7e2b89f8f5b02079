package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.bindings.testing.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
}

package io.zeroframe.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeaks.class)
class DeviceNodesTest {
    @Test
    void numberedNodesInNumericOrder(@TempDir Path dev) throws Exception {
        for (String name : List.of("video10", "video2", "video", "videox", "vbi0", "video0")) {
            Files.createFile(dev.resolve(name));
        }
        assertEquals(List.of(dev.resolve("video0"), dev.resolve("video2"), dev.resolve("video10")),
                DeviceNodes.list(dev, "video"));
        assertEquals(List.of(), DeviceNodes.list(dev.resolve("missing"), "card"));
    }
}

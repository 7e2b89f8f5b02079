package io.zeroframe.bindings.device;

import static org.junit.jupiter.api.Assertions.fail;

import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the bindings' device tests: they run against real drivers (the test bed or a host that has them) and
 * fail, never skip, when a device is missing. Each test must leave the process's fds as it found them.
 */
@ExtendWith(NoLeaks.class)
abstract class DeviceTestSupport {



    static Path require(String node) {
        Path path = Path.of(node);
        if (!Files.exists(path)) {
            fail(node + " is missing: device tests need the kernel test bed (scripts/test boots it)");
        }
        return path;
    }
}

package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test bed's screenshot service, which display tests use to check the pixels a CRTC scans out: the guest
 * writes NAME.req into $ZF_TESTBED_SCREENSHOTS and the host answers with NAME.png (QMP screendump).
 * Runs only inside the test bed (tag "testbed").
 */
@Tag("testbed")
@ExtendWith(NoLeaks.class)
class TestBedScreenshotTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void theHostScreenshotsTheVirtioGpuDisplay() throws Exception {
        String directory = System.getenv("ZF_TESTBED_SCREENSHOTS");
        assertNotNull(directory, "ZF_TESTBED_SCREENSHOTS is not set: not running in the test bed");
        Path png = Path.of(directory, "testbed-self-check.png");
        Files.deleteIfExists(png);
        Files.createFile(Path.of(directory, "testbed-self-check.req"));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(png) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(png), "no screenshot from the host within 30 s");
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8));
        ByteBuffer header = ByteBuffer.wrap(bytes, 8, 24);
        header.getInt();
        assertEquals("IHDR", new String(bytes, 12, 4, java.nio.charset.StandardCharsets.US_ASCII));
        header.getInt();
        int width = header.getInt();
        int height = header.getInt();
        // virtio-gpu's console runs at its first mode, 1280x800 in this QEMU
        assertEquals(1280, width);
        assertEquals(800, height);
        Files.delete(png);
    }
}

package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The errno values MoreErrno derives, checked against gcc's {@code <errno.h>} (as AbiTest checks the bindings). */
@ExtendWith(NoLeaks.class)
class MoreErrnoTest {
    @Test
    void matchesTheCHeaders(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("errno.c");
        Files.writeString(source, """
                #include <errno.h>
                #include <stdio.h>
                int main(void) { printf("%d %d %d\\n", ENOLCK, ENODATA, ENOLINK); return 0; }
                """);
        Path binary = dir.resolve("errno");
        run("gcc", "-o", binary.toString(), source.toString());
        assertEquals(MoreErrno.ENOLCK + " " + MoreErrno.ENODATA + " " + MoreErrno.ENOLINK, run(binary.toString()).strip());
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.getInputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        process.getErrorStream().close();
        return out;
    }
}

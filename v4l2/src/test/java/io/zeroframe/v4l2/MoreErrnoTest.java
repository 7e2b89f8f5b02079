package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zeroframe.bindings.testing.Commands;
import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Commands.check("gcc", "-o", binary.toString(), source.toString());
        assertEquals(MoreErrno.ENOLCK + " " + MoreErrno.ENODATA + " " + MoreErrno.ENOLINK, Commands.check(binary.toString()).strip());
    }
}

package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.Commands;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.v4l2.launch.MapUnderDeny;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The library on the module path under {@code --illegal-native-access=deny}, with native access granted to the
 * modules that need it ({@code io.zeroframe.bindings}, {@code io.zeroframe.dmabuf}) and not to v4l2: mapping a
 * buffer in the caller's arena ({@link VideoBuffer#map}) works, and once that arena is closed the queue frees its
 * buffers. Runs {@link MapUnderDeny} in a JVM of its own.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class NativeAccessDeviceTest {
    @Test
    void aCallersMappingWorksAndEndsWithItsArenaWithoutNativeAccessForV4l2() throws Exception {
        List<String> classPath = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        List<String> modules = new ArrayList<>();
        for (String module : List.of("bindings", "dmabuf", "v4l2")) {
            modules.add(find(classPath, "/" + module + "/target/classes"));
        }
        modules.add(classPath.stream().filter(e -> Path.of(e).getFileName().toString().startsWith("slf4j-api"))
                .findFirst().orElseThrow(() -> new AssertionError("no slf4j-api in " + classPath)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "--illegal-native-access=deny", "--enable-native-access=io.zeroframe.bindings,io.zeroframe.dmabuf",
                "--module-path", String.join(File.pathSeparator, modules), "--add-modules", "io.zeroframe.v4l2",
                "-cp", find(classPath, "/v4l2/target/test-classes"), MapUnderDeny.class.getName(),
                Vivid.capture().toString());
        Commands.Result result = Commands.run(Commands.Stderr.MERGED, command);
        System.out.println("module path, v4l2 without native access:\n" + result.output());
        List<String> outcomes = result.output().lines()
                .filter(line -> line.startsWith("map: ") || line.startsWith("release: ")).toList();
        assertEquals(2, outcomes.size(), result.output());
        assertTrue(outcomes.get(0).matches("map: \\d+ bytes"), result.output());
        assertEquals("release: ok", outcomes.get(1), result.output());
        assertEquals(0, result.exitCode(), result.output());
    }

    private static String find(List<String> classPath, String suffix) {
        return classPath.stream().filter(e -> e.endsWith(suffix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + suffix + " in " + classPath));
    }
}

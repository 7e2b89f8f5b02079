package io.zeroframe.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's native-access flags for the module path (the tests themselves run on the class path): they name
 * exactly the modules that call restricted methods, as {@code jnativescan} finds them in the built modules, and a
 * program on the module path launched with them runs without the JVM's restricted-method warning.
 */
class ModulePathLaunchTest {
    private static final Pattern MODULE_PATH_FLAGS =
            Pattern.compile("module path: `java --enable-native-access=([\\w.,]+) -p ");
    private static final String WARNING = "WARNING: A restricted method";

    @TempDir
    Path directory;

    @Test
    void theReadmeNamesExactlyTheModulesThatCallRestrictedMethods() throws Exception {
        ToolProvider scan = ToolProvider.findFirst("jnativescan").orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = scan.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "--module-path", modulePath(),
                "--add-modules", "ALL-MODULE-PATH", "--print-native-access");
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        Set<String> found = new TreeSet<>(Arrays.asList(out.toString(StandardCharsets.UTF_8).trim().split(",")));
        assertEquals(found, new TreeSet<>(Arrays.asList(documentedModules().split(","))),
                "README.md's --enable-native-access list for the module path");
    }

    @Test
    void aProgramOnTheModulePathRunsWithTheDocumentedFlagsAndNoWarning() throws Exception {
        Path classes = compileLaunchModule();
        String modulePath = modulePath() + File.pathSeparator + classes;
        Launch launch = launch("--enable-native-access=" + documentedModules(), "-p", modulePath,
                "-m", "zf.launch/zf.launch.Main");
        assertEquals(0, launch.status(), launch.toString());
        assertEquals(List.of("memfd byte 42", "open on /nonexistent/video0: ENOENT (No such file or directory)"),
                launch.stdout().lines().toList(), launch.toString());
        assertTrue(launch.stderr().lines().noneMatch(line -> line.startsWith("WARNING:")), launch.toString());

        // the control: without io.zeroframe.bindings the same program draws the warning this test looks for
        Launch without = launch("--enable-native-access=io.zeroframe.v4l2", "-p", modulePath,
                "-m", "zf.launch/zf.launch.Main");
        assertEquals(0, without.status(), without.toString());
        assertTrue(without.stderr().contains(WARNING) && without.stderr().contains("module io.zeroframe.bindings"),
                without.toString());
    }

    /** A module that maps a memfd (dmabuf over bindings) and fails to open a video node (v4l2's error path). */
    private Path compileLaunchModule() throws IOException {
        Path source = directory.resolve("src");
        Files.createDirectories(source.resolve("zf/launch"));
        Files.writeString(source.resolve("module-info.java"), """
                module zf.launch {
                    requires io.zeroframe.v4l2;
                }
                """);
        Files.writeString(source.resolve("zf/launch/Main.java"), """
                package zf.launch;

                import io.zeroframe.bindings.KernelException;
                import io.zeroframe.dmabuf.Memfd;
                import io.zeroframe.v4l2.VideoDevice;
                import java.lang.foreign.Arena;
                import java.lang.foreign.MemorySegment;
                import java.lang.foreign.ValueLayout;
                import java.nio.file.Path;

                public final class Main {
                    public static void main(String[] args) throws Exception {
                        try (Memfd memory = Memfd.create("launch", 1 << 16); Arena arena = Arena.ofConfined()) {
                            MemorySegment bytes = memory.map(arena);
                            bytes.set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
                            System.out.println("memfd byte " + bytes.get(ValueLayout.JAVA_BYTE, 0));
                        }
                        try (VideoDevice device = VideoDevice.open(Path.of("/nonexistent/video0"))) {
                            System.out.println("opened " + device);
                        } catch (KernelException e) {
                            System.out.println(e.getMessage());
                        }
                    }
                }
                """);
        Path classes = directory.resolve("classes");
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(messages, true, StandardCharsets.UTF_8);
        int status = ToolProvider.findFirst("javac").orElseThrow().run(print, print, "-d", classes.toString(),
                "--module-path", modulePath(), source.resolve("module-info.java").toString(),
                source.resolve("zf/launch/Main.java").toString());
        assertEquals(0, status, () -> "javac of the launch module:\n" + messages.toString(StandardCharsets.UTF_8));
        return classes;
    }

    private record Launch(List<String> command, int status, String stdout, String stderr) {
        @Override
        public String toString() {
            return String.join(" ", command) + "\nexit " + status + "\nstdout:\n" + stdout + "stderr:\n" + stderr;
        }
    }

    /** Runs {@code java} with {@code arguments}; its output goes to files (no pipes left behind). */
    private Launch launch(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(arguments));
        Path out = Files.createTempFile(directory, "stdout", ".txt");
        Path err = Files.createTempFile(directory, "stderr", ".txt");
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not end in 120 s");
        }
        return new Launch(command, process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The modules in README.md's module-path command line. */
    private static String documentedModules() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("README.md")) || !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        Matcher flags = MODULE_PATH_FLAGS.matcher(Files.readString(dir.resolve("README.md")));
        assertTrue(flags.find(), "README.md has no \"module path: `java --enable-native-access=...\" line");
        return flags.group(1);
    }

    /**
     * The built Zeroframe modules and their runtime dependencies, from the paths this test runs with (surefire
     * puts them on the module path, as the samples module has a module descriptor, or on the class path): main
     * outputs only, no test classes or test jars; plus what the samples module needs for its {@code info} tool.
     */
    private static String modulePath() {
        String paths = System.getProperty("jdk.module.path", "") + File.pathSeparator
                + System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(paths.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .distinct()
                .filter(entry -> {
                    String name = Path.of(entry).getFileName().toString();
                    boolean ours = entry.endsWith(File.separator + "target" + File.separator + "classes")
                            || (name.startsWith("zeroframe-") && name.endsWith(".jar") && !name.endsWith("-tests.jar"));
                    return ours || name.startsWith("slf4j-api-") || name.startsWith("slf4j-simple-")
                            || name.startsWith("picocli-") || name.startsWith("jackson-jr-objects-")
                            || name.startsWith("jackson-core-");
                })
                .collect(Collectors.joining(File.pathSeparator));
    }
}

package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running {@link FdChannelPeer}, started with the java of this one and, on the class path, everything
 * this JVM has on its class path or module path (surefire puts the modules on the module path and patches the
 * test classes in; the device-test runner uses the class path). Its output goes to files, so the test process
 * holds no pipe fds for it.
 */
final class FdChannelPeerJvm implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 300;

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private FdChannelPeerJvm(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static FdChannelPeerJvm start(Path directory, String mode, Path socket) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", classPath(), FdChannelPeer.class.getName(), mode, socket.toString()));
        Path out = directory.resolve(mode + ".out");
        Path err = directory.resolve(mode + ".err");
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        return new FdChannelPeerJvm(process, out, err);
    }

    /** Waits for the peer to exit and returns its stdout; fails with its stderr unless it exited with 0. */
    String awaitSuccess() throws Exception {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            fail("the peer JVM did not exit within " + TIMEOUT_SECONDS + " s; stderr:\n" + Files.readString(stderr));
        }
        if (process.exitValue() != 0) {
            fail("the peer JVM exited with " + process.exitValue() + "; stderr:\n" + Files.readString(stderr));
        }
        return Files.readString(stdout);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(location(FdChannelPeer.class));
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null) {
                for (String entry : value.split(File.pathSeparator)) {
                    if (!entry.isEmpty()) {
                        entries.add(entry);
                    }
                }
            }
        }
        // under surefire's module path the test classes are patched into io.zeroframe.dmabuf: add them by name
        Path testClasses = Path.of(location(FdChannel.class)).resolveSibling("test-classes");
        if (Files.isDirectory(testClasses)) {
            entries.add(testClasses.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.zeroframe.bindings.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The file descriptors and mappings this process holds, read from /proc/self: for leak checks. */
public final class ProcessFds {
    private static final Path FD_DIRECTORY = Path.of("/proc/self/fd");
    private static final Path MAPS = Path.of("/proc/self/maps");

    private ProcessFds() {}

    /**
     * Each open fd and what it refers to (the link target, e.g. {@code /dev/video0} or {@code /dmabuf:}), leaving
     * out the one used to read the directory.
     */
    public static Map<Integer, String> list() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(FD_DIRECTORY)) {
            String listing = FD_DIRECTORY.toRealPath().toString();
            for (Path entry : (Iterable<Path>) entries::iterator) {
                try {
                    String target = Files.readSymbolicLink(entry).toString();
                    if (!target.equals(listing)) {
                        fds.put(Integer.parseInt(entry.getFileName().toString()), target);
                    }
                } catch (NoSuchFileException closedMeanwhile) {
                    // the fd used to list the directory itself, or one closed by another thread
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + FD_DIRECTORY, e);
        }
        return fds;
    }

    /** How many of this process's mappings ({@code /proc/self/maps} lines) name {@code target}, e.g. {@code /dmabuf:}. */
    public static long mappingsOf(String target) {
        try (Stream<String> lines = Files.lines(MAPS)) {
            return lines.filter(line -> line.contains(target)).count();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + MAPS, e);
        }
    }
}

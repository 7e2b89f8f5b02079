package io.zeroframe.bindings.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Device nodes named PREFIX + number ({@code /dev/video3}, {@code /dev/dri/card1}), in numeric order. */
public final class DeviceNodes {
    private DeviceNodes() {}

    /**
     * The nodes in {@code directory} whose names are {@code prefix} followed by digits, sorted by number;
     * empty if the directory does not exist.
     */
    public static List<Path> list(Path directory, String prefix) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries
                    .filter(path -> isNumbered(path.getFileName().toString(), prefix))
                    .sorted(Comparator.comparingLong(path -> number(path, prefix)))
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private static boolean isNumbered(String name, String prefix) {
        return name.length() > prefix.length() && name.startsWith(prefix)
                && name.substring(prefix.length()).chars().allMatch(Character::isDigit);
    }

    private static long number(Path path, String prefix) {
        return Long.parseLong(path.getFileName().toString().substring(prefix.length()));
    }
}

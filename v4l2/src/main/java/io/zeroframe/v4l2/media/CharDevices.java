package io.zeroframe.v4l2.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Character device numbers to nodes, through sysfs ({@code /sys/dev/char/MAJOR:MINOR/uevent}, {@code DEVNAME=}). */
final class CharDevices {
    private static final Path SYS_DEV_CHAR = Path.of("/sys/dev/char");

    private CharDevices() {}

    /** The {@code /dev} node of {@code major:minor}; empty when sysfs does not know it (or has no DEVNAME). */
    static Optional<Path> node(int major, int minor) {
        if (major == 0 && minor == 0) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(SYS_DEV_CHAR.resolve(major + ":" + minor).resolve("uevent"))) {
                if (line.startsWith("DEVNAME=")) {
                    return Optional.of(Path.of("/dev").resolve(line.substring("DEVNAME=".length())));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

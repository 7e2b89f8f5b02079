package io.zeroframe.dmabuf.internal;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code /proc/self/fdinfo/N} and the {@code /proc/self/fd/N} link say about an open fd: how the kernel
 * itself tells a dma-buf ({@code exp_name:} line, link {@code /dmabuf:NAME}) or a sync_file
 * ({@code anon_inode:sync_file}) from other files.
 */
public final class FdInfo {
    private FdInfo() {}

    /**
     * The {@code key:\tvalue} lines of {@code /proc/self/fdinfo/N}, in order.
     *
     * @param fd borrowed
     * @throws KernelException EBADF if {@code fd} is closed; the errno-less I/O failure otherwise, as EIO
     */
    public static Map<String, String> read(OwnedFd fd) throws KernelException {
        return parse(readProc(fd, "fdinfo"));
    }

    /**
     * Where {@code /proc/self/fd/N} points: {@code /dmabuf:NAME}, {@code anon_inode:sync_file},
     * {@code /memfd:x (deleted)}, {@code pipe:[1234]}...
     *
     * @param fd borrowed
     */
    public static String linkTarget(OwnedFd fd) throws KernelException {
        return readProc(fd, "fd");
    }

    /** Parses fdinfo text: each {@code key:<tab>value} line; lines without a colon are skipped. */
    public static Map<String, String> parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    private static String readProc(OwnedFd fd, String directory) throws KernelException {
        int raw = fd.beginUse("read /proc/self/" + directory);
        Path path = Path.of("/proc/self", directory, Integer.toString(raw));
        try {
            return directory.equals("fd") ? Files.readSymbolicLink(path).toString() : Files.readString(path);
        } catch (IOException e) {
            throw KernelException.of("read " + path, fd.path(), Errno.EIO, e.toString());
        } finally {
            fd.endUse();
        }
    }
}

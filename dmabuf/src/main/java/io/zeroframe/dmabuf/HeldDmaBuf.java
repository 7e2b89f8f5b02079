package io.zeroframe.dmabuf;

import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.dmabuf.internal.FdInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dma-buf this process holds an fd of, as {@code /proc/self/fdinfo} describes it: for finding leaks and
 * accounting buffer memory. Two fds of one buffer (a duplicate, a second import) share the inode.
 *
 * {@snippet :
 * long bytes = HeldDmaBuf.list().stream().mapToLong(HeldDmaBuf::size).sum();
 * }
 *
 * @param fd       the fd number
 * @param inode    the buffer's inode ({@code ino}); equal for every fd of the same buffer
 * @param size     the buffer's size in bytes
 * @param exporter the exporting driver or heap ({@code exp_name}), e.g. {@code system}, {@code vivid}
 * @param name     the name set with {@code DMA_BUF_SET_NAME}, if any
 */
public record HeldDmaBuf(int fd, long inode, long size, String exporter, Optional<String> name) {
    /**
     * The dma-bufs among this process's open fds, by fd number.
     *
     * @throws IOException when /proc/self cannot be read (e.g. EMFILE at the process's fd limit)
     */
    public static List<HeldDmaBuf> list() throws IOException {
        List<HeldDmaBuf> held = new ArrayList<>();
        Map<Integer, String> fds;
        try {
            fds = ProcessFds.list();
        } catch (java.io.UncheckedIOException e) {
            throw new IOException("listing /proc/self/fd for dma-bufs: " + e.getCause().getMessage(), e.getCause());
        }
        for (Map.Entry<Integer, String> entry : fds.entrySet()) {
            if (!entry.getValue().startsWith(DmaBuf.LINK_PREFIX)) {
                continue;
            }
            Map<String, String> info;
            try {
                info = FdInfo.parse(Files.readString(Path.of("/proc/self/fdinfo", entry.getKey().toString())));
            } catch (NoSuchFileException closedMeanwhile) {
                continue;
            }
            String link = entry.getValue();
            held.add(new HeldDmaBuf(entry.getKey(), Long.parseLong(info.getOrDefault("ino", "0")),
                    Long.parseLong(info.getOrDefault("size", "0")), info.getOrDefault("exp_name", ""),
                    Optional.of(link.substring(DmaBuf.LINK_PREFIX.length())).filter(name -> !name.isEmpty())));
        }
        return held;
    }
}

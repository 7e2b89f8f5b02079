package io.zeroframe.dmabuf;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Unix domain socket listening for {@link FdChannel} connections at a file-system path, made by
 * {@link FdChannel#listen(Path)}.
 *
 * <p>Owns the listening socket and the socket file: {@link #close()} closes the one and deletes the other
 * (idempotent), unless the file was meanwhile replaced (another listener bound the same path after deleting this
 * one's file: its inode differs). Channels already accepted stay open. Thread-safe: {@link #close()} from another
 * thread wakes a thread blocked in {@link #accept()} with {@link io.zeroframe.bindings.FdClosedException}.
 */
public final class FdChannelListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FdChannelListener.class);

    private final OwnedFd socket;
    private final Path path;
    /** The socket file's inode when this listener bound it; -1 if it could not be read. */
    private final long inode;

    FdChannelListener(OwnedFd socket, Path path, long inode) {
        this.socket = socket;
        this.path = path;
        this.inode = inode;
    }

    /** The inode of {@code path}, or -1 when it cannot be read. */
    static long inodeOf(Path path) {
        try {
            return ((Number) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /**
     * Waits for the next peer to {@link FdChannel#connect(Path) connect} and returns the channel to it
     * ({@code accept4} with {@code SOCK_CLOEXEC}); blocks until one does or another thread closes this listener.
     *
     * @return a channel owned by the caller
     * @throws io.zeroframe.bindings.FdClosedException if this listener is closed before or during the wait
     * @throws KernelException {@code accept4 on unix:PATH}: EMFILE when the process is out of fds
     */
    public FdChannel accept() throws KernelException {
        return new FdChannel(UnixSockets.accept(socket));
    }

    /** The socket file peers connect to. */
    public Path path() {
        return path;
    }

    /** Whether this listener still owns its socket. */
    public boolean isOpen() {
        return socket.isOpen();
    }

    /** Closes the listening socket and deletes the socket file; later calls do nothing. */
    @Override
    public void close() {
        if (!socket.isOpen()) {
            return;
        }
        socket.close();
        try {
            long current = inodeOf(path);
            if (current == -1) {
                return; // deleted already
            }
            if (current != inode) {
                LOG.info("not deleting {}: it is no longer this listener's socket file (inode {} now, {} bound)",
                        path, current, inode);
                return;
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("could not delete the socket file {}: {}", path, e.toString());
        }
    }

    @Override
    public String toString() {
        return "FdChannelListener[" + socket + "]";
    }
}

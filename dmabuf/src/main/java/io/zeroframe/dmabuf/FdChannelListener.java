package io.zeroframe.dmabuf;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Unix domain socket listening for {@link FdChannel} connections at a file-system path, made by
 * {@link FdChannel#listen(Path)}.
 *
 * <p>Owns the listening socket and the socket file: {@link #close()} closes the one and deletes the other
 * (idempotent). Channels already accepted stay open. Not thread-safe.
 */
public final class FdChannelListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FdChannelListener.class);

    private final OwnedFd socket;
    private final Path path;

    FdChannelListener(OwnedFd socket, Path path) {
        this.socket = socket;
        this.path = path;
    }

    /**
     * Waits for the next peer to {@link FdChannel#connect(Path) connect} and returns the channel to it
     * ({@code accept4} with {@code SOCK_CLOEXEC}); blocks until one does.
     *
     * @return a channel owned by the caller
     * @throws KernelException {@code accept4 on unix:PATH}: EBADF once this listener is closed, EMFILE when
     *                         the process is out of fds
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

package io.zeroframe.dmabuf;

import io.zeroframe.bindings.OwnedFd;
import java.util.List;
import java.util.Objects;

/**
 * One message received on an {@link FdChannel}: the sender's metadata bytes and the fds it passed, as this
 * process's own fds for the same buffers, fences and files.
 *
 * <p>Owns every fd in it: {@link #close()} closes them all (idempotent). To keep one beyond the message, use it
 * and do not close the message, or {@link DmaBuf#duplicate() duplicate} it. The lists are unmodifiable; the
 * metadata array is the message's own (not copied), and records compare arrays by identity. Thread-safe as its
 * parts are: closing it from any thread closes each one safely.
 *
 * @param metadata the bytes the sender passed, at most {@link FdChannel#MAX_METADATA}
 * @param buffers  dma-bufs sent with {@link FdChannel#send(byte[], List, List)}, in the order sent
 * @param fences   sync_files sent with {@link FdChannel#send(byte[], List, List)}, in the order sent
 * @param fds      fds sent with {@link FdChannel#send(byte[], OwnedFd...)}, in the order sent
 */
public record FdMessage(byte[] metadata, List<DmaBuf> buffers, List<SyncFile> fences, List<OwnedFd> fds)
        implements AutoCloseable {

    public FdMessage {
        Objects.requireNonNull(metadata, "metadata");
        buffers = List.copyOf(buffers);
        fences = List.copyOf(fences);
        fds = List.copyOf(fds);
    }

    /** Closes every dma-buf, sync_file and fd of the message; later calls do nothing. */
    @Override
    public void close() {
        buffers.forEach(DmaBuf::close);
        fences.forEach(SyncFile::close);
        fds.forEach(OwnedFd::close);
    }

    @Override
    public String toString() {
        return "FdMessage[" + metadata.length + " bytes metadata, buffers=" + buffers + ", fences=" + fences
                + ", fds=" + fds + "]";
    }
}

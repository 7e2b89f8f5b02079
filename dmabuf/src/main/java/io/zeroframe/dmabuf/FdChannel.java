package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.UnixSockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ProtocolException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A connection between two processes (or threads) over a Unix domain socket that carries messages of metadata
 * bytes plus dma-bufs, sync_file fences or any other fds: the way a camera process hands frames to a display
 * process without copying them. The socket is {@code SOCK_SEQPACKET}, so every {@link #send} arrives as exactly
 * one {@link #receive()}; the fds travel as {@code SCM_RIGHTS} and the receiver gets its own fds for the same
 * buffers.
 *
 * <p>One side {@link #listen(Path) listens} on a socket file and {@link FdChannelListener#accept() accepts}; the
 * other {@link #connect(Path) connects}; then both sides may send and receive. Owns its socket: {@link #close()}
 * closes it (idempotent), and the peer's next {@code receive()} returns empty.
 *
 * <p>Thread safety: one thread may send while another receives, and {@link #close()} may come from any thread at
 * any time: a thread blocked in {@link #receive()} or in a {@link #send} waiting for room wakes at once with an
 * {@link io.zeroframe.bindings.FdClosedException}. Two concurrent senders or two concurrent receivers need the
 * caller's synchronisation.
 *
 * <p><b>Wire format.</b> A supported contract: a program in any language on the same machine that follows it can
 * be either end ({@code FdChannelTest} runs a C peer built with gcc). The socket is {@code AF_UNIX},
 * {@code SOCK_SEQPACKET}, connected to the path the listener is bound to. Each message is one {@code sendmsg}:
 * <pre>
 * offset  size  field
 *      0     4  magic: the bytes 'Z' 'F' 'f' 'd' (0x5A 0x46 0x66 0x64), in this order on every machine
 *      4     2  dma-bufs: how many of the message's fds are dma-bufs           (uint16_t)
 *      6     2  sync_files: how many fds after those are sync_file fences      (uint16_t)
 *      8     2  other fds: how many fds after those are any other file         (uint16_t)
 *     10     2  reserved: 0; a message with anything else here is refused
 *     12     n  metadata: 0 to {@link #MAX_METADATA} bytes, the sender's own
 * </pre>
 * As a C struct: {@code struct { char magic[4]; uint16_t dmabufs, sync_files, others, reserved; }} (12 bytes, no
 * padding) followed by the metadata. The counts are in the machine's byte order: fds cannot leave the machine, so
 * both ends always share it. The fds travel in one {@code SCM_RIGHTS} control message, dma-bufs first, then
 * sync_files, then the others; there are exactly as many as the counts add up to, at most {@link #MAX_FDS}, and
 * a message without fds has no control message. A receiver refuses (and closes the fds of) a message shorter
 * than the header, with another magic, non-zero reserved bytes, or fds that disagree with the counts; a message
 * longer than 12 + {@link #MAX_METADATA} bytes arrives truncated and is refused too. The end of the stream is the
 * peer's close (or exit), after the last message it sent.
 *
 * {@snippet :
 * // producer
 * try (FdChannelListener listener = FdChannel.listen(Path.of("/run/user/1000/frames.sock"));
 *      FdChannel consumer = listener.accept()) {
 *     consumer.send(frameHeader, List.of(buffer), List.of(renderDone));  // borrows buffer and fence
 * }
 * // consumer, in another process
 * try (FdChannel producer = FdChannel.connect(Path.of("/run/user/1000/frames.sock"))) {
 *     Optional<FdMessage> next;
 *     while ((next = producer.receive()).isPresent()) {
 *         try (FdMessage frame = next.get()) {                               // owns the received fds
 *             show(frame.metadata(), frame.buffers().getFirst(), frame.fences().getFirst());
 *         }
 *     }
 * }
 * }
 */
public final class FdChannel implements AutoCloseable {
    /** The largest metadata a message may carry: 64 KiB. */
    public static final int MAX_METADATA = 64 * 1024;
    /** The most fds (dma-bufs, sync_files and others together) one message may carry: {@code SCM_MAX_FD}, 253. */
    public static final int MAX_FDS = UnixSockets.SCM_MAX_FD;

    /** The magic's 4 bytes "ZFfd" read as a big-endian int, so that {@link #MAGIC_LAYOUT} keeps their order. */
    static final int MAGIC = 'Z' << 24 | 'F' << 16 | 'f' << 8 | 'd';
    static final ValueLayout.OfInt MAGIC_LAYOUT = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final int HEADER_SIZE = 12;
    private static final long BUFFERS_OFFSET = 4;
    private static final long FENCES_OFFSET = 6;
    private static final long FDS_OFFSET = 8;
    private static final long RESERVED_OFFSET = 10;

    private final OwnedFd socket;
    /** Room for the largest valid message, reused by {@link #receive()}. */
    private final MemorySegment receiveBuffer;
    private final int receiveFds;

    FdChannel(OwnedFd socket) {
        this(socket, HEADER_SIZE + MAX_METADATA, MAX_FDS);
    }

    /**
     * A channel that receives at most {@code receiveCapacity} bytes and {@code receiveFds} fds per message; smaller
     * than the defaults only in tests of truncation.
     */
    FdChannel(OwnedFd socket, int receiveCapacity, int receiveFds) {
        this.socket = socket;
        this.receiveBuffer = Arena.ofAuto().allocate(receiveCapacity);
        this.receiveFds = receiveFds;
    }

    /**
     * Creates the socket file {@code path} and listens on it for channels ({@code socket(AF_UNIX,
     * SOCK_SEQPACKET)}, {@code bind}, {@code listen}).
     *
     * @param path at most 107 bytes (the size of {@code sockaddr_un.sun_path}); it must not exist yet
     * @throws IllegalArgumentException if {@code path} is too long
     * @throws KernelException {@code bind on unix:PATH}: EADDRINUSE if the file exists (also a stale socket of a
     *                         process that died: delete it first), ENOENT for a missing directory, EACCES
     */
    public static FdChannelListener listen(Path path) throws KernelException {
        Objects.requireNonNull(path, "path");
        OwnedFd socket = UnixSockets.listen(path);
        try {
            return new FdChannelListener(socket, path, FdChannelListener.inodeOf(path));
        } catch (RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Connects to the {@link FdChannelListener} at {@code path} ({@code socket}, {@code connect}).
     *
     * @throws IllegalArgumentException if {@code path} is longer than 107 bytes
     * @throws KernelException {@code connect on unix:PATH}: ENOENT if there is no such file, ECONNREFUSED if it
     *                         is a socket nobody listens on any more or not a socket at all (the message says
     *                         which), EACCES without write permission on it
     */
    public static FdChannel connect(Path path) throws KernelException {
        Objects.requireNonNull(path, "path");
        try {
            return new FdChannel(UnixSockets.connect(path));
        } catch (KernelException e) {
            String kind = fileKind(path);
            if (kind == null || kind.equals("socket")) {
                throw e;
            }
            throw KernelException.of(e.operation(), e.path(), e.errno(), path + " is a " + kind
                    + ", not a socket: connect to the path an FdChannelListener listens on");
        }
    }

    /** What {@code path} is, when it exists and is not what a listener makes; null when it cannot be told. */
    private static String fileKind(Path path) {
        try {
            var attributes = java.nio.file.Files.readAttributes(path,
                    java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() ? "regular file" : attributes.isDirectory() ? "directory"
                    : attributes.isSymbolicLink() ? "symbolic link" : attributes.isOther() ? "socket" : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Sends one message with dma-bufs and sync_file fences ({@code sendmsg} with {@code SCM_RIGHTS}); the peer
     * receives them in {@link FdMessage#buffers()} and {@link FdMessage#fences()}, in this order. Blocks while
     * the socket's buffer is full (the peer is not receiving).
     *
     * @param metadata at most {@link #MAX_METADATA} bytes, e.g. the frame's format and timestamp
     * @param buffers  borrowed for the call: they stay open and owned by the caller; the peer gets its own fds
     *                 for the same buffers
     * @param fences   borrowed likewise
     * @throws IllegalArgumentException if the metadata is too large or there are more than {@link #MAX_FDS}
     * @throws io.zeroframe.bindings.FdClosedException if this channel, a buffer or a fence is closed (the fds
     *                         are held in use for the call, so a concurrent close cannot send a recycled number)
     * @throws KernelException {@code sendmsg on unix:PATH}: EPIPE if the peer closed the channel
     */
    public void send(byte[] metadata, List<DmaBuf> buffers, List<SyncFile> fences) throws KernelException {
        Objects.requireNonNull(metadata, "metadata");
        checkCount(buffers.size() + fences.size());
        OwnedFd[] fds = new OwnedFd[buffers.size() + fences.size()];
        int i = 0;
        for (DmaBuf buffer : buffers) {
            fds[i++] = buffer.ownedFd();
        }
        for (SyncFile fence : fences) {
            fds[i++] = fence.ownedFd();
        }
        send(metadata, buffers.size(), fences.size(), 0, fds);
    }

    /**
     * Sends one message with any fds (memfds, pipes, sockets, devices); the peer receives them in
     * {@link FdMessage#fds()}, in this order.
     *
     * @param metadata at most {@link #MAX_METADATA} bytes
     * @param fds      each borrowed for the call: they stay open and owned by the caller; the peer gets its own
     *                 fds for the same open files. At most {@link #MAX_FDS}
     * @throws IllegalArgumentException if the metadata is too large or there are too many fds
     * @throws KernelException {@code sendmsg on unix:PATH}: EPIPE if the peer closed the channel, EBADF if this
     *                         channel or one of {@code fds} is closed
     */
    public void send(byte[] metadata, OwnedFd... fds) throws KernelException {
        Objects.requireNonNull(metadata, "metadata");
        checkCount(fds.length);
        send(metadata, 0, 0, fds.length, fds.clone());
    }

    private void send(byte[] metadata, int buffers, int fences, int others, OwnedFd[] fds) throws KernelException {
        if (metadata.length > MAX_METADATA) {
            throw new IllegalArgumentException("sendmsg on " + socket.path() + ": " + metadata.length
                    + " bytes of metadata, at most " + MAX_METADATA + " fit a message");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(HEADER_SIZE + metadata.length);
            message.set(MAGIC_LAYOUT, 0, MAGIC);
            message.set(JAVA_SHORT_UNALIGNED, BUFFERS_OFFSET, (short) buffers);
            message.set(JAVA_SHORT_UNALIGNED, FENCES_OFFSET, (short) fences);
            message.set(JAVA_SHORT_UNALIGNED, FDS_OFFSET, (short) others);
            MemorySegment.copy(metadata, 0, message, JAVA_BYTE, HEADER_SIZE, metadata.length);
            UnixSockets.send(socket, message, fds);
        }
    }

    /**
     * Waits for the next message ({@code recvmsg} with {@code MSG_CMSG_CLOEXEC}) and takes ownership of its fds:
     * dma-bufs become {@link DmaBuf}s (checked to be dma-bufs), fences {@link SyncFile}s. Blocks until a message
     * arrives, the peer closes the channel, or another thread closes this one.
     *
     * @return the message, owned by the caller (close it); empty once the peer has closed the channel and every
     *         message it sent has been received, and only then
     * @throws TruncatedMessageException if the kernel cut the message short ({@code MSG_TRUNC},
     *                                   {@code MSG_CTRUNC}); the fds that arrived were closed, the channel stays
     *                                   usable
     * @throws ProtocolException if the message does not follow the wire format (an empty message included: see
     *                           the class comment), its fd count disagrees with its header, or an fd sent as a
     *                           dma-buf or sync_file is not one; its fds were closed, and the channel stays usable
     * @throws io.zeroframe.bindings.FdClosedException if this channel is closed before or during the wait
     * @throws KernelException {@code recvmsg on unix:PATH}: ECONNRESET
     */
    public Optional<FdMessage> receive() throws IOException {
        UnixSockets.Received received = UnixSockets.receive(socket, receiveBuffer, receiveFds);
        if (received == null) {
            return Optional.empty();
        }
        List<AutoCloseable> adopted = new ArrayList<>();
        try {
            return Optional.of(decode(received, adopted));
        } catch (IOException | RuntimeException | Error e) {
            adopted.forEach(FdChannel::closeQuietly);
            received.closeFds();
            throw e;
        }
    }

    /** The message in {@code received}; every object it adopts goes into {@code adopted}. */
    private FdMessage decode(UnixSockets.Received received, List<AutoCloseable> adopted) throws IOException {
        List<OwnedFd> fds = received.fds();
        long length = received.length();
        if (received.truncated() || received.controlTruncated()) {
            String what = received.truncated()
                    ? "longer than the " + receiveBuffer.byteSize() + " bytes a message may have (MSG_TRUNC)"
                    : "not all of its fds arrived (MSG_CTRUNC: the process may be at its fd limit, RLIMIT_NOFILE)";
            throw new TruncatedMessageException("recvmsg on " + socket.path() + ": message truncated: " + what
                    + "; closed the " + fds.size() + " fds that did arrive");
        }
        if (length < HEADER_SIZE || receiveBuffer.get(MAGIC_LAYOUT, 0) != MAGIC) {
            throw new ProtocolException("recvmsg on " + socket.path() + ": not an FdChannel message (" + length
                    + " bytes without the header); closed its " + fds.size() + " fds");
        }
        short reserved = receiveBuffer.get(JAVA_SHORT_UNALIGNED, RESERVED_OFFSET);
        if (reserved != 0) {
            throw new ProtocolException("recvmsg on " + socket.path() + ": the header's reserved bytes 10..11 are 0x"
                    + HexFormat.of().formatHex(receiveBuffer.asSlice(RESERVED_OFFSET, 2).toArray(JAVA_BYTE))
                    + ", not 0 (a sender of another version of the format?); closed its " + fds.size() + " fds");
        }
        int buffers = Short.toUnsignedInt(receiveBuffer.get(JAVA_SHORT_UNALIGNED, BUFFERS_OFFSET));
        int fences = Short.toUnsignedInt(receiveBuffer.get(JAVA_SHORT_UNALIGNED, FENCES_OFFSET));
        int others = Short.toUnsignedInt(receiveBuffer.get(JAVA_SHORT_UNALIGNED, FDS_OFFSET));
        if (buffers + fences + others != fds.size()) {
            throw new ProtocolException("recvmsg on " + socket.path() + ": the message announces " + buffers
                    + " dma-bufs, " + fences + " sync_files and " + others + " other fds but carried " + fds.size()
                    + " fds; closed them");
        }
        byte[] metadata = receiveBuffer.asSlice(HEADER_SIZE, length - HEADER_SIZE).toArray(JAVA_BYTE);
        List<DmaBuf> dmaBufs = new ArrayList<>(buffers);
        List<SyncFile> syncFiles = new ArrayList<>(fences);
        List<OwnedFd> plain = new ArrayList<>(others);
        for (int i = 0; i < fds.size(); i++) {
            OwnedFd fd = fds.get(i);
            try {
                if (i < buffers) {
                    DmaBuf buffer = DmaBuf.adopt(relabel(fd, "dma-buf"));
                    adopted.add(buffer);
                    dmaBufs.add(buffer);
                } else if (i < buffers + fences) {
                    SyncFile fence = SyncFile.adopt(relabel(fd, "sync_file"));
                    adopted.add(fence);
                    syncFiles.add(fence);
                } else {
                    OwnedFd own = relabel(fd, "fd");
                    adopted.add(own);
                    plain.add(own);
                }
            } catch (IllegalArgumentException e) {
                throw new ProtocolException("recvmsg on " + socket.path() + ": fd " + i + " of the message: "
                        + e.getMessage() + "; closed all " + fds.size() + " fds of the message");
            }
        }
        return new FdMessage(metadata, dmaBufs, syncFiles, plain);
    }

    /** Takes over a received fd under a path that says what it is and where it came from. */
    private OwnedFd relabel(OwnedFd received, String kind) {
        return OwnedFd.adopt(received.release(), kind + " (received on " + socket.path() + ")");
    }

    private void checkCount(int count) {
        if (count > MAX_FDS) {
            throw new IllegalArgumentException("sendmsg on " + socket.path() + ": " + count
                    + " fds, at most SCM_MAX_FD (" + MAX_FDS + ") fit a message");
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            // only OwnedFd, DmaBuf and SyncFile are adopted, and their close() throws nothing checked
            throw new IllegalStateException(e);
        }
    }

    /** Borrows the socket, for tests that send what an {@code FdChannel} would not. */
    OwnedFd socket() {
        return socket;
    }

    /** The socket's name in messages: {@code unix:PATH}. */
    public String path() {
        return socket.path();
    }

    /** Whether this channel still owns its socket. */
    public boolean isOpen() {
        return socket.isOpen();
    }

    /**
     * Closes the socket; the peer's next {@link #receive()} returns empty. Later calls do nothing. Safe from any
     * thread: a thread blocked in this channel's {@code receive} or {@code send} wakes with
     * {@link io.zeroframe.bindings.FdClosedException}.
     */
    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "FdChannel[" + socket + "]";
    }
}

package io.zeroframe.bindings.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.socket.cmsghdr;
import io.zeroframe.bindings.socket.iovec;
import io.zeroframe.bindings.socket.msghdr;
import io.zeroframe.bindings.socket.sockaddr_un;
import io.zeroframe.bindings.socket.socket_h;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Unix domain sockets of type {@code SOCK_SEQPACKET} (connection-oriented, message boundaries kept) and fd passing
 * over them with {@code SCM_RIGHTS}, as FFM downcalls that capture errno, in the style of {@link Syscalls}.
 *
 * <p>Every socket this class returns is an {@link OwnedFd} whose path reads {@code unix:PATH}, so failures read
 * {@code sendmsg on unix:/run/frames.sock: EPIPE (Broken pipe)}. Sockets are created {@code SOCK_CLOEXEC},
 * accepted with {@code SOCK_CLOEXEC} and received fds are installed with {@code MSG_CMSG_CLOEXEC}, so no fd leaks
 * into a child process. EINTR is retried. Sending uses {@code MSG_NOSIGNAL}: a closed peer is an EPIPE
 * {@link KernelException}, never a SIGPIPE.
 *
 * <p>{@code CMSG_ALIGN}, {@code CMSG_LEN} and {@code CMSG_SPACE} are function-like macros jextract cannot emit;
 * {@link #cmsgAlign}, {@link #cmsgLen} and {@link #cmsgSpace} compute them as glibc's {@code <bits/socket.h>}
 * does, from {@code sizeof(struct cmsghdr)} (generated, checked against gcc by the ABI test) and the alignment
 * of {@code size_t}.
 */
public final class UnixSockets {
    /**
     * The kernel's limit on fds in one {@code SCM_RIGHTS} message ({@code SCM_MAX_FD} in the kernel's private
     * {@code include/net/scm.h}, not in any uAPI header); more fail {@code sendmsg} with EINVAL.
     */
    public static final int SCM_MAX_FD = 253;

    private static final int AF_UNIX = socket_h.AF_UNIX();
    private static final int SOCK_SEQPACKET = socket_h.SOCK_SEQPACKET();
    private static final int SOCK_CLOEXEC = socket_h.SOCK_CLOEXEC();
    /**
     * {@code SOCK_NONBLOCK}: the kernel defines it as {@code O_NONBLOCK} (include/linux/net.h; socket(2)). Every
     * socket here is non-blocking and waits in {@link Syscalls#waitFor}, so that closing it wakes a blocked
     * accept, send or receive.
     */
    private static final int SOCK_NONBLOCK = Syscalls.O_NONBLOCK;
    private static final int SOL_SOCKET = socket_h.SOL_SOCKET();
    private static final int SCM_RIGHTS = socket_h.SCM_RIGHTS();
    private static final int MSG_CMSG_CLOEXEC = socket_h.MSG_CMSG_CLOEXEC();
    private static final int MSG_NOSIGNAL = socket_h.MSG_NOSIGNAL();
    private static final int MSG_TRUNC = socket_h.MSG_TRUNC();
    private static final int MSG_CTRUNC = socket_h.MSG_CTRUNC();
    /** {@code SOMAXCONN}: the backlog {@link #listen} asks for; the kernel caps it at {@code net.core.somaxconn}. */
    private static final int BACKLOG = socket_h.SOMAXCONN();
    /** How long {@link #connect} retries while the listener's backlog is full. */
    private static final long CONNECT_PATIENCE_NANOS = 5_000_000_000L;

    /** {@code sizeof(struct cmsghdr)}: the header before {@code CMSG_DATA}, without the flexible array. */
    private static final long CMSGHDR_SIZE = cmsghdr.layout().byteSize();
    /** glibc aligns control messages to {@code sizeof(size_t)}; {@code cmsg_len} is a {@code size_t}. */
    private static final long CMSG_ALIGNMENT = cmsghdr.cmsg_len$layout().byteSize();
    private static final long SUN_PATH_CAPACITY = sockaddr_un.sun_path$layout().byteSize();

    private static final MethodHandle SOCKET = Syscalls.capturing("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle BIND = Syscalls.capturing("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle LISTEN = Syscalls.capturing("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle ACCEPT4 = Syscalls.capturing("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle CONNECT = Syscalls.capturing("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle SENDMSG = Syscalls.capturing("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle RECVMSG = Syscalls.capturing("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), -1);

    private UnixSockets() {}

    /**
     * What {@link #receive} got: the message's length, whether the kernel cut it short, and the fds that arrived.
     *
     * @param length           the bytes stored in the buffer; 0 with no fds when the peer closed the connection
     * @param truncated        {@code MSG_TRUNC}: the message was longer than the buffer; the rest is lost
     * @param controlTruncated {@code MSG_CTRUNC}: not every fd the peer sent arrived (too little control space,
     *                         or this process hit {@code RLIMIT_NOFILE}); the missing ones are lost
     * @param fds              the fds that arrived, owned by the receiver, in the order they were sent
     */
    public record Received(long length, boolean truncated, boolean controlTruncated, List<OwnedFd> fds) {
        public Received {
            fds = List.copyOf(fds);
        }

        /** Closes every received fd (idempotent). */
        public void closeFds() {
            fds.forEach(OwnedFd::close);
        }
    }

    /** {@code CMSG_ALIGN(length)}: {@code length} rounded up to the alignment of {@code size_t}. */
    public static long cmsgAlign(long length) {
        return (length + CMSG_ALIGNMENT - 1) & -CMSG_ALIGNMENT;
    }

    /** {@code CMSG_LEN(dataLength)}: the {@code cmsg_len} of a control message carrying {@code dataLength} bytes. */
    public static long cmsgLen(long dataLength) {
        return cmsgAlign(CMSGHDR_SIZE) + dataLength;
    }

    /** {@code CMSG_SPACE(dataLength)}: the control-buffer space such a message takes, with its padding. */
    public static long cmsgSpace(long dataLength) {
        return cmsgAlign(dataLength) + cmsgAlign(CMSGHDR_SIZE);
    }

    /**
     * A listening socket bound to {@code path}: {@code socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC)},
     * {@code bind}, {@code listen(SOMAXCONN)}. Creates the socket file; the caller removes it when done.
     *
     * @throws IllegalArgumentException if {@code path} does not fit {@code sockaddr_un.sun_path} (107 bytes)
     * @throws KernelException {@code bind} EADDRINUSE if {@code path} exists (a stale socket file too),
     *                         ENOENT for a missing directory, EACCES where this process may not create it
     */
    public static OwnedFd listen(Path path) throws KernelException {
        String name = name(path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = address(path, arena);
            OwnedFd socket = socket(name);
            try {
                MemorySegment errno = Syscalls.ERRNO_SLOT.get();
                Syscalls.check((int) BIND.invokeExact(errno, socket.get(), address, (int) address.byteSize()), errno,
                        "bind", name);
                Syscalls.check((int) LISTEN.invokeExact(errno, socket.get(), BACKLOG), errno, "listen", name);
                return socket;
            } catch (Throwable t) {
                socket.close();
                throw Syscalls.rethrow(t);
            }
        }
    }

    /**
     * Waits for and accepts a connection ({@code poll}, then {@code accept4} with {@code SOCK_CLOEXEC}); blocks
     * until a peer connects or another thread closes {@code listener}.
     *
     * @param listener borrowed for the call; a socket from {@link #listen}
     * @return the connected socket, owned by the caller, with the listener's path
     * @throws io.zeroframe.bindings.FdClosedException if {@code listener} is closed before or during the wait
     * @throws KernelException EMFILE when out of fds
     */
    public static OwnedFd accept(OwnedFd listener) throws KernelException {
        MemorySegment errno = Syscalls.ERRNO_SLOT.get();
        while (true) {
            Syscalls.waitFor(listener, Syscalls.POLLIN, -1, "accept4");
            int raw = listener.beginUse("accept4");
            try {
                int fd;
                do {
                    fd = (int) ACCEPT4.invokeExact(errno, raw, MemorySegment.NULL, MemorySegment.NULL,
                            SOCK_CLOEXEC | SOCK_NONBLOCK);
                } while (fd == -1 && Syscalls.errno(errno) == Errno.EINTR);
                if (fd >= 0) {
                    return wakeable(OwnedFd.adopt(fd, listener.path()));
                }
                if (Syscalls.errno(errno) != Errno.EAGAIN) {
                    throw KernelException.of("accept4", listener.path(), Syscalls.errno(errno));
                }
            } catch (Throwable t) {
                throw Syscalls.rethrow(t);
            } finally {
                listener.endUse();
            }
        }
    }

    /**
     * A socket connected to the listener at {@code path}: {@code socket}, then {@code connect}.
     *
     * @throws IllegalArgumentException if {@code path} does not fit {@code sockaddr_un.sun_path}
     * @throws KernelException {@code connect} ENOENT if nothing exists at {@code path}, ECONNREFUSED if nothing
     *                         listens there (a stale socket file), EACCES without write permission on it
     */
    public static OwnedFd connect(Path path) throws KernelException {
        String name = name(path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = address(path, arena);
            OwnedFd socket = socket(name);
            try {
                MemorySegment errno = Syscalls.ERRNO_SLOT.get();
                int result;
                long deadline = System.nanoTime() + CONNECT_PATIENCE_NANOS;
                while (true) {
                    result = (int) CONNECT.invokeExact(errno, socket.get(), address, (int) address.byteSize());
                    int error = result == -1 ? Syscalls.errno(errno) : 0;
                    // a non-blocking AF_UNIX connect answers EAGAIN while the listener's backlog is full
                    if (error == Errno.EINTR || (error == Errno.EAGAIN && System.nanoTime() < deadline)) {
                        if (error == Errno.EAGAIN) {
                            Thread.sleep(10);
                        }
                        continue;
                    }
                    break;
                }
                Syscalls.check(result, errno, "connect", name);
                return socket;
            } catch (Throwable t) {
                socket.close();
                throw Syscalls.rethrow(t);
            }
        }
    }

    /**
     * Sends one message: {@code data} and, if {@code fds} is not empty, one {@code SCM_RIGHTS} control message
     * carrying them ({@code sendmsg} with {@code MSG_NOSIGNAL}). The whole message is sent or nothing is; waits
     * while the socket's send buffer is full, until there is room or another thread closes {@code socket}.
     *
     * @param socket borrowed for the call
     * @param fds    each borrowed for the call (held in use, so a concurrent close cannot hand the kernel a
     *               recycled number): the receiver gets its own fds for the same open files, and these stay open
     *               and owned by their caller. At most {@link #SCM_MAX_FD}
     * @throws IllegalArgumentException for more than {@link #SCM_MAX_FD} fds
     * @throws io.zeroframe.bindings.FdClosedException if {@code socket} or one of {@code fds} is closed
     * @throws KernelException EPIPE if the peer closed the connection, EMSGSIZE for a message larger than the
     *                         socket's send buffer
     */
    public static void send(OwnedFd socket, MemorySegment data, OwnedFd[] fds) throws KernelException {
        if (fds.length > SCM_MAX_FD) {
            throw new IllegalArgumentException("sendmsg on " + socket.path() + ": " + fds.length
                    + " fds, the kernel passes at most SCM_MAX_FD (" + SCM_MAX_FD + ") per message");
        }
        int[] raws = new int[fds.length];
        int begun = 0;
        try {
            for (; begun < fds.length; begun++) {
                if (!fds[begun].isOpen()) {
                    throw new FdClosedException("sendmsg", socket.path(), fds[begun].path() + " was already closed");
                }
                raws[begun] = fds[begun].beginUse("sendmsg");
            }
            while (!trySend(socket, data, raws)) {
                Syscalls.waitFor(socket, Syscalls.POLLOUT, -1, "sendmsg");
            }
        } finally {
            for (int i = 0; i < begun; i++) {
                fds[i].endUse();
            }
        }
    }

    /** One non-blocking {@code sendmsg}; false when the socket's buffer is full (EAGAIN). */
    private static boolean trySend(OwnedFd socket, MemorySegment data, int[] fds) throws KernelException {
        int raw = socket.beginUse("sendmsg");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = iovec.allocate(arena);
            iovec.iov_base(iov, data);
            iovec.iov_len(iov, data.byteSize());
            MemorySegment message = msghdr.allocate(arena);
            message.fill((byte) 0);
            msghdr.msg_iov(message, iov);
            msghdr.msg_iovlen(message, 1);
            if (fds.length > 0) {
                long dataLength = (long) fds.length * Integer.BYTES;
                MemorySegment control = arena.allocate(cmsgSpace(dataLength), CMSG_ALIGNMENT);
                control.fill((byte) 0);
                cmsghdr.cmsg_len(control, cmsgLen(dataLength));
                cmsghdr.cmsg_level(control, SOL_SOCKET);
                cmsghdr.cmsg_type(control, SCM_RIGHTS);
                MemorySegment.copy(fds, 0, control, JAVA_INT, cmsgAlign(CMSGHDR_SIZE), fds.length);
                msghdr.msg_control(message, control);
                msghdr.msg_controllen(message, control.byteSize());
            }
            MemorySegment errno = Syscalls.ERRNO_SLOT.get();
            long sent;
            do {
                sent = (long) SENDMSG.invokeExact(errno, raw, message, MSG_NOSIGNAL);
            } while (sent == -1 && Syscalls.errno(errno) == Errno.EINTR);
            if (sent == -1 && Syscalls.errno(errno) == Errno.EAGAIN) {
                return false;
            }
            if (sent == -1) {
                throw KernelException.of("sendmsg", socket.path(), Syscalls.errno(errno));
            }
            if (sent != data.byteSize()) {
                // SOCK_SEQPACKET sends a message whole; anything else is not the socket this class created
                throw new IllegalStateException("sendmsg on " + socket.path() + ": sent " + sent + " of "
                        + data.byteSize() + " bytes: not a SOCK_SEQPACKET socket");
            }
            return true;
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        } finally {
            socket.endUse();
        }
    }

    /**
     * Receives one message into {@code buffer} and up to {@code maxFds} fds ({@code recvmsg} with
     * {@code MSG_CMSG_CLOEXEC}); blocks until a message arrives, the peer closes the connection, or another
     * thread closes {@code socket} ({@link io.zeroframe.bindings.FdClosedException}).
     *
     * <p>Every fd that arrived is adopted before this returns, also for a truncated message: the caller owns the
     * {@link Received#fds()} and decides what to do with them. If this throws, no fd was received.
     *
     * @param socket borrowed for the call
     * @param maxFds how many fds to make room for; more in a message set {@link Received#controlTruncated()}
     * @return the message, or null when the peer closed the connection and nothing is left to read. An empty
     *         message ({@code SOCK_SEQPACKET} delivers those too) is a {@code Received} of length 0, also when the
     *         peer has gone since, as long as messages with bytes are queued behind it ({@code FIONREAD}). Only an
     *         empty message followed by nothing but messages without bytes and the peer's close cannot be told
     *         from the end of the stream (each is a 0-byte {@code recvmsg} with {@code POLLHUP} and no byte
     *         queued) and is taken as the end
     * @throws io.zeroframe.bindings.FdClosedException if {@code socket} is closed before or during the wait
     * @throws KernelException ECONNRESET if the peer went away with unread data
     */
    public static Received receive(OwnedFd socket, MemorySegment buffer, int maxFds) throws KernelException {
        if (maxFds < 0 || maxFds > SCM_MAX_FD) {
            throw new IllegalArgumentException("maxFds must be 0.." + SCM_MAX_FD + ": " + maxFds);
        }
        while (true) {
            Syscalls.waitFor(socket, Syscalls.POLLIN, -1, "recvmsg");
            Received received = tryReceive(socket, buffer, maxFds);
            if (received == null) {
                continue; // another receiver took the message
            }
            if (received.length() == 0 && received.fds().isEmpty() && !received.truncated()
                    && (Syscalls.waitFor(socket, Syscalls.POLLIN, 0, "recvmsg") & Syscalls.POLLHUP) != 0
                    && queuedBytes(socket) == 0) {
                return null; // recvmsg's 0 with the peer gone and nothing left to read: the end of the stream
            }
            return received;
        }
    }

    /**
     * {@code FIONREAD} ({@code SIOCINQ}): the bytes of all messages still queued on the socket ({@code unix_inq_len}
     * sums every queued message of a {@code SOCK_SEQPACKET} socket).
     */
    private static int queuedBytes(OwnedFd socket) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            Syscalls.ioctl(socket, Syscalls.FIONREAD, count);
            return count.get(JAVA_INT, 0);
        }
    }

    /** One non-blocking {@code recvmsg}; null when nothing is ready (EAGAIN). */
    private static Received tryReceive(OwnedFd socket, MemorySegment buffer, int maxFds) throws KernelException {
        int raw = socket.beginUse("recvmsg");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = iovec.allocate(arena);
            iovec.iov_base(iov, buffer);
            iovec.iov_len(iov, buffer.byteSize());
            MemorySegment message = msghdr.allocate(arena);
            MemorySegment control = maxFds == 0 ? MemorySegment.NULL
                    : arena.allocate(cmsgSpace((long) maxFds * Integer.BYTES), CMSG_ALIGNMENT);
            MemorySegment errno = Syscalls.ERRNO_SLOT.get();
            long length;
            do {
                message.fill((byte) 0);
                msghdr.msg_iov(message, iov);
                msghdr.msg_iovlen(message, 1);
                msghdr.msg_control(message, control);
                msghdr.msg_controllen(message, control.byteSize());
                length = (long) RECVMSG.invokeExact(errno, raw, message, MSG_CMSG_CLOEXEC);
            } while (length == -1 && Syscalls.errno(errno) == Errno.EINTR);
            if (length == -1 && Syscalls.errno(errno) == Errno.EAGAIN) {
                return null;
            }
            if (length == -1) {
                throw KernelException.of("recvmsg", socket.path(), Syscalls.errno(errno));
            }
            int flags = msghdr.msg_flags(message);
            List<OwnedFd> fds = receivedFds(control, msghdr.msg_controllen(message), socket.path());
            return new Received(Math.min(length, buffer.byteSize()), (flags & MSG_TRUNC) != 0,
                    (flags & MSG_CTRUNC) != 0, fds);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        } finally {
            socket.endUse();
        }
    }

    /** Adopts the fds of every {@code SCM_RIGHTS} message in the control buffer, walking it as CMSG_NXTHDR does. */
    private static List<OwnedFd> receivedFds(MemorySegment control, long controlLength, String path) {
        List<OwnedFd> fds = new ArrayList<>();
        long used = Math.min(controlLength, control.byteSize());
        long dataOffset = cmsgAlign(CMSGHDR_SIZE);
        long offset = 0;
        while (offset + CMSGHDR_SIZE <= used) {
            MemorySegment header = control.asSlice(offset);
            long length = cmsghdr.cmsg_len(header);
            if (length < CMSGHDR_SIZE || offset + length > used) {
                break;
            }
            if (cmsghdr.cmsg_level(header) == SOL_SOCKET && cmsghdr.cmsg_type(header) == SCM_RIGHTS) {
                long count = (length - dataOffset) / Integer.BYTES;
                for (long i = 0; i < count; i++) {
                    fds.add(OwnedFd.adopt(header.get(JAVA_INT, dataOffset + i * Integer.BYTES),
                            "fd received on " + path));
                }
            }
            offset += cmsgAlign(length);
        }
        return fds;
    }

    private static OwnedFd socket(String name) throws KernelException {
        MemorySegment errno = Syscalls.ERRNO_SLOT.get();
        try {
            int fd = (int) SOCKET.invokeExact(errno, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            return wakeable(OwnedFd.adopt(Syscalls.check(fd, errno, "socket", name), name));
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    /**
     * Makes the socket's wake eventfd now rather than at its first blocking call: every socket here blocks, and so
     * a socket's fds stay the same while it lives. On failure closes the socket.
     */
    private static OwnedFd wakeable(OwnedFd socket) throws KernelException {
        try {
            socket.wakeFd();
            return socket;
        } catch (KernelException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** {@code struct sockaddr_un} for a file-system path (no abstract names), in {@code arena}. */
    private static MemorySegment address(Path path, Arena arena) {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length >= SUN_PATH_CAPACITY) {
            throw new IllegalArgumentException("unix socket path must be 1.." + (SUN_PATH_CAPACITY - 1)
                    + " bytes (sockaddr_un.sun_path), got " + bytes.length + ": " + path);
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("unix socket path contains a NUL: " + path);
            }
        }
        MemorySegment address = sockaddr_un.allocate(arena);
        address.fill((byte) 0);
        sockaddr_un.sun_family(address, (short) AF_UNIX);
        MemorySegment.copy(bytes, 0, sockaddr_un.sun_path(address), JAVA_BYTE, 0, bytes.length);
        return address;
    }

    private static String name(Path path) {
        return "unix:" + path;
    }
}

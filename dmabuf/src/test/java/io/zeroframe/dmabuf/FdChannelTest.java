package io.zeroframe.dmabuf;

import static io.zeroframe.bindings.testing.CloseWakes.wakeAfterClose;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.sys.UnixSockets;
import io.zeroframe.bindings.testing.NoLeaks;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * FdChannel with real fd passing and no dma-buf device: memfds and pipes between two threads and between two
 * JVMs, end of stream, truncation, malformed messages, and every error a caller can hit. Every test checks that
 * the process's fds are as it found them.
 */
@ExtendWith(NoLeaks.class)
class FdChannelTest {
    @TempDir
    Path directory;




    /** Two ends of a channel in this process: the accepted one and the connected one. */
    private record Pair(FdChannelListener listener, FdChannel accepted, FdChannel connected) implements AutoCloseable {
        @Override
        public void close() {
            connected.close();
            accepted.close();
            listener.close();
        }
    }

    private Pair pair() throws Exception {
        FdChannelListener listener = FdChannel.listen(directory.resolve("channel.sock"));
        try {
            CompletableFuture<FdChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (KernelException e) {
                    throw new RuntimeException(e);
                }
            });
            FdChannel connected = FdChannel.connect(listener.path());
            return new Pair(listener, accepted.get(30, TimeUnit.SECONDS), connected);
        } catch (Exception e) {
            listener.close();
            throw e;
        }
    }

    @Test
    void aMemfdAndAPipePassBetweenThreads() throws Exception {
        try (Pair pair = pair();
             OwnedFd memfd = Syscalls.memfdCreate("frame", 0)) {
            FdChannelPeer.write(memfd, "written before sending");
            OwnedFd[] pipe = Syscalls.pipe(0);
            try (OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1]) {
                pair.connected().send("two files".getBytes(StandardCharsets.UTF_8), memfd, readEnd);
                assertTrue(memfd.isOpen() && readEnd.isOpen(), "send borrows the fds");
                FdChannelPeer.write(writeEnd, "written after sending");
            }
            try (FdMessage message = pair.accepted().receive().orElseThrow()) {
                assertEquals("two files", new String(message.metadata(), StandardCharsets.UTF_8));
                assertEquals(List.of(), message.buffers());
                assertEquals(List.of(), message.fences());
                assertEquals(2, message.fds().size());
                OwnedFd receivedMemfd = message.fds().get(0);
                assertNotEquals(memfd.get(), receivedMemfd.get(), "the receiver gets its own fd");
                assertEquals("fd (received on unix:" + pair.listener().path() + ")", receivedMemfd.path());
                assertEquals("/memfd:frame (deleted)", ProcessFds.list().get(receivedMemfd.get()));
                int fdCloexec = 1; // FD_CLOEXEC
                assertEquals(fdCloexec, Syscalls.fcntl(receivedMemfd, Syscalls.F_GETFD, 0) & fdCloexec,
                        "received with MSG_CMSG_CLOEXEC");
                assertEquals("written before sending", FdChannelPeer.readAll(receivedMemfd, true));
                assertEquals("written after sending", FdChannelPeer.readAll(message.fds().get(1), false));
            }
        }
    }

    @Test
    void messagesKeepTheirBoundariesAndOrder() throws Exception {
        try (Pair pair = pair()) {
            byte[] large = new byte[FdChannel.MAX_METADATA];
            Arrays.fill(large, (byte) 7);
            pair.connected().send(new byte[0]);
            pair.connected().send(large);
            pair.connected().send("last".getBytes(StandardCharsets.UTF_8));
            try (FdMessage first = pair.accepted().receive().orElseThrow();
                 FdMessage second = pair.accepted().receive().orElseThrow();
                 FdMessage third = pair.accepted().receive().orElseThrow()) {
                assertEquals(0, first.metadata().length);
                assertArrayEquals(large, second.metadata());
                assertEquals("last", new String(third.metadata(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void bothEndsSendAndTheMostFdsAMessageMayCarryArrive() throws Exception {
        try (Pair pair = pair(); OwnedFd memfd = Syscalls.memfdCreate("many", 0)) {
            OwnedFd[] many = new OwnedFd[FdChannel.MAX_FDS];
            Arrays.fill(many, memfd);
            pair.accepted().send(new byte[] {1}, many);
            try (FdMessage message = pair.connected().receive().orElseThrow()) {
                assertEquals(FdChannel.MAX_FDS, message.fds().size());
                assertEquals(FdChannel.MAX_FDS, message.fds().stream().mapToInt(OwnedFd::get).distinct().count());
            }
        }
    }

    @Test
    void closingOneEndIsTheEndOfStreamForTheOtherAfterItsLastMessage() throws Exception {
        try (Pair pair = pair(); OwnedFd memfd = Syscalls.memfdCreate("last", 0)) {
            pair.connected().send("bye".getBytes(StandardCharsets.UTF_8), memfd);
            pair.connected().close();
            try (FdMessage message = pair.accepted().receive().orElseThrow()) {
                assertEquals("bye", new String(message.metadata(), StandardCharsets.UTF_8));
                assertEquals(1, message.fds().size());
            }
            assertEquals(Optional.empty(), pair.accepted().receive());
            assertEquals(Optional.empty(), pair.accepted().receive(), "the end stays the end");
        }
    }

    @Test
    void sendingToAClosedPeerIsEpipeNotSigpipe() throws Exception {
        try (Pair pair = pair()) {
            pair.accepted().close();
            KernelException e = assertThrows(KernelException.class, () -> pair.connected().send(new byte[1]));
            assertEquals("sendmsg on unix:" + pair.listener().path() + ": EPIPE (Broken pipe)", e.getMessage());
        }
    }

    @Test
    void aMessageLongerThanTheReceiverAcceptsIsTruncatedAndItsFdsAreClosed() throws Exception {
        try (FdChannelListener listener = FdChannel.listen(directory.resolve("small.sock"));
             FdChannel receiver = new FdChannel(UnixSockets.connect(listener.path()), 32, FdChannel.MAX_FDS);
             FdChannel sender = listener.accept();
             OwnedFd memfd = Syscalls.memfdCreate("cut", 0)) {
            Map<Integer, String> beforeReceiving = ProcessFds.list();
            sender.send(new byte[100], memfd, memfd);
            TruncatedMessageException e = assertThrows(TruncatedMessageException.class, receiver::receive);
            assertEquals("recvmsg on unix:" + listener.path() + ": message truncated: longer than the 32 bytes a"
                    + " message may have (MSG_TRUNC); closed the 2 fds that did arrive", e.getMessage());
            assertEquals(beforeReceiving, ProcessFds.list());
            sender.send("fits".getBytes(StandardCharsets.UTF_8));
            try (FdMessage next = receiver.receive().orElseThrow()) {
                assertEquals("fits", new String(next.metadata(), StandardCharsets.UTF_8), "the channel stays usable");
            }
        }
    }

    @Test
    void moreFdsThanTheReceiverHasRoomForIsControlTruncation() throws Exception {
        try (FdChannelListener listener = FdChannel.listen(directory.resolve("few.sock"));
             FdChannel receiver = new FdChannel(UnixSockets.connect(listener.path()), 1024, 2);
             FdChannel sender = listener.accept();
             OwnedFd memfd = Syscalls.memfdCreate("cut", 0)) {
            Map<Integer, String> beforeReceiving = ProcessFds.list();
            sender.send(new byte[0], memfd, memfd, memfd, memfd, memfd);
            TruncatedMessageException e = assertThrows(TruncatedMessageException.class, receiver::receive);
            assertEquals("recvmsg on unix:" + listener.path() + ": message truncated: not all of its fds arrived"
                    + " (MSG_CTRUNC: the process may be at its fd limit, RLIMIT_NOFILE); closed the 2 fds that did"
                    + " arrive", e.getMessage());
            assertEquals(beforeReceiving, ProcessFds.list());
        }
    }

    @Test
    void aMessageWithoutTheHeaderIsRejectedAndItsFdsAreClosed() throws Exception {
        try (Pair pair = pair(); OwnedFd memfd = Syscalls.memfdCreate("stray", 0); Arena arena = Arena.ofConfined()) {
            Map<Integer, String> beforeReceiving = ProcessFds.list();
            UnixSockets.send(pair.connected().socket(), arena.allocateFrom("hello"), new OwnedFd[] {memfd});
            ProtocolException e = assertThrows(ProtocolException.class, () -> pair.accepted().receive());
            assertEquals("recvmsg on unix:" + pair.listener().path() + ": not an FdChannel message (6 bytes without"
                    + " the header); closed its 1 fds", e.getMessage());
            assertEquals(beforeReceiving, ProcessFds.list());
        }
    }

    @Test
    void fdCountsThatDisagreeWithTheHeaderAreRejected() throws Exception {
        try (Pair pair = pair(); OwnedFd memfd = Syscalls.memfdCreate("stray", 0); Arena arena = Arena.ofConfined()) {
            UnixSockets.send(pair.connected().socket(), header(arena, 0, 0, 3), new OwnedFd[] {memfd});
            ProtocolException e = assertThrows(ProtocolException.class, () -> pair.accepted().receive());
            assertEquals("recvmsg on unix:" + pair.listener().path() + ": the message announces 0 dma-bufs,"
                    + " 0 sync_files and 3 other fds but carried 1 fds; closed them", e.getMessage());
        }
    }

    @Test
    void anFdAnnouncedAsADmaBufThatIsNotOneIsRejectedAndEveryFdIsClosed() throws Exception {
        try (Pair pair = pair(); OwnedFd memfd = Syscalls.memfdCreate("fake", 0); Arena arena = Arena.ofConfined()) {
            Map<Integer, String> beforeReceiving = ProcessFds.list();
            UnixSockets.send(pair.connected().socket(), header(arena, 1, 0, 1),
                    new OwnedFd[] {memfd, memfd});
            ProtocolException e = assertThrows(ProtocolException.class, () -> pair.accepted().receive());
            String prefix = "recvmsg on unix:" + pair.listener().path() + ": fd 0 of the message: dma-buf (received on"
                    + " unix:" + pair.listener().path() + ") is not a dma-buf: fd ";
            assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
            assertTrue(e.getMessage().endsWith(" links to /memfd:fake (deleted), not a file of the dma-buf file system"
                    + " (closed it); closed all 2 fds of the message"), e.getMessage());
            assertEquals(beforeReceiving, ProcessFds.list());
        }
    }

    @Test
    void connectingToAMissingSocketNamesThePathAndTheErrno() {
        Path missing = directory.resolve("nobody.sock");
        KernelException e = assertThrows(KernelException.class, () -> FdChannel.connect(missing));
        assertEquals("connect on unix:" + missing + ": ENOENT (No such file or directory)", e.getMessage());
        assertEquals("connect", e.operation());
    }

    @Test
    void connectingToAStaleSocketFileIsRefused() throws Exception {
        Path stale = directory.resolve("stale.sock");
        UnixSockets.listen(stale).close(); // the socket file stays, nobody listens
        KernelException e = assertThrows(KernelException.class, () -> FdChannel.connect(stale));
        assertEquals("connect on unix:" + stale + ": ECONNREFUSED (Connection refused)", e.getMessage());
    }

    @Test
    void listeningOnAnExistingPathFailsAndClosingTheListenerDeletesItsFile() throws Exception {
        Path path = directory.resolve("taken.sock");
        try (FdChannelListener listener = FdChannel.listen(path)) {
            KernelException e = assertThrows(KernelException.class, () -> FdChannel.listen(path));
            assertEquals("bind on unix:" + path + ": EADDRINUSE (Address already in use)", e.getMessage());
            assertTrue(listener.isOpen());
        }
        assertFalse(Files.exists(path));
    }

    @Test
    void acceptingOnAClosedListenerIsEbadf() throws Exception {
        FdChannelListener listener = FdChannel.listen(directory.resolve("closed.sock"));
        listener.close();
        listener.close();
        KernelException e = assertThrows(KernelException.class, listener::accept);
        assertEquals("accept4 on unix:" + listener.path() + ": EBADF (Bad file descriptor): the fd was already closed",
                e.getMessage());
    }

    @Test
    void aPathLongerThanSunPathIsRejectedBeforeAnySyscall() {
        Path tooLong = directory.resolve("x".repeat(120));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FdChannel.connect(tooLong));
        assertTrue(e.getMessage().startsWith("unix socket path must be 1..107 bytes (sockaddr_un.sun_path), got "),
                e.getMessage());
    }

    @Test
    void whatDoesNotFitAMessageIsRejectedBeforeSending() throws Exception {
        try (Pair pair = pair(); OwnedFd memfd = Syscalls.memfdCreate("too-many", 0)) {
            String path = "unix:" + pair.listener().path();
            IllegalArgumentException metadata = assertThrows(IllegalArgumentException.class,
                    () -> pair.connected().send(new byte[FdChannel.MAX_METADATA + 1]));
            assertEquals("sendmsg on " + path + ": 65537 bytes of metadata, at most 65536 fit a message",
                    metadata.getMessage());
            OwnedFd[] tooMany = new OwnedFd[FdChannel.MAX_FDS + 1];
            Arrays.fill(tooMany, memfd);
            IllegalArgumentException fds = assertThrows(IllegalArgumentException.class,
                    () -> pair.connected().send(new byte[0], tooMany));
            assertEquals("sendmsg on " + path + ": 254 fds, at most SCM_MAX_FD (253) fit a message", fds.getMessage());
        }
    }

    @Test
    void closedFdsAndClosedChannelsAreEbadf() throws Exception {
        try (Pair pair = pair()) {
            String path = "unix:" + pair.listener().path();
            OwnedFd memfd = Syscalls.memfdCreate("gone", 0);
            memfd.close();
            KernelException closedFd = assertThrows(KernelException.class,
                    () -> pair.connected().send(new byte[0], memfd));
            assertEquals("sendmsg on " + path + ": EBADF (Bad file descriptor): memfd:gone was already closed",
                    closedFd.getMessage());
            pair.connected().close();
            KernelException closedChannel = assertThrows(KernelException.class,
                    () -> pair.connected().send(new byte[0]));
            assertEquals("sendmsg on " + path + ": EBADF (Bad file descriptor): the fd was already closed",
                    closedChannel.getMessage());
            KernelException receiving = assertThrows(KernelException.class, () -> pair.connected().receive());
            assertEquals("recvmsg on " + path + ": EBADF (Bad file descriptor): the fd was already closed",
                    receiving.getMessage());
        }
    }

    @Test
    void cmsgMacrosMatchGcc() throws Exception {
        Path source = directory.resolve("cmsg.c");
        Path exe = directory.resolve("cmsg");
        Files.writeString(source, """
                #include <stdio.h>
                #include <sys/socket.h>
                int main(void) {
                    for (unsigned long n = 0; n <= 1012; n += 4)
                        printf("%lu %zu %zu %zu\\n", n, (size_t) CMSG_ALIGN(n + 1), (size_t) CMSG_LEN(n),
                               (size_t) CMSG_SPACE(n));
                    return 0;
                }
                """);
        // every stream to a file: pipes to the children would show up as open fds in the leak check
        ProcessBuilder.Redirect noInput = ProcessBuilder.Redirect.from(new java.io.File("/dev/null"));
        Process gcc = new ProcessBuilder("gcc", "-o", exe.toString(), source.toString()).redirectInput(noInput)
                .redirectErrorStream(true).redirectOutput(directory.resolve("gcc.log").toFile()).start();
        assertEquals(0, gcc.waitFor(), () -> "gcc failed: " + read(directory.resolve("gcc.log")));
        Process run = new ProcessBuilder(exe.toString()).redirectInput(noInput)
                .redirectError(directory.resolve("cmsg.err").toFile())
                .redirectOutput(directory.resolve("cmsg.txt").toFile()).start();
        assertEquals(0, run.waitFor());
        List<String> expected = Files.readAllLines(directory.resolve("cmsg.txt"));
        List<String> actual = new ArrayList<>();
        for (long n = 0; n <= 1012; n += 4) {
            actual.add(n + " " + UnixSockets.cmsgAlign(n + 1) + " " + UnixSockets.cmsgLen(n) + " "
                    + UnixSockets.cmsgSpace(n));
        }
        assertEquals(expected, actual);
    }

    @Test
    void aMemfdAndAPipePassToAnotherJvmAndAMemfdComesBack() throws Exception {
        Path socket = directory.resolve("jvm.sock");
        try (FdChannelListener listener = FdChannel.listen(socket);
             FdChannelPeerJvm peer = FdChannelPeerJvm.start(directory, "files", socket);
             FdChannel channel = acceptFrom(listener, peer)) {
            try (OwnedFd memfd = Syscalls.memfdCreate("to-the-peer", 0)) {
                FdChannelPeer.write(memfd, "hello from the test");
                OwnedFd[] pipe = Syscalls.pipe(0);
                try (OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1]) {
                    channel.send("files".getBytes(StandardCharsets.UTF_8), memfd, readEnd);
                    readEnd.close();
                    FdChannelPeer.write(writeEnd, "streamed after sending");
                }
            }
            Optional<FdMessage> received = channel.receive();
            if (received.isEmpty()) {
                throw new AssertionError("the peer closed without answering; stderr:\n" + peer.stderr());
            }
            try (FdMessage answer = received.get()) {
                assertEquals("memfd=hello from the test;pipe=streamed after sending",
                        new String(answer.metadata(), StandardCharsets.UTF_8));
                assertEquals("from the peer", FdChannelPeer.readAll(answer.fds().getFirst(), true));
                assertEquals("/memfd:answer (deleted)", ProcessFds.list().get(answer.fds().getFirst().get()));
            }
            channel.close();
            assertEquals("fds unchanged\n", peer.awaitSuccess());
        }
    }

    /**
     * Accepts the peer's connection; if the peer dies before connecting, connects to the listener itself so that
     * {@code accept} returns, and fails with the peer's stderr.
     */
    static FdChannel acceptFrom(FdChannelListener listener, FdChannelPeerJvm peer) throws Exception {
        CompletableFuture<FdChannel> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (KernelException e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!accepted.isDone() && peer.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (!accepted.isDone()) {
            try (FdChannel unblock = FdChannel.connect(listener.path())) {
                accepted.get().close();
            }
            throw new AssertionError("the peer JVM did not connect; stderr:\n" + peer.stderr());
        }
        return accepted.get();
    }

    private static MemorySegment header(Arena arena, int buffers, int fences, int others) {
        MemorySegment header = arena.allocate(FdChannel.HEADER_SIZE);
        header.set(JAVA_INT_UNALIGNED, 0, FdChannel.MAGIC);
        header.set(JAVA_SHORT_UNALIGNED, 4, (short) buffers);
        header.set(JAVA_SHORT_UNALIGNED, 6, (short) fences);
        header.set(JAVA_SHORT_UNALIGNED, 8, (short) others);
        return header;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void closeWakesABlockedReceiveWithin100Ms() throws Exception {
        try (Pair pair = pair()) {
            long ms = wakeAfterClose(() -> pair.accepted().receive(), () -> pair.accepted().close());
            assertTrue(ms < 1000, "receive woke " + ms + " ms after close");
            assertTrue(pair.connected().receive().isEmpty(), "the peer sees the end of the stream");
        }
    }

    @Test
    void closeWakesABlockedAcceptWithin100Ms() throws Exception {
        FdChannelListener listener = FdChannel.listen(directory.resolve("accept.sock"));
        long ms = wakeAfterClose(listener::accept, listener::close);
        assertTrue(ms < 1000, "accept woke " + ms + " ms after close");
        assertFalse(Files.exists(listener.path()));
    }

    @Test
    void closeWakesASendBlockedOnAFullSocketWithin100Ms() throws Exception {
        try (Pair pair = pair()) {
            byte[] message = new byte[FdChannel.MAX_METADATA];
            long ms = wakeAfterClose(() -> {
                while (true) {
                    pair.connected().send(message); // nobody receives: the socket buffer fills, then send waits
                }
            }, () -> pair.connected().close());
            assertTrue(ms < 1000, "send woke " + ms + " ms after close");
        }
    }

    @Test
    void anEmptyMessageIsAProtocolErrorNotTheEndOfTheStream() throws Exception {
        try (Pair pair = pair(); Arena arena = Arena.ofConfined()) {
            UnixSockets.send(pair.connected().socket(), arena.allocate(0), new OwnedFd[0]);
            pair.connected().send("after".getBytes(StandardCharsets.UTF_8));
            ProtocolException e = assertThrows(ProtocolException.class, () -> pair.accepted().receive());
            assertEquals("recvmsg on unix:" + pair.listener().path() + ": not an FdChannel message (0 bytes without"
                    + " the header); closed its 0 fds", e.getMessage());
            try (FdMessage next = pair.accepted().receive().orElseThrow()) {
                assertEquals("after", new String(next.metadata(), StandardCharsets.UTF_8));
            }
            pair.connected().close();
            assertTrue(pair.accepted().receive().isEmpty());
        }
    }

    @Test
    void closingAListenerLeavesANewerListenersSocketFileAlone() throws Exception {
        Path path = directory.resolve("shared.sock");
        FdChannelListener old = FdChannel.listen(path);
        Files.delete(path); // e.g. a restarted server cleaning up a stale socket file
        try (FdChannelListener newer = FdChannel.listen(path)) {
            old.close();
            assertTrue(Files.exists(path), "the old listener deleted the newer one's socket file");
            try (FdChannel client = FdChannel.connect(path)) {
                assertTrue(client.isOpen());
            }
        }
        assertFalse(Files.exists(path));
    }

    @Test
    void connectingToSomethingThatIsNotASocketSaysSo() throws Exception {
        Path file = Files.writeString(directory.resolve("notes.txt"), "hello");
        KernelException e = assertThrows(KernelException.class, () -> FdChannel.connect(file));
        assertEquals("connect on unix:" + file + ": ECONNREFUSED (Connection refused): " + file
                + " is a regular file, not a socket: connect to the path an FdChannelListener listens on",
                e.getMessage());
        assertEquals(KernelException.class, e.getClass(), "no permission advice for a file that is no socket");
    }
}

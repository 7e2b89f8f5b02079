package io.zeroframe.dmabuf;

import static io.zeroframe.bindings.testing.CloseWakes.wakeAfterClose;
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
import io.zeroframe.bindings.testing.Commands;
import io.zeroframe.bindings.testing.NoLeaks;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        return header(arena, buffers, fences, others, 0);
    }

    private static MemorySegment header(Arena arena, int buffers, int fences, int others, int reserved) {
        MemorySegment header = arena.allocate(FdChannel.HEADER_SIZE);
        header.copyFrom(MemorySegment.ofArray("ZFfd".getBytes(StandardCharsets.US_ASCII)));
        header.set(JAVA_SHORT_UNALIGNED, 4, (short) buffers);
        header.set(JAVA_SHORT_UNALIGNED, 6, (short) fences);
        header.set(JAVA_SHORT_UNALIGNED, 8, (short) others);
        header.set(JAVA_SHORT_UNALIGNED, 10, (short) reserved);
        return header;
    }

    @Test
    void onTheWireAMessageIsTheDocumentedHeaderThenTheMetadata() throws Exception {
        try (Pair pair = pair(); OwnedFd memfd = Syscalls.memfdCreate("wire", 0); Arena arena = Arena.ofConfined()) {
            pair.connected().send("meta".getBytes(StandardCharsets.US_ASCII), memfd, memfd);
            MemorySegment buffer = arena.allocate(64);
            UnixSockets.Received raw = UnixSockets.receive(pair.accepted().socket(), buffer, 4);
            raw.closeFds();
            assertEquals(2, raw.fds().size());
            byte[] bytes = buffer.asSlice(0, raw.length()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            ByteBuffer expected = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                    .put("ZFfd".getBytes(StandardCharsets.US_ASCII)) // the same 4 bytes on every machine
                    .putShort((short) 0).putShort((short) 0).putShort((short) 2) // counts: the machine's order
                    .putShort((short) 0) // reserved
                    .put("meta".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(expected.array(), bytes);
        }
    }

    @Test
    void aMagicInAnotherByteOrderOrNonZeroReservedBytesAreRefusedAndTheFdsClosed() throws Exception {
        try (Pair pair = pair(); OwnedFd memfd = Syscalls.memfdCreate("stray", 0); Arena arena = Arena.ofConfined()) {
            Map<Integer, String> beforeReceiving = ProcessFds.list();
            MemorySegment swapped = header(arena, 0, 0, 1);
            swapped.copyFrom(MemorySegment.ofArray("dfFZ".getBytes(StandardCharsets.US_ASCII))); // a swapped int
            UnixSockets.send(pair.connected().socket(), swapped, new OwnedFd[] {memfd});
            ProtocolException magic = assertThrows(ProtocolException.class, () -> pair.accepted().receive());
            assertEquals("recvmsg on unix:" + pair.listener().path() + ": not an FdChannel message (12 bytes without"
                    + " the header); closed its 1 fds", magic.getMessage());
            MemorySegment reserved = header(arena, 0, 0, 1, 0x0102);
            UnixSockets.send(pair.connected().socket(), reserved, new OwnedFd[] {memfd});
            ProtocolException e = assertThrows(ProtocolException.class, () -> pair.accepted().receive());
            assertEquals("recvmsg on unix:" + pair.listener().path() + ": the header's reserved bytes 10..11 are 0x"
                    + (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "0201" : "0102") + ", not 0 (a sender"
                    + " of another version of the format?); closed its 1 fds", e.getMessage());
            assertEquals(beforeReceiving, ProcessFds.list());
            pair.connected().send("next".getBytes(StandardCharsets.US_ASCII));
            try (FdMessage next = pair.accepted().receive().orElseThrow()) {
                assertEquals("next", new String(next.metadata(), StandardCharsets.US_ASCII), "the channel stays usable");
            }
        }
    }

    /**
     * The peer sends an empty message, then 12 messages, and is gone before anything is received: the empty one
     * is refused, the 12 arrive, and only then is it the end of the stream (an empty read with the peer gone was
     * taken as the end although 12 messages were still queued).
     */
    @Test
    void theEndOfTheStreamComesOnlyWhenNothingIsLeftToRead() throws Exception {
        try (Pair pair = pair(); Arena arena = Arena.ofConfined()) {
            UnixSockets.send(pair.connected().socket(), arena.allocate(0), new OwnedFd[0]);
            for (int i = 0; i < 12; i++) {
                pair.connected().send(("message " + i).getBytes(StandardCharsets.US_ASCII));
            }
            pair.connected().close();
            assertThrows(ProtocolException.class, () -> pair.accepted().receive(), "the empty message");
            for (int i = 0; i < 12; i++) {
                try (FdMessage message = pair.accepted().receive().orElseThrow(
                        () -> new AssertionError("the end of the stream with messages still queued"))) {
                    assertEquals("message " + i, new String(message.metadata(), StandardCharsets.US_ASCII));
                }
            }
            assertEquals(Optional.empty(), pair.accepted().receive());
        }
    }

    /**
     * A peer written in C from the class comment's description alone (built with gcc): it receives a message with
     * a memfd, checks the header, reads the memfd and answers with a message and a memfd of its own, then exits.
     */
    @Test
    void aCPeerFollowingTheDocumentedWireFormatTalksToAChannel() throws Exception {
        Path source = Files.writeString(directory.resolve("peer.c"), C_PEER);
        Path exe = directory.resolve("peer");
        Path log = directory.resolve("peer.log");
        Commands.check("gcc", "-std=gnu11", "-Wall", "-Werror", "-o", exe.toString(), source.toString());
        Path socket = directory.resolve("c.sock");
        try (FdChannelListener listener = FdChannel.listen(socket); OwnedFd memfd = Syscalls.memfdCreate("to-c", 0)) {
            FdChannelPeer.write(memfd, "hello C");
            Process peer = new ProcessBuilder(exe.toString(), socket.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            CompletableFuture<FdChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (KernelException e) {
                    throw new RuntimeException(e);
                }
            });
            FdChannel channel;
            try {
                channel = accepted.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                listener.close(); // wakes the accept
                peer.destroyForcibly().waitFor();
                throw new AssertionError("the C peer did not connect: " + read(log));
            }
            try (channel) {
                channel.send("to C".getBytes(StandardCharsets.US_ASCII), memfd);
                try (FdMessage answer = channel.receive().orElseThrow(
                        () -> new AssertionError("the C peer closed without answering: " + read(log)))) {
                    assertEquals("C read 4 bytes of metadata (to C) and 1 other fd: hello C",
                            new String(answer.metadata(), StandardCharsets.US_ASCII));
                    assertEquals(1, answer.fds().size());
                    assertEquals("/memfd:from-c (deleted)", ProcessFds.list().get(answer.fds().getFirst().get()));
                    assertEquals("written in C", FdChannelPeer.readAll(answer.fds().getFirst(), true));
                }
                assertEquals(Optional.empty(), channel.receive(), "the C peer's exit ends the stream");
            }
            assertTrue(peer.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, peer.exitValue(), () -> read(log));
        }
    }

    private static final String C_PEER = """
            #define _GNU_SOURCE
            #include <stdint.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <sys/mman.h>
            #include <sys/socket.h>
            #include <sys/un.h>
            #include <unistd.h>

            struct zf_header { char magic[4]; uint16_t dmabufs, sync_files, others, reserved; };
            _Static_assert(sizeof(struct zf_header) == 12, "the header has no padding");

            static void die(const char *what) { perror(what); exit(1); }

            int main(int argc, char **argv) {
                if (argc != 2) return 2;
                int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
                struct sockaddr_un address = { .sun_family = AF_UNIX };
                strncpy(address.sun_path, argv[1], sizeof address.sun_path - 1);
                if (s < 0 || connect(s, (struct sockaddr *) &address, sizeof address) != 0) die("connect");

                static char message[12 + 65536];
                union { struct cmsghdr align; char space[CMSG_SPACE(253 * sizeof(int))]; } control;
                struct iovec iov = { message, sizeof message };
                struct msghdr in = { .msg_iov = &iov, .msg_iovlen = 1,
                                     .msg_control = &control, .msg_controllen = sizeof control };
                ssize_t length = recvmsg(s, &in, MSG_CMSG_CLOEXEC);
                if (length < (ssize_t) sizeof(struct zf_header)) die("recvmsg");
                struct zf_header header;
                memcpy(&header, message, sizeof header);
                if (memcmp(header.magic, "ZFfd", 4) != 0 || header.reserved != 0) {
                    fprintf(stderr, "bad header\\n");
                    return 1;
                }
                struct cmsghdr *c = CMSG_FIRSTHDR(&in);
                if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) die("no SCM_RIGHTS");
                int count = (int) ((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
                if (count != header.dmabufs + header.sync_files + header.others || header.others != 1) {
                    fprintf(stderr, "%d fds for %u+%u+%u\\n", count, header.dmabufs, header.sync_files, header.others);
                    return 1;
                }
                int fd;
                memcpy(&fd, CMSG_DATA(c), sizeof fd);
                char text[64] = {0};
                if (pread(fd, text, sizeof text - 1, 0) < 0) die("pread");
                close(fd);

                char answer[12 + 256];
                struct zf_header out = { { 'Z', 'F', 'f', 'd' }, 0, 0, 1, 0 };
                memcpy(answer, &out, sizeof out);
                int metadata = snprintf(answer + 12, 256, "C read %d bytes of metadata (%.*s) and %u other fd: %s",
                                        (int) (length - 12), (int) (length - 12), message + 12, header.others, text);
                int memfd = memfd_create("from-c", MFD_CLOEXEC);
                if (memfd < 0 || write(memfd, "written in C", 12) != 12) die("memfd");
                union { struct cmsghdr align; char space[CMSG_SPACE(sizeof(int))]; } outControl;
                memset(&outControl, 0, sizeof outControl);
                struct iovec outIov = { answer, 12 + (size_t) metadata };
                struct msghdr reply = { .msg_iov = &outIov, .msg_iovlen = 1,
                                        .msg_control = &outControl, .msg_controllen = sizeof outControl };
                struct cmsghdr *rights = CMSG_FIRSTHDR(&reply);
                rights->cmsg_level = SOL_SOCKET;
                rights->cmsg_type = SCM_RIGHTS;
                rights->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(rights), &memfd, sizeof memfd);
                if (sendmsg(s, &reply, MSG_NOSIGNAL) != (ssize_t) (12 + metadata)) die("sendmsg");
                close(memfd);
                close(s);
                return 0;
            }
            """;

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

package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The second JVM of the cross-process {@link FdChannel} tests: connects to the socket given on the command line,
 * receives one message, answers it over the channel with what it read through the received fds, waits for the
 * test to close the channel and prints {@code fds unchanged} (or what leaked; jars the class loader opened on the
 * way are not counted) on stdout. Exit status 0 on success.
 *
 * <ul>
 *   <li>{@code files SOCKET}: the message carries a memfd and a pipe's read end; the answer's metadata is
 *       {@code memfd=<its content>;pipe=<what came through the pipe>} and it carries a new memfd with
 *       {@code from the peer}.</li>
 *   <li>{@code dmabuf SOCKET}: the message carries a dma-buf and a sync_file; the peer maps the buffer, reads it
 *       in a READ bracket and answers {@code exporter=..;size=..;fence=..;crc32c=..;head=<hex of 64 bytes>}.</li>
 * </ul>
 */
public final class FdChannelPeer {
    private FdChannelPeer() {}

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[1]);
        Map<Integer, String> before = openFiles();
        try (FdChannel channel = FdChannel.connect(socket)) {
            try (FdMessage message = channel.receive().orElseThrow(() -> new AssertionError("no message"))) {
                switch (args[0]) {
                    case "files" -> answerFiles(channel, message);
                    case "dmabuf" -> answerDmaBuf(channel, message);
                    default -> throw new IllegalArgumentException("unknown mode " + args[0]);
                }
            }
            Optional<FdMessage> end = channel.receive();
            if (end.isPresent()) {
                end.get().close();
                throw new AssertionError("expected the end of the channel, got " + end.get());
            }
        }
        Map<Integer, String> after = openFiles();
        System.out.println(before.equals(after) ? "fds unchanged" : "fds changed: " + before + " -> " + after);
    }

    /** This process's fds, without the jars the class loader opens as classes are first used. */
    private static Map<Integer, String> openFiles() {
        Map<Integer, String> fds = new TreeMap<>(ProcessFds.list());
        fds.values().removeIf(target -> target.endsWith(".jar"));
        return fds;
    }

    private static void answerFiles(FdChannel channel, FdMessage message) throws Exception {
        List<OwnedFd> fds = message.fds();
        String memfd = readAll(fds.get(0), true);
        String pipe = readAll(fds.get(1), false);
        try (OwnedFd answer = Syscalls.memfdCreate("answer", 0)) {
            write(answer, "from the peer");
            channel.send(("memfd=" + memfd + ";pipe=" + pipe).getBytes(StandardCharsets.UTF_8), answer);
        }
    }

    private static void answerDmaBuf(FdChannel channel, FdMessage message) throws Exception {
        DmaBuf buffer = message.buffers().getFirst();
        SyncFile fence = message.fences().getFirst();
        String answer;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pixels = buffer.map(arena, Access.READ);
            // CRC32C rather than a MessageDigest: the JDK's SecureRandom keeps /dev/urandom open, a false "leak"
            CRC32C crc = new CRC32C();
            byte[] head;
            try (CpuAccess cpu = buffer.cpuAccess(Access.READ)) {
                crc.update(pixels.asByteBuffer());
                head = pixels.asSlice(0, 64).toArray(JAVA_BYTE);
            }
            answer = "exporter=" + buffer.exporter() + ";size=" + buffer.size() + ";fence=" + fence.status()
                    + ";crc32c=" + Long.toHexString(crc.getValue()) + ";head=" + HexFormat.of().formatHex(head);
        }
        channel.send(answer.getBytes(StandardCharsets.UTF_8));
    }

    static String readAll(OwnedFd fd, boolean fromStart) throws Exception {
        if (fromStart) {
            Syscalls.lseek(fd, 0, Syscalls.SEEK_SET);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(4096);
            long n;
            while ((n = Syscalls.read(fd, chunk)) > 0) {
                bytes.write(chunk.asSlice(0, n).toArray(JAVA_BYTE));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static void write(OwnedFd fd, String text) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment segment = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, 0, bytes.length);
            if (Syscalls.write(fd, segment) != bytes.length) {
                throw new AssertionError("short write to " + fd);
            }
        }
    }
}

package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.ProcessFds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * System-heap dma-bufs and their sync_files through an {@link FdChannel}: between two threads, and to a second JVM
 * that maps the buffer and reports what it read. The base class checks that no fd leaked.
 */
@Tag("device")
class FdChannelDeviceTest extends DeviceTestSupport {
    private static final long SIZE = 1 << 20;

    @TempDir
    Path directory;

    @Test
    void aDmaBufAndItsFencePassBetweenThreads() throws Exception {
        byte[] pattern = pattern(1);
        try (FdChannelListener listener = FdChannel.listen(directory.resolve("threads.sock"))) {
            CompletableFuture<FdChannel> accepting = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (FdChannel sender = FdChannel.connect(listener.path());
                 FdChannel receiver = accepting.get(30, TimeUnit.SECONDS);
                 DmaBuf buffer = filled(pattern);
                 SyncFile fence = buffer.exportSyncFile(Access.WRITE)) {
                sender.send("frame 1".getBytes(StandardCharsets.UTF_8), List.of(buffer), List.of(fence));
                assertTrue(buffer.isOpen() && fence.isOpen(), "send borrows");
                try (FdMessage message = receiver.receive().orElseThrow(); Arena arena = Arena.ofConfined()) {
                    assertEquals("frame 1", new String(message.metadata(), StandardCharsets.UTF_8));
                    assertEquals(List.of(), message.fds());
                    DmaBuf received = message.buffers().getFirst();
                    assertNotEquals(buffer.fd(), received.fd());
                    assertEquals("dma-buf (received on unix:" + listener.path() + ")", received.path());
                    assertEquals(SIZE, received.size());
                    assertEquals("system", received.exporter());
                    assertTrue(ProcessFds.list().get(received.fd()).startsWith("/dmabuf:"));
                    assertEquals(FenceStatus.SIGNALLED, message.fences().getFirst().status());
                    MemorySegment view = received.map(arena, Access.READ);
                    try (CpuAccess cpu = received.cpuAccess(Access.READ)) {
                        assertArrayEquals(pattern, view.toArray(JAVA_BYTE));
                    }
                }
            }
        }
    }

    @Test
    void aSecondJvmMapsTheDmaBufAndReadsWhatThisOneWrote() throws Exception {
        byte[] pattern = pattern(2);
        Path socket = directory.resolve("jvm.sock");
        try (FdChannelListener listener = FdChannel.listen(socket);
             FdChannelPeerJvm peer = FdChannelPeerJvm.start(directory, "dmabuf", socket);
             FdChannel channel = FdChannelTest.acceptFrom(listener, peer)) {
            try (DmaBuf buffer = filled(pattern); SyncFile fence = buffer.exportSyncFile(Access.WRITE)) {
                channel.send("frame".getBytes(StandardCharsets.UTF_8), List.of(buffer), List.of(fence));
            }
            Optional<FdMessage> received = channel.receive();
            if (received.isEmpty()) {
                throw new AssertionError("the peer closed without answering; stderr:\n" + peer.stderr());
            }
            try (FdMessage answer = received.get()) {
                String expected = "exporter=system;size=" + SIZE + ";fence=" + FenceStatus.SIGNALLED
                        + ";crc32c=" + Long.toHexString(crc32c(pattern))
                        + ";head=" + HexFormat.of().formatHex(pattern, 0, 64);
                assertEquals(expected, new String(answer.metadata(), StandardCharsets.UTF_8));
            }
            channel.close();
            assertEquals("fds unchanged\n", peer.awaitSuccess());
        }
    }

    private static long crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    private static byte[] pattern(long seed) {
        byte[] bytes = new byte[(int) SIZE];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A system-heap buffer holding {@code pattern}, written through its mapping in a WRITE bracket. */
    private static DmaBuf filled(byte[] pattern) throws Exception {
        DmaBuf buffer = allocate(SIZE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pixels = buffer.map(arena, Access.READ_WRITE);
            try (CpuAccess cpu = buffer.cpuAccess(Access.WRITE)) {
                MemorySegment.copy(pattern, 0, pixels, JAVA_BYTE, 0, pattern.length);
            }
            return buffer;
        } catch (Exception | Error e) {
            buffer.close();
            throw e;
        }
    }
}

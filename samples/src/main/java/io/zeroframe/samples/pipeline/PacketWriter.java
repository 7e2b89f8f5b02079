package io.zeroframe.samples.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * Writes an encoder's packets one after the other to a channel (a FWHT file is the packets concatenated), counting
 * them: the {@link Recorder}'s output, and a {@link ThroughStages.ResultTap} on an encoder stage. A packet's bytes are
 * mapped by {@link CodecStage.Result#bytes}; the channel is borrowed. Counters readable from any thread.
 */
public final class PacketWriter implements ThroughStages.ResultTap {
    private final WritableByteChannel out;
    private long packets;
    private long bytes;

    /** Writes to {@code out} (borrowed: the caller closes it). */
    public PacketWriter(WritableByteChannel out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Writes the packet's bytes, all of them; an empty packet writes nothing. */
    @Override
    public void take(CodecStage.Result packet) throws IOException {
        if (packet.bytesUsed(0) == 0) {
            return;
        }
        ByteBuffer data = packet.bytes().asByteBuffer();
        int length = data.remaining();
        while (data.hasRemaining()) {
            out.write(data);
        }
        synchronized (this) {
            bytes += length;
            packets++;
        }
    }

    /** Packets written so far. */
    public synchronized long packets() {
        return packets;
    }

    /** Bytes written so far. */
    public synchronized long bytes() {
        return bytes;
    }
}

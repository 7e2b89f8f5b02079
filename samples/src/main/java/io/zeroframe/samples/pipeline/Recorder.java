package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.v4l2.FourCc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Records what the camera of a {@link CaptureToScanout} captures while the display shows it: a
 * {@link CaptureToScanout.FrameTap} that offers each captured frame to a stateful V4L2 encoder ({@link CodecStage})
 * and writes the encoder's packets, one after the other, to a channel (a FWHT stream for vicodec, which its
 * decoder reads back).
 *
 * <p><b>Zero-copy.</b> The encoder's OUTPUT buffers are the pipeline's own frames, imported as dma-bufs: the codec
 * reads the camera's memory, and a frame goes back to the camera only when both the encoder and the display are done
 * with it. The process maps only the packet buffers (compressed data it must write out), once, for the recorder's
 * life; never a frame.
 *
 * <p><b>Loop.</b> Everything runs on the pipeline's thread and in its one wait: the encoder's queues and events are
 * in the pipeline's poller ({@link CodecStage#attach}). An encoder that falls behind holds the frames it has not
 * read; the camera then has fewer buffers, and drops frames before the display does. At the end of the run the
 * encoder is drained ({@code V4L2_ENC_CMD_STOP}, up to the {@code LAST} packet) and the frames it held are given back:
 * a recorder records one run.
 *
 * <p>Per packet it allocates its CPU-access bracket and a byte-buffer view of it ({@link CodecStage.Result#bytes},
 * which maps each packet buffer once). {@link #close} closes the encoder, once no run uses the recorder (close the
 * pipeline first); the channel stays the caller's.
 */
public final class Recorder implements CaptureToScanout.FrameTap, AutoCloseable {
    private final CodecStage encoder;
    private final BufferPool pool;
    private final WritableByteChannel out;
    /** Slots the encoder has read, by index, until the pipeline takes them: a ring as large as the pool. */
    private final int[] done;
    private int doneHead;
    private int doneCount;
    private long bytesWritten;
    private long packetsWritten;
    private Poller poller;

    private Recorder(CodecStage encoder, BufferPool pool, WritableByteChannel out) {
        this.encoder = encoder;
        this.pool = pool;
        this.out = out;
        this.done = new int[pool.slots().size()];
    }

    /**
     * Starts {@code encoder} (opened on an encoder node, not started; the recorder owns it from now on, also when
     * this fails) to code {@code layout} (the pool's frames) into {@code coded}, with the pool's frames as its input
     * buffers and {@code packets} packet buffers.
     *
     * @param pool the pipeline's buffers, borrowed; their layout must be one the encoder takes (plan it with the
     *             encoder's OUTPUT queue as a consumer: {@link CodecStage#inputQueue})
     * @param out  where the packets go, borrowed
     * @throws KernelException the encoder's refusals (format, buffers), naming the node; the encoder is closed
     */
    public static Recorder start(CodecStage encoder, BufferPool pool, FrameLayout layout, FourCc coded, int packets,
                                 WritableByteChannel out) throws KernelException {
        Objects.requireNonNull(encoder, "encoder");
        Recorder recorder = new Recorder(encoder, Objects.requireNonNull(pool, "pool"),
                Objects.requireNonNull(out, "out"));
        try {
            List<Frame> frames = new ArrayList<>(pool.slots().size());
            for (BufferPool.Slot slot : pool.slots()) {
                frames.add(slot.frame());
            }
            encoder.startEncoder(layout, coded, frames, packets);
            return recorder;
        } catch (KernelException | RuntimeException | Error e) {
            recorder.close();
            throw e;
        }
    }

    /** The encoder stage, for its statistics and format. */
    public CodecStage encoder() {
        return encoder;
    }

    /** Packets written so far. */
    public long packetsWritten() {
        return packetsWritten;
    }

    /** Bytes written so far. */
    public long bytesWritten() {
        return bytesWritten;
    }

    @Override
    public void attach(Poller poller) {
        this.poller = poller;
        encoder.attach(poller);
    }

    @Override
    public boolean offer(BufferPool.Slot slot) throws KernelException {
        return encoder.offer(slot.index(), slot.videoBuffer().bytesUsed(0), slot.videoBuffer().timestampNanos());
    }

    @Override
    public void service() throws KernelException {
        for (Optional<CodecStage.Result> packet = encoder.takeResult(); packet.isPresent();
                packet = encoder.takeResult()) {
            write(packet.get());
        }
        for (Optional<CodecStage.Input> read = encoder.takeProcessed(); read.isPresent();
                read = encoder.takeProcessed()) {
            done[(doneHead + doneCount++) % done.length] = read.get().index();
        }
    }

    @Override
    public BufferPool.Slot takeDone() {
        if (doneCount == 0) {
            return null;
        }
        int index = done[doneHead];
        doneHead = (doneHead + 1) % done.length;
        doneCount--;
        return pool.slots().get(index);
    }

    /** Drains the encoder up to its {@code LAST} packet, at most {@code bound}, then leaves the poller. */
    @Override
    public void end(Duration bound) throws KernelException {
        try {
            if (encoder.statistics().offered() > 0) {
                encoder.drain();
                long until = System.nanoTime() + bound.toNanos();
                service();
                while (!encoder.drained() && System.nanoTime() - until < 0) {
                    poller.await(Duration.ofNanos(until - System.nanoTime()));
                    service();
                }
            }
        } finally {
            encoder.detach();
        }
    }

    /** Writes a packet's bytes to the channel and gives its buffer back to the encoder. */
    private void write(CodecStage.Result packet) throws KernelException {
        try {
            if (packet.bytesUsed(0) > 0) {
                ByteBuffer bytes = packet.bytes().asByteBuffer();
                bytesWritten += bytes.remaining();
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                packetsWritten++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing packet " + packetsWritten + " of " + encoder.path(), e);
        } finally {
            encoder.release(packet);
        }
    }

    /** Closes the encoder (stopping it, unmapping its packets); idempotent; once no run uses the recorder. */
    @Override
    public void close() {
        encoder.close();
    }

    @Override
    public String toString() {
        return "Recorder[" + encoder.path() + ", " + packetsWritten + " packets, " + bytesWritten + " bytes]";
    }
}

package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.v4l2.FourCc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Records what the camera of a {@link CaptureToScanout} captures while the display shows it: a
 * {@link CaptureToScanout.FrameTap} that hands captured frames to a stateful V4L2 encoder ({@link CodecStage}) and
 * writes the encoder's packets, one after the other, to a channel (a FWHT stream for vicodec, which its decoder
 * reads back).
 *
 * <p><b>Zero-copy.</b> The encoder's OUTPUT buffers are the pipeline's own frames, imported as dma-bufs: the codec
 * reads the camera's memory, and a frame goes back to the camera only when both the encoder and the display are done
 * with it. The process maps only the packet buffers (compressed data it must write out), once each; never a frame.
 *
 * <p><b>Its own thread.</b> The encoder is driven by a thread of the recorder's, in a wait of its own over the
 * encoder's queues: a software encoder codes inside {@code VIDIOC_QBUF} on the caller's thread (vicodec does, tens
 * of milliseconds a frame under emulation), which would hold the display's loop. The pipeline's loop only passes
 * slot indices: {@link #offer} queues a frame for the encoder thread and wakes it, and the encoder thread wakes the
 * loop's poller when it has read a frame, which {@link #takeDone} then gives back. At most {@code inFlight} frames
 * are with the encoder at once; a frame captured while that many are is not recorded ({@link #refused}), so the
 * camera always keeps buffers and the display its pace.
 *
 * <p>At the end of the run ({@link #end}) the encoder is drained ({@code V4L2_ENC_CMD_STOP}, up to the {@code LAST}
 * packet) and every frame it held is given back: a recorder records one run. A failure of the encoder thread (the
 * encoder's or the channel's) is thrown by the next call from the loop. Per packet the encoder thread allocates its
 * CPU-access bracket and a byte-buffer view ({@link CodecStage.Result#bytes}); the loop's calls allocate nothing.
 * {@link #close} (any thread) stops the encoder thread and closes the encoder; the channel stays the caller's.
 */
public final class Recorder implements CaptureToScanout.FrameTap, AutoCloseable {
    private final CodecStage encoder;
    private final BufferPool pool;
    private final PacketWriter out;
    private final int inFlight;
    private final Poller encoderPoller;
    /** Guards the two rings, the counters the loop reads, {@link #ending} and {@link #failure}. */
    private final Object lock = new Object();
    /** Slot indices offered by the loop, not yet queued to the encoder; and those it has read, not yet taken. */
    private final int[] toEncode;
    private final int[] done;
    private int toEncodeHead;
    private int toEncodeCount;
    private int doneHead;
    private int doneCount;
    /** Offered by the loop and not yet given back by {@link #takeDone}. */
    private int withRecorder;
    /** What each offered slot's V4L2 buffer said when it was captured: bytes used and timestamp. */
    private final int[] bytesUsed;
    private final long[] stamps;
    private long refused;
    private boolean ending;
    private Throwable failure;
    private Thread thread;
    private Poller loopPoller;

    private Recorder(CodecStage encoder, BufferPool pool, WritableByteChannel out, int inFlight, Poller poller) {
        this.encoder = encoder;
        this.pool = pool;
        this.out = new PacketWriter(out);
        this.inFlight = inFlight;
        this.encoderPoller = poller;
        int slots = pool.slots().size();
        this.toEncode = new int[slots];
        this.done = new int[slots];
        this.bytesUsed = new int[slots];
        this.stamps = new long[slots];
    }

    /**
     * Starts {@code encoder} (opened on an encoder node, not started; the recorder owns it from now on, also when
     * this fails) to code {@code layout} (the pool's frames) into {@code coded}, with the pool's frames as its input
     * buffers and {@code packets} packet buffers.
     *
     * @param pool     the pipeline's buffers, borrowed; their layout must be one the encoder takes (plan it with the
     *                 encoder's OUTPUT queue as a consumer: {@link CodecStage#inputQueue})
     * @param inFlight at most this many frames with the encoder at once, at least 1; the others stay the camera's
     * @param out      where the packets go, borrowed
     * @throws KernelException the encoder's refusals (format, buffers), naming the node; the encoder is closed
     */
    public static Recorder start(CodecStage encoder, BufferPool pool, FrameLayout layout, FourCc coded, int packets,
                                 int inFlight, WritableByteChannel out) throws KernelException {
        Objects.requireNonNull(encoder, "encoder");
        try {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(out, "out");
            if (inFlight < 1) {
                throw new IllegalArgumentException("inFlight must be at least 1: " + inFlight);
            }
            List<Frame> frames = new ArrayList<>(pool.slots().size());
            for (BufferPool.Slot slot : pool.slots()) {
                frames.add(slot.frame());
            }
            encoder.startEncoder(layout, coded, frames, packets);
            Poller poller = Poller.open();
            encoder.attach(poller);
            return new Recorder(encoder, pool, out, inFlight, poller);
        } catch (KernelException | RuntimeException | Error e) {
            encoder.close();
            throw e;
        }
    }

    /** The encoder stage, for its statistics and format. */
    public CodecStage encoder() {
        return encoder;
    }

    /** Packets written so far. */
    public long packetsWritten() {
        return out.packets();
    }

    /** Bytes written so far. */
    public long bytesWritten() {
        return out.bytes();
    }

    /** Captured frames not recorded: {@code inFlight} frames were with the encoder already. */
    public long refused() {
        synchronized (lock) {
            return refused;
        }
    }

    /** Starts the encoder thread, which wakes {@code poller} (the loop's) when it gives a frame back. */
    @Override
    public void attach(Poller poller) {
        synchronized (lock) {
            if (thread != null) {
                throw new IllegalStateException("the recorder on " + encoder.path() + " runs already: it records"
                        + " one run");
            }
            loopPoller = poller;
            thread = Thread.ofPlatform().name("recorder " + encoder.path()).daemon(true).start(this::encode);
        }
    }

    @Override
    public boolean offer(BufferPool.Slot slot) throws KernelException {
        synchronized (lock) {
            rethrow();
            if (ending || withRecorder >= inFlight) {
                refused++;
                return false;
            }
            int index = slot.index();
            bytesUsed[index] = slot.videoBuffer().bytesUsed(0);
            stamps[index] = slot.videoBuffer().timestampNanos();
            toEncode[(toEncodeHead + toEncodeCount++) % toEncode.length] = index;
            withRecorder++;
        }
        encoderPoller.wakeup();
        return true;
    }

    /** Throws what failed on the encoder thread, if anything did. */
    @Override
    public void service() throws KernelException {
        synchronized (lock) {
            rethrow();
        }
    }

    @Override
    public BufferPool.Slot takeDone() {
        synchronized (lock) {
            if (doneCount == 0) {
                return null;
            }
            int index = done[doneHead];
            doneHead = (doneHead + 1) % done.length;
            doneCount--;
            withRecorder--;
            return pool.slots().get(index);
        }
    }

    /**
     * Lets the encoder thread drain the encoder up to its {@code LAST} packet and end, at most {@code bound}; the
     * frames it held are then in {@link #takeDone}.
     *
     * @throws IllegalStateException when the encoder thread did not end in time (its frames stay taken)
     */
    @Override
    public void end(Duration bound) throws KernelException {
        Thread running;
        synchronized (lock) {
            ending = true;
            running = thread;
        }
        encoderPoller.wakeup();
        if (running != null) {
            try {
                if (!running.join(bound)) {
                    throw new IllegalStateException("the encoder " + encoder.path() + " did not drain in " + bound);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the encoder " + encoder.path() + " drained", e);
            }
        }
        synchronized (lock) {
            rethrow();
        }
    }

    /** The encoder thread: queues offered frames, writes packets, gives read frames back, drains at the end. */
    private void encode() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        boolean draining = false;
        try {
            while (true) {
                int index;
                boolean end;
                while (true) {
                    synchronized (lock) {
                        end = ending;
                        if (toEncodeCount == 0) {
                            break;
                        }
                        index = toEncode[toEncodeHead];
                        toEncodeHead = (toEncodeHead + 1) % toEncode.length;
                        toEncodeCount--;
                    }
                    encoder.offer(index, bytesUsed[index], stamps[index]);
                }
                if (end && !draining) {
                    if (encoder.statistics().offered() == 0) {
                        return;
                    }
                    encoder.drain();
                    draining = true;
                }
                encoderPoller.await(forever);
                for (Optional<CodecStage.Result> packet = encoder.takeResult(); packet.isPresent();
                        packet = encoder.takeResult()) {
                    write(packet.get());
                }
                boolean gaveBack = false;
                for (Optional<CodecStage.Input> read = encoder.takeProcessed(); read.isPresent();
                        read = encoder.takeProcessed()) {
                    synchronized (lock) {
                        done[(doneHead + doneCount++) % done.length] = read.get().index();
                    }
                    gaveBack = true;
                }
                if (gaveBack) {
                    loopPoller.wakeup();
                }
                if (draining && encoder.drained()) {
                    return; // the LAST packet came after every frame queued before the drain was read
                }
            }
        } catch (Throwable e) {
            synchronized (lock) {
                failure = e;
            }
            loopPoller.wakeup();
        }
    }

    /** Writes a packet's bytes to the channel and gives its buffer back to the encoder. */
    private void write(CodecStage.Result packet) throws KernelException {
        try {
            out.take(packet);
        } catch (KernelException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("writing packet " + packetsWritten() + " of " + encoder.path(), e);
        } finally {
            encoder.release(packet);
        }
    }

    /** Called under {@link #lock}: what failed on the encoder thread, thrown on the loop's. */
    private void rethrow() throws KernelException {
        Throwable failed = failure;
        if (failed == null) {
            return;
        }
        failure = null;
        switch (failed) {
            case KernelException kernel -> throw kernel;
            case RuntimeException runtime -> throw runtime;
            case Error error -> throw error;
            default -> throw new IllegalStateException("the recorder on " + encoder.path() + " failed", failed);
        }
    }

    /** Stops the encoder thread (it ends at its next wake-up), closes the encoder and its wait; idempotent. */
    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            ending = true;
            running = thread;
        }
        encoder.close(); // wakes the encoder thread's wait: its sources are reported closed, its next call throws
        encoderPoller.wakeup();
        if (running != null) {
            boolean interrupted = false;
            while (running.isAlive()) {
                try {
                    running.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        encoder.detach();
        encoderPoller.close();
    }

    @Override
    public String toString() {
        return "Recorder[" + encoder.path() + ", " + packetsWritten() + " packets, " + bytesWritten() + " bytes, "
                + refused() + " frames not recorded]";
    }
}

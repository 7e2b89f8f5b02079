package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link StagePlan} made real, once: the camera's buffers allocated as hop 0's plan says (the camera's own exports
 * imported back, or frames from the plan's source), then every stage started on the buffers of the one before: an
 * encoder on the frames ({@link CodecStage#startEncoder}), a decoder on the encoder's packet buffers ({@link
 * CodecStage#startDecoder}, its CAPTURE preferring the next hop's format), a converter on the frames with the next
 * hop's layout on CAPTURE ({@link CodecStage#startConverter}; after a decoder, only {@linkplain
 * CodecStage#prepareConverter prepared}: {@link ThroughStages} feeds it the decoder's frames). A stage whose results
 * the plan has another allocator make (the display's dumb buffers, a heap) imports them at each CAPTURE setup ({@link
 * SourceFrames}). The stages hand on to {@link ThroughStages#open}.
 *
 * <p>Owns the stages (also when {@link #start} throws), the camera's frames and the result frames it allocated;
 * {@link #close} closes the stages downstream first, frees the camera's buffers ({@code VIDIOC_REQBUFS} 0), and
 * closes the frames. Close the pipeline first. Not thread-safe, except {@link #close} after the pipeline closed.
 */
public final class Stages implements AutoCloseable {
    private final VideoQueue camera;
    private final List<CodecStage> stages;
    private final List<Frame> frames = new ArrayList<>();
    private final List<SourceFrames> resultFrames = new ArrayList<>();
    private Plan cameraPlan;

    private Stages(StagePlan plan) {
        this.camera = plan.camera();
        List<CodecStage> codecs = new ArrayList<>();
        plan.stages().forEach(stage -> codecs.add(stage.codec()));
        this.stages = List.copyOf(codecs);
        this.cameraPlan = plan.hops().getFirst().plan();
    }

    /**
     * Allocates and starts, as the class comment says; {@code packets} packet buffers per encoder (or the codec's
     * minimum), frames by the plans' counts; a last stage whose results the application takes gets {@code packets}
     * buffers too (a converter there keeps its input's format, at the size it was described with).
     *
     * @throws IOException the camera, a source or a stage refused: what was made is freed, the stages closed
     */
    public static Stages start(StagePlan plan, int packets) throws IOException {
        Stages started = new Stages(plan);
        try {
            started.startAll(plan, packets);
            return started;
        } catch (IOException | RuntimeException | Error e) {
            started.close();
            throw e;
        }
    }

    private void startAll(StagePlan plan, int packets) throws IOException {
        StagePlan.Hop first = plan.hops().getFirst();
        BufferPool.allocateFrames(first.plan(), camera, first.source(), frames);
        List<Frame> upstream = List.copyOf(frames);
        FrameLayout layout = first.plan().layout();
        for (int k = 0; k < stages.size(); k++) {
            StagePlan.Stage stage = plan.stages().get(k);
            CodecStage codec = stage.codec();
            StagePlan.Hop out = plan.hops().get(k + 1);
            switch (codec.kind()) {
                case ENCODER -> codec.startEncoder(layout, stage.coded().orElseThrow(), upstream, packets);
                case DECODER -> {
                    int count = packets;
                    if (!out.toApplication()) {
                        importResults(codec, out);
                        codec.preferResults(out.plan().chosen().format());
                        count = out.plan().count();
                    }
                    FourCc coded = plan.stages().get(k - 1).coded().orElseThrow();
                    codec.startDecoder(coded, layout.width(), layout.height(), stages.get(k - 1).resultBuffers(),
                            count);
                }
                case CONVERTER -> {
                    FrameLayout output;
                    int count;
                    if (out.toApplication()) { // the input's format, at the size the chain asked for
                        output = FrameLayout.of(layout.format(), stage.width().orElse(layout.width()),
                                stage.height().orElse(layout.height()));
                        count = packets;
                    } else {
                        importResults(codec, out);
                        output = out.plan().layout();
                        count = out.plan().count();
                    }
                    if (k > 0 && stages.get(k - 1).kind() == CodecStage.Kind.DECODER) {
                        // the decoder's frames exist once its stream plays: the pipeline feeds them then
                        codec.prepareConverter(output, count);
                        upstream = List.of();
                    } else {
                        codec.startConverter(layout, upstream, output, count);
                        List<Frame> made = new ArrayList<>();
                        codec.results().forEach(result -> made.add(result.frame()));
                        upstream = List.copyOf(made);
                    }
                    layout = output;
                }
            }
        }
    }

    /** Has {@code codec} import its results from the hop's allocator unless it allocates them itself. */
    private void importResults(CodecStage codec, StagePlan.Hop out) {
        if (out.producerAllocates()) {
            return;
        }
        BufferSource source = out.source().orElseThrow(() -> new IllegalStateException("the plan of " + out.from()
                + " -> " + out.to() + " has no source for " + out.plan().allocator()));
        SourceFrames made = new SourceFrames(source, out.plan());
        resultFrames.add(made);
        codec.resultFrames(made);
    }

    /** The stages, camera side first, started. */
    public List<CodecStage> stages() {
        return stages;
    }

    /** Stage {@code k}. */
    public CodecStage stage(int k) {
        return stages.get(k);
    }

    /** The camera's frames, by buffer index; owned here. */
    public List<Frame> cameraFrames() {
        return frames;
    }

    /**
     * The camera at {@code width x height} in the first hop's format, from its allocator
     * ({@link ThroughStages#changeCamera}): the camera's buffers freed ({@code VIDIOC_REQBUFS} 0), the old frames
     * closed, new ones made as at the start; the first stage restarts on them.
     *
     * @param source the first hop's allocator's source; unused (may be empty) when the camera allocates
     */
    public ThroughStages.CameraChange cameraChange(int width, int height, Optional<BufferSource> source) {
        return queue -> {
            queue.release();
            // the camera's answer is the new size (vivid makes 640x368 640x360)
            VideoFormat answered = queue.device().setFormat(
                    VideoFormat.of(queue.type(), cameraPlan.chosen().format(), width, height));
            FrameLayout layout = answered.toLayout().orElseThrow(() ->
                    new IllegalStateException(queue + " answered " + answered + ": no frame layout"));
            Plan resized = cameraPlan.withLayout(layout);
            frames.forEach(Frame::close);
            frames.clear();
            BufferPool.allocateFrames(resized, queue, source, frames);
            cameraPlan = resized;
            return new ThroughStages.Restart(resized.layout(), List.copyOf(frames));
        };
    }

    /** Downstream first: each stage imports the one before's buffers, the first the camera's frames. */
    @Override
    public void close() {
        for (CodecStage stage : stages.reversed()) {
            stage.close();
        }
        resultFrames.forEach(SourceFrames::close);
        try {
            camera.release();
        } catch (KernelException | RuntimeException e) {
            // the queue's close frees them with its fd
        }
        frames.forEach(Frame::close);
    }
}

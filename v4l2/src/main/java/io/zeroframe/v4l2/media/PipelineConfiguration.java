package io.zeroframe.v4l2.media;

import io.zeroframe.v4l2.VideoFormat;
import java.util.List;
import java.util.Optional;

/**
 * What {@link MediaPipeline#configure} did: the path it chose, the links it switched, every pad format it set in
 * order, and either the video node's format (the path is ready to stream) or the first pad that refused or changed
 * the request (the path is not).
 *
 * @param path        the data links from the source entity to the video node, source first
 * @param linksSwitched what {@code MEDIA_IOC_SETUP_LINK} changed, in order, one readable line per link, e.g.
 *                    {@code enabled "Debayer B":1 -> "Scaler":0}
 * @param steps       each pad format set, in order from the source pad
 * @param refusal     the first pad whose answer broke the request (another size, or a code the next pad cannot take),
 *                    naming the pad and what it answered; empty when the whole path took it
 * @param videoFormat the format set on the video node; empty when a pad refused before it
 */
public record PipelineConfiguration(List<MediaLink> path, List<String> linksSwitched, List<PadStep> steps,
                                    Optional<PadStep> refusal, Optional<VideoFormat> videoFormat) {
    public PipelineConfiguration {
        path = List.copyOf(path);
        linksSwitched = List.copyOf(linksSwitched);
        steps = List.copyOf(steps);
    }

    /** Whether every pad and the video node took the request: the path can stream. */
    public boolean isComplete() {
        return refusal.isEmpty() && videoFormat.isPresent();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(isComplete() ? "configured" : "refused at "
                + refusal.map(PadStep::toString).orElse("the video node"));
        for (String link : linksSwitched) {
            out.append("\n  ").append(link);
        }
        for (PadStep step : steps) {
            out.append("\n  ").append(step);
        }
        videoFormat.ifPresent(f -> out.append("\n  video node ").append(f));
        return out.toString();
    }
}

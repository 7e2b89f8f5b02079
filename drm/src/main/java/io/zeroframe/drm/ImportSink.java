package io.zeroframe.drm;

import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link BufferSink} of a DRM device that imports trial frames ({@link RenderEndpoint#sink()}), and the base of
 * a plane's ({@link PlaneEndpoint#sink()}): {@link DrmDevice#tryImport} of each of the frame's buffers, the handles
 * kept until {@link #release()}. Not thread-safe.
 */
class ImportSink implements BufferSink {
    private static final Logger LOG = LoggerFactory.getLogger(ImportSink.class);

    final DrmDevice device;
    private final Endpoint endpoint;
    private final List<GemHandle> handles = new ArrayList<>();

    ImportSink(DrmDevice device, Endpoint endpoint) {
        this.device = device;
        this.endpoint = endpoint;
    }

    @Override
    public final Endpoint endpoint() {
        return endpoint;
    }

    /** Imports every buffer of {@code frame}; the first refusal ends it (the handles made so far are kept). */
    @Override
    public final TrialResult importFrame(Frame frame, Candidate candidate) {
        for (DmaBuf buffer : frame.buffers()) {
            Attempt<GemHandle> imported = device.tryImport(buffer);
            if (!imported.accepted()) {
                return imported.result();
            }
            handles.add(imported.get());
        }
        return TrialResult.ACCEPTED;
    }

    /** Closes the handles, the last first; never throws. */
    @Override
    public void release() {
        for (GemHandle handle : handles.reversed()) {
            try {
                handle.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the trial import {} failed", handle, e);
            }
        }
        handles.clear();
    }

    @Override
    public String toString() {
        return "sink of " + endpoint;
    }
}

package io.zeroframe.drm;

import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PRIME imports of a trial frame on one device, as a sink's {@code importFrame} makes them
 * ({@link DrmDevice#tryImport} of each of the frame's buffers), kept until {@link #release()}. Not thread-safe.
 */
final class TrialImports {
    private static final Logger LOG = LoggerFactory.getLogger(TrialImports.class);

    private final DrmDevice device;
    private final List<GemHandle> handles = new ArrayList<>();

    TrialImports(DrmDevice device) {
        this.device = device;
    }

    /** Imports every buffer of {@code frame}; the first refusal ends it (the handles made so far are kept). */
    TrialResult importFrame(Frame frame) {
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
    void release() {
        for (GemHandle handle : handles.reversed()) {
            try {
                handle.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the trial import {} failed", handle, e);
            }
        }
        handles.clear();
    }
}

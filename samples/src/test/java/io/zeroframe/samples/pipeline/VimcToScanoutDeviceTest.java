package io.zeroframe.samples.pipeline;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.negotiation.NoPlanException;
import io.zeroframe.dmabuf.negotiation.Preference;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.PlaneType;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.media.MediaBusCode;
import io.zeroframe.v4l2.media.MediaDevice;
import io.zeroframe.v4l2.media.MediaPipeline;
import io.zeroframe.v4l2.media.MediaTopology;
import io.zeroframe.v4l2.media.PipelineConfiguration;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An embedded-style camera before the preview pipeline: vimc's media graph is configured through the media controller
 * (sensor A -> "Raw Capture 0" at 640x480 in RGB888_1X24, the sensor's own RGB code), then the negotiation planner
 * plans the capture node with vkms's primary plane. vimc's capture nodes give 24-bit RGB, 32-bit ARGB stored A,R,G,B
 * ('BA24'), Bayer and grey; vkms 6.12 scans out XRGB/ARGB 8888, their 16-bit-per-channel forms and RGB565: no format
 * in common, so the planner must refuse, naming what each side offers, rather than pretend. (The media tests stream
 * the configured path into imported heap buffers instead: VimcPipelineDeviceTest.)
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class VimcToScanoutDeviceTest {
    @Test
    void thePlannerRefusesVimcToVkmsNamingWhatEachSideOffers() throws Exception {
        try (MediaDevice media = MediaDevice.open(vimc());
             VideoDevice video = VideoDevice.open(node(media.topology(), "Raw Capture 0"))) {
            PipelineConfiguration configured = MediaPipeline.configure(media, video, MediaBusCode.RGB888_1X24,
                    TestBed.WIDTH, TestBed.HEIGHT);
            assertTrue(configured.isComplete(), configured.toString());
            try (VideoQueue queue = video.openQueue(BufferType.VIDEO_CAPTURE);
                 DrmDevice card = TestBed.card("vkms")) {
                TestBed.Display display = TestBed.display(card, PlaneType.PRIMARY);
                TestBed.Negotiation negotiation = TestBed.negotiation(
                        VideoEndpoint.of(queue, Role.PRODUCER, TestBed.WIDTH, TestBed.HEIGHT),
                        TestBed.plane(card, display), Preference.DEFAULT);
                NoPlanException refused = assertThrows(NoPlanException.class,
                        () -> negotiation.planner().plan(negotiation.trials()));
                System.out.printf("vimc %s configured: %s%nplanned with vkms: %s%n", video.path(), configured,
                        refused.getMessage());
                assertTrue(refused.getMessage().contains("vimc " + video.path() + " capture: RGB888 [LINEAR]")
                        && refused.getMessage().contains("vkms plane") && refused.getMessage().contains("RGB565"),
                        refused.getMessage());
            }
        }
    }

    private static Path vimc() throws Exception {
        List<String> seen = new ArrayList<>();
        for (Path node : MediaDevice.list()) {
            try (MediaDevice media = MediaDevice.open(node)) {
                if (media.info().driver().equals("vimc")) {
                    return node;
                }
                seen.add(node + "=" + media.info().driver());
            }
        }
        throw new AssertionError("no vimc media device among " + seen + "; device tests need the kernel test bed");
    }

    private static Path node(MediaTopology graph, String entity) {
        return graph.node(graph.entity(entity).orElseThrow(() -> new AssertionError("vimc has no " + entity)).id())
                .orElseThrow(() -> new AssertionError(entity + " has no device node"));
    }
}

package io.zeroframe.samples.info;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.drm.Capability;
import io.zeroframe.drm.ClientCap;
import io.zeroframe.drm.ConnectionStatus;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.ConnectorId;
import io.zeroframe.drm.ConnectorType;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.CrtcId;
import io.zeroframe.drm.DrmCapabilities;
import io.zeroframe.drm.DrmDeviceInfo;
import io.zeroframe.drm.DrmFormat;
import io.zeroframe.drm.DrmVersion;
import io.zeroframe.drm.EncoderId;
import io.zeroframe.drm.FramebufferId;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.ObjectProperties;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.PlaneId;
import io.zeroframe.drm.PlaneType;
import io.zeroframe.drm.Property;
import io.zeroframe.drm.PropertyFlag;
import io.zeroframe.drm.PropertyId;
import io.zeroframe.drm.PropertyKind;
import io.zeroframe.drm.PropertyValue;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.VideoCapability;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoNodeDescription;
import io.zeroframe.v4l2.control.ControlInfo;
import io.zeroframe.v4l2.control.ControlType;
import io.zeroframe.v4l2.control.ControlValue;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.format.FormatOffer;
import io.zeroframe.v4l2.format.FrameIntervals;
import io.zeroframe.v4l2.format.FrameSize;
import io.zeroframe.v4l2.format.FrameSizes;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code info}'s text and JSON from hand-built values: what each field becomes, and that nothing is invented. */
class ReportTest {
    private static final String NO_KMS =
            "DRM_IOCTL_MODE_GETRESOURCES on /dev/dri/card2: EOPNOTSUPP (Operation not supported)";
    private static final Mode MODE = new Mode(65000, 1024, 1048, 1184, 1344, 0, 768, 771, 777, 806, 0, 60, 0xa, 0x48,
            "1024x768");

    @Test
    void theJsonDocumentHoldsWhatTheKernelSaidAndRoundTrips() throws Exception {
        Map<String, Object> doc = JsonReport.of(survey());
        String text = JSON.std.asString(doc);
        Map<String, Object> read = JSON.std.mapFrom(text);
        assertEquals(text, JSON.std.asString(read));
        assertEquals(1, read.get("format"));
        assertEquals(List.of(Map.of("name", "system", "path", "/dev/dma_heap/system", "usable", true,
                        "contiguous", false),
                Map.of("name", "reserved", "path", "/dev/dma_heap/reserved", "usable", false, "contiguous", false,
                        "unusable", "root:root 0600")), read.get("heaps"));
        assertEquals(Map.of("path", "/dev/udmabuf", "usable", true), read.get("udmabuf"));

        List<?> video = (List<?>) read.get("video");
        assertEquals(Map.of("path", "/dev/video9", "error", "open on /dev/video9: EACCES (Permission denied)"),
                video.get(1));
        Map<?, ?> vivid = (Map<?, ?>) video.get(0);
        assertEquals("6.12.95", vivid.get("version"));
        assertEquals(List.of("VIDEO_CAPTURE", "STREAMING"), vivid.get("capabilities"));
        Map<?, ?> queue = (Map<?, ?>) ((List<?>) vivid.get("queues")).getFirst();
        assertEquals("V4L2_BUF_TYPE_VIDEO_CAPTURE", queue.get("kernelName"));
        assertFalse(queue.containsKey("memory"), "no QueueInfo given: nothing invented");
        Map<?, ?> format = (Map<?, ?>) ((List<?>) queue.get("formats")).getFirst();
        assertEquals("YUYV", format.get("fourcc"));
        assertEquals(Map.of("kind", "discrete", "sizes", List.of(Map.of("width", 640, "height", 480,
                "intervals", Map.of("kind", "discrete", "intervals",
                        List.of(Map.of("numerator", 1, "denominator", 30)))))), format.get("sizes"));
        Map<?, ?> brightness = (Map<?, ?>) ((List<?>) vivid.get("controls")).getFirst();
        assertEquals("brightness", brightness.get("key"));
        assertEquals(128, brightness.get("value"));
        assertEquals(255, brightness.get("maximum"));
        assertFalse(brightness.containsKey("menu"));

        List<?> drm = (List<?>) read.get("drm");
        Map<?, ?> vkms = (Map<?, ?>) drm.getFirst();
        assertFalse(vkms.containsKey("renderNode") || vkms.containsKey("version") || vkms.containsKey("capabilities"),
                "vkms has no render node: " + vkms);
        Map<?, ?> gpu = (Map<?, ?>) drm.get(1);
        assertEquals(Map.of("DUMB_BUFFER", 1, "PRIME", 3), gpu.get("capabilities"));
        Map<?, ?> kms = (Map<?, ?>) gpu.get("kms");
        assertEquals(List.of("UNIVERSAL_PLANES", "ATOMIC"), kms.get("clientCaps"));
        Map<?, ?> connector = (Map<?, ?>) ((List<?>) kms.get("connectors")).getFirst();
        assertEquals("Virtual-1", connector.get("name"));
        assertEquals(true, ((Map<?, ?>) ((List<?>) connector.get("modes")).getFirst()).get("preferred"));
        assertEquals(Map.of("id", 7, "kind", "ENUM", "flags", List.of(), "value", 3, "text", "Off",
                "values", List.of("On", "Off")), ((Map<?, ?>) connector.get("properties")).get("DPMS"));
        Map<?, ?> plane = (Map<?, ?>) ((List<?>) kms.get("planes")).getFirst();
        assertEquals(List.of("XR24", "AR24"), plane.get("formats"));
        assertEquals(Map.of("XR24", List.of("LINEAR")), plane.get("modifiers"));
        assertEquals(Map.of("id", 9, "kind", "RANGE", "flags", List.of("ATOMIC"), "value", 1024, "text", "1024",
                "min", 0, "max", 4294967295L), ((Map<?, ?>) plane.get("properties")).get("CRTC_W"));
        Map<?, ?> vgem = (Map<?, ?>) drm.get(2);
        assertEquals(NO_KMS, vgem.get("noKms"));
        assertFalse(vgem.containsKey("kms") || vgem.containsKey("error"), vgem.toString());
        Map<?, ?> crtc = (Map<?, ?>) ((List<?>) kms.get("crtcs")).getFirst();
        assertEquals(40, crtc.get("framebuffer"));
        assertEquals("1024x768", ((Map<?, ?>) crtc.get("mode")).get("name"));
    }

    @Test
    void theTextSaysWhatIsMissingAndWhy() {
        String text = TextReport.of(survey(), true);
        System.out.println(text);
        assertTrue(text.startsWith("""
                dma-heaps (/dev/dma_heap): 2
                  system /dev/dma_heap/system: usable
                  reserved /dev/dma_heap/reserved: not usable: root:root 0600
                udmabuf /dev/udmabuf: usable
                video nodes: 2
                /dev/video0: vivid "vivid" (vivid-000-vid-cap), platform:vivid-000, version 6.12.95
                """), text);
        assertTrue(text.contains("""
                /dev/video9: open on /dev/video9: EACCES (Permission denied)
                media devices: 1
                /dev/media3:
                  error: open on /dev/media3: EACCES (Permission denied)
                DRM devices: 3
                /dev/dri/card0: vkms, no render node, /sys/devices/platform/vkms
                /dev/dri/card1: virtio_gpu "virtio GPU" version 0.1.0 (0), render node /dev/dri/renderD128, \
                /sys/devices/pci0000:00/0000:00:02.0/virtio0
                  capabilities: DUMB_BUFFER=1 PRIME=3
                  client caps: UNIVERSAL_PLANES, ATOMIC
                  connector 35 Virtual-1: connected, 0x0 mm, encoder 34, encoders [34], 1 mode
                    mode 1024x768@60 preferred: 65000 kHz, 1024 1048 1184 1344 768 771 777 806, flags 0xa, type 0x48
                    DPMS = Off (enum, On|Off)
                  CRTC 33 (index 0): 1024x768@60 preferred: 65000 kHz, 1024 1048 1184 1344 768 771 777 806, \
                flags 0xa, type 0x48, framebuffer 40 at 0,0, gamma size 256
                  plane 31 primary: possible CRTCs [33], on CRTC 33, framebuffer 40
                    formats: XR24 AR24
                    IN_FORMATS: XR24=LINEAR
                    CRTC_W = 1024 (range, atomic, 0..4294967295)
                /dev/dri/card2: vgem, render node /dev/dri/renderD129, /sys/devices/platform/vgem
                  capabilities: DUMB_BUFFER=1
                  modesetting: none (DRM_IOCTL_MODE_GETRESOURCES on /dev/dri/card2: EOPNOTSUPP (Operation not \
                supported))
                """), text);
        assertFalse(TextReport.of(survey(), true).contains("ask with --kms"));
        assertTrue(TextReport.of(survey(), false).contains("/sys/devices/platform/vkms\n  capabilities: unknown "
                + "without --kms (no render node; only the primary node could tell)\n"));
        assertTrue(TextReport.of(survey(), false).contains("\n  modesetting objects: ask with --kms (opens the "
                + "primary node; its first opener becomes DRM master)\n"));
    }

    private static Survey survey() {
        VideoDeviceInfo info = new VideoDeviceInfo(Path.of("/dev/video0"), "vivid", "vivid", "platform:vivid-000",
                0x060c5f, EnumSet.of(VideoCapability.VIDEO_CAPTURE, VideoCapability.STREAMING), 0,
                "vivid-000-vid-cap");
        FrameSize vga = new FrameSize(640, 480);
        FormatOffer yuyv = new FormatOffer(new FormatDescription(BufferType.VIDEO_CAPTURE, 0, FourCc.of("YUYV"),
                "YUYV 4:2:2", Set.of(), 0, 0), new FrameSizes.Discrete(List.of(vga)),
                Map.of(vga, new FrameIntervals.Discrete(List.of(new Fraction(1, 30)))));
        ControlInfo brightness = new ControlInfo(0x00980900, "Brightness", ControlType.INTEGER, 1, 0, 255, 1, 128,
                Set.of(), 0, 4, 1, List.of(), List.of());
        VideoNodeDescription description = new VideoNodeDescription(info, Map.of(BufferType.VIDEO_CAPTURE,
                List.of(yuyv)), List.of(), -1, List.of(), -1, Map.of(), Map.of(), List.of(brightness),
                Map.of(brightness.id(), new ControlValue.OfInt(brightness, 128)));

        Property dpms = new Property(new PropertyId(7), "DPMS", PropertyKind.ENUM, Set.of(), 0, 0, 0,
                List.of(new Property.EnumValue("On", 0), new Property.EnumValue("Off", 3)));
        Property crtcW = new Property(new PropertyId(9), "CRTC_W", PropertyKind.RANGE, Set.of(PropertyFlag.ATOMIC), 0,
                4294967295L, 0, List.of());
        Connector connector = new Connector(new ConnectorId(35), ConnectorType.VIRTUAL, 1, ConnectionStatus.CONNECTED,
                List.of(MODE), 0, 0, Optional.of(new EncoderId(34)), List.of(new EncoderId(34)), Optional.empty(),
                new ObjectProperties(new ConnectorId(35), properties(new PropertyValue(dpms, 3))));
        Crtc crtc = new Crtc(new CrtcId(33), 0, Optional.of(new FramebufferId(40)), 0, 0, Optional.of(MODE), 256,
                new ObjectProperties(new CrtcId(33), Map.of()));
        Plane plane = new Plane(new PlaneId(31), PlaneType.PRIMARY, List.of(new CrtcId(33)),
                Optional.of(new CrtcId(33)), Optional.of(new FramebufferId(40)),
                List.of(DrmFormat.of("XR24"), DrmFormat.of("AR24")), Map.of(DrmFormat.of("XR24"),
                List.of(Modifier.LINEAR)), true,
                new ObjectProperties(new PlaneId(31), properties(new PropertyValue(crtcW, 1024))));
        Map<Capability, Long> caps = new LinkedHashMap<>();
        caps.put(Capability.DUMB_BUFFER, 1L);
        caps.put(Capability.PRIME, 3L);
        Survey.DrmCard vkms = new Survey.DrmCard(Path.of("/dev/dri/card0"), Optional.of(new DrmDeviceInfo(
                Path.of("/dev/dri/card0"), Optional.empty(), "vkms", Optional.empty(),
                Path.of("/sys/devices/platform/vkms"))), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
        Survey.DrmCard gpu = new Survey.DrmCard(Path.of("/dev/dri/card1"), Optional.of(new DrmDeviceInfo(
                Path.of("/dev/dri/card1"), Optional.of(Path.of("/dev/dri/renderD128")), "virtio_gpu",
                Optional.of(new DrmVersion("virtio_gpu", "virtio GPU", "0", 0, 1, 0)),
                Path.of("/sys/devices/pci0000:00/0000:00:02.0/virtio0"))), Optional.of(new DrmCapabilities(caps)),
                Optional.of(new Survey.Kms(EnumSet.of(ClientCap.UNIVERSAL_PLANES, ClientCap.ATOMIC),
                        List.of(connector), List.of(), List.of(crtc), List.of(plane))), Optional.empty(),
                Optional.empty());
        Map<Capability, Long> dumb = Map.of(Capability.DUMB_BUFFER, 1L);
        Survey.DrmCard vgem = new Survey.DrmCard(Path.of("/dev/dri/card2"), Optional.of(new DrmDeviceInfo(
                Path.of("/dev/dri/card2"), Optional.of(Path.of("/dev/dri/renderD129")), "vgem", Optional.empty(),
                Path.of("/sys/devices/platform/vgem"))), Optional.of(new DrmCapabilities(dumb)), Optional.empty(),
                Optional.of(NO_KMS), Optional.empty());
        return new Survey(List.of(Allocator.heap("system", false),
                Allocator.unusable(Allocator.Source.DMA_HEAP, "reserved", "root:root 0600")), Allocator.udmabuf(),
                List.of(new Survey.VideoNode(Path.of("/dev/video0"), Optional.of(description), Optional.empty()),
                        new Survey.VideoNode(Path.of("/dev/video9"), Optional.empty(),
                                Optional.of("open on /dev/video9: EACCES (Permission denied)"))),
                List.of(vkms, gpu, vgem), List.of(new Survey.MediaNode(Path.of("/dev/media3"), Optional.empty(),
                        Optional.empty(), Optional.of("open on /dev/media3: EACCES (Permission denied)"))));
    }

    private static Map<String, PropertyValue> properties(PropertyValue value) {
        return Map.of(value.property().name(), value);
    }
}

package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.DevicePermissionException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("device")
@ExtendWith(NoLeaks.class)
class VideoDevicesDeviceTest {
    @Test
    void vividIsFoundWithItsCapabilities() throws Exception {
        List<VideoDeviceInfo> vivid = new ArrayList<>();
        for (Path node : VideoDevices.nodes()) {
            VideoDeviceInfo info = VideoDevices.query(node);
            if (info.driver().equals("vivid")) {
                vivid.add(info);
            }
        }
        VideoDeviceInfo capture = vivid.stream()
                .filter(info -> info.deviceCapabilities().contains(VideoCapability.VIDEO_CAPTURE))
                .findFirst().orElseThrow(() -> new AssertionError("no vivid capture node in " + vivid));
        assertTrue(capture.deviceCapabilities().contains(VideoCapability.STREAMING));
        assertEquals(0, capture.unknownCapabilityBits());
        assertTrue(vivid.stream().anyMatch(info -> info.deviceCapabilities().contains(VideoCapability.VIDEO_OUTPUT)),
                "vivid's output node is missing from " + vivid);
    }

    @Test
    void nodesAreFoundByCardAndByBus() throws Exception {
        List<VideoDeviceInfo> second = VideoDevices.findByBusInfo("platform:vivid-001");
        assertEquals(List.of("vivid-001-vid-cap", "vivid-001-vid-out", "vivid-001-meta-cap", "vivid-001-meta-out"),
                second.stream().map(VideoDeviceInfo::name).toList());
        List<VideoDeviceInfo> byCard = VideoDevices.findByCard("vivid");
        assertTrue(byCard.containsAll(second), byCard.toString());
        assertEquals(VideoDevices.findByDriver("vivid"), byCard);
        assertEquals(List.of(), VideoDevices.findByBusInfo("usb-nowhere"));
    }

    @Test
    void failuresNameTheNode() {
        KernelException missing = assertThrows(KernelException.class, () -> VideoDevices.query(Path.of("/dev/video99")));
        assertEquals("open on /dev/video99: ENOENT (No such file or directory)", missing.getMessage());
        KernelException notV4l2 = assertThrows(KernelException.class,
                () -> VideoDevices.query(Path.of("/dev/dma_heap/system")));
        assertEquals("VIDIOC_QUERYCAP on /dev/dma_heap/system: EINVAL (Invalid argument)",
                notV4l2.getMessage());
        KernelException denied = assertThrows(KernelException.class, () -> VideoDevices.query(Path.of("/dev/radio0")));
        assertInstanceOf(DevicePermissionException.class, denied);
    }
}

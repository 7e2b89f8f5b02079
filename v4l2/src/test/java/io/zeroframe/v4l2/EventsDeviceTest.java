package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.CloseWakes;
import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Events on vivid's capture node: control changes made from another open file, timeouts, close while waiting. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class EventsDeviceTest {
    @Test
    void controlChangesArriveAsEvents() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoDevice other = VideoDevice.open(node);
             VideoEvents events = camera.openEvents()) {
            try {
                controlEvents(camera, other, events);
            } finally {
                other.controls().set("brightness", 128);
            }
        }
    }

    private static void controlEvents(VideoDevice camera, VideoDevice other, VideoEvents events) throws Exception {
        {
            int brightness = camera.controls().find("brightness").id();
            other.controls().set("brightness", 100);
            events.subscribe(EventType.CTRL, brightness, true);
            VideoEvent initial = events.next(1000).orElseThrow(() -> new AssertionError("no initial event"));
            assertEquals(EventType.CTRL, initial.type());
            assertEquals(brightness, initial.id());
            assertEquals(100, initial.controlValue());
            assertEquals(Optional.empty(), events.next(0), "nothing more yet");
            other.controls().set("brightness", 140);
            VideoEvent changed = events.next(5000).orElseThrow(() -> new AssertionError("no change event"));
            assertEquals(140, changed.controlValue());
            System.out.println("events: initial changes " + initial.changes() + ", change event changes "
                    + changed.changes());
            assertEquals(1, changed.changes() & 1, "V4L2_EVENT_CTRL_CH_VALUE in " + changed.changes());
            System.out.println("events: " + initial + ", then " + changed);
            events.unsubscribe(EventType.CTRL, brightness);
            other.controls().set("brightness", 128);
            assertEquals(Optional.empty(), events.next(200), "no events after unsubscribing");
        }
    }

    @Test
    void aWaitTimesOutEmptyAndCloseWakesIt() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture())) {
            VideoEvents events = camera.openEvents();
            events.subscribe(EventType.SOURCE_CHANGE, 0, false);
            long start = System.nanoTime();
            assertEquals(Optional.empty(), events.next(300));
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 290, waited + " ms");
            long woken = CloseWakes.wakeAfterClose(() -> events.next(-1), events::close);
            System.out.println("events: timeout after " + waited + " ms; close woke the wait after " + woken + " ms");
        }
    }

    @Test
    void anEventTheNodeDoesNotGenerateIsRefused() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoEvents events = camera.openEvents()) {
            KernelException e = assertThrows(KernelException.class, () -> events.subscribe(EventType.MOTION_DET, 0, false));
            System.out.println("refused: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("VIDIOC_SUBSCRIBE_EVENT on " + camera.path() + ": EINVAL"),
                    e.getMessage());
        }
    }
}

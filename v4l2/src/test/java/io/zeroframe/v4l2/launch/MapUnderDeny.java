package io.zeroframe.v4l2.launch;

import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * Run by {@code NativeAccessDeviceTest} in a JVM of its own, with the library on the module path and native access
 * for the bindings and dmabuf modules only ({@code --illegal-native-access=deny}): maps a buffer of the node in
 * {@code args[0]} in an arena of its own, closes the arena, and frees the buffers, printing each outcome.
 */
public final class MapUnderDeny {
    private MapUnderDeny() {}

    public static void main(String[] args) throws Exception {
        BufferType capture = BufferType.VIDEO_CAPTURE;
        try (VideoDevice camera = VideoDevice.open(Path.of(args[0])); VideoQueue queue = camera.openQueue(capture)) {
            camera.setFormat(VideoFormat.of(capture, PixelFormat.XRGB8888, 160, 120));
            VideoBuffer buffer = queue.allocate(2).get(0);
            try (Arena arena = Arena.ofConfined()) {
                System.out.println("map: " + buffer.map(0, arena).byteSize() + " bytes");
            } catch (Exception | Error e) {
                System.out.println("map: " + e);
            }
            try {
                queue.release();
                System.out.println("release: ok");
            } catch (Exception e) {
                System.out.println("release: " + e);
            }
        }
    }
}

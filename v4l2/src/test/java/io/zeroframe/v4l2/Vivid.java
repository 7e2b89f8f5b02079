package io.zeroframe.v4l2;


import io.zeroframe.bindings.testing.Commands;
import io.zeroframe.v4l2.control.Controls;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The test bed's vivid instances for the device tests: instance 0 single-planar, instance 1 multi-planar, each with
 * a capture ("vivid-00N-vid-cap") and an output node ("vivid-00N-vid-out"), found by driver and name. Controls are
 * set through the library; the frame rate (VIDIOC_S_PARM, not in the library yet) with v4l2-ctl.
 */
final class Vivid {
    /** vivid's "test_pattern" menu items. */
    static final int COLORBAR_75 = 0;
    static final int COLORBAR_100 = 1;
    static final int SOLID_RED = 7;
    static final int SOLID_GREEN = 8;
    static final int SOLID_BLUE = 9;

    private Vivid() {}

    /** The node of instance {@code instance} ("vivid-00N-vid-cap" or "-vid-out"). */
    static Path node(int instance, String kind) throws IOException {
        String name = "vivid-00" + instance + "-vid-" + kind;
        List<String> seen = new ArrayList<>();
        for (VideoDeviceInfo info : VideoDevices.findByDriver("vivid")) {
            if (info.name().equals(name)) {
                return info.path();
            }
            seen.add(info.path() + "=" + info.name());
        }
        throw new AssertionError("no vivid node named " + name + " among " + seen
                + "; device tests need the kernel test bed");
    }

    static Path capture() throws IOException {
        return node(0, "cap");
    }

    /** Runs {@code v4l2-ctl -d node args...} and fails on a non-zero exit. */
    static String ctl(Path node, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("v4l2-ctl", "-d", node.toString()));
        command.addAll(List.of(args));
        return Commands.run(Commands.Stderr.MERGED, command).requireSuccess();
    }

    /**
     * Sets the test pattern, no OSD text, no movement: a still, known picture (through the library's controls;
     * vivid keeps them per device, across opens).
     */
    static void pattern(Path node, int pattern) throws IOException {
        try (VideoDevice device = VideoDevice.open(node)) {
            pattern(device, pattern);
        }
    }

    static void pattern(VideoDevice device, int pattern) throws IOException {
        Controls controls = device.controls();
        controls.set("test_pattern", pattern);
        controls.set("osd_text_mode", 2);
        controls.set("horizontal_movement", 3);
        controls.set("vertical_movement", 3);
        // a picture adjusted by an earlier test would not be the pattern: the defaults
        controls.set("brightness", 128);
        controls.set("contrast", 128);
        controls.set("saturation", 128);
        controls.set("hue", 0);
    }

    /** The XRGB8888 (bytes B, G, R, x) pixel at {@code x, y} as 0xRRGGBB. */
    static int rgbAt(MemorySegment pixels, long pitch, int x, int y) {
        long at = y * pitch + x * 4L;
        int b = Byte.toUnsignedInt(pixels.get(ValueLayout.JAVA_BYTE, at));
        int g = Byte.toUnsignedInt(pixels.get(ValueLayout.JAVA_BYTE, at + 1));
        int r = Byte.toUnsignedInt(pixels.get(ValueLayout.JAVA_BYTE, at + 2));
        return (r << 16) | (g << 8) | b;
    }

    /** The 75% colour bars vivid draws in full-range sRGB: white, yellow, cyan, green, magenta, red, blue, black. */
    static final int[] BARS_75 = {0xbfbfbf, 0xbfbf00, 0x00bfbf, 0x00bf00, 0xbf00bf, 0xbf0000, 0x0000bf, 0x000000};

    /** Positions (x, y) in the middle of each of the 8 bars of a {@code width x height} frame, at 3 heights. */
    static List<int[]> barProbes(int width, int height) {
        List<int[]> probes = new ArrayList<>();
        for (int bar = 0; bar < 8; bar++) {
            int x = bar * width / 8 + width / 16;
            for (int y : new int[] {height / 8, height / 2, height - 2}) {
                probes.add(new int[] {bar, x, y});
            }
        }
        return probes;
    }

    /** Every probe of the colour bars: "bar b (x,y)=rrggbb" where the pixel is not the bar's colour. */
    static List<String> wrongBars(MemorySegment pixels, long pitch, int width, int height) {
        List<String> wrong = new ArrayList<>();
        for (int[] probe : barProbes(width, height)) {
            int rgb = rgbAt(pixels, pitch, probe[1], probe[2]);
            if (rgb != BARS_75[probe[0]]) {
                wrong.add(String.format("bar %d (%d,%d)=%06x want %06x", probe[0], probe[1], probe[2], rgb,
                        BARS_75[probe[0]]));
            }
        }
        return wrong;
    }

    /** Every pixel of a solid frame at a 7x5 grid of positions that is not {@code rgb}. */
    static List<String> wrongSolid(MemorySegment pixels, long pitch, int width, int height, int rgb) {
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 5; j++) {
                int x = i * (width - 1) / 6;
                int y = j * (height - 1) / 4;
                int got = rgbAt(pixels, pitch, x, y);
                if (got != rgb) {
                    wrong.add(String.format("(%d,%d)=%06x", x, y, got));
                }
            }
        }
        return wrong;
    }
}

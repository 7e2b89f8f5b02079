package io.zeroframe.bindings.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A minimal PNG reader for the test bed's screenshots (8-bit RGB or RGBA, not interlaced), so the tests need
 * no java.desktop: the pixels as 0xRRGGBB. Shared with the other modules' tests through this module's test-jar.
 */
public record Png(int width, int height, int[] rgb) {
    public int pixel(int x, int y) {
        return rgb[y * width + x];
    }

    public static Png decode(byte[] file) throws DataFormatException {
        ByteBuffer in = ByteBuffer.wrap(file);
        in.position(8);
        int width = 0;
        int height = 0;
        int channels = 0;
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        while (in.remaining() >= 12) {
            int length = in.getInt();
            String type = new String(file, in.position(), 4, StandardCharsets.US_ASCII);
            in.position(in.position() + 4);
            int data = in.position();
            switch (type) {
                case "IHDR" -> {
                    width = in.getInt(data);
                    height = in.getInt(data + 4);
                    int depth = file[data + 8];
                    int colour = file[data + 9];
                    int interlace = file[data + 12];
                    if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0) {
                        throw new IllegalArgumentException("PNG depth " + depth + " colour type " + colour
                                + " interlace " + interlace + ": only 8-bit RGB(A), not interlaced");
                    }
                    channels = colour == 2 ? 3 : 4;
                }
                case "IDAT" -> compressed.write(file, data, length);
                default -> { }
            }
            in.position(data + length + 4);
        }
        int stride = width * channels;
        byte[] raw = new byte[(stride + 1) * height];
        Inflater inflater = new Inflater();
        inflater.setInput(compressed.toByteArray());
        int got = 0;
        while (got < raw.length && !inflater.finished()) {
            got += inflater.inflate(raw, got, raw.length - got);
        }
        inflater.end();
        int[] rgb = new int[width * height];
        byte[] previous = new byte[stride];
        byte[] row = new byte[stride];
        for (int y = 0; y < height; y++) {
            int filter = raw[y * (stride + 1)];
            System.arraycopy(raw, y * (stride + 1) + 1, row, 0, stride);
            for (int i = 0; i < stride; i++) {
                int a = i >= channels ? row[i - channels] & 0xff : 0;
                int b = previous[i] & 0xff;
                int c = i >= channels ? previous[i - channels] & 0xff : 0;
                int add = switch (filter) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    case 4 -> paeth(a, b, c);
                    default -> throw new IllegalArgumentException("PNG filter " + filter);
                };
                row[i] = (byte) (row[i] + add);
            }
            for (int x = 0; x < width; x++) {
                int at = x * channels;
                rgb[y * width + x] = (row[at] & 0xff) << 16 | (row[at + 1] & 0xff) << 8 | (row[at + 2] & 0xff);
            }
            byte[] swap = previous;
            previous = row;
            row = swap;
        }
        return new Png(width, height, rgb);
    }

    /**
     * The test bed's screenshot of what virtio-gpu's CRTC scans out, taken by the host (QMP {@code screendump}) on
     * request through files in {@code $ZF_TESTBED_SCREENSHOTS} (scripts/testbed/README.md, "Screenshot
     * protocol"): fails unless run in the test bed, or when the host does not answer within 30 s.
     */
    public static Png screenshot(String name) throws IOException, DataFormatException, InterruptedException {
        String directory = System.getenv("ZF_TESTBED_SCREENSHOTS");
        assertTrue(directory != null, "ZF_TESTBED_SCREENSHOTS is not set: not running in the test bed");
        Path png = Path.of(directory, name + ".png");
        Files.deleteIfExists(png);
        Files.createFile(Path.of(directory, name + ".req"));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(png) && System.nanoTime() < deadline) { // the host looks for requests every 0.2 s
            Thread.sleep(100);
        }
        assertTrue(Files.exists(png), "no screenshot from the host within 30 s");
        Png image = decode(Files.readAllBytes(png));
        Files.delete(png);
        return image;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}

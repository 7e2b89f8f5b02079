import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * {@code java scripts/lib/ComparePng.java SCREENSHOT.png FRAME.png}: compares a screenshot of the display with the
 * frame shown on it, pixel by pixel over the frame's area at the screenshot's top left corner (RGB, alpha ignored).
 * Prints one line; exits 0 when every pixel is equal, 1 otherwise, 2 on a usage or read error.
 */
public final class ComparePng {
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java scripts/lib/ComparePng.java SCREENSHOT.png FRAME.png");
            System.exit(2);
        }
        BufferedImage screen = read(args[0]);
        BufferedImage frame = read(args[1]);
        int width = Math.min(screen.getWidth(), frame.getWidth());
        int height = Math.min(screen.getHeight(), frame.getHeight());
        long differ = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if ((screen.getRGB(x, y) & 0xffffff) != (frame.getRGB(x, y) & 0xffffff)) {
                    differ++;
                }
            }
        }
        long pixels = (long) width * height;
        System.out.printf("zeroframe demo: the screenshot (%dx%d) %s the last frame (%dx%d): %d of %d pixels differ%n",
                screen.getWidth(), screen.getHeight(), differ == 0 ? "equals" : "DIFFERS FROM", frame.getWidth(),
                frame.getHeight(), differ, pixels);
        System.exit(differ == 0 ? 0 : 1);
    }

    private static BufferedImage read(String path) throws IOException {
        BufferedImage image = ImageIO.read(new File(path));
        if (image == null) {
            System.err.println("zeroframe demo: " + path + " is not a PNG");
            System.exit(2);
        }
        return image;
    }
}

package io.zeroframe.drm;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.PixelFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.List;

/** Test helpers: the test bed's cards by driver, a display setup and patterns (screenshots: {@code Png.screenshot}). */
final class Cards {
    private Cards() {}

    /** Opens the card whose driver is {@code driver}; fails (never skips) if the test bed has none. */
    static DrmDevice open(String driver) throws IOException {
        DrmDeviceInfo info = DrmDevices.findByDriver(driver).orElseThrow(() -> new AssertionError(
                "no " + driver + " card among /dev/dri/card*: device tests need the kernel test bed"));
        return DrmDevice.open(info.path());
    }

    /** The CRTC, its primary plane, and a connected non-writeback connector with its preferred mode. */
    record Display(CrtcId crtc, Plane primary, Connector connector, Mode mode) {}

    static Display display(DrmDevice card) throws KernelException {
        Connector connector = card.connectors().stream()
                .filter(c -> !c.type().equals(ConnectorType.WRITEBACK) && c.status() == ConnectionStatus.CONNECTED)
                .findFirst().orElseThrow(() -> new AssertionError("no connected connector on " + card));
        Mode mode = connector.preferredMode().orElseThrow();
        CrtcId crtc = card.resources().crtcs().getFirst();
        Plane primary = planeOfType(card, crtc, PlaneType.PRIMARY);
        return new Display(crtc, primary, connector, mode);
    }

    static Plane planeOfType(DrmDevice card, CrtcId crtc, PlaneType type) throws KernelException {
        return card.planes().stream().filter(p -> p.type() == type && p.canUse(crtc)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " plane for " + crtc + " on " + card));
    }

    /** Sets a plane's FB_ID, CRTC_ID and whole-framebuffer source at the given CRTC rectangle. */
    static void placePlane(AtomicRequest req, PlaneId plane, CrtcId crtc, Framebuffer fb, int x, int y)
            throws KernelException {
        req.set(plane, "FB_ID", fb.id());
        req.set(plane, "CRTC_ID", crtc);
        req.set(plane, "SRC_X", 0);
        req.set(plane, "SRC_Y", 0);
        req.set(plane, "SRC_W", (long) fb.width() << 16);
        req.set(plane, "SRC_H", (long) fb.height() << 16);
        req.set(plane, "CRTC_X", x);
        req.set(plane, "CRTC_Y", y);
        req.set(plane, "CRTC_W", fb.width());
        req.set(plane, "CRTC_H", fb.height());
    }

    /** A full modeset request: mode, ACTIVE, connector and the primary plane showing {@code fb}. */
    static AtomicRequest modeset(DrmDevice card, Display display, ObjectId connector, Framebuffer fb)
            throws KernelException {
        AtomicRequest req = card.newAtomicRequest();
        try {
            req.set(display.crtc(), "MODE_ID", display.mode());
            req.set(display.crtc(), "ACTIVE", 1);
            req.set(connector, "CRTC_ID", display.crtc());
            placePlane(req, display.primary().id(), display.crtc(), fb, 0, 0);
            return req;
        } catch (KernelException | RuntimeException e) {
            req.close();
            throw e;
        }
    }

    static final EnumSet<CommitFlag> MODESET = EnumSet.of(CommitFlag.ALLOW_MODESET);

    /** A test pattern in XRGB8888: gradients with a checker, different per {@code seed}. */
    static int pattern(int x, int y, int seed) {
        int r = (x * 7 + seed * 40) & 0xff;
        int g = (y * 5 + seed * 90) & 0xff;
        int b = ((x / 16 + y / 16) % 2 == 0 ? 0x30 : 0xc0) ^ seed;
        return r << 16 | g << 8 | b;
    }

    static void draw(MemorySegment pixels, int width, int height, long pitch, int seed) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                pixels.set(ValueLayout.JAVA_INT, y * pitch + 4L * x, pattern(x, y, seed));
            }
        }
    }

    static void fill(MemorySegment pixels, int width, int height, long pitch, int argb) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                pixels.set(ValueLayout.JAVA_INT, y * pitch + 4L * x, argb);
            }
        }
    }

    static final PixelFormat XRGB = PixelFormat.XRGB8888;

    static List<Integer> openFdsOf(String prefix) {
        return io.zeroframe.bindings.sys.ProcessFds.list().entrySet().stream()
                .filter(e -> e.getValue().startsWith(prefix)).map(java.util.Map.Entry::getKey).toList();
    }
}

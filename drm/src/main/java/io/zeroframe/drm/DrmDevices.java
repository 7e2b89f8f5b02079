package io.zeroframe.drm;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_version;
import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds and identifies DRM devices without taking them: it reads sysfs ({@code /sys/class/drm}) and asks
 * {@code DRM_IOCTL_VERSION} on render nodes only. It never opens a primary node ({@code /dev/dri/cardN}): the
 * first process to open one becomes DRM master and could keep a starting compositor from mode setting.
 * Card numbers depend on driver load order, so find a device by its driver's name rather than by number.
 *
 * {@snippet :
 * Optional<DrmDeviceInfo> gpu = DrmDevices.findByDriver("virtio_gpu");
 * for (Path card : DrmDevices.cards()) {
 *     DrmDeviceInfo info = DrmDevices.query(card); // sysfs, and DRM_IOCTL_VERSION on its render node
 *     System.out.println(card + " " + info.driver() + " " + info.renderNode());
 * }
 * }
 */
public final class DrmDevices {
    private static final IoctlRequest DRM_IOCTL_VERSION =
            IoctlRequest.of("DRM_IOCTL_VERSION", drm_h.DRM_IOCTL_VERSION());
    private static final Path DEV_DRI = Path.of("/dev/dri");
    private static final Path SYS_CLASS_DRM = Path.of("/sys/class/drm");
    private static final Pattern CARD = Pattern.compile("card\\d+");
    private static final Pattern RENDER = Pattern.compile("renderD\\d+");
    private static final String PLATFORM_MODALIAS = "platform:";

    private DrmDevices() {}

    /** The primary nodes {@code /dev/dri/cardN}, in numeric order (listed, not opened). */
    public static List<Path> cards() throws IOException {
        return DeviceNodes.list(DEV_DRI, "card");
    }

    /** The render nodes {@code /dev/dri/renderDN}, in numeric order (listed, not opened). */
    public static List<Path> renderNodes() throws IOException {
        return DeviceNodes.list(DEV_DRI, "renderD");
    }

    /**
     * Identifies the DRM device of {@code node} (its primary or its render node) from sysfs, and asks
     * {@code DRM_IOCTL_VERSION} on its render node if it has one. Never opens the primary node.
     *
     * @throws NoSuchFileException for a missing node, or a node that is not a DRM card or render node (the message
     *         says which sysfs entry is missing)
     * @throws KernelException from opening the render node (e.g. a
     *         {@link io.zeroframe.bindings.DevicePermissionException} naming the node and how to get access) or
     *         from {@code DRM_IOCTL_VERSION}
     */
    public static DrmDeviceInfo query(Path node) throws IOException {
        String name = node.toRealPath().getFileName().toString();
        Path entry = SYS_CLASS_DRM.resolve(name);
        if (!(CARD.matcher(name).matches() || RENDER.matcher(name).matches()) || !Files.isDirectory(entry)) {
            throw new NoSuchFileException(node.toString(), null,
                    "not a DRM card or render node (no " + entry + ")");
        }
        // /sys/class/drm/cardN -> /sys/devices/.../DEVICE/drm/cardN; its render node is a sibling there.
        Path minors = entry.toRealPath().getParent();
        Path device = entry.resolve("device").toRealPath();
        Optional<String> card = sibling(minors, CARD);
        Optional<Path> render = sibling(minors, RENDER).map(DEV_DRI::resolve);
        Path primary = card.map(DEV_DRI::resolve).orElse(node);
        if (render.isPresent()) {
            DrmVersion version = version(render.get());
            return new DrmDeviceInfo(primary, render, version.name(), Optional.of(version), device);
        }
        return new DrmDeviceInfo(primary, render, sysfsDriver(device), Optional.empty(), device);
    }

    /**
     * The first card whose driver is {@code driver} (see {@link #query}). Cards that cannot be queried are skipped;
     * if none matches and some could not be queried, their failures are thrown (the first, with the others
     * suppressed) rather than reporting the driver absent.
     */
    public static Optional<DrmDeviceInfo> findByDriver(String driver) throws IOException {
        IOException failure = null;
        for (Path card : cards()) {
            try {
                DrmDeviceInfo info = query(card);
                if (info.driver().equals(driver)) {
                    return Optional.of(info);
                }
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return Optional.empty();
    }

    /** {@code DRM_IOCTL_VERSION} on a render node (twice: once for the string lengths, once to fill them). */
    private static DrmVersion version(Path renderNode) throws KernelException {
        try (OwnedFd fd = Syscalls.open(renderNode, Syscalls.O_RDWR);
             Arena arena = Arena.ofConfined()) {
            return DrmDevice.readVersion(fd, arena);
        }
    }

    /** The entry of {@code minors} (a device's {@code drm} directory in sysfs) whose name matches {@code kind}. */
    private static Optional<String> sibling(Path minors, Pattern kind) throws IOException {
        try (Stream<Path> entries = Files.list(minors)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> kind.matcher(n).matches()).findFirst();
        }
    }

    /**
     * The driver's name as sysfs gives it: the driver bound to the device, else, for a platform device that no
     * driver binds (how vgem and vkms register), the device's name from its modalias.
     */
    private static String sysfsDriver(Path device) throws IOException {
        Path driver = device.resolve("driver");
        if (Files.isSymbolicLink(driver)) {
            return Files.readSymbolicLink(driver).getFileName().toString();
        }
        Path modalias = device.resolve("modalias");
        if (Files.isReadable(modalias)) {
            String alias = Files.readString(modalias, StandardCharsets.US_ASCII).strip();
            if (alias.startsWith(PLATFORM_MODALIAS)) {
                return alias.substring(PLATFORM_MODALIAS.length());
            }
        }
        return device.getFileName().toString();
    }
}

package io.zeroframe.samples.info;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.UdmabufAllocator;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.drm.ClientCap;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmCapabilities;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmDeviceInfo;
import io.zeroframe.drm.DrmDevices;
import io.zeroframe.drm.Encoder;
import io.zeroframe.drm.Plane;
import io.zeroframe.heaps.Heaps;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.media.MediaDevice;
import io.zeroframe.v4l2.media.MediaDeviceInfo;
import io.zeroframe.v4l2.media.MediaTopology;
import io.zeroframe.v4l2.VideoNodeDescription;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code info} found, gathered once and then rendered as text ({@link TextReport}) or JSON
 * ({@link JsonReport}): an immutable snapshot. A device that could not be read is kept with the one-line reason
 * (the failing call, node and errno, as the library's exceptions say), so the rest is still shown.
 *
 * @param heaps   every dma-heap, usable or not with the reason ({@link Heaps#allocators()})
 * @param udmabuf udmabuf as the planner sees it ({@link UdmabufAllocator#describe()})
 * @param video   every video node, in number order
 * @param drm     every DRM device, in card order
 */
public record Survey(List<Allocator> heaps, Allocator udmabuf, List<VideoNode> video, List<DrmCard> drm,
                     List<MediaNode> media) {
    public Survey {
        heaps = List.copyOf(heaps);
        video = List.copyOf(video);
        drm = List.copyOf(drm);
    }

    /**
     * One video node: its description ({@link VideoDevice#describe()}), or why it could not be read.
     *
     * @param path        the node
     * @param description what it offers; empty when {@code error} says why not
     * @param error       the failure, one line; empty on success
     */
    public record VideoNode(Path path, Optional<VideoNodeDescription> description, Optional<String> error) {}

    /**
     * A media controller device ({@code /dev/mediaN}): what {@code MEDIA_IOC_DEVICE_INFO} and
     * {@code MEDIA_IOC_G_TOPOLOGY} answered, or the error that stopped reading it.
     */
    public record MediaNode(Path path, Optional<MediaDeviceInfo> info, Optional<MediaTopology> topology,
                            Optional<String> error) {}

    /**
     * One DRM device.
     *
     * @param path         the primary node {@code /dev/dri/cardN} (opened only with {@code --kms})
     * @param info         what discovery found (sysfs, {@code DRM_IOCTL_VERSION} on the render node); empty when
     *                     {@code error} says why not
     * @param capabilities {@code DRM_IOCTL_GET_CAP} answers, from the render node, or from the primary node with
     *                     {@code --kms}; empty for a device without render node unless {@code --kms}
     * @param kms          the modesetting objects, read with {@code --kms} only
     * @param noKms        with {@code --kms}, for a device without modesetting (vgem): the refusal,
     *                     {@code DRM_IOCTL_MODE_GETRESOURCES ... EOPNOTSUPP}; not an error
     * @param error        the first failure, one line; empty on success
     */
    public record DrmCard(Path path, Optional<DrmDeviceInfo> info, Optional<DrmCapabilities> capabilities,
                          Optional<Kms> kms, Optional<String> noKms, Optional<String> error) {}

    /**
     * A card's modesetting objects, read from its primary node.
     *
     * @param clientCaps the client capabilities the driver granted (all were asked for)
     * @param connectors the connectors, probed ({@code DRM_IOCTL_MODE_GETCONNECTOR}), with modes and properties
     * @param encoders   the encoders
     * @param crtcs      the CRTCs with properties
     * @param planes     the planes with formats, {@code IN_FORMATS} modifiers and properties
     */
    public record Kms(Set<ClientCap> clientCaps, List<Connector> connectors, List<Encoder> encoders, List<Crtc> crtcs,
                      List<Plane> planes) {
        public Kms {
            clientCaps = Set.copyOf(clientCaps);
            connectors = List.copyOf(connectors);
            encoders = List.copyOf(encoders);
            crtcs = List.copyOf(crtcs);
            planes = List.copyOf(planes);
        }
    }

    /**
     * Looks at this machine. Primary DRM nodes are opened only when {@code kms} is true (the first opener of a
     * card becomes DRM master); otherwise capabilities come from render nodes.
     *
     * @throws IOException if a device directory ({@code /dev/dma_heap}, {@code /dev}, {@code /dev/dri}) exists but
     *         cannot be listed
     */
    public static Survey take(boolean kms) throws IOException {
        List<VideoNode> video = new ArrayList<>();
        for (Path node : VideoDevices.nodes()) {
            video.add(videoNode(node));
        }
        List<DrmCard> drm = new ArrayList<>();
        for (Path card : DrmDevices.cards()) {
            drm.add(drmCard(card, kms));
        }
        List<MediaNode> media = new ArrayList<>();
        for (Path node : MediaDevice.list()) {
            media.add(mediaNode(node));
        }
        return new Survey(Heaps.allocators(), UdmabufAllocator.describe(), video, drm, media);
    }

    private static MediaNode mediaNode(Path node) {
        try (MediaDevice device = MediaDevice.open(node)) {
            return new MediaNode(node, Optional.of(device.info()), Optional.of(device.topology()), Optional.empty());
        } catch (KernelException e) {
            return new MediaNode(node, Optional.empty(), Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    private static VideoNode videoNode(Path node) {
        try (VideoDevice device = VideoDevice.open(node)) {
            return new VideoNode(node, Optional.of(device.describe()), Optional.empty());
        } catch (KernelException e) {
            return new VideoNode(node, Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    private static DrmCard drmCard(Path card, boolean kms) {
        DrmDeviceInfo info;
        try {
            info = DrmDevices.query(card);
        } catch (IOException e) {
            return new DrmCard(card, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.of(message(e)));
        }
        Optional<Path> node = kms ? Optional.of(info.path()) : info.renderNode();
        if (node.isEmpty()) {
            return new DrmCard(card, Optional.of(info), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty());
        }
        Optional<DrmCapabilities> capabilities = Optional.empty();
        try (DrmDevice device = DrmDevice.open(node.get())) {
            capabilities = Optional.of(device.capabilities());
            if (!kms) {
                return new DrmCard(card, Optional.of(info), capabilities, Optional.empty(), Optional.empty(),
                        Optional.empty());
            }
            try {
                device.resources();
            } catch (KernelException e) {
                if (e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                // a driver without DRIVER_MODESET (vgem): nothing to list, and nothing wrong
                return new DrmCard(card, Optional.of(info), capabilities, Optional.empty(), Optional.of(e.getMessage()),
                        Optional.empty());
            }
            return new DrmCard(card, Optional.of(info), capabilities, Optional.of(new Kms(device.clientCaps(),
                    device.connectors(), device.encoders(), device.crtcs(), device.planes())), Optional.empty(),
                    Optional.empty());
        } catch (KernelException e) {
            return new DrmCard(card, Optional.of(info), capabilities, Optional.empty(), Optional.empty(),
                    Optional.of(message(e)));
        }
    }

    private static String message(IOException e) {
        return e instanceof KernelException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Each failure, one line (the library's messages name the call and the node). */
    public List<String> errors() {
        List<String> errors = new ArrayList<>();
        video.forEach(v -> v.error().ifPresent(errors::add));
        drm.forEach(d -> d.error().ifPresent(errors::add));
        media.forEach(m -> m.error().ifPresent(errors::add));
        return errors;
    }
}

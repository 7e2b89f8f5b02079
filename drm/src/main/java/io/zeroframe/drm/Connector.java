package io.zeroframe.drm;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A connector as {@code DRM_IOCTL_MODE_GETCONNECTOR} and its properties described it: an immutable snapshot, read
 * with a probe ({@link DrmDevice#connector}) or without ({@link DrmDevice#connectorCurrent}).
 *
 * @param id         its id
 * @param type       e.g. Virtual, Writeback, HDMI-A
 * @param typeIndex  its number among connectors of its type (1 for "Virtual-1")
 * @param status     whether a display is attached
 * @param modes      the modes it offers, the kernel's order (writeback connectors list theirs too: vkms's
 *                   Writeback-1 has 34); empty when read without a probe before any probe found some
 * @param widthMm    the display's width in millimetres, 0 if unknown
 * @param heightMm   the display's height in millimetres, 0 if unknown
 * @param encoder    the encoder it is driven by now
 * @param encoders   the encoders that can drive it
 * @param edid       the {@code EDID} property's blob, if the connector has one
 * @param properties its properties by name, with values
 */
public record Connector(ConnectorId id, ConnectorType type, int typeIndex, ConnectionStatus status, List<Mode> modes,
                        int widthMm, int heightMm, Optional<EncoderId> encoder, List<EncoderId> encoders,
                        Optional<BlobId> edid, ObjectProperties properties) {
    public Connector {
        Objects.requireNonNull(id, "id");
        modes = List.copyOf(modes);
        encoders = List.copyOf(encoders);
    }

    /** The kernel's name, e.g. {@code "Virtual-1"}, {@code "Writeback-1"}. */
    public String name() {
        return type.name() + "-" + typeIndex;
    }

    /** The preferred mode ({@code DRM_MODE_TYPE_PREFERRED}), else the first. */
    public Optional<Mode> preferredMode() {
        return modes.stream().filter(Mode::isPreferred).findFirst().or(() -> modes.stream().findFirst());
    }
}

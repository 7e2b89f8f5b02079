package io.zeroframe.drm;

import io.zeroframe.bindings.drm_mode.drm_mode_h;
import java.util.List;

/**
 * A connector's type ({@code DRM_MODE_CONNECTOR_*}), named as the kernel names connectors
 * ({@code drm_connector_enum_list}): "Virtual", "Writeback", "HDMI-A", ...
 *
 * @param code the kernel's value, e.g. 15 for {@code DRM_MODE_CONNECTOR_VIRTUAL}, 18 for writeback
 */
public record ConnectorType(int code) {
    private static final List<String> NAMES = List.of("Unknown", "VGA", "DVI-I", "DVI-D", "DVI-A", "Composite",
            "SVIDEO", "LVDS", "Component", "DIN", "DP", "HDMI-A", "HDMI-B", "TV", "eDP", "Virtual", "DSI", "DPI",
            "Writeback", "SPI", "USB");
    /** {@code DRM_MODE_CONNECTOR_VIRTUAL}. */
    public static final ConnectorType VIRTUAL = new ConnectorType(drm_mode_h.DRM_MODE_CONNECTOR_VIRTUAL());
    /** {@code DRM_MODE_CONNECTOR_WRITEBACK}. */
    public static final ConnectorType WRITEBACK = new ConnectorType(drm_mode_h.DRM_MODE_CONNECTOR_WRITEBACK());

    /** The kernel's name for the type, e.g. {@code "Virtual"}; {@code "Type-N"} for codes this version does not know. */
    public String name() {
        return code >= 0 && code < NAMES.size() ? NAMES.get(code) : "Type-" + code;
    }

    @Override
    public String toString() {
        return name();
    }
}

package io.zeroframe.drm;

/** Whether a display is attached to a connector ({@code DRM_MODE_CONNECTED} = 1, {@code DISCONNECTED} = 2, {@code UNKNOWNCONNECTION} = 3). */
public enum ConnectionStatus {
    CONNECTED, DISCONNECTED, UNKNOWN;

    static ConnectionStatus of(int code) {
        return switch (code) {
            case 1 -> CONNECTED;
            case 2 -> DISCONNECTED;
            default -> UNKNOWN;
        };
    }
}

package io.zeroframe.drm;

/**
 * A typed KMS object id: {@link ConnectorId}, {@link CrtcId}, {@link PlaneId}, {@link EncoderId},
 * {@link FramebufferId}, {@link BlobId} or {@link PropertyId}. Typed so that a plane id cannot be passed where a
 * CRTC is meant; {@link #value()} is what the kernel sees.
 */
public sealed interface ObjectId permits ConnectorId, CrtcId, PlaneId, EncoderId, FramebufferId, BlobId, PropertyId {
    /** The kernel's object id. */
    int value();

    /** What kind of object it names. */
    ObjectType type();
}

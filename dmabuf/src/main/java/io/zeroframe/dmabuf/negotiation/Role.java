package io.zeroframe.dmabuf.negotiation;

/**
 * What an {@link Endpoint} does with frames: writes them, reads them, or both (a memory-to-memory stage such as a
 * V4L2 scaler, which reads the frames one negotiation plans and writes those of the next). The planner takes one
 * endpoint that {@link #produces()} and one or more that {@link #consumes()}; a stage may stand on either side.
 */
public enum Role {
    /** Writes frames: a camera's capture queue. */
    PRODUCER,
    /** Reads frames: a KMS plane, an importer such as vgem. */
    CONSUMER,
    /** Reads one stream and writes another: either side of a memory-to-memory device. */
    STAGE;

    /** Whether an endpoint of this role may be a negotiation's producer. */
    public boolean produces() {
        return this != CONSUMER;
    }

    /** Whether an endpoint of this role may be one of a negotiation's consumers. */
    public boolean consumes() {
        return this != PRODUCER;
    }
}

/**
 * DRM/KMS: discovery, devices, objects and properties, dumb buffers, PRIME, framebuffers, atomic commits and events.
 */
module io.zeroframe.drm {
    requires transitive io.zeroframe.bindings;
    requires transitive io.zeroframe.dmabuf;
    requires org.slf4j;

    exports io.zeroframe.drm;
}

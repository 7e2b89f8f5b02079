/**
 * DRM/KMS devices: discovery now; atomic mode setting, planes, PRIME and dumb buffers come with the DRM issue.
 */
module io.zeroframe.drm {
    requires transitive io.zeroframe.bindings;
    requires transitive io.zeroframe.dmabuf;
    requires org.slf4j;

    exports io.zeroframe.drm;
}

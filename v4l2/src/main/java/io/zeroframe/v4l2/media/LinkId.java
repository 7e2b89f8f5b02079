package io.zeroframe.v4l2.media;

/**
 * The media graph's id of a link (media_v2_link.id): unique within one media device across entities, pads, links and
 * interfaces, stable while the graph does not change. A distinct type per kind of object so that a pad id cannot be
 * passed where an entity id is meant.
 *
 * @param value the kernel's id
 */
public record LinkId(int value) {
    @Override
    public String toString() {
        return Integer.toString(value);
    }
}

package io.zeroframe.v4l2.internal;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.IoctlRequest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * What the module's feature packages (controls) need of an open video node, which {@code VideoDevice} keeps
 * package-private: its one ioctl entry point, its failure shape (ENODEV as {@code DeviceGoneException}, the node
 * named) and the input/output generation that tells when controls may have changed.
 */
public interface VideoNode {
    /**
     * {@code request} on the node returning {@code -errno} instead of throwing, for calls whose failures are
     * ordinary outcomes; throws {@code FdClosedException} for a closed node and {@code DeviceGoneException} for
     * ENODEV.
     */
    int tryIoctl(IoctlRequest request, MemorySegment arg) throws KernelException;

    /** A failure of {@code operation} on this node with {@code errno}, a {@code DeviceGoneException} for ENODEV. */
    KernelException failure(String operation, int errno, String detail);

    /** The node's path, e.g. {@code /dev/video0}. */
    Path path();

    /** The node for messages: its driver and card, e.g. {@code vivid "vivid"}. */
    String identity();

    /**
     * How many input, output, standard and DV timings changes were made through this node: drivers give controls
     * other ranges, flags and dimensions per input (vivid's brightness), so the control list is enumerated again
     * when this moves.
     */
    long settingsGeneration();
}

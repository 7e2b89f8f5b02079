/**
 * The public part of Zeroframe's native core: {@link io.zeroframe.bindings.OwnedFd}, the owning file
 * descriptor every kernel object is reached through, and {@link io.zeroframe.bindings.KernelException}, the one
 * exception type for failed system calls, which names the operation, the device and the errno; and
 * {@link io.zeroframe.bindings.Poller}, one {@code poll} over any set of {@link io.zeroframe.bindings.Pollable}
 * objects (V4L2 queues and events, DRM events, sync_files, dma-buf idle states) plus a wake-up.
 */
package io.zeroframe.bindings;

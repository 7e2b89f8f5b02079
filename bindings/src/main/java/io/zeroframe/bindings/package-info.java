/**
 * The public part of Zeroframe's native core: {@link io.zeroframe.bindings.OwnedFd}, the owning file
 * descriptor every kernel object is reached through, and {@link io.zeroframe.bindings.KernelException}, the one
 * exception type for failed system calls, which names the operation, the device and the errno.
 */
package io.zeroframe.bindings;

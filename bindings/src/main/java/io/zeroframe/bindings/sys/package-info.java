/**
 * Zeroframe's syscall layer, exported only to Zeroframe's modules: FFM downcalls with errno capture
 * ({@link io.zeroframe.bindings.sys.Syscalls}) and ioctl requests that know their kernel names
 * ({@link io.zeroframe.bindings.sys.IoctlRequest}).
 */
package io.zeroframe.bindings.sys;

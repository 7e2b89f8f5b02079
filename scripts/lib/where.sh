# shellcheck shell=bash
# Sourced: sets ZF_WHERE to where the device tests and the probe run: "testbed" (the default: the QEMU test bed,
# set up here if needed) or "host" (this machine's own drivers), only when asked for with ZF_DEVICE_TESTS=host.
# Never guessed from what this machine has loaded: a host run tests a different kernel and other drivers.

ZF_WHERE=${ZF_DEVICE_TESTS:-testbed}
case "$ZF_WHERE" in
  host)
    echo "zeroframe: ZF_DEVICE_TESTS=host: using this machine's drivers, not the test bed" >&2 ;;
  testbed)
    if ! "$(dirname "${BASH_SOURCE[0]}")/../testbed/setup"; then
      echo "zeroframe: the kernel test bed cannot start (see above), so nothing can run against devices: failing." >&2
      exit 1
    fi ;;
  *) echo "zeroframe: ZF_DEVICE_TESTS must be 'host' or 'testbed', not '$ZF_WHERE'" >&2; exit 2 ;;
esac

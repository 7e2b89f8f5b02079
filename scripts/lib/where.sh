# shellcheck shell=bash
# Sourced: sets ZF_WHERE to "host" when this machine has the test bed's drivers loaded (vivid, vgem, the
# system dma-heap), else "testbed"; ZF_DEVICE_TESTS=host|testbed overrides. Sets up the test bed if needed.

ZF_WHERE=${ZF_DEVICE_TESTS:-}
if [ -z "$ZF_WHERE" ]; then
  if [ -d /sys/module/vivid ] && [ -d /sys/module/vgem ] && [ -e /dev/dma_heap/system ]; then
    ZF_WHERE=host
  else
    ZF_WHERE=testbed
  fi
fi
case "$ZF_WHERE" in
  host) ;;
  testbed)
    if ! "$(dirname "${BASH_SOURCE[0]}")/../testbed/setup"; then
      echo "zeroframe: the kernel test bed cannot start (see above), so nothing can run against devices: failing." >&2
      exit 1
    fi ;;
  *) echo "zeroframe: ZF_DEVICE_TESTS must be 'host' or 'testbed', not '$ZF_WHERE'" >&2; exit 2 ;;
esac

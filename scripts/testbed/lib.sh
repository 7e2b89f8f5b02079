# shellcheck shell=bash
# Shared settings for the test bed scripts (sourced, not run).

TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$TESTBED_DIR/../.." && pwd)
CACHE=${ZF_TESTBED_CACHE:-$HOME/.cache/zeroframe/testbed}
GUEST_JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
QEMU=/usr/bin/qemu-system-x86_64
QEMU_MIN_MAJOR=10
# Host packages from the machine's own apt sources.
HOST_PACKAGES=(busybox-static cpio kmod xz-utils socat)
# Modules loaded in the guest (their dependencies are added from modules.dep).
GUEST_MODULES=(netfs 9pnet 9p 9pnet_virtio vivid drm drm_kms_helper drm_shmem_helper
  vgem virtio_dma_buf virtio-gpu)
# Module parameters, by module name. vivid: instance 0 single-planar (/dev/video0 capture, as before),
# instance 1 multi-planar (NV12M, YUV420M, ... and the _MPLANE buffer types).
declare -A GUEST_MODULE_PARAMS=([vivid]="n_devs=2 multiplanar=1,2")

die() {
  echo "testbed: $*" >&2
  exit 1
}

note() {
  echo "testbed: $*" >&2
}

# Prints the major version of the installed QEMU, or 0.
qemu_major() {
  local v
  v=$("$QEMU" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p') || true
  echo "${v:-0}"
}

# The unpacked kernel: $CACHE/kernel is a symlink to the package's unpacked tree.
kernel_release() {
  local d
  d=$(readlink "$CACHE/kernel" 2>/dev/null) || return 1
  basename "$d"
}

# qmp SOCKET JSON...: sends each command after the handshake; prints the last reply.
# Fails if any reply is an error.
qmp() {
  local sock=$1 line cmd
  shift
  coproc QMP { exec socat -t 30 - "UNIX-CONNECT:$sock"; }
  # shellcheck disable=SC2154 # QMP_PID is set by coproc
  local pid=$QMP_PID in=${QMP[0]} out=${QMP[1]}
  read -r -t 10 line <&"$in" || { kill "$pid" 2>/dev/null; return 1; } # greeting
  for cmd in '{"execute":"qmp_capabilities"}' "$@"; do
    echo "$cmd" >&"$out"
    while read -r -t 60 line <&"$in"; do
      case $line in *'"return"'* | *'"error"'*) break ;; esac # skip events
    done
    case $line in *'"return"'*) ;; *) echo "$line" >&2; kill "$pid" 2>/dev/null; return 1 ;; esac
  done
  exec {out}>&-
  wait "$pid" 2>/dev/null || true
  echo "$line"
}

# screendump SOCKET OUT.png: writes a PNG of what the display scans out (atomically).
screendump() {
  local sock=$1 out=$2 tmp
  tmp="$(dirname "$out")/.$(basename "$out").tmp"
  qmp "$sock" "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"$tmp\",\"format\":\"png\"}}" >/dev/null \
    && mv -f "$tmp" "$out"
}

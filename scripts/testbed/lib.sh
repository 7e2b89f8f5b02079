# shellcheck shell=bash
# Shared settings for the test bed scripts (sourced, not run).

TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$TESTBED_DIR/../.." && pwd)
CACHE=${ZF_TESTBED_CACHE:-$HOME/.cache/zeroframe/testbed}
QEMU=/usr/bin/qemu-system-x86_64
QEMU_MIN_MAJOR=10
# Host packages from the machine's own apt sources (gcc-12, make, binutils build the drivers below).
HOST_PACKAGES=(busybox-static cpio kmod xz-utils socat gcc-12 make binutils)
# The guest kernel's Debian packages, pinned with their checksums.
KERNEL_PINS=$TESTBED_DIR/kernel.pins
# Drivers the stock kernel lacks, built from its source package by build-modules (module names).
TESTBED_BUILT_MODULES=(v4l2-mem2mem vim2m vicodec vimc visl vkms sw_sync)
# Modules loaded in the guest, in this order (their dependencies are added from modules.dep):
# the stock ones, then those built here (depmod puts them under updates/).
GUEST_MODULES=(netfs 9pnet 9p 9pnet_virtio vivid drm drm_kms_helper drm_shmem_helper
  vgem virtio_dma_buf virtio-gpu vkms vim2m vicodec vimc visl sw_sync)
# DRM cards the guest's init waits for: vgem, virtio-gpu, vkms.
GUEST_DRM_CARDS=3
# Boot progress: a boot whose init has not started within BOOT_INIT_SECONDS, or has not started the
# command within BOOT_COMMAND_SECONDS, is killed and booted again, up to BOOT_ATTEMPTS boots in all.
# (Measured under TCG on 2 cores: init starts about 3 s after QEMU does, the command about 8 s.)
BOOT_INIT_SECONDS=${ZF_TESTBED_BOOT_INIT_SECONDS:-60}
BOOT_COMMAND_SECONDS=${ZF_TESTBED_BOOT_COMMAND_SECONDS:-180}
BOOT_ATTEMPTS=${ZF_TESTBED_BOOT_ATTEMPTS:-2}
# Module parameters, by module name. vivid: instance 0 single-planar (/dev/video0 capture, as before),
# instance 1 multi-planar (NV12M, YUV420M, ... and the _MPLANE buffer types), instance 2 single-planar and
# reserved for the device-loss test (its "disconnect" control unregisters the instance for good). vkms: overlay and cursor
# planes and the writeback connector.
declare -A GUEST_MODULE_PARAMS=([vivid]="n_devs=3 multiplanar=1,2,1"
  [vkms]="enable_overlay=1 enable_cursor=1 enable_writeback=1")

APT_DIR=$CACHE/apt
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# The private apt configuration: own sources and state, the system's dpkg database.
write_apt_config() {
  [[ -r $KEYRING ]] || die "missing $KEYRING: apt-get install debian-archive-keyring"
  mkdir -p "$APT_DIR"/{lists/partial,archives/partial,cache}
  cat >"$APT_DIR/sources.list" <<SRC
deb [signed-by=$KEYRING] http://deb.debian.org/debian bookworm main
deb [signed-by=$KEYRING] http://deb.debian.org/debian bookworm-backports main
SRC
  cat >"$APT_DIR/apt.conf" <<CONF
Dir::Etc::sourcelist "$APT_DIR/sources.list";
Dir::Etc::sourceparts "-";
Dir::State::Lists "$APT_DIR/lists";
Dir::Cache "$APT_DIR/cache";
Dir::Cache::Archives "$APT_DIR/archives";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Sandbox::User "root";
CONF
}

papt() { APT_CONFIG="$APT_DIR/apt.conf" "$@"; }

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

# The unpacked kernel's release (uname -r): $CACHE/kernel is a symlink to the pinned kernel's tree,
# which setup completes with a file "release".
kernel_release() {
  local r
  r=$(cat "$CACHE/kernel/release" 2>/dev/null) && [[ -n $r ]] || return 1
  echo "$r"
}

# as_root CMD...: runs CMD as root: directly when we are root, else through sudo (which may ask for
# a password), else fails saying what to run.
as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    note "need root for: $*; run it as root (or install sudo) and try again"
    return 1
  fi
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

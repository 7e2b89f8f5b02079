# shellcheck shell=bash
# Sourced by the project's scripts: zf_require_packages PKG... installs missing Debian packages with apt.

zf_require_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "zeroframe: missing Debian packages: ${missing[*]}; install them with: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "zeroframe: installing ${missing[*]}" >&2
  if ! { "${sudo[@]}" apt-get update -qq && \
         DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    echo "zeroframe: could not install ${missing[*]} with apt-get; install them by hand" >&2
    exit 1
  fi
}

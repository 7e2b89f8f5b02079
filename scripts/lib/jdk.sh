# shellcheck shell=bash
# Sourced by the project's scripts: finds a JDK 25 or newer and exports JAVA_HOME and PATH for it.
# Looks at JAVA_HOME first, then the usual install places. Fails with what to install when none is found.

zf_jdk_feature_version() { # prints the feature version (25) of the JDK at $1, or nothing
  local release="$1/release" version
  [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 0
  version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  printf '%s' "$version"
}

zf_find_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* \
                   "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    version=$(zf_jdk_feature_version "$candidate")
    if [ -n "$version" ] && [ "$version" -ge 25 ]; then
      printf '%s' "$candidate"
      return 0
    fi
  done
  return 1
}

if ! ZF_JAVA_HOME=$(zf_find_jdk); then
  cat >&2 <<'MSG'
zeroframe: no JDK 25 found (looked at JAVA_HOME, /usr/lib/jvm, /usr/local/lib/jvm, /opt/java, ~/.sdkman, ~/.jdks).
  Install one, e.g. Eclipse Temurin 25: add Adoptium's apt repository (https://adoptium.net/installation/linux)
  and `apt-get install temurin-25-jdk`; or your distribution's `openjdk-25-jdk`. Or point JAVA_HOME at a JDK 25.
MSG
  exit 1
fi
export JAVA_HOME="$ZF_JAVA_HOME"
export PATH="$JAVA_HOME/bin:$PATH"

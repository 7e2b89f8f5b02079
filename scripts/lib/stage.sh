# shellcheck shell=bash
# Sourced: zf_stage_jars DEST LIST... copies the jars named in Maven classpath files (LIST, ':'-separated, as
# `dependency:build-classpath -Dmdep.outputFile=...` writes them) into DEST once each, so that the test bed
# needs nothing from this machine but the checkout, /usr and /etc. Prints the copied paths, one a line.
# Entries under $ZF_STAGE_SKIP (a directory) are left out.

zf_stage_jars() {
  local dest=$1 list jar name
  shift
  mkdir -p "$dest"
  declare -A staged=()
  for list in "$@"; do
    local jars=()
    IFS=':' read -r -a jars < "$list" || true # the file has no final newline
    for jar in "${jars[@]}"; do
      [ -n "${ZF_STAGE_SKIP:-}" ] && case "$jar" in "$ZF_STAGE_SKIP"/*) continue ;; esac
      name=$(basename "$jar")
      [ -n "${staged[$name]:-}" ] && continue
      staged[$name]=1
      cp "$jar" "$dest/$name"
      printf '%s\n' "$dest/$name"
    done
  done
}

# shellcheck shell=bash
# Helpers shared by scripts/demo and scripts/test.  Sourced, not run.
# The caller sets ROOT (the repo root) and PROG (prefix for messages).

say() { printf '[%s] %s\n' "$PROG" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# Die unless we are root or can use sudo.
need_root() { # what-needs-it
  [ "$(id -u)" = 0 ] || command -v sudo >/dev/null ||
    die "$1 needs root and sudo is not available; run this as root"
}

# Run a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  else
    need_root "'$1'"
    sudo "$@"
  fi
}

# scripts/swift-lab as root (it requires it), keeping any SWIFT_LAB_*
# settings across sudo.
lab() {
  local v envs=()
  need_root "scripts/swift-lab ${1:-}"
  for v in $(compgen -e); do
    case $v in SWIFT_LAB_*) envs+=("$v=${!v}") ;; esac
  done
  as_root env ${envs[@]+"${envs[@]}"} "$ROOT/scripts/swift-lab" "$@"
}

# Install the Swift lab's Debian packages unless Swift is already there.
ensure_lab_installed() {
  command -v swift-proxy-server >/dev/null && return 0
  say "swift-proxy-server not found: running scripts/swift-lab install (apt-get)"
  lab install || die "scripts/swift-lab install failed"
}

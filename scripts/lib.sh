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
  command -v swift-proxy-server >/dev/null && lab_tls_installed && return 0
  say "Swift (or, with SWIFT_LAB_TLS=1, HAProxy) not found: running scripts/swift-lab install (apt-get)"
  lab install || die "scripts/swift-lab install failed"
}

# The major version of javac (JAVA_HOME first, like mvnw); fails when there is none.
javac_major() {
  local javac=javac v
  [ -n "${JAVA_HOME:-}" ] && javac=$JAVA_HOME/bin/javac
  v=$("$javac" -version 2>&1) || return 1       # "javac 17.0.15"
  v=${v#javac }; v=${v%%.*}; v=${v%%[!0-9]*}
  printf '%s' "${v:-0}"
}

ensure_jdk() {
  local v
  if v=$(javac_major) && [ "$v" -ge 17 ]; then return 0; fi
  if [ -n "${v:-}" ]; then
    die "need a JDK 17+, found javac $v${JAVA_HOME:+ (JAVA_HOME=$JAVA_HOME)}; set JAVA_HOME to a JDK 17"
  fi
  [ -z "${JAVA_HOME:-}" ] || die "JAVA_HOME=$JAVA_HOME has no bin/javac; unset it or point it at a JDK 17"
  need_root "installing a JDK (openjdk-17-jdk-headless)"
  say "no JDK found: installing openjdk-17-jdk-headless"
  as_root apt-get update -qq || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends openjdk-17-jdk-headless >/dev/null || die "installing openjdk-17-jdk-headless failed"
  if ! v=$(javac_major) || [ "$v" -lt 17 ]; then
    die "openjdk-17-jdk-headless installed, but javac 17 is still not usable"
  fi
}

# ---- the second lab, in Keystone mode (scripts/test runs it beside the default
# tempauth lab).  Own base and ports for everything, so both run side by side;
# Keystone itself on KS_LAB_KEYSTONE_PORT.  Override with the KS_LAB_* variables.
KS_LAB_BASE=${KS_LAB_BASE:-/tmp/swift-lab-ks}
KS_LAB_A_PORT=${KS_LAB_A_PORT:-8091}
KS_LAB_B_PORT=${KS_LAB_B_PORT:-8092}
KS_LAB_KEYSTONE_PORT=${KS_LAB_KEYSTONE_PORT:-5000}

# The settings of the Keystone lab, as NAME=value words for env(1).
ks_lab_env() {
  printf '%s\n' SWIFT_LAB_AUTH=keystone "SWIFT_LAB_BASE=$KS_LAB_BASE" \
    "SWIFT_LAB_A_PROXY_PORT=$KS_LAB_A_PORT" "SWIFT_LAB_B_PROXY_PORT=$KS_LAB_B_PORT" \
    SWIFT_LAB_A_OBJECT_PORT=6410 SWIFT_LAB_A_CONTAINER_PORT=6411 SWIFT_LAB_A_ACCOUNT_PORT=6412 \
    SWIFT_LAB_B_OBJECT_PORT=6420 SWIFT_LAB_B_CONTAINER_PORT=6421 SWIFT_LAB_B_ACCOUNT_PORT=6422 \
    SWIFT_LAB_A_MEMCACHE_PORT=11411 SWIFT_LAB_B_MEMCACHE_PORT=11412 \
    "SWIFT_LAB_KEYSTONE_PORT=$KS_LAB_KEYSTONE_PORT" "SWIFT_LAB_TLS=${SWIFT_LAB_TLS:-0}"
}

# scripts/swift-lab as root for the Keystone lab.  Only ks_lab_env's settings
# reach it: SWIFT_LAB_* variables meant for the default lab are dropped.
ks_lab() {
  local v unset=() settings
  need_root "scripts/swift-lab ${1:-} (Keystone lab)"
  for v in $(compgen -e); do
    case $v in SWIFT_LAB_*) unset+=(-u "$v") ;; esac
  done
  mapfile -t settings < <(ks_lab_env)
  as_root env ${unset[@]+"${unset[@]}"} "${settings[@]}" "$ROOT/scripts/swift-lab" "$@"
}

# True when the Keystone mode's packages are there (what swift-lab's preflight checks).
ks_lab_installed() {
  command -v keystone-manage >/dev/null && command -v keystone-wsgi-public >/dev/null &&
    command -v uwsgi_python3 >/dev/null &&
    /usr/bin/python3 -c 'import keystonemiddleware.auth_token, keystoneclient.v3.client' 2>/dev/null
}

# True unless the lab's TLS mode is on and its terminator (HAProxy) or openssl is missing.
lab_tls_installed() {
  [ "${SWIFT_LAB_TLS:-0}" != 1 ] || { command -v haproxy >/dev/null && command -v openssl >/dev/null; }
}

# Install Swift and the Keystone packages in one apt run unless both are there.
ensure_ks_lab_installed() {
  command -v swift-proxy-server >/dev/null && ks_lab_installed && lab_tls_installed && return 0
  say "Swift or Keystone packages missing: running SWIFT_LAB_AUTH=keystone scripts/swift-lab install (apt-get)"
  ks_lab install || die "SWIFT_LAB_AUTH=keystone scripts/swift-lab install failed"
}

#!/usr/bin/env bash
# Debian packages the tests and the wasm/browser benches need: clang, wasm-ld and wasi-libc
# (C → wasm32 and wasm32-wasi) and Chromium (browser tests, driven by playwright-core).
# Installs only what is missing; needs root (or sudo).
set -euo pipefail
missing() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
toolchain=$(missing clang lld wasi-libc libclang-rt-14-dev-wasm32)
browser=$(missing chromium)
[ -z "$toolchain$browser" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
[ -n "$toolchain" ] && $SUDO apt-get install -y -qq $toolchain >/dev/null
# Chromium's recommended packages are a desktop's worth; headless needs none of them.
[ -n "$browser" ] && $SUDO apt-get install -y -qq --no-install-recommends $browser >/dev/null
exit 0

#!/usr/bin/env bash
# Debian packages the tests and the wasm/browser benches need: clang, wasm-ld and wasi-libc
# (C → wasm32 and wasm32-wasi) and Chromium (browser tests, driven by playwright-core).
# Installs only what is missing; needs root (or sudo).
set -euo pipefail
PACKAGES=(clang lld wasi-libc libclang-rt-14-dev-wasm32 chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Sets up hvcc on a Debian 12 machine: the LLVM 14 toolchain, QEMU, dtc and the Kconfig reference tools from
# Debian's packages (only those missing) — and chromium and xmllint, with which the tests look at
# `hvcc map`'s HTML and SVG — the npm dependencies (llvm-bindings builds from source against
# Debian's LLVM 14: see .npmrc), the compiler itself, and the example guests.
set -euo pipefail
cd "$(dirname "$0")"

# riscv64: qemu-system-misc (qemu-system-riscv64) with opensbi as its firmware; the Linux guest's kernel is
# built from linux-source-6.1 with gcc-riscv64-linux-gnu (flex, bison and bc for its build tools). gcc and
# cpp build host-side programs: the kernel's tools, Linux's Kconfig conf for the differential tests, the
# virtio transport's ASan harness; cpp also preprocesses device-tree sources.
packages=(clang-14 lld-14 llvm-14 qemu-system-arm ipxe-qemu device-tree-compiler make
          kconfig-frontends-nox python3-kconfiglib tmux chromium libxml2-utils
          qemu-system-misc opensbi gcc-riscv64-linux-gnu linux-source-6.1 flex bison bc libc6-dev gcc cpp)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "bootstrap: installing ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/llvm-bindings/build/Release/llvm-bindings.node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "bootstrap: installing npm dependencies (llvm-bindings compiles for a minute or two)"
	npm ci --no-audit --no-fund
fi

echo "bootstrap: compiling hvcc"
npm run --silent build
echo "bootstrap: building the example guests"
make -s -C examples/guests
echo "bootstrap: Linux 6.1's Kconfig trees and conf, the Kconfig tests' reference (cached in ~/.cache/hvcc/linux-kconfig)"
node dist/test/support/linux-kconfig.js
echo "bootstrap: done. Try: npx hvcc run examples/two-guests/system.dts"

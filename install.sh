#!/usr/bin/env bash
# Installs k1s. From a checkout (meson.build beside this script): installs the build packages with
# apt-get, builds a release binary and installs it to /usr/local/bin/k1s.
#   ./install.sh                          build and install
#   INSTALL_K1S_BIN_DIR=/opt/bin ./install.sh
#   INSTALL_K1S_SKIP_START=true ./install.sh   (starting the server comes with the API server)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
bin_dir=${INSTALL_K1S_BIN_DIR:-/usr/local/bin}

info() { echo "[k1s] $*"; }
fatal() { echo "[k1s] ERROR: $*" >&2; exit 1; }

if [ ! -f "$here/meson.build" ]; then
  fatal "run install.sh from a k1s checkout (downloading release binaries is not available yet)"
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  fatal "run as root (or install sudo): packages and $bin_dir need it"
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

. "$here/tests/packages.sh"
info "[1/3] installing build packages (apt-get, only what is missing)"
k1s_install_packages "${k1s_build_packages[@]}" || fatal "apt-get could not install the build packages"

info "[2/3] building a release binary in build/release (takes a few minutes on 2 cores)"
cd "$here"
if [ ! -f build/release/build.ninja ]; then
  meson setup build/release -Dbuildtype=release -Dtests=disabled >/dev/null
fi
ninja -C build/release cmd/k1s

info "[3/3] installing $bin_dir/k1s"
$sudo install -d "$bin_dir"
$sudo install -m 0755 build/release/cmd/k1s "$bin_dir/k1s"
if ! command -v kubectl >/dev/null 2>&1; then
  $sudo ln -sf "$bin_dir/k1s" "$bin_dir/kubectl"
  info "linked $bin_dir/kubectl -> k1s (k1s kubectl runs the real kubectl when one is installed)"
fi
"$bin_dir/k1s" --version

if [ "${INSTALL_K1S_SKIP_START:-false}" != "true" ]; then
  info "not starting a server: 'k1s server' lands with the API server (see README.md, status table)"
fi
info "done. Next: 'k1s help'; snapshots: 'k1s etcd-snapshot save'"

#!/usr/bin/env bash
# Installs the Debian packages k1s needs to build and test, only when some are missing.
# Sourced by install.sh and tests/run.sh. Usage: k1s_install_packages PKG...
k1s_build_packages=(meson ninja-build g++ pkg-config ccache git libsqlite3-dev libcli11-dev libyaml-cpp-dev
  libssl-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev protobuf-compiler libprotobuf-dev)
k1s_test_packages=(libgtest-dev libgmock-dev googletest libbenchmark-dev python3 python3-kubernetes sqlite3 curl
  openssl)

k1s_install_packages() {
  local missing=()
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "installing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

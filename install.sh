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

if [ "${INSTALL_K1S_SKIP_START:-false}" = "true" ]; then
  info "not starting the server (INSTALL_K1S_SKIP_START=true); start it with 'k1s server'"
  exit 0
fi

log=/var/log/k1s.log
kubeconfig=/etc/k1s/k1s.yaml
exec_args=${INSTALL_K1S_EXEC:-server}
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  info "starting k1s as the systemd service k1s.service"
  $sudo tee /etc/systemd/system/k1s.service >/dev/null <<UNIT
[Unit]
Description=k1s: Kubernetes in one binary
After=network-online.target
[Service]
ExecStart=$bin_dir/k1s $exec_args
Restart=always
RestartSec=2
KillMode=process
[Install]
WantedBy=multi-user.target
UNIT
  $sudo systemctl daemon-reload
  $sudo systemctl enable k1s.service >/dev/null 2>&1 || true
  $sudo systemctl restart k1s.service
else
  # No systemd: a small supervisor restarts the server if it dies; its pid is in /run/k1s.pid.
  if [ -f /run/k1s.pid ] && kill -0 "$(cat /run/k1s.pid)" 2>/dev/null; then
    info "stopping the running k1s (pid $(cat /run/k1s.pid)) to start the new binary"
    $sudo kill "$(cat /run/k1s.pid)" 2>/dev/null || true
    $sudo pkill -TERM -x k1s 2>/dev/null || true
    sleep 1
  fi
  info "starting k1s in the background (no systemd here), log in $log"
  $sudo tee "$bin_dir/k1s-supervise" >/dev/null <<SUPERVISE
#!/bin/sh
# Keeps 'k1s $exec_args' running (installed by install.sh where there is no systemd).
trap 'kill \$child 2>/dev/null; wait \$child; exit 0' TERM INT
while true; do
  $bin_dir/k1s $exec_args >>$log 2>&1 &
  child=\$!
  wait \$child
  echo "k1s exited with status \$?; restarting in 2s" >>$log
  sleep 2
done
SUPERVISE
  $sudo chmod 0755 "$bin_dir/k1s-supervise"
  $sudo sh -c "nohup '$bin_dir/k1s-supervise' >/dev/null 2>&1 & echo \$! > /run/k1s.pid"
fi

info "waiting for the API server"
for _ in $(seq 1 100); do
  if [ -f "$kubeconfig" ] && KUBECONFIG="$kubeconfig" "$bin_dir/k1s" kubectl get --raw /readyz >/dev/null 2>&1; then
    info "k1s is running. Kubeconfig: $kubeconfig"
    info "try: k1s kubectl get namespaces     (log: $log)"
    exit 0
  fi
  sleep 0.2
done
fatal "the server did not become ready in 20 s; see $log"

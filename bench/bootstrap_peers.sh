#!/usr/bin/env bash
# Installs the peers the TFTP/HTTP benchmark compares against, from Debian: tftpd-hpa, atftpd,
# nginx and wrk, and linux-perf (run_tftp_bench.sh measures server CPU with perf stat); nginx and
# wrk are also run_web_bench.sh's (the admin site's API over HTTPS), and both scripts fetch with curl.
# Idempotent: a second run installs nothing and exits 0.
#
# usage: bench/bootstrap_peers.sh        (as root, or with sudo on PATH)
#
# Two details:
# - tftpd-hpa and atftpd conflict in Debian (both provide "tftpd"), so apt cannot install both.
#   tftpd-hpa is installed as a package; atftpd is fetched with `apt-get download` and unpacked
#   with `dpkg-deb -x` into $PEERS_DIR (default /opt/cucm-bench-peers), its binary at
#   $PEERS_DIR/usr/sbin/atftpd. Its libraries (libwrap0, libpcre2-8-0) are installed as packages.
# - The packages would start system services on install (tftpd-hpa on udp/69, nginx on tcp/80).
#   The benchmark starts its own instances on loopback high ports, so the system ones are not
#   wanted: while apt runs, /usr/sbin/policy-rc.d answers 101 ("action forbidden"), which
#   invoke-rc.d and deb-systemd-invoke honour. An existing policy-rc.d is left as it is (Docker
#   images ship one that already exits 101); one we add is removed on exit. If a service started
#   anyway (no policy support), its pid file names it and it is stopped by that pid.
set -euo pipefail

PEERS_DIR=${PEERS_DIR:-/opt/cucm-bench-peers}
export DEBIAN_FRONTEND=noninteractive

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "bootstrap_peers: run as root (apt-get install needs it)" >&2
    exit 2
  fi
  sudo_cmd=(sudo --preserve-env=DEBIAN_FRONTEND)
fi

have_all() {
  command -v in.tftpd >/dev/null && command -v nginx >/dev/null && command -v wrk >/dev/null &&
    command -v perf >/dev/null && command -v curl >/dev/null && [[ -x $PEERS_DIR/usr/sbin/atftpd ]]
}

if have_all; then
  echo "bootstrap_peers: in.tftpd, nginx, wrk, perf, curl and $PEERS_DIR/usr/sbin/atftpd already present"
  exit 0
fi

added_policy=0
cleanup() {
  if [[ $added_policy -eq 1 ]]; then "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\n# added by cucm-emu bench/bootstrap_peers.sh while apt runs\nexit 101\n' |
    "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo_cmd[@]}" chmod 755 /usr/sbin/policy-rc.d
  added_policy=1
fi

"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
  tftpd-hpa nginx wrk curl libwrap0 libpcre2-8-0 linux-perf

if [[ ! -x $PEERS_DIR/usr/sbin/atftpd ]]; then
  dl=$(mktemp -d)
  # apt downloads as the sandbox user _apt, which must be able to write here
  if id _apt >/dev/null 2>&1 && [[ ${#sudo_cmd[@]} -eq 0 ]]; then chown _apt "$dl"; else chmod 777 "$dl"; fi
  (cd "$dl" && "${sudo_cmd[@]}" apt-get download -q atftpd)
  "${sudo_cmd[@]}" mkdir -p "$PEERS_DIR"
  "${sudo_cmd[@]}" dpkg-deb -x "$dl"/atftpd_*.deb "$PEERS_DIR"
  "${sudo_cmd[@]}" rm -rf "$dl"
fi

# Stop a system instance only if one was started despite the policy, by the pid it recorded.
for pidfile in /run/tftpd-hpa.pid /run/nginx.pid; do
  if [[ -s $pidfile ]]; then
    pid=$(<"$pidfile")
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
      echo "bootstrap_peers: stopping the system service started by the package (pid $pid from $pidfile)"
      "${sudo_cmd[@]}" kill "$pid" || true
    fi
  fi
done

if ! have_all; then
  echo "bootstrap_peers: something is still missing after the install" >&2
  exit 2
fi
echo "bootstrap_peers: in.tftpd $(command -v in.tftpd), atftpd $PEERS_DIR/usr/sbin/atftpd," \
  "nginx $(command -v nginx), wrk $(command -v wrk)"

#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the benchmarks need.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config clang libclang-rt-14-dev
  # libraries
  libboost-dev libssl-dev libxml2-dev libsqlite3-dev
  libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libsystemd-dev libosip2-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # third-party tools the tests drive
  openssl libxml2-utils sqlite3 curl tftp-hpa python3 sipsak
  # an independent parser of the metrics text (prometheus_client; the prometheus server is not needed)
  python3-prometheus-client
  # the Lua dissectors' tests (wireshark/)
  tshark
  # the man page's test and the package check (scripts/package.sh --check): man, col, groff,
  # dpkg-shlibdeps, systemd-analyze
  man-db bsdextrautils groff-base dpkg-dev systemd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "bootstrap: installing ${missing[*]}"
# tshark's wireshark-common asks whether non-root users may capture; answer no, without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

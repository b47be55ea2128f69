#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the benchmarks need.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config clang libclang-rt-14-dev lld
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
  # the admin site's browser tests (tests/web/e2e): Debian's Chromium, driven from Node
  chromium nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  # NodeSource's nodejs ships npm itself and conflicts with Debian's npm package.
  [ "$p" = npm ] && command -v npm >/dev/null && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
else
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "bootstrap: installing ${missing[*]}"
  # tshark's wireshark-common asks whether non-root users may capture; answer no, without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The browser tests' one npm package, at the version package-lock.json pins (no browser is
# downloaded: the tests use the chromium package). Installed when node_modules is missing or
# older than the lock, so later runs need no network.
e2e="$(cd "$(dirname "$0")/.." && pwd)/tests/web/e2e"
if [ ! -d "$e2e/node_modules" ] || [ "$e2e/package-lock.json" -nt "$e2e/node_modules" ]; then
  echo "bootstrap: npm ci in tests/web/e2e"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$e2e/node_modules"
fi

#!/usr/bin/env bash
# Builds the Debian package of cucm-emu from a build folder (configured for /usr), and with --check
# installs it on this machine and checks it as a lab would use it, then removes it again:
#   scripts/package.sh [build-dir]            build/package/cucm-emu_<version>_<arch>.deb
#   scripts/package.sh --check [build-dir]    the same, then install, check, purge (root or sudo)
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
build=${1:-build}

# Configured for /usr: the unit calls /usr/bin/cucm-emu, the configuration is /etc/cucm-emu. The
# prefix changes no compile flag, so a build configured by scripts/test.sh is not rebuilt.
cmake -S . -B "$build" -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$build" --target cucm-emu cucm-emu-docs
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls -t "$build"/package/cucm-emu_*.deb | head -1)
echo "package: $deb"
dpkg-deb --field "$deb" Package Version Depends
[ "$check" -eq 1 ] || exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
state=/var/lib/cucm-emu
work=$(mktemp -d)
cleanup() {
  [ -n "${serve_pid:-}" ] && $sudo kill "$serve_pid" 2>/dev/null || true
  $sudo dpkg --purge cucm-emu >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package check: FAILED: $*" >&2; exit 1; }
as_service() {  # as the unit runs it: the cucm-emu user, CAP_NET_BIND_SERVICE as an ambient capability
  $sudo setpriv --reuid=cucm-emu --regid=cucm-emu --init-groups --inh-caps=+net_bind_service \
    --ambient-caps=+net_bind_service -- "$@"
}

echo "== install"
$sudo dpkg -i "$deb"
getent passwd cucm-emu >/dev/null || fail "postinst made no cucm-emu user"
[ "$(stat -c %U "$state")" = cucm-emu ] || fail "$state is not owned by cucm-emu"
command -v cucm-emu | grep -qx /usr/bin/cucm-emu || fail "cucm-emu is not /usr/bin/cucm-emu"
cucm-emu --version

echo "== the unit: systemd-analyze verify"
systemd-analyze verify /usr/lib/systemd/system/cucm-emu.service || fail "systemd-analyze verify"

echo "== man cucm-emu renders, and covers serve"
MANWIDTH=100 man cucm-emu 2>"$work/man.err" | col -b >"$work/man.txt"
[ -s "$work/man.err" ] && { cat "$work/man.err"; fail "man printed warnings"; }
grep -q -- '--capf-tls-min' "$work/man.txt" || fail "the man page lacks serve's --capf-tls-min"

echo "== bash completion lists the subcommands"
words=$(bash -c 'source /usr/share/bash-completion/completions/cucm-emu; COMP_WORDS=(cucm-emu ""); COMP_CWORD=1
                 _cucm_emu; printf "%s\n" "${COMPREPLY[@]}"')
for w in serve demo device doctor phone; do grep -qx "$w" <<<"$words" || fail "completion does not offer $w"; done

echo "== the demo, as the cucm-emu user"
as_service cucm-emu --data-dir "$state" demo >"$work/demo.txt" 2>&1 || { cat "$work/demo.txt"; fail "demo"; }
grep -q 'decrypted' "$work/demo.txt" || { cat "$work/demo.txt"; fail "the demo's phone did not decrypt its config"; }

echo "== serve as the unit runs it (ports from /etc/cucm-emu/cucm-emu.ini, TFTP on 69), then doctor"
mkfifo "$work/serve.out"
# setpriv execs serve, so $! is serve itself (a function run with & would be a subshell around it).
$sudo setpriv --reuid=cucm-emu --regid=cucm-emu --init-groups --inh-caps=+net_bind_service \
  --ambient-caps=+net_bind_service -- cucm-emu --data-dir "$state" serve --config /etc/cucm-emu/cucm-emu.ini \
  --exit-after 60 >"$work/serve.out" 2>&1 &
serve_pid=$!
exec 3<"$work/serve.out"
started=0
while IFS= read -r -t 30 line <&3; do  # its output up to "serving ...", which it prints once bound
  echo "$line" >>"$work/serve.txt"
  if [[ $line == serving* ]]; then started=1; break; fi
done
[ "$started" -eq 1 ] || { cat "$work/serve.txt"; fail "serve did not start"; }
tftp 127.0.0.1 69 -c get ITLFile.tlv "$work/ITLFile.tlv" || fail "TFTP on 69"
[ -s "$work/ITLFile.tlv" ] || fail "TFTP on 69 returned nothing"
as_service cucm-emu --data-dir "$state" doctor --config /etc/cucm-emu/cucm-emu.ini || fail "doctor found a problem"
$sudo kill "$serve_pid"; wait "$serve_pid" || true; serve_pid=""
cat <&3 >>"$work/serve.txt"; exec 3<&-

echo "== remove and purge"
$sudo dpkg --remove cucm-emu >/dev/null
[ ! -e /usr/bin/cucm-emu ] || fail "dpkg --remove left /usr/bin/cucm-emu"
[ -d "$state" ] || fail "dpkg --remove took the state folder (only purge may)"
$sudo dpkg --purge cucm-emu >/dev/null
[ ! -e "$state" ] || fail "dpkg --purge left $state"
echo "package check: ok"

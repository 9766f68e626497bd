#!/usr/bin/env bash
# Makes sure a real node's runtime is installed from Debian's packages:
# containerd, runc, the CNI plugins (into /usr/lib/cni), iptables (the CNI
# bridge's masquerading and portmap), conntrack (kube-proxy) and
# busybox-static (its /bin/busybox is the toolbox image every node loads,
# seedbed.dev/toolbox). Quick when everything is there: one dpkg query, no
# network.
#
#   tools/node/ensure-containerd.sh          # install what is missing
#   tools/node/ensure-containerd.sh --check  # only say what is missing (exit 1)
set -euo pipefail

packages=(containerd runc containernetworking-plugins iptables conntrack busybox-static)

log() { printf '[node-runtime] %s\n' "$*" >&2; }
die() { printf '[node-runtime] error: %s\n' "$*" >&2; exit 1; }

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${1:-}" = "--check" ]; then
  log "missing: ${missing[*]} (install them with tools/node/ensure-containerd.sh)"
  exit 1
fi
command -v apt-get >/dev/null 2>&1 || die "a real node needs ${missing[*]}; this machine has no apt-get: install them with your distribution's package manager (containerd 1.6+, runc, the CNI plugins in /usr/lib/cni)"
[ "$(id -u)" = 0 ] || die "a real node needs ${missing[*]}; run this script as root (or: sudo apt-get install -y ${missing[*]})"

log "installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# No recommends: the containerd package would otherwise pull in more than a node needs.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The package starts a system-wide containerd under systemd where there is
# one; the project runs its own containerd per node and never uses it.
log "installed ${missing[*]}"

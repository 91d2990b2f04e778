#!/usr/bin/env bash
# Builds a real etcd and kube-apiserver from the Go module proxy, once per machine: the binaries are
# cached by version under $KUBE_CACHE (default ~/.cache/milvus-l7-doctor/kube). provision's tests
# need a real apiserver for server-side apply (conflicts, dry run, managed fields, CRD validation);
# a home-made apply would only agree with a home-made server. Prints the directory holding both.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.34.2}"
ETCD_VERSION="${ETCD_VERSION:-3.6.5}"
CACHE="${KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/milvus-l7-doctor/kube}"
OUT="$CACHE/k8s-v${K8S_VERSION}-etcd-v${ETCD_VERSION}"

if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/etcd" ]; then
  echo "$OUT"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "kube-binaries: go is not on PATH (needed to build kube-apiserver and etcd)" >&2; exit 1; }

mkdir -p "$OUT"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

if [ ! -x "$OUT/etcd" ]; then
  echo "kube-binaries: building etcd v${ETCD_VERSION}" >&2
  mkdir -p "$work/etcd"
  (
    cd "$work/etcd"
    go mod init l7doctor/etcd >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" >&2
    # The server module's root package is the etcd binary's main package.
    go build -trimpath -ldflags "-s -w" -o "$OUT/etcd.tmp" go.etcd.io/etcd/server/v3 >&2
  )
  mv "$OUT/etcd.tmp" "$OUT/etcd"
fi

if [ ! -x "$OUT/kube-apiserver" ]; then
  echo "kube-binaries: building kube-apiserver v${K8S_VERSION} (10-20 minutes the first time)" >&2
  mkdir -p "$work/k8s"
  (
    cd "$work/k8s"
    go mod init l7doctor/kube >/dev/null 2>&1
    gomod="$(go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
    # Each staging module the kubernetes module replaces with ./staging/... is published at v0.<minor>.<patch>.
    staged="v0.${K8S_VERSION#*.}"
    go mod edit -require "k8s.io/kubernetes@v${K8S_VERSION}"
    for m in $(sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#\1#p' "$gomod"); do
      go mod edit -replace "$m=$m@$staged"
    done
    printf 'package main\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver/app"\nfunc main() {}\n' > tools.go
    go mod tidy >&2
    rm tools.go
    go build -trimpath \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)" \
      -o "$OUT/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver >&2
  )
  mv "$OUT/kube-apiserver.tmp" "$OUT/kube-apiserver"
fi
echo "$OUT"

#!/usr/bin/env bash
# The whole test suite from a fresh clone: fetches the real tools the tests check charts with
# (Helm 3.17.3, Helm 4.1.4, kubectl, kubernetes-validate), starts a Kubernetes control plane
# and one node (scripts/kube-up.sh --node; built from the Go module proxy on the first run),
# then runs every test with nothing skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-tools.sh
state=$(mktemp -d /tmp/ecsi-kube.XXXXXX)
trap 'bash scripts/kube-down.sh "$state" >/dev/null 2>&1 || true' EXIT
up=$(bash scripts/kube-up.sh "$state" --node)
bash scripts/fetch-crds.sh
kubeconfig=$(echo "$up" | grep '^KUBECONFIG=')
containerd=$(echo "$up" | grep '^CONTAINERD_ADDRESS=')
export ECSI_KUBECONFIG="${kubeconfig#KUBECONFIG=}"
export ECSI_CONTAINERD="${containerd#CONTAINERD_ADDRESS=}"
# CI=true turns a missing tool into a failure instead of a skip.
CI=true cargo test --locked --all-targets "$@"

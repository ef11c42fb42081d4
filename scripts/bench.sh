#!/usr/bin/env bash
# Benchmark: convert + package + index N task definitions (default 2000, generated from the
# bundled examples and test fixtures) with helm-ecs-import, side by side with Helm 4's
# `helm package` + `helm repo index` on the same charts. Prints both times, the ratio and
# peak memory. Targets: ours at most a third of Helm's time, peak memory under 300 MiB.
#   usage: scripts/bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
bash scripts/fetch-tools.sh >/dev/null
command -v /usr/bin/time >/dev/null || {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq time >/dev/null; else
    echo "bench: GNU time is required (apt-get install time)" >&2; exit 1; fi
}
cargo build --release --locked --quiet
bin=$PWD/target/release/helm-ecs-import
helm4=$PWD/.tools/helm-v4/helm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# N task definitions: the examples and fixtures, each copied under new family names.
python3 - "$work/input" "$n" <<'PY'
import json, os, sys, glob
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
sources = sorted(glob.glob("examples/*.json")) + sorted(glob.glob("tests/fixtures/*/task-definition.json"))
docs = [json.load(open(p)) for p in sources]
for i in range(n):
    doc = json.loads(json.dumps(docs[i % len(docs)]))
    td = doc["taskDefinition"] if isinstance(doc, dict) and "taskDefinition" in doc else doc
    if isinstance(td, list):
        td = {"containerDefinitions": td}
        doc = td
    td["family"] = f"svc-{i:05d}"
    json.dump(doc, open(os.path.join(out, f"svc-{i:05d}.json"), "w"))
PY

measure() { # label, then the command; prints seconds and peak KiB
  local log="$work/time-$1.log"; shift
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>"$work/stderr.log" || { cat "$work/stderr.log" >&2; exit 1; }
  cat "$log"
}

read -r ours_convert ours_convert_kb < <(measure convert "$bin" "$work"/input/*.json --output "$work/out" --package --quiet)
read -r ours_index ours_index_kb < <(measure index "$bin" publish "$work"/out/*.tgz --repo "$work/repo" --url https://charts.example.com --quiet)

# Helm on the same chart directories: package each, then index them.
mkdir -p "$work/helm-dist"
cat > "$work/helm-package.sh" <<SH
set -e
for d in "$work"/out/*/; do "$helm4" package "\$d" -d "$work/helm-dist" >/dev/null; done
SH
read -r helm_pkg helm_pkg_kb < <(measure helm-package bash "$work/helm-package.sh")
read -r helm_idx helm_idx_kb < <(measure helm-index "$helm4" repo index "$work/helm-dist" --url https://charts.example.com)

python3 - "$n" "$ours_convert" "$ours_index" "$ours_convert_kb" "$ours_index_kb" "$helm_pkg" "$helm_idx" "$helm_pkg_kb" "$helm_idx_kb" "$(nproc)" <<'PY'
import sys
n, conv, idx, conv_kb, idx_kb, hpkg, hidx, hpkg_kb, hidx_kb, cores = sys.argv[1:]
conv, idx, hpkg, hidx = map(float, (conv, idx, hpkg, hidx))
ours, helm = conv + idx, hpkg + hidx
peak = max(int(conv_kb), int(idx_kb)) / 1024
print(f"charts: {n}, cores: {cores}")
print(f"helm-ecs-import convert+package:  {conv:8.2f} s")
print(f"helm-ecs-import publish (index):  {idx:8.2f} s")
print(f"helm-ecs-import total:            {ours:8.2f} s   peak memory {peak:.1f} MiB")
print(f"helm 4 package (same charts):     {hpkg:8.2f} s   peak memory {int(hpkg_kb)/1024:.1f} MiB")
print(f"helm 4 repo index:                {hidx:8.2f} s   peak memory {int(hidx_kb)/1024:.1f} MiB")
print(f"ratio convert+package / helm package:          {conv / hpkg:.3f}")
print(f"ratio convert+package+index / package+index:   {ours / helm:.3f} (target <= 0.333)")
ok = ours / helm <= 1 / 3 and conv < hpkg and peak < 300
print("targets met" if ok else "TARGETS MISSED")
sys.exit(0 if ok else 1)
PY

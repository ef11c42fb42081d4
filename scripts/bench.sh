#!/usr/bin/env bash
# Benchmark: convert + package + index N task definitions (default 2000, the bundled examples
# and test fixtures under new family names) with helm-ecs-import, and in the same run the
# fastest way a user runs Helm on the same charts: ONE `helm package DIR…` call for all of
# them, then `helm repo index`. Also times a minimal program that only writes the same bytes
# (every chart file and archive, read into memory first), the floor for any converter.
# Work happens on a tmpfs (mounted when we are root, else /dev/shm) so disk noise does not
# hide CPU cost.
#   usage: scripts/bench.sh [N]        e.g. scripts/bench.sh 20000 for the memory target
# Targets: ours <= 0.25 x Helm's package + index; convert+package within 1.3 x the minimal
# writer; a no-change re-run <= 0.5 x and --check <= 0.33 x a first conversion; peak memory
# < 300 MiB.
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
mounted=
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16g tmpfs "$work" 2>/dev/null; then
  mounted=yes; where="tmpfs (mounted)"
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
  rmdir "$work"; work=$(mktemp -d -p /dev/shm); where="tmpfs (/dev/shm)"
else
  where="disk ($work)"
fi
cleanup() { if [ -n "$mounted" ]; then umount "$work"; rmdir "$work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

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

# Ours: the directory as one batch, charts and archives written, then one index.
read -r ours_convert ours_convert_kb < <(measure convert "$bin" "$work/input" --output "$work/out" --package --quiet)
read -r ours_index ours_index_kb < <(measure index "$bin" publish "$work"/out/*.tgz --repo "$work/repo" --url https://charts.example.com --quiet)

# Re-runs beside a first conversion with the same flags (charts only): a re-run that changes
# nothing and the --check drift test read the recorded digests instead of rewriting. --check
# exits 1 on drift, which stops the bench: this also asserts that nothing drifted.
read -r first_plain first_plain_kb < <(measure first "$bin" "$work/input" --output "$work/plain" --quiet)
read -r rerun rerun_kb < <(measure rerun "$bin" "$work/input" --output "$work/plain" --quiet)
read -r check check_kb < <(measure check "$bin" "$work/input" --output "$work/plain" --check --quiet)
rm -rf "$work/plain"

# Helm on the same chart directories: one package call for all of them, then index.
mkdir -p "$work/helm-dist"
# The chart folders (platform/ beside them holds the cluster's files, not a chart).
charts=("$work"/out/*/Chart.yaml)
charts=("${charts[@]%/Chart.yaml}")
read -r helm_pkg helm_pkg_kb < <(measure helm-package "$helm4" package "${charts[@]}" -d "$work/helm-dist")
read -r helm_idx helm_idx_kb < <(measure helm-index "$helm4" repo index "$work/helm-dist" --url https://charts.example.com)

# Helm's output is measured; its space goes back before the floor writes a second copy of ours
# (at 20,000 services each copy is several GiB).
rm -rf "$work/helm-dist" "$work/repo"

# The floor: a program that only writes the bytes ours wrote (read into memory beforehand).
cat > "$work/writer.py" <<'PY'
import os, sys, time
src, dst = sys.argv[1], sys.argv[2]
files = []
for root, dirs, names in os.walk(src):
    dirs.sort()
    for name in sorted(names):
        p = os.path.join(root, name)
        files.append((os.path.relpath(p, src), open(p, "rb").read()))
start = time.perf_counter()
made = set()
for rel, data in files:
    d = os.path.dirname(os.path.join(dst, rel))
    if d not in made:
        os.makedirs(d, exist_ok=True)
        made.add(d)
    with open(os.path.join(dst, rel), "wb") as f:
        f.write(data)
print(f"{time.perf_counter() - start:.3f} {len(files)} {sum(len(b) for _, b in files)}")
PY
read -r floor nfiles nbytes < <(python3 "$work/writer.py" "$work/out" "$work/floor")

python3 - "$n" "$ours_convert" "$ours_index" "$ours_convert_kb" "$ours_index_kb" "$helm_pkg" "$helm_idx" "$helm_pkg_kb" "$helm_idx_kb" "$(nproc)" "$floor" "$nfiles" "$nbytes" "$where" "$first_plain" "$rerun" "$check" "$first_plain_kb" "$rerun_kb" "$check_kb" <<'PY'
import sys
(n, conv, idx, conv_kb, idx_kb, hpkg, hidx, hpkg_kb, hidx_kb, cores, floor, nfiles, nbytes, where,
 first, rerun, check, first_kb, rerun_kb, check_kb) = sys.argv[1:]
conv, idx, hpkg, hidx, floor, first, rerun, check = map(float, (conv, idx, hpkg, hidx, floor, first, rerun, check))
ours, helm = conv + idx, hpkg + hidx
peak = max(int(k) for k in (conv_kb, idx_kb, first_kb, rerun_kb, check_kb)) / 1024
print(f"services: {n}, cores: {cores}, on {where}; output {nfiles} files, {int(nbytes) / 2**20:.1f} MiB")
print(f"helm-ecs-import convert+package:  {conv:8.2f} s   peak memory {int(conv_kb)/1024:.1f} MiB")
print(f"helm-ecs-import publish (index):  {idx:8.2f} s   peak memory {int(idx_kb)/1024:.1f} MiB")
print(f"helm-ecs-import total:            {ours:8.2f} s")
print(f"helm 4 package (one call):        {hpkg:8.2f} s   peak memory {int(hpkg_kb)/1024:.1f} MiB")
print(f"helm 4 repo index:                {hidx:8.2f} s   peak memory {int(hidx_kb)/1024:.1f} MiB")
print(f"minimal writer, same bytes:       {floor:8.2f} s")
print(f"first conversion (charts only):   {first:8.2f} s   peak memory {int(first_kb)/1024:.1f} MiB")
print(f"re-run, nothing changed:          {rerun:8.2f} s   peak memory {int(rerun_kb)/1024:.1f} MiB")
print(f"--check, no drift:                {check:8.2f} s   peak memory {int(check_kb)/1024:.1f} MiB")
r1, r2 = ours / helm, conv / floor if floor > 0 else float("inf")
r3, r4 = rerun / first, check / first
print(f"ratio ours / helm package+index:            {r1:.3f} (target <= 0.25)")
print(f"ratio convert+package / minimal writer:     {r2:.2f} (target <= 1.3)")
print(f"ratio no-change re-run / first conversion:  {r3:.3f} (target <= 0.5)")
print(f"ratio --check / first conversion:           {r4:.3f} (target <= 0.33)")
print(f"peak memory:                                {peak:.1f} MiB (target < 300)")
ok = r1 <= 0.25 and r2 <= 1.3 and peak < 300 and r3 <= 0.5 and r4 <= 0.33
print("targets met" if ok else "TARGETS MISSED")
sys.exit(0 if ok else 1)
PY

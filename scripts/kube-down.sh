#!/usr/bin/env bash
# Stops exactly what scripts/kube-up.sh started in STATE_DIR (the folder of its kubeconfig),
# newest first, and removes the folder.
# Usage: scripts/kube-down.sh STATE_DIR
set -euo pipefail
state="${1:?usage: kube-down.sh STATE_DIR}"
pids="$state/pids"
if [[ ! -f "$pids" ]]; then
  echo "kube-down: $state holds no control plane started by kube-up.sh" >&2
  exit 1
fi
tac "$pids" | while read -r pid name; do
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    echo "kube-down: stopped $name ($pid)" >&2
  fi
done
rm -rf "$state"

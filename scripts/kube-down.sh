#!/usr/bin/env bash
# Stops exactly what scripts/kube-up.sh (and node-up.sh) started in STATE_DIR (the folder of
# its kubeconfig), newest first, and removes what they made: the node's containers and their
# shims, every mount under STATE_DIR, kube-proxy's iptables rules, the pods' network
# namespaces, the bridge, the kubelet's cgroups, and the folder.
# Usage: scripts/kube-down.sh STATE_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="${1:?usage: kube-down.sh STATE_DIR}"
state="$(cd "$state" 2>/dev/null && pwd || echo "$state")"
pids="$state/pids"
if [[ ! -f "$pids" ]]; then
  echo "kube-down: $state holds no control plane started by kube-up.sh" >&2
  exit 1
fi
sock="$state/containerd/containerd.sock"

# The node's containers first, while containerd still answers.
if [[ -S "$sock" ]]; then
  awk '$2=="kubelet"{print $1}' "$pids" | xargs -r kill 2>/dev/null || true
  for task in $(ctr --address "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
    ctr --address "$sock" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
  done
  sleep 0.5
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
# Shims outlive containerd; theirs name this state folder.
pkill -9 -f "containerd-shim.*$state" 2>/dev/null || true

if [[ -f "$state/kube-proxy.yaml" ]]; then
  "$root/.cache/kube/kube-proxy" --cleanup >/dev/null 2>&1 || true
  # What kube-proxy's cleanup leaves: the kubelet's KUBE-* chains and the jumps to them.
  for cmd in iptables ip6tables; do
    for table in filter nat mangle; do
      "$cmd-save" -t "$table" 2>/dev/null | awk '/^-A .* -j KUBE-/{sub(/^-A/, "-D"); print}' |
        while read -r rule; do eval "$cmd -t $table $rule" 2>/dev/null || true; done
      for chain in $("$cmd-save" -t "$table" 2>/dev/null | awk -F'[: ]' '/^:KUBE-/{print $2}'); do
        "$cmd" -t "$table" -F "$chain" 2>/dev/null || true
        "$cmd" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
fi
if [[ -f "$state/netns-before" ]]; then
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    grep -qx "$ns" "$state/netns-before" || ip netns delete "$ns" 2>/dev/null || true
  done
fi
# Mounts under the state folder, deepest first.
if command -v findmnt >/dev/null; then
  findmnt -rn -o TARGET | awk -v s="$state/" 'index($0, s) == 1' | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
fi
if [[ -f "$state/bridge" ]]; then
  ip link delete "$(cat "$state/bridge")" 2>/dev/null || true
fi
# The service range's unreachable route is shared: it goes with the last node's bridge.
if [[ -f "$state/service-route" ]] && ! ip -o link show type bridge 2>/dev/null | grep -q ': ecsi'; then
  ip route delete unreachable "$(cat "$state/service-route")" 2>/dev/null || true
fi
if [[ -f "$state/kubelet.yaml" ]]; then
  # The kubelet's pod cgroups, when nothing runs in them any more.
  find /sys/fs/cgroup/*/kubepods* -depth -type d 2>/dev/null | xargs -r rmdir 2>/dev/null || true
fi
rm -rf "$state"

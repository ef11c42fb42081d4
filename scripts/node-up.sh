#!/usr/bin/env bash
# Starts one node beside the control plane scripts/kube-up.sh started in STATE_DIR: containerd
# (its own root, state and socket under STATE_DIR, on a tmpfs), a CNI bridge network, kubelet,
# kube-proxy (iptables) and cluster DNS (CoreDNS on the node's address). Called by
# `kube-up.sh STATE_DIR --node`; scripts/kube-down.sh STATE_DIR undoes all of it.
#
# Containment: pods get a route to the pod and service ranges only (no default route, no
# masquerading), kube-proxy leaves host sysctls alone, every image registry points at a closed
# loopback port (a missing image fails at once; nothing leaves the machine). The images the
# tests use are built locally (tests/runtime/images) and imported, the sandbox image included.
#
# Prints CONTAINERD_ADDRESS=PATH. Needs root, containerd, runc, the CNI plugins and iptables
# (Debian: containerd runc containernetworking-plugins iptables busybox-static).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/kube"
state="${1:?usage: node-up.sh STATE_DIR}"
pki="$state/pki"
log() { echo "node-up: $*" >&2; }
fail() {
  log "$1; last lines of $state/$2.log:"
  tail -20 "$state/$2.log" >&2 || true
  exit 1
}
for tool in containerd runc ctr iptables ip busybox; do
  command -v "$tool" >/dev/null || { log "$tool is missing (apt-get install containerd runc containernetworking-plugins iptables busybox-static)"; exit 3; }
done
[[ -x /usr/lib/cni/bridge ]] || { log "the CNI plugins are missing (apt-get install containernetworking-plugins)"; exit 3; }
[[ "$(id -u)" == 0 ]] || { log "a node needs root"; exit 3; }

node=ecsi-node
# One bridge per state folder, so two suites on one machine do not meet.
bridge="ecsi$(printf '%s' "$state" | cksum | cut -c1-6)"
octet=$(( $(printf '%s' "$state" | cksum | cut -d' ' -f1) % 200 + 20 ))
pod_cidr="10.$octet.0.0/16"
node_ip="10.$octet.0.1"
service_cidr="10.0.0.0/24"
echo "$bridge" > "$state/bridge"
# The pods' network namespaces are the ones that appear after this; kube-down removes those.
ip netns list 2>/dev/null | awk '{print $1}' > "$state/netns-before"

ip link add "$bridge" type bridge
ip addr add "$node_ip/16" dev "$bridge"
ip link set "$bridge" up
# A ClusterIP kube-proxy has not programmed yet is unreachable, not sent out the default route:
# a connection to it fails at once instead of leaving the machine and hanging until a timeout.
ip route replace unreachable "$service_cidr"
echo "$service_cidr" > "$state/service-route"

# containerd on a tmpfs: overlay needs an upper directory that is not itself on overlay.
mkdir -p "$state/containerd"
mount -t tmpfs -o size=4g tmpfs "$state/containerd"
echo "$state/containerd" >> "$state/mounts"
mkdir -p "$state/containerd/certs.d/_default" "$state/cni/net.d"
cat > "$state/containerd/certs.d/_default/hosts.toml" <<EOF
# Every registry: a closed loopback port, so nothing is pulled from outside.
server = "http://127.0.0.1:9"
EOF
sock="$state/containerd/containerd.sock"
cat > "$state/containerd/config.toml" <<EOF
version = 2
root = "$state/containerd/root"
state = "$state/containerd/state"
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/ecsi-pause:1"
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$state/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$state/containerd/certs.d"
EOF
# Pods reach each other, the node and the service range through the bridge; nothing else.
cat > "$state/cni/net.d/10-ecsi.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "ecsi",
  "plugins": [{
    "type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": false,
    "hairpinMode": true,
    "ipam": {"type": "host-local", "ranges": [[{"subnet": "$pod_cidr", "gateway": "$node_ip"}]],
             "routes": [{"dst": "$service_cidr", "gw": "$node_ip"}],
             "dataDir": "$state/cni/ipam"}
  }, {"type": "loopback"}]
}
EOF

start() {
  local name=$1; shift
  setsid "$@" > "$state/$name.log" 2>&1 < /dev/null &
  echo "$! $name" >> "$state/pids"
}
start containerd containerd --config "$state/containerd/config.toml"
for _ in $(seq 1 100); do
  ctr --address "$sock" version >/dev/null 2>&1 && break
  sleep 0.1
done
ctr --address "$sock" version >/dev/null 2>&1 || fail "containerd did not start" containerd

images="$state/images"
python3 "$root/tests/runtime/images/build.py" "$(command -v busybox)" "$images" >/dev/null
for image in "$images"/*.tar; do
  ctr --address "$sock" -n k8s.io images import --no-unpack=false "$image" >/dev/null
done

# Node credentials: the kubelet as system:node:<name>, kube-proxy as system:kube-proxy, the
# kubelet's serving certificate for the node's address.
(
  cd "$pki"
  client() { # name, subject
    openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile client.ext -out "$1.crt" 2>/dev/null
  }
  client kubelet-client "/O=system:nodes/CN=system:node:$node"
  client kube-proxy "/CN=system:kube-proxy"
  printf 'subjectAltName = IP:%s, DNS:%s\nextendedKeyUsage = serverAuth\n' "$node_ip" "$node" > kubelet.ext
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$node" -keyout kubelet.key -out kubelet.csr 2>/dev/null
  openssl x509 -req -in kubelet.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile kubelet.ext -out kubelet.crt 2>/dev/null
)
server=$(awk '/server:/{print $2}' "$state/kubeconfig")
kubeconfig_for() { # user
  cat > "$state/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: ecsi, cluster: {server: "$server", certificate-authority: "$pki/ca.crt"}}]
users: [{name: $1, user: {client-certificate: "$pki/$1.crt", client-key: "$pki/$1.key"}}]
contexts: [{name: ecsi, context: {cluster: ecsi, user: $1}}]
current-context: ecsi
EOF
}
kubeconfig_for kubelet-client
kubeconfig_for kube-proxy

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# The pods' resolver: cluster DNS only.
echo "nameserver $node_ip" > "$state/resolv.conf"
mkdir -p "$state/kubelet"
cat > "$state/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This host is cgroup v1; the kubelet refuses it unless told otherwise.
failCgroupV1: false
cgroupDriver: cgroupfs
# Without per-QoS parents: on this host a QoS parent (kubepods/besteffort) went missing under
# the kubelet mid-run, and every pod after it failed; pods' own cgroups are enough here.
cgroupsPerQOS: false
enforceNodeAllocatable: []
address: $node_ip
port: $(free_port)
readOnlyPort: 0
healthzPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: "$pki/ca.crt"}
authorization: {mode: AlwaysAllow}
tlsCertFile: "$pki/kubelet.crt"
tlsPrivateKeyFile: "$pki/kubelet.key"
clusterDomain: cluster.local
clusterDNS: ["$node_ip"]
resolvConf: "$state/resolv.conf"
containerRuntimeEndpoint: "unix://$sock"
failSwapOn: false
protectKernelDefaults: false
makeIPTablesUtilChains: false
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "1Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
syncFrequency: 5s
fileCheckFrequency: 5s
nodeStatusUpdateFrequency: 5s
EOF
start kubelet "$cache/kubelet" --config "$state/kubelet.yaml" \
  --kubeconfig "$state/kubelet-client.kubeconfig" --root-dir "$state/kubelet" \
  --hostname-override "$node" --node-ip "$node_ip"
echo "$state/kubelet" >> "$state/mounts"

cat > "$state/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: "$state/kube-proxy.kubeconfig"}
hostnameOverride: $node
clusterCIDR: $pod_cidr
bindAddress: 127.0.0.1
healthzBindAddress: ""
metricsBindAddress: ""
# Leave the host's sysctls alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false, masqueradeAll: false}
nodePortAddresses: ["$node_ip/32"]
EOF
start kube-proxy "$cache/kube-proxy" --config "$state/kube-proxy.yaml"

cat > "$state/Corefile" <<EOF
.:53 {
    bind $node_ip
    errors
    health 127.0.0.1:$(free_port)
    ready 127.0.0.1:$(free_port)
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $state/kubeconfig ecsi-test
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
EOF
start coredns "$cache/coredns" -conf "$state/Corefile"

node_ready() {
  curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "$server/api/v1/nodes/$node" 2>/dev/null | python3 -c '
import json, sys
conditions = json.load(sys.stdin)["status"].get("conditions", [])
sys.exit(0 if any(c["type"] == "Ready" and c["status"] == "True" for c in conditions) else 1)' 2>/dev/null
}
ready=""
for _ in $(seq 1 300); do
  if node_ready; then
    ready=1
    break
  fi
  kill -0 "$(awk '$2=="kubelet"{print $1}' "$state/pids")" 2>/dev/null || break
  sleep 0.2
done
[[ -n "$ready" ]] || fail "the node did not become Ready" kubelet
log "node $node Ready at $node_ip (pods $pod_cidr)"
echo "CONTAINERD_ADDRESS=$sock"

#!/usr/bin/env bash
# Starts a Kubernetes control plane on 127.0.0.1 for the chart install tests: etcd,
# kube-apiserver, kube-controller-manager and kube-scheduler, built once from the Go module
# proxy (cached in .cache/kube) and started with generated certificates. Without --node there
# is no kubelet, so pods stay Pending; objects, admission, controllers and claims are real.
# With --node, scripts/node-up.sh also starts one node (containerd, kubelet, kube-proxy,
# cluster DNS) where pods really run; it prints CONTAINERD_ADDRESS=PATH first. Pods are then
# scheduled only in namespaces annotated scheduler.alpha.kubernetes.io/node-selector="" (see
# the admission configuration below); elsewhere they stay Pending, as without a node.
#
# Usage: scripts/kube-up.sh [STATE_DIR] [--node]   (default: a new temporary folder)
# The last line printed is KUBECONFIG=PATH. scripts/kube-down.sh STATE_DIR stops it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/kube"
release="v1.35.4"
with_node=""
args=()
for a in "$@"; do
  if [[ "$a" == --node ]]; then with_node=1; else args+=("$a"); fi
done
state="${args[0]:-$(mktemp -d /tmp/ecsi-kube.XXXXXX)}"
mkdir -p "$state" "$cache"
log() { echo "kube-up: $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "Go is not installed; the control plane cannot be built"
  exit 3
fi

# The version the binaries report; Helm compares charts' kubeVersion with it.
minor="${release#v1.}"; minor="${minor%%.*}"
ldflags="-X k8s.io/component-base/version.gitVersion=$release -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
stamp="$cache/.built-$release-scheduler"
if [[ ! -f "$stamp" || ! -x "$cache/kube-apiserver" || ! -x "$cache/kube-controller-manager" || ! -x "$cache/kube-scheduler" || ! -x "$cache/etcd" ]]; then
  log "building kube-apiserver, kube-controller-manager and kube-scheduler $release (first run only)…"
  started=$SECONDS
  (cd "$root/tests/cluster/kube" && go build -trimpath -ldflags "$ldflags" -o "$cache/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler)
  log "building etcd…"
  (cd "$root/tests/cluster/etcd" && go build -trimpath -o "$cache/etcd" .)
  touch "$stamp"
  log "built in $((SECONDS - started)) s"
fi
node_stamp="$cache/.built-$release-node"
if [[ -n "$with_node" && ( ! -f "$node_stamp" || ! -x "$cache/kubelet" || ! -x "$cache/kube-proxy" || ! -x "$cache/coredns" ) ]]; then
  log "building kubelet, kube-proxy and CoreDNS (first run only)…"
  started=$SECONDS
  (cd "$root/tests/cluster/kube" && go build -trimpath -ldflags "$ldflags" -o "$cache/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)
  (cd "$root/tests/cluster/coredns" && go build -trimpath -o "$cache/coredns" .)
  touch "$node_stamp"
  log "built in $((SECONDS - started)) s"
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
etcd_port=$(free_port)
peer_port=$(free_port)
api_port=$(free_port)

# Certificates: a CA, the API server's serving certificate, an admin client (system:masters)
# and the service-account signing key.
pki="$state/pki"
mkdir -p "$pki"
(
  cd "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ecsi-test-ca" \
    -keyout ca.key -out ca.crt 2>/dev/null
  cat > san.ext <<EOF
subjectAltName = IP:127.0.0.1, IP:10.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc
extendedKeyUsage = serverAuth
EOF
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key \
    -out apiserver.csr 2>/dev/null
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile san.ext -out apiserver.crt 2>/dev/null
  echo "extendedKeyUsage = clientAuth" > client.ext
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=ecsi-admin" \
    -keyout admin.key -out admin.csr 2>/dev/null
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile client.ext -out admin.crt 2>/dev/null
  # The API server's client certificate towards kubelets (logs, exec, port-forward).
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" \
    -keyout apiserver-kubelet.key -out apiserver-kubelet.csr 2>/dev/null
  openssl x509 -req -in apiserver-kubelet.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile client.ext -out apiserver-kubelet.crt 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
)

kubeconfig="$state/kubeconfig"
cat > "$kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: ecsi-test
    cluster:
      server: https://127.0.0.1:$api_port
      certificate-authority: $pki/ca.crt
users:
  - name: ecsi-admin
    user:
      client-certificate: $pki/admin.crt
      client-key: $pki/admin.key
contexts:
  - name: ecsi-test
    context:
      cluster: ecsi-test
      user: ecsi-admin
current-context: ecsi-test
EOF
chmod 600 "$kubeconfig"

: > "$state/pids"
start() {
  local name=$1; shift
  setsid "$@" > "$state/$name.log" 2>&1 < /dev/null &
  echo "$! $name" >> "$state/pids"
}
fail() {
  log "$1; last lines of $state/$2.log:"
  tail -20 "$state/$2.log" >&2 || true
  bash "$root/scripts/kube-down.sh" "$state" >&2 || true
  exit 1
}

start etcd "$cache/etcd" --data-dir "$state/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$peer_port"
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$etcd_port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$etcd_port/health" >/dev/null 2>&1 || fail "etcd did not become healthy" etcd

# With a node, pods run only in namespaces that ask for it (annotation
# scheduler.alpha.kubernetes.io/node-selector with an empty value, as the runtime tests set):
# elsewhere the cluster default selector matches no node, so the install tests' pods stay
# Pending as they would without a node, and never take the node's CPU from the runtime tests.
admission=(--enable-admission-plugins NodeRestriction)
if [[ -n "$with_node" ]]; then
  cat > "$state/admission.yaml" <<EOF
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodNodeSelector
    configuration:
      podNodeSelectorPluginConfig:
        clusterDefaultNodeSelector: "ecsi.test/install-only=true"
EOF
  admission=(--enable-admission-plugins NodeRestriction,PodNodeSelector
    --admission-control-config-file "$state/admission.yaml")
fi

start kube-apiserver "$cache/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --cert-dir "$state/apiserver-certs" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-account-issuer https://kubernetes.default.svc \
  --service-cluster-ip-range 10.0.0.0/24 \
  --authorization-mode Node,RBAC \
  "${admission[@]}" \
  --kubelet-client-certificate "$pki/apiserver-kubelet.crt" \
  --kubelet-client-key "$pki/apiserver-kubelet.key" \
  --kubelet-certificate-authority "$pki/ca.crt" \
  --kubelet-preferred-address-types InternalIP \
  --allow-privileged=true \
  --enable-priority-and-fairness=false \
  --profiling=false

ready=""
for _ in $(seq 1 300); do
  if curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$api_port/readyz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  kill -0 "$(awk '$2=="kube-apiserver"{print $1}' "$state/pids")" 2>/dev/null || break
  sleep 0.2
done
[[ -n "$ready" ]] || fail "kube-apiserver did not become ready" kube-apiserver

start kube-controller-manager "$cache/kube-controller-manager" \
  --kubeconfig "$kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 0 \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --use-service-account-credentials=false \
  --leader-elect=false \
  --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route'

# The controller manager is up when it has created the default namespace's service account.
up=""
for _ in $(seq 1 300); do
  if curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$api_port/api/v1/namespaces/default/serviceaccounts/default" >/dev/null 2>&1; then
    up=1
    break
  fi
  kill -0 "$(awk '$2=="kube-controller-manager"{print $1}' "$state/pids")" 2>/dev/null || break
  sleep 0.2
done
[[ -n "$up" ]] || fail "kube-controller-manager did not start its controllers" kube-controller-manager

start kube-scheduler "$cache/kube-scheduler" \
  --kubeconfig "$kubeconfig" --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false

if [[ -n "$with_node" ]]; then
  bash "$root/scripts/node-up.sh" "$state" || { bash "$root/scripts/kube-down.sh" "$state" >&2 || true; exit 1; }
fi

log "control plane $release ready on https://127.0.0.1:$api_port (state in $state)"
echo "KUBECONFIG=$kubeconfig"

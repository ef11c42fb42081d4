#!/usr/bin/env sh
# Helm plugin install/update hook: puts the helm-ecs-import binary into $HELM_PLUGIN_DIR/bin.
#
# - A binary already there (a release archive ships one) is kept, unless -u (update) is given.
# - HELM_ECS_IMPORT_BINARY=/path/to/helm-ecs-import copies that binary instead (offline installs).
# - Otherwise the checkout is built with cargo; nothing is downloaded but crates.
# Runs under `sh -c` on Helm 3 and 4; it must not rely on $HELM_BIN, which Helm 4 hooks lack.
set -eu

dir=${HELM_PLUGIN_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin="$dir/bin/helm-ecs-import"
update=false
[ "${1:-}" = "-u" ] && update=true

trap 'status=$?; [ $status -ne 0 ] && echo "helm-ecs-import: install failed; fix the error above, then run: helm plugin uninstall ecs-import && helm plugin install <this directory>" >&2' EXIT

mkdir -p "$dir/bin"
if [ -n "${HELM_ECS_IMPORT_BINARY:-}" ]; then
  cp "$HELM_ECS_IMPORT_BINARY" "$bin.tmp"
  chmod 0755 "$bin.tmp"
  mv "$bin.tmp" "$bin"
elif [ -x "$bin" ] && [ "$update" = false ]; then
  :
elif [ -f "$dir/Cargo.toml" ]; then
  command -v cargo >/dev/null 2>&1 || {
    echo "helm-ecs-import: cargo is needed to build the plugin from source (https://rustup.rs)" >&2
    exit 1
  }
  echo "helm-ecs-import: building with cargo (about 2 minutes on 2 cores, measured with the crates already downloaded; a first download adds to it)..." >&2
  target=${CARGO_TARGET_DIR:-$dir/target}
  cargo build --release --locked --quiet --manifest-path "$dir/Cargo.toml" --target-dir "$target"
  cp "$target/release/helm-ecs-import" "$bin.tmp"
  mv "$bin.tmp" "$bin"
else
  echo "helm-ecs-import: no binary in $dir/bin and no Cargo.toml to build one from" >&2
  exit 1
fi
"$bin" --version >&2

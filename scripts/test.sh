#!/usr/bin/env bash
# The whole test suite from a fresh clone: fetches the real tools the tests check charts with
# (Helm 3.17.3, Helm 4.1.4, kubernetes-validate), then runs every test with nothing skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-tools.sh
# CI=true turns a missing tool into a failure instead of a skip.
CI=true cargo test --locked --all-targets "$@"

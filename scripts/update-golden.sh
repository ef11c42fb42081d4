#!/usr/bin/env bash
# Rewrites tests/golden/ from the current converter; review the result with `git diff`.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p tests/golden
UPDATE_GOLDEN=1 cargo test --quiet --test integration golden::every_case_matches_its_golden_chart
git status --short tests/golden | head -50

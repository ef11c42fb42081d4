#!/usr/bin/env bash
# Regenerates the README's table of finding codes from src/report/code.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_README_CODES=1 cargo test --locked --lib the_readme_table_is_generated_from_the_codes -- --quiet

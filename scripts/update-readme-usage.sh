#!/usr/bin/env bash
# Regenerates the README's usage block from the command-line definition (src/cli.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_README_USAGE=1 cargo test --locked --lib the_readme_usage_is_generated_from_the_command_line -- --quiet

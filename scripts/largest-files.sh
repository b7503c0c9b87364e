#!/usr/bin/env bash
# Prints the largest source files (lines), to keep files small and single-purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.h' '*.cc' '*.py' | xargs wc -l | sort -rn | sed -n "2,${1:-15}p"

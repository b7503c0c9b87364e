#!/usr/bin/env bash
# Proves the README's "Using twinflow from Python": runs its install commands (a new venv with
# Debian's site packages, pip install --no-build-isolation, offline) in a temporary directory,
# then its example with that venv's interpreter, from the source tree's root as the README does.
# The package must then import from the venv, not from the tree.
#
# TWINFLOW_BUILD_DIR is passed to setup.py: CI points it at the Release build it has just made
# (build), so pip reuses those objects instead of compiling the module's libraries again.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The fenced block of the given language in the README's Python section.
readme_block() {
  /usr/bin/python3 - "$1" <<'EOF'
import re, sys
readme = open("README.md", encoding="utf-8").read()
section = readme.split("## Using twinflow from Python", 1)[1].split("\n## ", 1)[0]
print(re.search(r"```" + sys.argv[1] + r"\n(.*?)```", section, re.S).group(1), end="")
EOF
}

install=$(readme_block sh)
echo "$install"
# The README's venv, .venv, is made in the temporary directory instead.
bash -euo pipefail -c "${install//.venv/$work/venv}"
"$work/venv/bin/python" -c 'import twinflow, sys; assert "/venv/" in twinflow.__file__, twinflow.__file__'

readme_block python >"$work/example.py"
"$work/venv/bin/python" "$work/example.py"

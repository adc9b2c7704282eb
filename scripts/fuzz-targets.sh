#!/usr/bin/env bash
# Prints every Go fuzz target in the repository as "FuzzName ./package",
# one a line, sorted: what `make fuzz` runs (nothing is listed by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
grep -rl --include='*_test.go' '^func Fuzz' --exclude-dir=.cache . | sort | while read -r f; do
	sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$f" | while read -r name; do
		echo "$name ./$(dirname "${f#./}")"
	done
done

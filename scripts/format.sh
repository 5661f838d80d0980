#!/bin/bash
# Formats the C sources with clang-format and the project's .clang-format.
#
# Usage: scripts/format.sh [--check] [PATH...]
#   (no option)  rewrite the files in place
#   --check      change nothing; list the files that would change, show the
#                first differences, and exit 1 if there are any
# PATHs are tracked files or folders (only their *.c and *.h count); without
# them: every tracked *.c and *.h under src/, include/, examples/, tests/ and
# fuzz/. The style is tuned for clang-format 14 (Debian 12); another
# version may format some constructs differently.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  shift
fi

"$PWD/scripts/deps.sh" clang-format
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
version=$("$CLANG_FORMAT" --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ "$version" != 14 ]; then
  echo "format.sh: $CLANG_FORMAT is version ${version:-unknown}, the style is tuned for 14" >&2
fi

if [ $# -eq 0 ]; then
  set -- src include examples tests fuzz
fi
mapfile -t files < <(git ls-files -- "$@" | grep '\.[ch]$' || true)
if [ ${#files[@]} -eq 0 ]; then
  echo "format.sh: no tracked C files in $*" >&2
  exit 1
fi

if [ $check -eq 0 ]; then
  "$CLANG_FORMAT" -i --style=file "${files[@]}"
  exit 0
fi

changed=0 lines=0
for f in "${files[@]}"; do
  if ! out=$("$CLANG_FORMAT" --style=file "$f" | diff -u "$f" -); then
    n=$(grep -c '^-[^-]' <<<"$out" || true)
    echo "$f: $n lines would change"
    changed=$((changed + 1))
    lines=$((lines + n))
    if [ $changed -le 3 ]; then
      head -n 40 <<<"$out"
    fi
  fi
done
if [ $changed -ne 0 ]; then
  echo "format.sh: $changed of ${#files[@]} files ($lines lines) are not formatted; run scripts/format.sh"
  exit 1
fi
echo "format.sh: ${#files[@]} files formatted"

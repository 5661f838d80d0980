#!/bin/bash
# Static analysis of the engine and the hostsd program: clang-tidy with the
# checks of .clang-tidy, then cppcheck with .cppcheck-suppressions, over the
# sources of src/ as build/compile_commands.json compiles them (tests and
# fuzz harnesses left out). Prints every finding as FILE:LINE:COL: ... [check]
# and exits 1 if there is any.
#
# Usage: scripts/lint.sh [FILE.c...]   (default: every engine and program source)
# HS_BUILD_PREFIX=NAME reads NAME/compile_commands.json (configuring NAME/ if
# needed), as scripts/test.sh builds there; NAME is under the source tree
# unless it is an absolute path.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
case "${HS_BUILD_PREFIX:-build}" in
  /*) BUILD=$HS_BUILD_PREFIX ;;
  *) BUILD=$ROOT/${HS_BUILD_PREFIX:-build} ;;
esac
JOBS=2

"$ROOT/scripts/deps.sh" clang-tidy cppcheck

# Configure as scripts/test.sh does, so the two never fight over build/.
if [ ! -f "$BUILD/compile_commands.json" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DHS_WERROR=ON >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The sources to check, each once as the product compiles it (userauth.c
# and conn.c are compiled a second time for the fuzzing library), and a
# compilation database of just those for clang-tidy and cppcheck.
/usr/bin/python3 - "$BUILD/compile_commands.json" "$ROOT" "$work" "$@" <<'EOF'
import json, os, sys
db, root, work, only = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
only = {os.path.realpath(f) for f in only}
seen, entries = set(), []
for e in json.load(open(db)):
    f = os.path.realpath(os.path.join(e["directory"], e["file"]))
    if not f.startswith(root + "/src/") or f.endswith(("_test.c", "_fuzz.c")) or f in seen:
        continue
    # the fuzzing library's second compile (HS_FUZZING_UNSAFE) is not the product
    if "HS_FUZZING_UNSAFE" in e.get("command", " ".join(e.get("arguments", []))):
        continue
    if only and f not in only:
        continue
    seen.add(f)
    entries.append(e)
json.dump(entries, open(os.path.join(work, "compile_commands.json"), "w"), indent=1)
with open(os.path.join(work, "files"), "w") as out:
    out.write("".join(f + "\n" for f in sorted(seen)))
EOF
nfiles=$(wc -l <"$work/files")
if [ "$nfiles" -eq 0 ]; then
  echo "lint: no engine or program source to check" >&2
  exit 1
fi

# clang-tidy: -Wno-error so that a compiler warning clang has and gcc has
# not (-Werror is in the compile commands) does not hide the findings.
echo "== lint: clang-tidy over $nfiles files"
xargs -P"$JOBS" -n4 clang-tidy -p "$work" --quiet --extra-arg=-Wno-error <"$work/files" \
  >"$work/tidy.log" 2>"$work/tidy.err" || true
# One line per finding (a header's findings come once per file including it).
grep -E '^/.*:[0-9]+:[0-9]+: (warning|error): ' "$work/tidy.log" | sed "s|^$ROOT/||" | sort -u \
  >"$work/tidy.findings" || true
if grep -qiE '^error|error: ' "$work/tidy.err"; then
  grep -iE '^error|error: ' "$work/tidy.err" | sort -u >&2
  echo "lint: clang-tidy failed to run" >&2
  exit 1
fi
cat "$work/tidy.findings"

echo "== lint: cppcheck over $nfiles files"
cppcheck --project="$work/compile_commands.json" --std=c11 \
  --enable=warning,portability,performance,style --library=posix,openssl,sqlite3,zlib \
  --inline-suppr --suppressions-list="$ROOT/.cppcheck-suppressions" -j"$JOBS" --quiet \
  --template='{file}:{line}:{column}: {severity}: {message} [{id}]' 2>"$work/cppcheck.log" || true
sed "s|^$ROOT/||" "$work/cppcheck.log" | grep -E '^[^ ]+:[0-9]+:[0-9]+: ' | sort -u >"$work/cppcheck.findings" || true
cat "$work/cppcheck.findings"
if grep -vqE '^[^ ]+:[0-9]+:[0-9]+: ' "$work/cppcheck.log"; then
  # Anything else it printed (a bad option, a file it could not read).
  grep -vE '^[^ ]+:[0-9]+:[0-9]+: ' "$work/cppcheck.log" >&2 || true
fi

ntidy=$(wc -l <"$work/tidy.findings")
ncpp=$(wc -l <"$work/cppcheck.findings")
if [ "$ntidy" -ne 0 ] || [ "$ncpp" -ne 0 ]; then
  echo "lint: $ntidy clang-tidy and $ncpp cppcheck findings"
  exit 1
fi
echo "lint: clean ($nfiles files)"

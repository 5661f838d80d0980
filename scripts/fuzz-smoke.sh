#!/bin/bash
# Builds every libFuzzer target with clang (HS_FUZZ=ON, ASan+UBSan) and runs
# each for a few seconds, so that the real fuzz build cannot break unnoticed
# and a shallow crash is caught. Each target runs on a copy of its corpus in a
# temporary directory: the committed corpus is never modified. Exits non-zero
# if a target does not build or a run finds a crash, leak or timeout; the
# input that caused it is kept in DIR/artifacts/.
#
# Usage: scripts/fuzz-smoke.sh [DIR]   (default build-fuzz)
# HS_FUZZ_SECONDS=N runs each target N seconds (default 5).
# HS_FUZZ_WERROR=OFF builds without warnings as errors (on by default, as
# every other build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=${1:-$ROOT/build-fuzz}
SECONDS_EACH=${HS_FUZZ_SECONDS:-5}
JOBS=2

# Every src/**/NAME_fuzz.c is a target NAME_fuzz with a corpus in fuzz/corpus/NAME/.
mapfile -t names < <(find src -name '*_fuzz.c' | sed 's,.*/,,; s,_fuzz\.c$,,' | sort)
if [ ${#names[@]} -eq 0 ]; then
  echo "fuzz-smoke: no fuzz targets found" >&2
  exit 1
fi
targets=("${names[@]/%/_fuzz}")

cmake -S "$ROOT" -B "$DIR" -DCMAKE_C_COMPILER=clang -DHS_FUZZ=ON -DHS_SANITIZE=ON \
  -DHS_WERROR="${HS_FUZZ_WERROR:-ON}" >/dev/null
cmake --build "$DIR" -j"$JOBS" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$DIR/artifacts"

failed=()
for n in "${names[@]}"; do
  bin=$(find "$DIR" -type f -name "${n}_fuzz" -perm -u+x | head -n1)
  if [ -z "$bin" ]; then
    echo "fuzz-smoke: $n: binary ${n}_fuzz not found in $DIR" >&2
    failed+=("$n")
    continue
  fi
  corpus=$work/$n
  mkdir -p "$corpus"
  if [ -d "fuzz/corpus/$n" ]; then
    cp -R "fuzz/corpus/$n/." "$corpus/"
  fi
  log=$work/$n.log
  # -timeout: an input that takes this long is a hang, reported as a failure.
  if "$bin" -max_total_time="$SECONDS_EACH" -timeout=25 -print_final_stats=1 \
      -artifact_prefix="$DIR/artifacts/$n-" "$corpus" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz-smoke: $n: ok, ${runs:-?} runs, $(find "$corpus" -type f | wc -l) inputs"
  else
    echo "fuzz-smoke: $n: FAILED (artifacts in $DIR/artifacts/); last lines of its log:"
    tail -n 40 "$log"
    failed+=("$n")
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz-smoke: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz-smoke: ${#names[@]} targets ran ${SECONDS_EACH}s each, no findings"

#!/bin/bash
# Runs every test: installs what is missing, builds build/ with warnings as
# errors and runs ctest there (unit tests, fuzz-corpus replays, integration
# tests against the example server and hostsd), then does the same in build-asan/ with
# AddressSanitizer + UndefinedBehaviorSanitizer (smaller transfers there),
# then builds every libFuzzer target with clang in build-fuzz/ and runs each
# for a few seconds (scripts/fuzz-smoke.sh). Exits non-zero if anything fails.
#
# HS_BUILD_PREFIX=NAME builds in NAME/ and NAME-asan/ instead (for working
# beside other builds). HS_TEST_SERVER=sshd runs the integration tests
# against OpenSSH's sshd instead (to check the harness itself).
# After the plain build, a lint stage: the C sources formatted as
# .clang-format says (scripts/format.sh --check), and clang-tidy and
# cppcheck clean (scripts/lint.sh). HS_LINT=0 skips it; HS_FUZZ_SMOKE=0
# skips the fuzz stage.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PREFIX=${HS_BUILD_PREFIX:-build}
JOBS=2

"$ROOT/scripts/deps.sh"

failed=()
t_start=$(date +%s)

stage() {  # stage NAME BUILD_DIR [cmake args...]: configure, build, ctest
  local name=$1 dir=$2
  shift 2
  local t0
  t0=$(date +%s)
  echo "== $name: configure and build $dir"
  if ! cmake -S "$ROOT" -B "$dir" -DHS_WERROR=ON "$@"; then
    echo "== $name: configure FAILED"
    failed+=("$name configure")
    return
  fi
  if ! cmake --build "$dir" -j"$JOBS"; then
    echo "== $name: build FAILED"
    failed+=("$name build")
    return
  fi
  echo "== $name: ctest"
  if ! (cd "$dir" && ctest --output-on-failure -j"$JOBS"); then
    failed+=("$name tests")
  fi
  echo "== $name: $(( $(date +%s) - t0 ))s"
}

stage "plain" "$ROOT/$PREFIX" -DHS_TEST_HOOKS=ON

# Lint reads the plain build's compile_commands.json.
if [ "${HS_LINT:-1}" = 1 ]; then
  t0=$(date +%s)
  echo "== lint: clang-format, clang-tidy and cppcheck"
  if ! "$ROOT/scripts/format.sh" --check; then
    failed+=("format")
  fi
  if ! HS_BUILD_PREFIX=$PREFIX "$ROOT/scripts/lint.sh"; then
    failed+=("lint")
  fi
  echo "== lint: $(( $(date +%s) - t0 ))s"
fi

(
  failed=()
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export HS_TEST_QUICK=1
  stage "sanitizers" "$ROOT/$PREFIX-asan" -DHS_SANITIZE=ON -DHS_TEST_HOOKS=ON
  [ ${#failed[@]} -eq 0 ]
) || failed+=("sanitizers")

if [ "${HS_FUZZ_SMOKE:-1}" != 0 ]; then
  t0=$(date +%s)
  echo "== fuzz: build the libFuzzer targets with clang in $PREFIX-fuzz and run each briefly"
  if ! "$ROOT/scripts/fuzz-smoke.sh" "$ROOT/$PREFIX-fuzz"; then
    failed+=("fuzz")
  fi
  echo "== fuzz: $(( $(date +%s) - t0 ))s"
fi

echo "== total: $(( $(date +%s) - t_start ))s"
if [ ${#failed[@]} -ne 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all tests passed"

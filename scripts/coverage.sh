#!/bin/bash
# Line coverage of the engine and the hostsd program by every test: builds
# build-cov/ with gcc and HS_COVERAGE=ON, runs ctest there (unit tests,
# fuzz-corpus replays, integration tests), and prints line coverage per
# folder of src/ and in total. Test and fuzz harnesses (*_test.c, *_fuzz.c,
# the test-only headers *_testutil.h and *_kat.h) are not counted. Reports
# are left in build-cov/coverage/: index.html (per file, with annotated
# sources), coverage.txt and summary.json.
#
# Usage: scripts/coverage.sh [DIR]   (default build-cov)
# HS_TEST_QUICK=0 runs the full-size transfers of the integration tests
# (default 1 here: the smaller ones cover the same code). A failing test is
# reported but the report is still made; the exit status is then 1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=${1:-$ROOT/build-cov}
JOBS=2

"$ROOT/scripts/deps.sh" gcovr

cmake -S "$ROOT" -B "$DIR" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Debug -DHS_COVERAGE=ON >/dev/null
cmake --build "$DIR" -j"$JOBS"

# Counts from an earlier run would add up with this one's.
find "$DIR" -name '*.gcda' -delete
rm -rf "$DIR/coverage"
mkdir -p "$DIR/coverage"

status=0
export HS_TEST_QUICK=${HS_TEST_QUICK:-1}
if ! (cd "$DIR" && ctest --output-on-failure -j"$JOBS"); then
  echo "coverage: some tests failed; the report below still counts what ran"
  status=1
fi

# gcovr runs gcov over the .gcda files; the filters keep src/ and drop the
# harnesses. --html-details also writes one page per source file.
gcovr --root "$ROOT" --object-directory "$DIR" \
  --filter "$ROOT/src/" --exclude '.*_test\.c$' --exclude '.*_fuzz\.c$' \
  --exclude '.*_testutil\.h$' --exclude '.*_kat\.h$' \
  --html-details "$DIR/coverage/index.html" \
  --txt "$DIR/coverage/coverage.txt" \
  --json-summary-pretty --json-summary "$DIR/coverage/summary.json" \
  "$DIR" >/dev/null

# Per folder: the sum of the files' lines under src/<folder>/.
/usr/bin/python3 - "$DIR/coverage/summary.json" <<'EOF'
import json, sys
from collections import defaultdict

files = json.load(open(sys.argv[1]))["files"]
total = defaultdict(int)
covered = defaultdict(int)
for f in files:
    parts = f["filename"].split("/")
    folder = "/".join(parts[:2]) if parts[0] == "src" and len(parts) > 2 else parts[0]
    total[folder] += f["line_total"]
    covered[folder] += f["line_covered"]
print(f"{'folder':<16} {'lines':>7} {'covered':>8} {'cover':>7}")
for folder in sorted(total):
    t, c = total[folder], covered[folder]
    print(f"{folder:<16} {t:>7} {c:>8} {100.0 * c / t if t else 0:>6.1f}%")
t, c = sum(total.values()), sum(covered.values())
print(f"{'total':<16} {t:>7} {c:>8} {100.0 * c / t if t else 0:>6.1f}%")
EOF
echo "coverage: report in $DIR/coverage/index.html (per file: $DIR/coverage/coverage.txt)"
exit $status

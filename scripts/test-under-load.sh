#!/usr/bin/env bash
# `make test-under-load` (issue 20's proof): runs `make test` RUNS times in a row while stress-ng keeps every core
# busy from another process, and prints one line per run (exit code, seconds, XCTest totals). Stops at the first
# failing run unless KEEP_GOING=1. Logs go to $LOAD_LOG_DIR (default: a temp dir, printed).
set -u
RUNS=${RUNS:-5}
LOAD_NICE=${LOAD_NICE:-0}
LOG_DIR=${LOAD_LOG_DIR:-$(mktemp -d -t hxstakepool-load.XXXXXX)}
mkdir -p "$LOG_DIR"
cores=$(nproc)
nice -n "$LOAD_NICE" stress-ng --cpu "$cores" --cpu-method matrixprod --quiet &
load_pid=$!
trap 'kill "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null' EXIT
echo "load: stress-ng --cpu $cores (nice $LOAD_NICE), logs in $LOG_DIR, commit $(git rev-parse --short HEAD)"
failed=0
for run in $(seq 1 "$RUNS"); do
    start=$(date +%s)
    CI=true make --no-print-directory test >"$LOG_DIR/run$run.log" 2>&1
    rc=$?
    seconds=$(( $(date +%s) - start ))
    # The largest "Executed N tests" line is the whole XCTest run (the examples' runs print smaller ones).
    totals=$(grep -E "Executed [0-9]+ tests" "$LOG_DIR/run$run.log" | sed 's/^[[:space:]]*//' | sort -t' ' -k2,2n | tail -1)
    echo "run $run: exit $rc in ${seconds}s — ${totals:-no XCTest totals}"
    if [ "$rc" -ne 0 ]; then
        failed=1
        grep -E "error: |failed \(" "$LOG_DIR/run$run.log" | head -20
        [ "${KEEP_GOING:-0}" = 1 ] || break
    fi
done
exit "$failed"

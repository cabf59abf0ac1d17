#!/usr/bin/env bash
# Builds and runs the libFuzzer targets under Fuzz/ (docs/fuzzing.md).
#
#   scripts/fuzz.sh build                      build every target into .build-fuzz (libFuzzer + ASan, -O)
#   scripts/fuzz.sh run  [TARGET…] -- FLAGS…   run targets one after the other with libFuzzer FLAGS
#   scripts/fuzz.sh smoke                      build, then each target for FUZZ_SMOKE_RUNS inputs (make test)
#
# The targets exist only when HXSTAKEPOOL_FUZZ=1 (Package.swift), so the normal build never sees them.
# Each run reads the committed seeds in Fuzz/corpus/<target> (never written) and grows a working corpus in
# .build-fuzz/corpus/<target>; crashes, leaks and timeouts land in .build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
SCRATCH=.build-fuzz
TARGETS=(FuzzHTTPRequest FuzzConfig FuzzJSON FuzzTemplate FuzzChainEncoding FuzzWebSocketFrames FuzzJSONRPC FuzzSMTPReply FuzzDecredTransaction)
export HXSTAKEPOOL_FUZZ=1
# A Swift trap must reach libFuzzer's handler; Swift's own backtracer would run first and trip ASan.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}

max_len() {
    case "$1" in
        FuzzChainEncoding) echo 128 ;;  # an extended key is 111–112 characters; base58 is quadratic
        FuzzConfig) echo 1024 ;;
        FuzzJSON | FuzzTemplate) echo 4096 ;;
        *) echo 2048 ;;
    esac
}

build() {
    # One build: in fuzz mode the package holds only the parser modules and the fuzz targets.
    # --sanitize=fuzzer makes SwiftPM link libFuzzer's main; -Xswiftc adds the coverage instrumentation.
    nice -n 10 "$SWIFT" build -c release --scratch-path "$SCRATCH" \
        --sanitize=fuzzer --sanitize=address \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
}

# run TARGET FLAGS…: one target, seeds first, failing on any crash, leak, timeout or OOM.
run_one() {
    local target=$1; shift
    local binary="$SCRATCH/release/$target"
    [ -x "$binary" ] || { echo "fuzz.sh: $binary is missing; run scripts/fuzz.sh build first" >&2; exit 2; }
    mkdir -p "$SCRATCH/corpus/$target" "$SCRATCH/artifacts"
    echo "== $target $*"
    nice -n 10 "$binary" "$SCRATCH/corpus/$target" "Fuzz/corpus/$target" \
        -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$SCRATCH/artifacts/$target-" "$@"
}

command=${1:-}
shift || true
case "$command" in
    build)
        build ;;
    run)
        selected=()
        while [ $# -gt 0 ] && [ "$1" != "--" ]; do selected+=("$1"); shift; done
        [ $# -gt 0 ] && shift
        [ ${#selected[@]} -eq 0 ] && selected=("${TARGETS[@]}")
        for target in "${selected[@]}"; do run_one "$target" "$@"; done ;;
    smoke)
        build
        for target in "${TARGETS[@]}"; do run_one "$target" -runs="${FUZZ_SMOKE_RUNS:-20000}" -seed=1; done ;;
    *)
        echo "usage: scripts/fuzz.sh build | run [TARGET…] [-- LIBFUZZER_FLAGS…] | smoke" >&2
        exit 2 ;;
esac

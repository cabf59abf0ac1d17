#!/usr/bin/env bash
# Starts every test service (scripts/services/*.sh) in one temp dir on loopback, exports what each
# writes to $POOL_TEST_DIR/env (DSNs, ports), runs the given command, then stops them all — also
# when the command fails or is interrupted.
set -uo pipefail
cd "$(dirname "$0")/.."
export POOL_TEST_DIR
POOL_TEST_DIR=$(mktemp -d /tmp/pooltest.XXXXXX)
chmod 755 "$POOL_TEST_DIR"
: > "$POOL_TEST_DIR/env"
services=(scripts/services/*.sh)
stop_all() {
    for ((i=${#services[@]}-1; i>=0; i--)); do
        [ -f "${services[$i]}" ] && bash "${services[$i]}" stop >/dev/null 2>&1 || true
    done
    rm -rf "$POOL_TEST_DIR"
}
trap stop_all EXIT INT TERM
for svc in "${services[@]}"; do
    [ -f "$svc" ] || continue
    echo "starting test service $(basename "$svc" .sh)"
    if ! bash "$svc" start; then
        echo "test service $(basename "$svc" .sh) failed to start" >&2
        exit 1
    fi
done
set -a; source "$POOL_TEST_DIR/env"; set +a
"$@"

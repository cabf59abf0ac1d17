#!/usr/bin/env bash
# Test SMTP sink (python3-aiosmtpd) on loopback: `smtp.sh start` / `smtp.sh stop`, inside $POOL_TEST_DIR.
# Appends to $POOL_TEST_DIR/env:
#   POOL_SMTP_PLAIN, POOL_SMTP_STARTTLS, POOL_SMTP_AUTH, POOL_SMTP_IMPLICIT, POOL_SMTP_PLAINAUTH,
#   POOL_SMTP_FLAKY  (127.0.0.1:port)
#   POOL_SMTP_CONTROL (127.0.0.1:port; "down"/"up" for the flaky listener), POOL_SMTP_MAILDIR (.eml + .json files),
#   POOL_SMTP_CA_FILE (the sink's self-signed certificate), POOL_SMTP_USER, POOL_SMTP_PASSWORD.
#   The maildir's events.jsonl logs every MAIL FROM and AUTH attempt (see smtp_sink.py).
# See smtp_sink.py for the listeners and the fault-mode recipients (temp-fail…, perm-fail…, stall-once…).
set -euo pipefail
: "${POOL_TEST_DIR:?POOL_TEST_DIR must be set (run through scripts/with-test-services.sh)}"
here="$(cd "$(dirname "$0")" && pwd)"
dir="$POOL_TEST_DIR/smtp"
pidfile="$dir/sink.pid"
python=/usr/bin/python3   # Debian's interpreter: python3-aiosmtpd is installed for it, not for pyenv's

start() {
    mkdir -p "$dir/maildir"
    if ! "$python" -c 'import aiosmtpd' 2>/dev/null; then
        echo "smtp.sh: $python cannot import aiosmtpd (apt-get install python3-aiosmtpd)" >&2
        return 1
    fi
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -keyout "$dir/sink.key" -out "$dir/sink.crt" -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -addext "basicConstraints=critical,CA:TRUE" \
        >/dev/null 2>&1
    chmod 600 "$dir/sink.key"
    local password
    password="pw-$(openssl rand -hex 12)"
    printf '%s\n' "$password" > "$dir/password"
    chmod 600 "$dir/password"
    rm -f "$dir/ready"
    nohup "$python" "$here/smtp_sink.py" --maildir "$dir/maildir" --cert "$dir/sink.crt" --key "$dir/sink.key" \
        --user pooltest --password-file "$dir/password" --ready "$dir/ready" >"$dir/sink.log" 2>&1 &
    echo $! > "$pidfile"
    for _ in $(seq 1 100); do
        [ -f "$dir/ready" ] && break
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "smtp.sh: sink exited; log follows" >&2
            cat "$dir/sink.log" >&2
            return 1
        fi
        sleep 0.1
    done
    [ -f "$dir/ready" ] || { echo "smtp.sh: sink not ready after 10 s" >&2; return 1; }
    port() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$dir/ready" "$1"; }
    {
        echo "POOL_SMTP_PLAIN=127.0.0.1:$(port plain)"
        echo "POOL_SMTP_STARTTLS=127.0.0.1:$(port starttls)"
        echo "POOL_SMTP_AUTH=127.0.0.1:$(port auth)"
        echo "POOL_SMTP_IMPLICIT=127.0.0.1:$(port implicit)"
        echo "POOL_SMTP_PLAINAUTH=127.0.0.1:$(port plainauth)"
        echo "POOL_SMTP_FLAKY=127.0.0.1:$(port flaky)"
        echo "POOL_SMTP_CONTROL=127.0.0.1:$(port control)"
        echo "POOL_SMTP_MAILDIR=$dir/maildir"
        echo "POOL_SMTP_CA_FILE=$dir/sink.crt"
        echo "POOL_SMTP_USER=pooltest"
        echo "POOL_SMTP_PASSWORD=$password"
    } >> "$POOL_TEST_DIR/env"
    echo "smtp sink listening (plain $(port plain), starttls $(port starttls), auth $(port auth), implicit $(port implicit))"
}

stop() {
    [ -f "$pidfile" ] || return 0
    local pid
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

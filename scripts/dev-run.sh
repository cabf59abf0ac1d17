#!/usr/bin/env bash
# `make run`: a whole pool on one laptop, loopback only, no outside services:
#   simwallet   — a simulated simnet node + 3 voting wallets over the real JSON-RPC/websocket/TLS protocol
#   hxstakepool — the web app (examples/dev.conf: SQLite, mail in the log), talking to simwallet through the
#                 dcrwallet RPC plugin, exactly the production client path
#   stakepoold  — two vote daemons (wallets 0 and 1, as production runs one per voting wallet), voting winners
#                 through the same RPC plugins; the web app pushes every registration and vote change to their
#                 control APIs (TLS, bearer token) at once
#   poolctl dev — mines to just below the stake validation height and creates the demo account (printed)
# run/dev.conf keeps the connection details for `poolctl dev …`. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug}
RUN=run
mkdir -p "$RUN/logs" "$RUN/data"
PASS=simwallet-dev-pass
CERT="$RUN/simwallet/rpc.cert"
KEYS=$("$BIN/simwallet" --printkeys)
VOTING=$(echo "$KEYS" | sed -n 's/^votingwalletextpub=//p')
COLD=$(echo "$KEYS" | sed -n 's/^coldwalletextpub=//p')
# The vspd front's fee addresses: their own branch of the cold wallet's key (cold/1), apart from the legacy fee
# addresses (cold/0/<user id>).
VSPFEE=$("$BIN/poolctl" chain hd derive "$COLD" 1 --net simnet | sed -n 's/^xpub: //p')

pids=()
stop() { trap - EXIT INT TERM; for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

rm -f "$CERT"
"$BIN/simwallet" --appdata "$RUN/simwallet" --blockms 10000 > "$RUN/logs/simwallet.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$CERT" ] && break; sleep 0.1; done
[ -s "$CERT" ] || { echo "simwallet did not start: see $RUN/logs/simwallet.log" >&2; exit 1; }

# One stakepoold per voting wallet (the web app requires two), each with its control API on loopback behind
# a token and a self-signed certificate it writes on first start, which the web app pins.
CONTROL_TOKEN=dev-control-token-not-for-production
DAEMON_WALLETS=(127.0.0.1:19557 127.0.0.1:19567)
DAEMON_CONTROL=(127.0.0.1:19560 127.0.0.1:19561)
DAEMON_METRICS=(127.0.0.1:9114 127.0.0.1:9115)
daemon_dir() { echo "$RUN/stakepoold$1"; }

# dev22: the web app's connection details, given to hxstakepool as flags and written (absolute paths) to
# run/dev.conf, which `poolctl dev …` reads by itself and `poolctl -C run/dev.conf …` on request.
WEB_OPTIONS=(
    "votingwalletextpub=$VOTING" "coldwalletextpub=$COLD" "wallet=dcrwallet"
    "wallethosts=127.0.0.1:19557,127.0.0.1:19567,127.0.0.1:19577" "walletusers=simnet,simnet,simnet"
    "walletpasswords=$PASS,$PASS,$PASS" "walletcerts=$PWD/$CERT,$PWD/$CERT,$PWD/$CERT"
    "enablestakepoold=1" "stakepooldhosts=${DAEMON_CONTROL[0]},${DAEMON_CONTROL[1]}"
    "stakepooldcerts=$PWD/$(daemon_dir 0)/rpc.cert,$PWD/$(daemon_dir 1)/rpc.cert" "stakepooldtoken=$CONTROL_TOKEN"
    # Both APIs: the vspd front (API v3) drives simwallet as today's dcrd and dcrwallet.
    "apifronts=both" "vspfeexpub=$VSPFEE"
    "vspnode=dcrd" "vspdcrdhost=127.0.0.1:19600" "vspdcrduser=simnet" "vspdcrdpassword=$PASS" "vspdcrdcert=$PWD/$CERT"
    "vspwallet=dcrwallet" "vspwallethosts=127.0.0.1:19601,127.0.0.1:19611,127.0.0.1:19621" "vspwalletusers=simnet,simnet,simnet"
    "vspwalletpasswords=$PASS,$PASS,$PASS" "vspwalletcerts=$PWD/$CERT,$PWD/$CERT,$PWD/$CERT"
)
{
    echo "; Written by scripts/dev-run.sh (make run): the dev stack's connection details. Development only."
    grep -vE '^(datadir|logdir|wallet|votingwalletextpub|coldwalletextpub)=' examples/dev.conf
    echo "datadir=$PWD/$RUN/data"
    echo "logdir=$PWD/$RUN/logs"
    printf '%s\n' "${WEB_OPTIONS[@]}"
    echo "; poolctl only: the simwallet node whose control methods poolctl dev calls."
    echo "simwalletnode=127.0.0.1:19556"
} > "$RUN/dev.conf"

# The database first (both daemons open it), then the vote daemons: the web app and `poolctl dev demo-account` reach
# their control APIs at once (a push before a daemon has loaded its users is harmless: it loads them from storage).
"$BIN/poolctl" -C "$RUN/dev.conf" db migrate > /dev/null
for i in 0 1; do
    dir=$(daemon_dir "$i")
    "$BIN/stakepoold" --simnet --appdata "$dir" --logdir "$RUN/logs/stakepoold$i" --datadir "$dir/data" \
        --coldwalletextpub="$COLD" --storage=sqlite --sqlitepath="$RUN/data/simnet/stakepool.sqlite" \
        --dcrdhost=127.0.0.1:19556 --dcrduser=simnet --dcrdpassword="$PASS" --dcrdcert="$CERT" \
        --wallethost="${DAEMON_WALLETS[$i]}" --walletuser=simnet --walletpassword="$PASS" --walletcert="$CERT" \
        --rpclisten="${DAEMON_CONTROL[$i]}" --controltoken="$CONTROL_TOKEN" \
        --metricslisten="${DAEMON_METRICS[$i]}" > "$RUN/logs/stakepoold$i.out" 2>&1 &
    pids+=($!)
done
for i in 0 1; do
    log="$RUN/logs/stakepoold$i.out"
    for _ in $(seq 1 300); do grep -q "control API listening on" "$log" 2>/dev/null && break; sleep 0.1; done
    grep -q "control API listening on" "$log" || { echo "stakepoold $i did not start: see $log" >&2; exit 1; }
done

# Near the stake validation height, so a ticket bought now is voted minutes later (not after 144 blocks);
# then the demo account, pushed to the running stakepoolds so they vote the demo user's tickets from the first block.
"$BIN/poolctl" dev mine 120 > /dev/null
DEMO_EMAIL=demo@example.com
DEMO=$("$BIN/poolctl" dev demo-account --email "$DEMO_EMAIL") || { echo "the demo account could not be created" >&2; exit 1; }

"$BIN/hxstakepool" -C examples/dev.conf "${WEB_OPTIONS[@]/#/--}" "$@" &
pids+=($!)
for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:8000/health >/dev/null 2>&1 && break; sleep 0.2; done
if curl -fsS http://127.0.0.1:8000/health >/dev/null 2>&1; then
    echo
    echo "hxstakepool is running: http://127.0.0.1:8000  (health: /health, API: /api/v2/stats, vspd API: /api/v3/vspinfo)"
    echo "$DEMO"
    echo "  storage: SQLite in $RUN/data, mail: written to the log, wallets: simwallet (3 simulated simnet wallets)"
    echo "  stakepoold logs: $RUN/logs/stakepoold0.out, stakepoold1.out (metrics: http://127.0.0.1:9114/metrics, :9115),"
    echo "  simwallet as today's dcrd/dcrwallet (vspd front): node wss://127.0.0.1:19600/ws, wallets :19601 :19611 :19621"
    echo "  simwallet log: $RUN/logs/simwallet.log. Ctrl-C stops everything."
    echo "  A ticket's life: $BIN/poolctl dev buy $DEMO_EMAIL --count 5, then $BIN/poolctl dev mine 30"
    echo "  (README: \"Your first vote in five minutes\")."
fi
wait -n "${pids[@]}"

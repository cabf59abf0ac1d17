#!/usr/bin/env bash
# make example-embedded: builds examples/EmbeddedPool (the engine embedded in a program of its own) and runs it twice,
# each time from a fresh temporary directory. Each run must exit 0 and print a simnet P2SH ticket address (Sc…, 35
# base58 characters); both print the same one (same simulated keys, same user key, user 1 of a fresh database).
set -euo pipefail
SWIFT=${SWIFT:-swift}
cd "$(dirname "$0")/../examples/EmbeddedPool"
"$SWIFT" build
binary="$("$SWIFT" build --show-bin-path)/EmbeddedPool"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
addresses=()
for run in 1 2; do
  if ! output="$("$binary" "$scratch/run-$run" 2>&1)"; then
    echo "example-embedded: run $run failed: $output" >&2
    exit 1
  fi
  address="$(sed -n 's/^ticket address: //p' <<<"$output")"
  if [[ ! $address =~ ^Sc[1-9A-HJ-NP-Za-km-z]{33}$ ]]; then
    echo "example-embedded: run $run printed no simnet P2SH ticket address: $output" >&2
    exit 1
  fi
  addresses+=("$address")
  echo "example-embedded: run $run: ticket address $address"
done
if [[ ${addresses[0]} != "${addresses[1]}" ]]; then
  echo "example-embedded: the two fresh runs printed different ticket addresses: ${addresses[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# Filled by the foundation issue: starts simwallet, stakepoold and the web app with examples/dev.conf.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .build/debug/hxstakepool -C examples/dev.conf "$@"

#!/usr/bin/env bash
# bench.sh [browserbench flags]: the browser benchmark (cmd/browserbench),
# niced so that it yields to other work on the machine. Builds the app,
# measures it in headless Chromium, runs the peer harness
# (bench/run.sh of the shared folder, ../shared or $ALEXNET_SHARED, with
# --models seed_alexnet) and prints the ratios;
# the full report goes to browserbench.json. See `go run ./cmd/browserbench -h`.
set -euo pipefail
cd "$(dirname "$0")"
exec nice -n "${BENCH_NICE:-15}" go run ./cmd/browserbench "$@"

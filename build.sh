#!/usr/bin/env bash
# build.sh [OUT]: builds the web app into OUT (default dist/), which
# `go run .` serves. Steps: regenerate the Vugu code, build the page's and
# the worker's WebAssembly (stripped, -trimpath; the worker with Go 1.27's
# SIMD), then internal/webdist copies wasm_exec.js, Vugu's render helper,
# the static files and the default weight file under content-hashed names,
# writes manifest.json, precompresses (gzip, brotli) and stamps the folder.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-dist}"
model="${ALEXNET_MODEL:-weights/default/flowers.alexnet}"
[ -f "$model" ] || { echo "build.sh: no weight file at $model (set ALEXNET_MODEL)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# vugugen runs on a copy, and a generated file replaces the committed one
# (atomically, by rename) only when it differs: a build running beside
# `go test ./web` never shows the compiler a half-written file.
echo "build.sh: vugugen"
gen="$tmp/gen"
mkdir -p "$gen"
cp web/*.vugu web/*.go "$gen/"
go tool vugugen -skip-go-mod -skip-main "$gen"
gofmt -w "$gen"/*_gen.go
for f in "$gen"/*_gen.go; do
	dst="web/$(basename "$f")"
	if ! cmp -s "$f" "$dst"; then
		cp "$f" "$dst.tmp.$$" && mv "$dst.tmp.$$" "$dst"
		echo "build.sh: regenerated $dst"
	fi
done

echo "build.sh: page (web) -> wasm"
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$tmp/ui.wasm" ./web

echo "build.sh: worker (wasm/worker) -> wasm, Go 1.27 SIMD"
GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd GOOS=js GOARCH=wasm \
	go build -trimpath -ldflags='-s -w' -o "$tmp/worker.wasm" ./wasm/worker

vugu="$(go list -m -f '{{.Dir}}' github.com/vugu/vugu)"
echo "build.sh: assemble $out"
go run ./internal/webdist -out "$out" -static web/static \
	-ui "$tmp/ui.wasm" -worker "$tmp/worker.wasm" -model "$model" \
	-copy "wasm_exec.js=$(go env GOROOT)/lib/wasm/wasm_exec.js" \
	-vugu-helper "$vugu/domrender/renderer-js-script.go"
echo "build.sh: done: $out"

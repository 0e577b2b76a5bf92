#!/usr/bin/env bash
# build.sh [OUT]: builds the web app into OUT (default dist/), which
# `go run .` serves. Steps: check the committed Vugu code, build the page's and
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

# The Vugu code (web/*_gen.go) is committed; build.sh never writes it. It
# runs vugugen on a copy and stops when the committed files differ from
# what the .vugu files make (go generate ./web regenerates them), so a
# build, and the tests that run one, leave the working tree as it was.
echo "build.sh: vugugen (check web/*_gen.go)"
gen="$tmp/gen"
mkdir -p "$gen"
cp web/*.vugu web/*.go "$gen/"
rm -f "$gen"/*_gen.go
go tool vugugen -skip-go-mod -skip-main "$gen"
gofmt -w "$gen"/*_gen.go
stale=()
for f in "$gen"/*_gen.go; do
	cmp -s "$f" "web/$(basename "$f")" || stale+=("web/$(basename "$f")")
done
for f in web/*_gen.go; do
	[ -f "$gen/$(basename "$f")" ] || stale+=("$f (no .vugu file makes it)")
done
if [ ${#stale[@]} -gt 0 ]; then
	echo "build.sh: out of date with the .vugu files: ${stale[*]}" >&2
	echo "build.sh: run 'go generate ./web' and commit the result" >&2
	exit 1
fi

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

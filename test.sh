#!/usr/bin/env bash
# Runs every test of the project on a fresh machine of this kind (Debian, Go 1.26,
# the Go module proxy and Debian's packages reachable). It installs what the tests
# need when it is missing: Chromium (browser tests), npm (axe-core for the
# accessibility test) and PyTorch (golden values, end-to-end conversion,
# training smoke test), all from Debian.
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null || need+=(npm) # axe-core for the accessibility test
/usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null || need+=(python3-torch python3-torchvision)
if [ ${#need[@]} -gt 0 ]; then
	echo "test.sh: installing ${need[*]} from Debian"
	sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

export GOTOOLCHAIN=local
simd=(env GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd)
wasm_exec() { echo "$("$@" go env GOROOT)/lib/wasm/go_js_wasm_exec"; }

# The pure packages: natively and as WebAssembly under Node, with the scalar
# kernels (Go 1.26) and the SIMD kernels (Go 1.27, GOEXPERIMENT=simd). The
# protocol's js side (internal/protocol/port) is tested under Node too.
pure=(./nn/... ./weights/... ./npy/... ./prep/... ./classifier/... ./explain/... ./teach/... ./internal/protocol/...)
echo "== go vet"; go vet ./...
echo "== scalar, native: all tests (browser tests included)"; go test -count=1 -timeout 40m ./...
echo "== SIMD, native"; "${simd[@]}" go test -count=1 ./nn/... ./explain/... ./teach/... ./internal/avxcheck/...
echo "== scalar, wasm"; GOOS=js GOARCH=wasm go test -count=1 -exec="$(wasm_exec env)" "${pure[@]}"
echo "== SIMD, wasm"; "${simd[@]}" GOOS=js GOARCH=wasm go test -count=1 -exec="$(wasm_exec "${simd[@]}")" ./nn/... ./explain/... ./teach/...
echo "test.sh: all tests passed"

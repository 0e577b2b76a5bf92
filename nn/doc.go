// Package nn is the float32 AlexNet forward pass: an architecture table
// (arch.go), a Net built from it once with every buffer allocated (net.go),
// and the ops as plain functions, each with a fast kernel and, in the test
// files, a naive reference it is held to (ref_test.go, kernels_test.go),
// the whole pinned to PyTorch by golden fixtures (golden_test.go).
//
// # Where things are
//
//	arch.go             the architectures (Seed, TorchVision, Paper) and their shapes
//	net.go              New, Forward, LayerForward; weight checks
//	conv.go, gemm.go    Conv2d as im2col + GEMM in packed panels; convPaths
//	winograd*.go        3x3 stride-1 convs with Winograd F(2x2,3x3), F(4x4,3x3);
//	                    5x5 ones (conv2) with F(4x4,5x5) (winograd45*.go)
//	rearrange.go        space-to-depth (conv1) and 3x3 subkernels (5x5 where
//	                    F(4x4,5x5) does not pay) before Winograd
//	linear.go           Linear with float32, int8 or 4-bit weights
//	ops.go              ReLU, max pool, LRN, adaptive average pool, Softmax
//	parallel.go         natively, a conv layer's panels shared between goroutines
//	split.go            part nets: one forward pass shared between engines (NewPart)
//
// # Kernel files
//
// A kernel family (the GEMM micro-kernel, the float32, int8 and 4-bit dot
// products, the vector ops) is a group of files named after it:
//
//	FAMILY.go             the portable part and the scalar kernel (FUNCScalar),
//	                      in every build: the SIMD kernels' fallback and tails
//	FAMILY_nosimd.go      builds without SIMD kernels: calls the scalar kernel
//	                      (//go:build !goexperiment.simd || !(amd64 || wasm))
//	FAMILY_simd.go        SIMD, one source for amd64 and wasm
//	                      (//go:build goexperiment.simd && (amd64 || wasm))
//	FAMILY_simd_amd64.go  SIMD for amd64 only (AVX2), GOEXPERIMENT=simd
//	FAMILY_simd_wasm.go   SIMD for wasm only (SIMD128), GOEXPERIMENT=simd
//
// The families: kernel (micro-kernel; gemm.go packs for it), dot (dotF32),
// dotq8 (dotQ8, dotQ8x4), dotq4 (dotQ4, dotQ4x4; dotq4.go also holds the
// 4-bit layout), ops (rectify, maxInto; ops.go also holds the other ops),
// winograd4 (outputTransform4; winograd4.go also holds the rest of
// F(4x4,3x3)), winograd45 (colTransform45, outputTransform45;
// winograd45.go also holds the rest of F(4x4,5x5)), and cpu (cpu_simd_*.go: which SIMD the machine has). An
// amd64 kernel that uses 256-bit registers clears their upper halves before
// any scalar code and before it returns (kernel_simd_amd64.go says why;
// TestAVXUpperClean checks the compiled code). The SIMD kernels use
// simd/archsimd (Go 1.27 with GOEXPERIMENT=simd); every build runs the same
// tests:
//
//	go test ./nn/...
//	GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd go test ./nn/...
//	GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./nn/...
//
// and the SIMD wasm build as test.sh runs it.
package nn

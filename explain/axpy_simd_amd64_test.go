//go:build goexperiment.simd && linux

package explain

import (
	"testing"

	"alexnet/internal/avxcheck"
)

// TestAVXUpperClean disassembles this test binary and holds every function
// of the package that uses 256-bit registers (axpyQ4x4) to the rule of the
// engine's amd64 kernels (nn/kernel_simd_amd64.go; internal/avxcheck checks
// it): all VEX from the first 256-bit instruction to a VZEROUPPER, which
// comes before any scalar code, call or return.
func TestAVXUpperClean(t *testing.T) {
	avxcheck.Check(t, "alexnet/explain.", []any{axpyQ4x4}, nil)
}

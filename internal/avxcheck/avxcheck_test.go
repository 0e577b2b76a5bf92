package avxcheck

import (
	"os"
	"runtime"
	"testing"
)

// TestViolations holds the checker to hand-assembled code.
func TestViolations(t *testing.T) {
	const (
		vpxorY   = "\xc5\xfd\xef\xc0"     // VPXOR Y0, Y0, Y0
		addss    = "\xf3\x0f\x58\xc1"     // ADDSS X1, X0 (legacy SSE)
		vaddss   = "\xc5\xfa\x58\xc1"     // VADDSS X1, X0, X0
		vzu      = "\xc5\xf8\x77"         // VZEROUPPER
		cmpq     = "\x48\x39\xd3"         // CMPQ DX, BX (x86asm alone misreads VZEROUPPER before it)
		ret      = "\xc3"                 // RET
		je4      = "\x74\x04"             // JE +4
		invalid  = "\x06"                 // PUSH ES, invalid in 64-bit mode
		callSelf = "\xe8\x00\x00\x00\x00" // CALL to the next instruction
	)
	for _, c := range []struct {
		code     string
		wide     bool
		bad      int
		errorful bool
	}{
		{addss + ret, false, 0, false},               // no 256-bit code
		{vpxorY + vzu + addss + ret, true, 0, false}, // cleared first
		{vpxorY + vzu + cmpq + addss + ret, true, 0, false},
		{vpxorY + vaddss + vzu + ret, true, 0, false},    // VEX is fine while dirty
		{vpxorY + addss + vzu + ret, true, 1, false},     // SSE while dirty
		{vpxorY + ret, true, 1, false},                   // returns dirty
		{vpxorY + je4 + vzu + ret + ret, true, 1, false}, // one path jumps over the VZEROUPPER
		{vpxorY + callSelf + vzu + ret, true, 1, false},  // calls out dirty
		{vpxorY + invalid + vzu + ret, true, 0, true},    // undecodable
	} {
		wide, bad, err := Violations([]byte(c.code), 0x1000, map[uint64]string{})
		if wide != c.wide || len(bad) != c.bad || (err != nil) != c.errorful {
			t.Errorf("% x: wide %v, violations %q, error %v; want %v, %d, error %v", c.code, wide, bad, err, c.wide, c.bad, c.errorful)
		}
	}
}

// TestFuncs reads this test binary's function table: this package's
// functions are found (none uses 256-bit registers), and a file that is not
// an ELF binary is an error.
func TestFuncs(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Logf("%s/%s: the test binary is not x86-64 ELF; only the error case runs", runtime.GOOS, runtime.GOARCH)
	} else {
		funcs, err := Funcs(os.Args[0], "alexnet/internal/avxcheck.")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, fn := range funcs {
			if fn.Wide || len(fn.Violations) > 0 {
				t.Errorf("%s: wide %v, violations %q; want neither", fn.Name, fn.Wide, fn.Violations)
			}
			found = found || fn.Name == FuncName(Violations)
		}
		if !found {
			t.Errorf("%s not among the %d functions found", FuncName(Violations), len(funcs))
		}
	}
	if _, err := Funcs("avxcheck.go", "alexnet/"); err == nil {
		t.Error("Funcs on a Go source file: no error")
	}
}

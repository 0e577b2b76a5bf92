//go:build goexperiment.simd && linux

package nn

import (
	"debug/elf"
	"debug/gosym"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"runtime"
	"simd/archsimd"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestAVXUpperClean disassembles this test binary and holds every function
// of the package that uses 256- or 512-bit registers to the rule in
// kernel_simd_amd64.go: on every path from its first such instruction, no
// legacy (non-VEX) SSE instruction, no call and no return until a
// VZEROUPPER. The compiler decides which instructions a Go line becomes
// (golang/go#80835), so the rule is checked on the machine code, on any x86
// host: AMD runs the dirty code at full speed, Intel does not.
func TestAVXUpperClean(t *testing.T) {
	f, err := elf.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	text := f.Section(".text")
	if text == nil {
		t.Fatal("no .text section in the test binary")
	}
	code, err := text.Data()
	if err != nil {
		t.Fatal(err)
	}
	// go test strips the ELF symbol table; the runtime's own table of
	// functions (.gopclntab) stays.
	pcln := f.Section(".gopclntab")
	if pcln == nil {
		t.Fatal("no .gopclntab section in the test binary")
	}
	pclnData, err := pcln.Data()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(pclnData, text.Addr))
	if err != nil {
		t.Fatal(err)
	}
	name := map[uint64]string{}
	for _, fn := range tab.Funcs {
		name[fn.Entry] = fn.Name
	}
	pkg := funcName(New)
	pkg = pkg[:strings.LastIndex(pkg, ".")+1] // "alexnet/nn."
	wide := map[string]bool{}
	for _, fn := range tab.Funcs {
		if !strings.HasPrefix(fn.Name, pkg) || fn.Name == funcName(dirtyUpper) {
			continue
		}
		lo, hi := fn.Entry-text.Addr, fn.End-text.Addr
		if fn.Entry < text.Addr || hi > uint64(len(code)) || lo > hi {
			t.Fatalf("%s at %#x-%#x is outside .text", fn.Name, fn.Entry, fn.End)
		}
		usesWide, bad, err := upperViolations(code[lo:hi], fn.Entry, name)
		if err != nil {
			t.Errorf("%s: %v", fn.Name, err)
		}
		if usesWide {
			wide[fn.Name] = true
			t.Logf("%s uses 256-bit registers: %d violations", fn.Name, len(bad))
		}
		for _, b := range bad {
			t.Errorf("%s: %s", fn.Name, b)
		}
	}
	// The kernels known to use ymm registers must have been found, so the
	// test cannot pass by checking nothing.
	for _, fn := range []any{kernel4x24AVX2, dotQ8, dotQ4} {
		if n := funcName(fn); !wide[n] {
			t.Errorf("%s: not found among the functions using 256-bit registers %v", n, wide)
		}
	}
}

func funcName(fn any) string {
	return runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
}

// TestUpperViolations holds the checker to hand-assembled code.
func TestUpperViolations(t *testing.T) {
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
		wide, bad, err := upperViolations([]byte(c.code), 0x1000, map[uint64]string{})
		if wide != c.wide || len(bad) != c.bad || (err != nil) != c.errorful {
			t.Errorf("% x: wide %v, violations %q, error %v; want %v, %d, error %v", c.code, wide, bad, err, c.wide, c.bad, c.errorful)
		}
	}
}

// upperViolations decodes the machine code of one function, loaded at pc,
// and follows every path from its entry with the upper halves clean. An
// instruction with a ymm or zmm operand makes them dirty, VZEROUPPER or
// VZEROALL clean. While they are dirty, a legacy SSE instruction (an xmm
// operand without a VEX or EVEX prefix), a call (except to runtime.panic*,
// which does not return), a jump out of the function or an indirect jump,
// and a return are violations. wide reports whether the function has any
// ymm or zmm operand. name maps addresses to symbol names for calls.
func upperViolations(code []byte, pc uint64, name map[uint64]string) (wide bool, bad []string, err error) {
	type step struct {
		inst x86asm.Inst
		pc   uint64
	}
	var insts []step
	at := map[uint64]int{}
	for off := 0; off < len(code); {
		inst, err := decode(code[off:])
		if err != nil {
			return wide, bad, fmt.Errorf("cannot decode % x at %#x: %v", code[off:min(off+8, len(code))], pc+uint64(off), err)
		}
		at[pc+uint64(off)] = len(insts)
		insts = append(insts, step{inst, pc + uint64(off)})
		if hasWide(inst) {
			wide = true
		}
		off += inst.Len
	}
	if !wide {
		return false, nil, nil
	}
	// Forward data flow over two states: clean, then dirty once any path
	// reaching an instruction is dirty.
	seen := make([][2]bool, len(insts))
	type item struct {
		i     int
		dirty bool
	}
	work := []item{{0, false}}
	report := func(s step, why string) {
		bad = append(bad, fmt.Sprintf("%#x %s: %s", s.pc, x86asm.GoSyntax(s.inst, s.pc, nil), why))
	}
	for len(work) > 0 {
		it := work[len(work)-1]
		work = work[:len(work)-1]
		d := 0
		if it.dirty {
			d = 1
		}
		if it.i >= len(insts) || seen[it.i][d] {
			continue
		}
		seen[it.i][d] = true
		s := insts[it.i]
		dirty := it.dirty
		next := func(target uint64) {
			if j, ok := at[target]; ok {
				work = append(work, item{j, dirty})
			} else if dirty {
				report(s, "jumps out of the function with the upper halves dirty")
			}
		}
		op := s.inst.Op
		switch {
		case op == x86asm.VZEROUPPER || op == x86asm.VZEROALL:
			dirty = false
		case hasWide(s.inst):
			dirty = true
		case dirty && hasXMM(s.inst) && !vexOrEVEX(s.inst):
			report(s, "legacy SSE instruction with the upper halves dirty")
		}
		switch {
		case op == x86asm.RET || op == x86asm.LRET:
			if dirty {
				report(s, "returns with the upper halves dirty")
			}
			continue
		case op == x86asm.UD2 || op == x86asm.INT || op == x86asm.HLT:
			continue
		case op == x86asm.CALL:
			callee := ""
			if rel, ok := s.inst.Args[0].(x86asm.Rel); ok {
				callee = name[uint64(int64(s.pc)+int64(s.inst.Len)+int64(rel))]
			}
			if strings.HasPrefix(callee, "runtime.panic") {
				continue // does not return
			}
			if dirty {
				report(s, "calls "+callee+" with the upper halves dirty")
			}
		case op == x86asm.JMP:
			if rel, ok := s.inst.Args[0].(x86asm.Rel); ok {
				next(uint64(int64(s.pc) + int64(s.inst.Len) + int64(rel)))
			} else if dirty {
				report(s, "indirect jump with the upper halves dirty")
			}
			continue
		case strings.HasPrefix(op.String(), "J") || strings.HasPrefix(op.String(), "LOOP"):
			if rel, ok := s.inst.Args[0].(x86asm.Rel); ok {
				next(uint64(int64(s.pc) + int64(s.inst.Len) + int64(rel)))
			}
		}
		work = append(work, item{it.i + 1, dirty})
	}
	return wide, bad, nil
}

// decode is x86asm.Decode in 64-bit mode, except that it decodes
// VZEROUPPER and VZEROALL itself: x86asm v0.33.0 (and go tool objdump, which
// vendors it) takes the two bytes after them as part of the instruction.
func decode(code []byte) (x86asm.Inst, error) {
	for _, z := range []struct {
		op    x86asm.Op
		forms []string
	}{
		{x86asm.VZEROUPPER, []string{"\xc5\xf8\x77", "\xc4\xe1\x78\x77"}},
		{x86asm.VZEROALL, []string{"\xc5\xfc\x77", "\xc4\xe1\x7c\x77"}},
	} {
		for _, f := range z.forms {
			if strings.HasPrefix(string(code), f) {
				return x86asm.Inst{Op: z.op, Len: len(f), Mode: 64, Prefix: x86asm.Prefixes{x86asm.Prefix(f[0])}}, nil
			}
		}
	}
	return x86asm.Decode(code, 64)
}

// vexOrEVEX reports whether inst carries a VEX or EVEX prefix.
func vexOrEVEX(inst x86asm.Inst) bool {
	for _, p := range inst.Prefix {
		if p == 0 {
			break
		}
		if p.IsVEX() || p.IsEVEX() {
			return true
		}
	}
	return false
}

func hasWide(inst x86asm.Inst) bool {
	for _, a := range inst.Args {
		if r, ok := a.(x86asm.Reg); ok && r >= x86asm.Y0 && r <= x86asm.Z31 {
			return true
		}
	}
	return false
}

func hasXMM(inst x86asm.Inst) bool {
	for _, a := range inst.Args {
		if r, ok := a.(x86asm.Reg); ok && r >= x86asm.X0 && r <= x86asm.X31 {
			return true
		}
	}
	return false
}

// dirtyUpper copies x[:8] onto itself through a ymm register and returns
// with the upper halves dirty: the state the 256-bit kernels left before
// they cleared it. It is the one function TestAVXUpperClean lets break the
// rule, for BenchmarkDirtyUpper.
//
//go:noinline
func dirtyUpper(x []float32) {
	archsimd.LoadFloat32x8(x[:8]).Store(x[:8])
}

// cleanUpper is dirtyUpper, then VZEROUPPER.
//
//go:noinline
func cleanUpper(x []float32) {
	archsimd.LoadFloat32x8(x[:8]).Store(x[:8])
	archsimd.ClearAVXUpperBits()
}

// BenchmarkDirtyUpper times scalar float32 code (dotQ4Scalar, Go's legacy
// SSE code) over fc1's int4 rows, one group of 64 values at a time, each
// right after a 256-bit kernel that leaves the upper halves dirty ("dirty")
// or clears them ("clean"): how the SIMD dotQ4 mixed them before it kept
// its group loop all VEX. On AMD the two take the same time; on an Intel
// core "dirty" pays the AVX-SSE penalty that TestAVXUpperClean keeps out of
// the kernels:
//
//	GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd go test ./nn -run '^$' -bench DirtyUpper -count 3
//
// benchSink keeps BenchmarkDirtyUpper's sums alive.
var benchSink float32

func BenchmarkDirtyUpper(b *testing.B) {
	if !hasAVX2 {
		b.Fatal("BenchmarkDirtyUpper needs AVX2 (it runs a ymm load and store)")
	}
	const in, out, group = 4608, 2048, 64
	r := rand.New(rand.NewSource(24))
	q := make([]int8, in*out)
	for i := range q {
		q[i] = int8(r.Intn(15) - 7)
	}
	packed := Q4Pack(q, out, in)
	scale := randVec(r, out*in/group, 0.01)
	x := randVec(r, in, 1)
	v := randVec(r, 8, 1)
	rb, ng := Q4RowBytes(in), in/group
	for _, c := range []struct {
		name   string
		kernel func([]float32)
	}{{"clean", cleanUpper}, {"dirty", dirtyUpper}} {
		b.Run(c.name, func(b *testing.B) {
			var s float32
			for range b.N {
				for o := range out {
					row := packed[o*rb : (o+1)*rb]
					for g := range ng {
						c.kernel(v)
						s += dotQ4Scalar(row[g*group/2:(g+1)*group/2], scale[o*ng+g:o*ng+g+1], group, x[g*group:(g+1)*group], nil)
					}
				}
			}
			benchSink = s
		})
	}
}

// Package avxcheck holds compiled amd64 code to the rule every 256-bit
// kernel of the project follows (nn/kernel_simd_amd64.go says why): on every
// path from a function's first instruction with a ymm or zmm operand, no
// legacy (non-VEX) SSE instruction, no call and no return until a
// VZEROUPPER. Go compiles scalar float32 code to legacy SSE and emits no
// VZEROUPPER after simd/archsimd code (golang/go#80835); on Intel a legacy
// SSE instruction run while the upper halves are dirty pays the AVX-SSE
// penalty. Which instructions a Go line becomes is the compiler's choice, so
// the rule is checked on the machine code, which any x86 host can decode.
//
// A package's test calls Check on its own test binary:
//
//	avxcheck.Check(t, "alexnet/nn.", []any{dotQ4}, nil)
package avxcheck

import (
	"debug/elf"
	"debug/gosym"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// Func is one function of a binary and what the rule finds in it.
type Func struct {
	Name       string
	Wide       bool     // has an instruction with a ymm or zmm operand
	Violations []string // where it breaks the rule, one line each
}

// Funcs decodes every function of the Go ELF binary at path whose name
// begins with prefix (such as "alexnet/nn.") and checks it with Violations,
// in the order of the binary's function table. The functions are found in
// .gopclntab, the runtime's own table, since go test strips the ELF symbols.
func Funcs(path, prefix string) ([]Func, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("avxcheck: %w", err)
	}
	defer f.Close()
	text, pcln := f.Section(".text"), f.Section(".gopclntab")
	if text == nil || pcln == nil {
		return nil, fmt.Errorf("avxcheck: %s has no .text or no .gopclntab section (not a Go binary?)", path)
	}
	code, err := text.Data()
	if err != nil {
		return nil, fmt.Errorf("avxcheck: %s: .text: %w", path, err)
	}
	pclnData, err := pcln.Data()
	if err != nil {
		return nil, fmt.Errorf("avxcheck: %s: .gopclntab: %w", path, err)
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(pclnData, text.Addr))
	if err != nil {
		return nil, fmt.Errorf("avxcheck: %s: .gopclntab: %w", path, err)
	}
	name := map[uint64]string{}
	for _, fn := range tab.Funcs {
		name[fn.Entry] = fn.Name
	}
	var funcs []Func
	for _, fn := range tab.Funcs {
		if !strings.HasPrefix(fn.Name, prefix) {
			continue
		}
		lo, hi := fn.Entry-text.Addr, fn.End-text.Addr
		if fn.Entry < text.Addr || hi > uint64(len(code)) || lo > hi {
			return nil, fmt.Errorf("avxcheck: %s at %#x-%#x is outside .text", fn.Name, fn.Entry, fn.End)
		}
		wide, bad, err := Violations(code[lo:hi], fn.Entry, name)
		if err != nil {
			return nil, fmt.Errorf("avxcheck: %s: %w", fn.Name, err)
		}
		funcs = append(funcs, Func{Name: fn.Name, Wide: wide, Violations: bad})
	}
	return funcs, nil
}

// Check runs Funcs on the running test binary for the functions whose names
// begin with prefix, and fails t for every violation, except in the
// functions of exempt (ones that break the rule on purpose, for a
// benchmark). Each function of known must be found using ymm or zmm
// registers, so that the check cannot pass by checking nothing.
func Check(t testing.TB, prefix string, known, exempt []any) {
	t.Helper()
	funcs, err := Funcs(os.Args[0], prefix)
	if err != nil {
		t.Fatal(err)
	}
	skip := map[string]bool{}
	for _, fn := range exempt {
		skip[FuncName(fn)] = true
	}
	wide := map[string]bool{}
	for _, fn := range funcs {
		if !fn.Wide || skip[fn.Name] {
			continue
		}
		wide[fn.Name] = true
		t.Logf("%s uses 256-bit registers: %d violations", fn.Name, len(fn.Violations))
		for _, v := range fn.Violations {
			t.Errorf("%s: %s", fn.Name, v)
		}
	}
	for _, fn := range known {
		if n := FuncName(fn); !wide[n] {
			t.Errorf("%s: not found among the %d functions of %q, or uses no 256-bit registers (found: %v)", n, len(funcs), prefix, wide)
		}
	}
}

// FuncName is the full name of the function fn, as in the binary's table.
func FuncName(fn any) string {
	return runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
}

// Violations decodes the machine code of one function, loaded at pc, and
// follows every path from its entry with the upper halves clean. An
// instruction with a ymm or zmm operand makes them dirty, VZEROUPPER or
// VZEROALL clean. While they are dirty, a legacy SSE instruction (an xmm
// operand without a VEX or EVEX prefix), a call (except to runtime.panic*,
// which does not return), a jump out of the function or an indirect jump,
// and a return are violations. wide reports whether the function has any
// ymm or zmm operand. name maps addresses to symbol names for calls.
func Violations(code []byte, pc uint64, name map[uint64]string) (wide bool, bad []string, err error) {
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

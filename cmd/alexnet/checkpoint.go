package main

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"

	"alexnet/nn"
)

// Reading a PyTorch checkpoint without trusting it.
//
// torch.save (since PyTorch 1.6) writes a zip: ARCHIVE/data.pkl, a pickle
// of the state_dict whose tensors refer to storages by key, and
// ARCHIVE/data/KEY, each storage's raw little-endian values. gopickle's
// pytorch.Load reads all of that, but trusts it: it allocates whatever
// size a storage or a pickle opcode claims (a 559-byte file claiming 2^34
// floats, zip bombs and stride-0 tensors took gigabytes or died out of
// memory), and its loader of the legacy (non-zip) format loops forever on
// an empty or all-zero file (on EOF it breaks out of its switch, not its
// loop). So this file keeps gopickle's pickle machine only and replaces
// the rest:
//
//   - only the zip format is read (the legacy format predates PyTorch 1.6;
//     re-save such a checkpoint with torch.save);
//   - data.pkl may be at most maxPickle bytes, and every length its opcodes
//     claim is checked against the bytes that follow (scanPickle) before
//     the pickle machine, which allocates claimed lengths, runs;
//   - the pickle may name only the few classes a state_dict uses (a
//     tensor rebuilder and storage types); anything else, os.system
//     included, is refused, and nothing named by the file is ever run;
//   - storages are not read while unpickling: tensors keep a reference,
//     the architecture is chosen from names and shapes, and then only the
//     tensors it needs are read, each storage after checking its claimed
//     size against its zip entry's and against the architecture's
//     parameter count.

// maxPickle bounds data.pkl: a state_dict's pickle holds names, shapes and
// storage keys (about 3 KB for AlexNet).
const maxPickle = 1 << 20

// ckptStorage is a storage as the pickle describes it, not yet read.
type ckptStorage struct {
	dtype string // "Float", "Half", "BFloat16", "Double", or another torch type
	size  int    // values claimed
	entry *zip.File
	data  []float32 // once read
}

// elemSize is the bytes of one value of a float storage, 0 for others.
func (s *ckptStorage) elemSize() int {
	switch s.dtype {
	case "Float":
		return 4
	case "Half", "BFloat16":
		return 2
	case "Double":
		return 8
	}
	return 0
}

// read reads the storage's values as float32, after checking its claimed
// size against its zip entry and against the values left in *budget (the
// parameters of the architecture, less the storages read so far).
func (s *ckptStorage) read(budget *int) ([]float32, error) {
	if s.data != nil {
		return s.data, nil
	}
	es := s.elemSize()
	if es == 0 {
		return nil, fmt.Errorf("storage of torch.%sStorage is not a float type", s.dtype)
	}
	if s.size < 0 || s.size > *budget {
		return nil, fmt.Errorf("storage %s claims %d values, more than the %d left of the architecture's parameters", s.entry.Name, s.size, *budget)
	}
	*budget -= s.size
	if want := uint64(s.size) * uint64(es); s.entry.UncompressedSize64 != want {
		return nil, fmt.Errorf("storage %s claims %d values (%d bytes), its zip entry holds %d bytes", s.entry.Name, s.size, want, s.entry.UncompressedSize64)
	}
	f, err := s.entry.Open()
	if err != nil {
		return nil, fmt.Errorf("storage %s: %v", s.entry.Name, err)
	}
	defer f.Close()
	// Read in chunks: a zip entry that holds fewer bytes than it claims
	// fails here, after allocating no more than it delivered.
	out := make([]float32, 0, min(s.size, 1<<20))
	buf := make([]byte, 1<<16/es*es)
	for len(out) < s.size {
		n := min(len(buf), (s.size-len(out))*es)
		if _, err := io.ReadFull(f, buf[:n]); err != nil {
			return nil, fmt.Errorf("storage %s: %v after %d of %d values", s.entry.Name, err, len(out), s.size)
		}
		for b := buf[:n]; len(b) > 0; b = b[es:] {
			var v float32
			switch s.dtype {
			case "Float":
				v = math.Float32frombits(binary.LittleEndian.Uint32(b))
			case "Half":
				v = math.Float32frombits(pytorch.FloatBits16to32(binary.LittleEndian.Uint16(b)))
			case "BFloat16":
				v = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
			case "Double":
				v = float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
			}
			out = append(out, v)
		}
	}
	s.data = out
	return out, nil
}

// ckptTensor is one state_dict entry: its name and shape, and where its
// values are (read them with values).
type ckptTensor struct {
	name          string
	shape, stride []int
	offset        int
	storage       *ckptStorage
}

// values gathers the tensor, possibly strided, into C order as float32,
// reading its storage (within *budget values, see read) if it was not
// read yet.
func (t ckptTensor) values(budget *int) ([]float32, error) {
	if len(t.stride) != len(t.shape) {
		return nil, fmt.Errorf("%d strides for %d dims", len(t.stride), len(t.shape))
	}
	count := 1
	for i, d := range t.shape {
		if d < 0 || t.stride[i] < 0 || (d > 0 && count > nn.MaxFloats/d) {
			return nil, fmt.Errorf("bad size %v stride %v", t.shape, t.stride)
		}
		count *= d
	}
	// The last element must be inside the storage (checked before reading it).
	last := t.offset
	for i, d := range t.shape {
		if d > 0 {
			if t.stride[i] > (math.MaxInt32-last)/d {
				return nil, fmt.Errorf("size %v stride %v offset %d out of range", t.shape, t.stride, t.offset)
			}
			last += (d - 1) * t.stride[i]
		}
	}
	if t.offset < 0 || (count > 0 && last >= t.storage.size) {
		return nil, fmt.Errorf("size %v stride %v offset %d runs past its storage of %d", t.shape, t.stride, t.offset, t.storage.size)
	}
	src, err := t.storage.read(budget)
	if err != nil {
		return nil, err
	}
	out := make([]float32, count)
	idx := make([]int, len(t.shape))
	for k := range out {
		off := t.offset
		for i, v := range idx {
			off += v * t.stride[i]
		}
		out[k] = src[off]
		for i := len(idx) - 1; i >= 0; i-- { // next index, C order
			idx[i]++
			if idx[i] < t.shape[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out, nil
}

// checkpoint is an open zip checkpoint; close it when done.
type checkpoint struct {
	zr      *zip.ReadCloser
	tensors []ckptTensor
}

func (c *checkpoint) Close() error { return c.zr.Close() }

var errNotZip = errors.New("not a PyTorch checkpoint in zip format (torch.save writes one since PyTorch 1.6; re-save older files with torch.save(state_dict, path))")

// loadCheckpoint opens a torch.save(model.state_dict()) file and returns
// its tensors in order, without reading their values. A dict holding the
// state_dict under "state_dict", "model" or "model_state_dict" is accepted
// too, and a "module." prefix (DataParallel) is removed.
func loadCheckpoint(file string) (*checkpoint, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s: %w", file, errNotZip)
		}
		return nil, err
	}
	c := &checkpoint{zr: zr}
	if err := c.load(); err != nil {
		zr.Close()
		return nil, fmt.Errorf("%s: not a PyTorch checkpoint this program reads: %w", file, err)
	}
	return c, nil
}

func (c *checkpoint) load() error {
	var pkl *zip.File
	byName := make(map[string]*zip.File, len(c.zr.File))
	for _, f := range c.zr.File {
		byName[f.Name] = f
		if path.Base(f.Name) == "data.pkl" && pkl == nil {
			pkl = f
		}
		if path.Base(f.Name) == "constants.pkl" {
			return errors.New("a TorchScript archive, not a state_dict")
		}
	}
	if pkl == nil {
		return errors.New("no data.pkl in the zip")
	}
	if pkl.UncompressedSize64 > maxPickle {
		return fmt.Errorf("data.pkl is %d bytes, more than the %d a state_dict takes", pkl.UncompressedSize64, maxPickle)
	}
	r, err := pkl.Open()
	if err != nil {
		return err
	}
	prog, err := io.ReadAll(io.LimitReader(r, maxPickle+1))
	r.Close()
	if err != nil {
		return fmt.Errorf("data.pkl: %v", err)
	}
	if len(prog) > maxPickle {
		return fmt.Errorf("data.pkl is more than %d bytes", maxPickle)
	}
	if err := scanPickle(prog); err != nil {
		return fmt.Errorf("data.pkl: %v", err)
	}
	dir := path.Dir(pkl.Name)
	storages := map[string]*ckptStorage{}
	u := pickle.NewUnpickler(bytes.NewReader(prog))
	u.FindClass = findClass
	u.PersistentLoad = func(id any) (any, error) {
		// ('storage', torch.FloatStorage, key, location, numel)
		t, ok := id.(*types.Tuple)
		if !ok || t.Len() != 5 || t.Get(0) != "storage" {
			return nil, fmt.Errorf("unexpected persistent id %v", id)
		}
		cls, ok1 := t.Get(1).(storageClass)
		key, ok2 := t.Get(2).(string)
		size, ok3 := t.Get(4).(int)
		if !ok1 || !ok2 || !ok3 || size < 0 {
			return nil, fmt.Errorf("unexpected storage %v", id)
		}
		if s, ok := storages[key]; ok {
			if s.dtype != string(cls) || s.size != size {
				return nil, fmt.Errorf("storage %q described twice differently", key)
			}
			return s, nil
		}
		entry := byName[dir+"/data/"+key]
		if entry == nil {
			return nil, fmt.Errorf("storage %q has no zip entry %s/data/%s", key, dir, key)
		}
		s := &ckptStorage{dtype: string(cls), size: size, entry: entry}
		storages[key] = s
		return s, nil
	}
	obj, err := unpickle(&u)
	if err != nil {
		return err
	}
	entries, ok := dictEntries(obj)
	if !ok {
		return fmt.Errorf("holds a %T, want a state_dict (torch.save(model.state_dict(), path))", obj)
	}
	for _, key := range []string{"state_dict", "model", "model_state_dict"} {
		for _, kv := range entries {
			if k, _ := kv[0].(string); k == key {
				if inner, ok := dictEntries(kv[1]); ok {
					entries = inner
				}
			}
		}
	}
	for _, kv := range entries {
		name, ok := kv[0].(string)
		if !ok {
			return fmt.Errorf("a key is a %T, not a string", kv[0])
		}
		t, ok := kv[1].(*ckptTensor)
		if !ok {
			return fmt.Errorf("%s is a %T, not a tensor", name, kv[1])
		}
		t.name = strings.TrimPrefix(name, "module.")
		c.tensors = append(c.tensors, *t)
	}
	if len(c.tensors) == 0 {
		return errors.New("no tensors")
	}
	return nil
}

// unpickle runs the pickle machine with its panics (a bug of gopickle on
// odd input) turned into errors.
func unpickle(u *pickle.Unpickler) (obj any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unpickling failed: %v", r)
		}
	}()
	return u.Load()
}

// storageClass is a torch.<Type>Storage named by the pickle: Type.
type storageClass string

// rebuildTensor is torch._utils._rebuild_tensor_v2(storage, offset, size,
// stride, requires_grad, backward_hooks[, metadata]): it makes a tensor
// that refers to its storage, reading nothing.
type rebuildTensor struct{}

func (rebuildTensor) Call(args ...any) (any, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments", len(args))
	}
	s, ok1 := args[0].(*ckptStorage)
	off, ok2 := args[1].(int)
	size, ok3 := args[2].(*types.Tuple)
	stride, ok4 := args[3].(*types.Tuple)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 arguments %T %T %T %T", args[0], args[1], args[2], args[3])
	}
	t := &ckptTensor{storage: s, offset: off}
	for _, p := range []struct {
		dst *[]int
		src *types.Tuple
	}{{&t.shape, size}, {&t.stride, stride}} {
		if p.src.Len() > 8 {
			return nil, fmt.Errorf("a tensor of %d dims", p.src.Len())
		}
		for i := range p.src.Len() {
			v, ok := p.src.Get(i).(int)
			if !ok {
				return nil, fmt.Errorf("size or stride %v is not integers", p.src)
			}
			*p.dst = append(*p.dst, v)
		}
	}
	return t, nil
}

// findClass resolves the classes a pickle names. A state_dict needs only
// these; any other (os.system, builtins.eval, ...) is refused, so nothing
// the file names is ever run. (gopickle itself maps
// collections.OrderedDict to its own type before asking.)
func findClass(module, name string) (any, error) {
	switch {
	case module == "torch._utils" && name == "_rebuild_tensor_v2":
		return rebuildTensor{}, nil
	case module == "torch" && strings.HasSuffix(name, "Storage") && len(name) > len("Storage") && len(name) < 32:
		return storageClass(strings.TrimSuffix(name, "Storage")), nil
	}
	return nil, fmt.Errorf("refusing to load %s.%s: a state_dict holds only tensors", module, name)
}

// dictEntries returns the (key, value) pairs of an OrderedDict or Dict, in order.
func dictEntries(obj any) ([][2]any, bool) {
	var out [][2]any
	switch d := obj.(type) {
	case *types.OrderedDict:
		for el := d.List.Front(); el != nil; el = el.Next() {
			en := el.Value.(*types.OrderedDictEntry)
			out = append(out, [2]any{en.Key, en.Value})
		}
	case *types.Dict:
		for _, en := range *d {
			out = append(out, [2]any{en.Key, en.Value})
		}
	default:
		return nil, false
	}
	return out, true
}

// scanPickle walks the opcodes of a pickle and checks that every length an
// opcode claims (strings, bytes, big integers, frames) fits in the bytes
// that follow, and that every opcode is known, without building anything:
// gopickle allocates a claimed length before reading it.
func scanPickle(p []byte) error {
	for i := 0; i < len(p); {
		op := p[i]
		i++
		left := len(p) - i
		// n fixed argument bytes, then a length of lenBytes bytes (0: none).
		n, lenBytes := 0, 0
		switch op {
		case '.': // STOP
			return nil
		case '(', '0', '1', '2', 'N', 'Q', 'R', 'a', 'b', 'd', '}', 'e', 'l', ']', 'o', 's', 't', ')', 'u',
			0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x97, 0x98:
		case 0x80, 'K', 'h', 'q', 0x82: // PROTO, BININT1, BINGET, BINPUT, EXT1
			n = 1
		case 'M', 0x83: // BININT2, EXT2
			n = 2
		case 'J', 'j', 'r', 0x84: // BININT, LONG_BINGET, LONG_BINPUT, EXT4
			n = 4
		case 'G', 0x95: // BINFLOAT, FRAME (frames are checked as the stream they hold)
			n = 8
		case 'U', 'C', 0x8c, 0x8a: // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE, LONG1
			lenBytes = 1
		case 'T', 'X', 'B', 0x8b: // BINSTRING, BINUNICODE, BINBYTES, LONG4
			lenBytes = 4
		case 0x8d, 0x8e, 0x96: // BINUNICODE8, BINBYTES8, BYTEARRAY8
			lenBytes = 8
		case 'F', 'I', 'L', 'S', 'V', 'g', 'p', 'P': // one text line
			j := bytes.IndexByte(p[i:], '\n')
			if j < 0 {
				return fmt.Errorf("opcode %q at %d: no end of line", op, i-1)
			}
			i += j + 1
			continue
		case 'c', 'i': // GLOBAL, INST: two text lines
			for range 2 {
				j := bytes.IndexByte(p[i:], '\n')
				if j < 0 {
					return fmt.Errorf("opcode %q at %d: no end of line", op, i-1)
				}
				i += j + 1
			}
			continue
		default:
			return fmt.Errorf("unknown opcode 0x%02x at %d", op, i-1)
		}
		if lenBytes > 0 {
			if left < lenBytes {
				return fmt.Errorf("opcode 0x%02x at %d: truncated", op, i-1)
			}
			var l uint64
			switch lenBytes {
			case 1:
				l = uint64(p[i])
			case 4:
				l = uint64(binary.LittleEndian.Uint32(p[i:]))
			case 8:
				l = binary.LittleEndian.Uint64(p[i:])
			}
			if l > uint64(left-lenBytes) {
				return fmt.Errorf("opcode 0x%02x at %d claims %d bytes, %d follow", op, i-1, l, left-lenBytes)
			}
			n = lenBytes + int(l)
		}
		if n > left {
			return fmt.Errorf("opcode 0x%02x at %d: truncated", op, i-1)
		}
		if op == 0x95 && binary.LittleEndian.Uint64(p[i:]) > uint64(left-8) {
			return fmt.Errorf("frame at %d claims %d bytes, %d follow", i-1, binary.LittleEndian.Uint64(p[i:]), left-8)
		}
		i += n
	}
	return errors.New("no STOP opcode")
}

// Package weights reads and writes a whole AlexNet model as one file: the
// architecture, the class labels, the preprocessing the model expects, its
// calibration and its tensors, int8- or int4-quantised or float.
//
// The format is modelled on GGUF: a magic and a version, a header that says
// everything needed to run the model, a tensor table of name, type, dims and
// offset, aligned tensor data, and a checksum. Decode rejects anything odd
// with one of the error values of errors.go, wrapped with context; it never
// panics, and it never allocates before checking that the file holds the
// bytes the allocation stands for (see "Memory" below).
//
// # Encoding
//
// All integers and floats are little-endian. i32 and u32 are 4 bytes, u64
// 8 bytes, f32 an IEEE 754 binary32, u8 one byte. A string is a u32 byte
// length (at most MaxString) followed by that many bytes of valid UTF-8.
//
// # Layout, field by field
//
//	magic        [4]byte  "ALXN"
//	version      u32      1 or 2 (Version). Changes only when the layout changes;
//	                      Encode writes 1 unless a layer has a from list.
//	file size    u64      length of the whole file in bytes, checksum included
//	model name   string   free text ("flowers-seed-int8")
//
//	architecture (an nn.Arch):
//	  name         string   "seed", "torchvision", "paper" or anything
//	  inC inH inW  i32 ×3   input tensor (C,H,W)
//	  layer count  u32      1..nn.MaxLayers
//	  layers       count × layer record:
//	    op           string  an nn.Op: "conv", "relu", "maxpool", "lrn",
//	                         "adaptiveavgpool", "flatten", "linear", "dropout",
//	                         "globalpool", "l2norm"
//	    name         string  state_dict prefix ("features.0"), may be empty
//	    inC outC kernel stride pad groups   i32 ×6   (nn.Layer fields)
//	    ceil mode    u8      0 or 1
//	    size         i32     LRN window
//	    alpha beta k f32 ×3  LRN constants, as torch.nn.LocalResponseNorm
//	    outH outW    i32 ×2  adaptive pool output
//	    in out       i32 ×2  linear features
//	    version 2 only:
//	    from count   u32     0..nn.MaxLayers; more than 0 only for "globalpool"
//	    from         count × i32  the earlier layers a "globalpool" pools (nn.Layer.From)
//
//	labels:
//	  count        u32      must equal the number of classes of the architecture
//	  labels       count × string
//
//	preprocess (a Preprocess):
//	  resize cropH cropW  i32 ×3  cropH×cropW must equal the arch input inH×inW;
//	                              resize 0 (squash) or >= max(cropH, cropW)
//	  mean         f32 ×3   per RGB channel, on pixel/255
//	  std          f32 ×3   > 0
//
//	calibration (a Calibration):
//	  temperature  f32      > 0; 1 means uncalibrated
//	  threshold    f32      0..1; a top probability below it is "not sure"
//
//	tensor table:
//	  count        u32
//	  tensors      count × tensor record:
//	    name         string  a state_dict key of the architecture (nn.Arch.Params)
//	    dtype        u8      0 F32, 1 F16, 2 Q8, 3 Q4
//	    ndim         u8      1..4
//	    dims         ndim × u32, PyTorch order (OutC, InC/groups, KH, KW)
//	    offset       u64     from the start of the data section; multiple of Align
//
//	zero padding up to the next multiple of Align from the start of the file
//
//	data section: each tensor's bytes at its offset, zero padding between them.
//	  F32: n × f32
//	  F16: n × u16, IEEE 754 binary16
//	  Q8:  dims[0] × f32 scales, then n × i8 values, row-major; element j of
//	       row r is value[r*rowLen+j] * scale[r] (symmetric, one scale per output
//	       channel, values in -127..127)
//	  Q4:  rows × groups f32 scales (row-major), then rows × rowBytes packed
//	       4-bit values, where rows = dims[0], rowLen = n/rows,
//	       groups = ceil(rowLen/64) (Q4Group = 64 values per scale; a row's
//	       last group may be shorter) and rowBytes = 16 × ceil(rowLen/32):
//	       each row is its own run of 16-byte blocks of 32 values. Byte j of
//	       block b of a row holds value 32b+j in its low nibble (bits 0-3)
//	       and value 32b+16+j in its high nibble (ggml's Q4_0 order); a
//	       nibble holds q+8 for q in -7..7 (so 1..15; 0, i.e. -8, is
//	       invalid), and the nibbles past rowLen in the last block are 0.
//	       Value i of row r is q * scale[r*groups + i/64] (symmetric, one
//	       scale per 64 consecutive values of a row).
//	  where n is the product of dims. The first tensor is at offset 0, each
//	  next one at the end of the previous one rounded up to Align.
//
//	checksum     u32      CRC-32C (Castagnoli) of every byte before it
//
// The file ends right after the checksum, which directly follows the last
// tensor. The tensor table must name every parameter of the architecture
// exactly once, with the shape nn.Arch.Params gives it; Encode writes them in
// that order.
//
// # What Decode checks, in order
//
//  1. magic (ErrMagic; a prefix of it is ErrTruncated), version (ErrVersion;
//     0 or above MaxPlausibleVersion is ErrMagic: not a weight file at all),
//     the file size field against the real length (ErrTruncated, ErrTrailing),
//     the checksum (ErrChecksum);
//  2. each header field, never reading past the end (ErrTruncated), strings
//     and flags (ErrFormat), counts against the bytes left (ErrTooLarge);
//  3. the architecture with nn.Arch.Shapes (ErrArch), labels (ErrLabels),
//     preprocess (ErrPreprocess), calibration (ErrCalib);
//  4. each tensor record: type (ErrDType), dims (ErrShape, ErrTooLarge), name
//     (ErrName, ErrDuplicate), shape against the architecture (ErrShape),
//     offset and padding (ErrOffset), data inside the file (ErrTruncated);
//     then missing tensors (ErrMissing) and the end of the data (ErrTrailing);
//  5. the cost of running the model against the limits below (ErrCost),
//     from the header and the tensor table, before any tensor data is read;
//  6. values: float weights and scales must be finite, scales >= 0; Q4
//     nibbles 1..15 for values and 0 for padding (ErrValue).
//
// Strings (names, labels) must be valid UTF-8 without control characters:
// no C0 or C1 control (newline, tab, the ESC of ANSI sequences) and no
// bidirectional embedding, override or isolate (U+202A-U+202E,
// U+2066-U+2069) (ErrControl), so that they print as one plain run of text.
//
// # Limits
//
// Besides the size of each field (MaxString, MaxNDim, nn.MaxLayers,
// nn.MaxDim, nn.MaxFloats for any one tensor or activation), the whole
// model is bounded by what running it takes (Model.Cost):
//
//   - MaxMemory (1 GiB): the tensors as decoded, every buffer the engine
//     allocates (nn.Arch.Cost: input, activations, padded inputs, conv
//     weights packed for the kernels, scratch, an upper bound over the
//     kernel paths), the input tensor and preprocessing's images (the
//     resized image counted at Resize x nn.MaxDim pixels, its largest).
//   - MaxFLOPs (10 GFLOP) for one forward pass: 2 per multiply-add of conv
//     and linear layers; LRN 2 per channel of its window plus 8 (beta 0.75)
//     or 320 (any other beta: math32.Pow) per value; pooling and ReLU by
//     the operations of their loops (nn.Cost), weighted so that a FLOP
//     takes about as long whatever the op.
//
// Real models are far inside: torchvision's AlexNet in float32 with 1000
// classes needs 346 MB and 1.43 GFLOP, the paper's 343 MB and 1.46 GFLOP,
// the seed's 116 MB (float32) and 0.62 GFLOP, a head taught on
// torchvision's features 110 MB and 1.31 GFLOP (`go test ./weights -run
// TestCostAdmitsRealModels -v` prints them). A small file asking for a 1
// GiB activation, a 9000x9000 input or stacked LRN layers is refused.
//
// Version 1 files from before Q4 existed decode exactly as before: Q4 is a
// new dtype only, and a reader that predates it rejects such a file with
// its ErrDType ("unknown tensor type") rather than misreading it.
//
// # Version 2: taught models
//
// A model taught on top of a base network (package teach) ends with the
// mean and max of every channel of several earlier layers, concatenated
// ("globalpool", torch.cat([x.mean((2,3)), x.amax((2,3))], 1) over the
// layers of its from list, in order), scaled to unit length ("l2norm",
// torch.nn.functional.normalize(x, dim=1)), and a "linear" layer. A layer
// reading layers other than the previous one needs the from list, which
// version 2 adds at the end of every layer record. Encode writes version 1
// whenever no layer has a from list, so every model version 1 can hold is
// written byte for byte as before (weights_test.go's seed files check it);
// Decode reads both, and a reader that predates version 2 rejects a taught
// model with ErrVersion instead of misreading it. The "l2norm" op needs no
// new field: it is an op name only, like Q4 a dtype only.
//
// # Memory
//
// Every count is checked against the bytes left before a slice of that count
// is made, and tensor data is checked to lie inside the file before it is
// converted, so Decode allocates at most about twice the file size (an F16
// tensor is widened to float32; Q8 and Q4 data are copied as they are) plus
// a small constant.
package weights

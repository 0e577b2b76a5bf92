"""Read a weight file written by `alexnet convert` (the format of weights/doc.go)
into a PyTorch state_dict, so PyTorch can run exactly the shipped model.

Only what PyTorch needs is parsed: the header fields are read in order and the
tensors dequantised (int8 and int4 -> value * scale). The Go decoder is the
validating one; this reader checks only the magic, version and size.
"""
import struct

import numpy as np
import torch

ALIGN = 32


class Reader:
    def __init__(self, b):
        self.b, self.p = b, 0

    def take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.b, self.p)
        self.p += struct.calcsize("<" + fmt)
        return v if len(v) > 1 else v[0]

    def string(self):
        n = self.take("I")
        s = self.b[self.p:self.p + n].decode()
        self.p += n
        return s


def q4(b, p, dims):
    """Q4: per row, ceil(n/64) float32 scales (all rows' scales first), then
    16-byte blocks of 32 values: value 32k+j in the low nibble of byte j of
    block k, value 32k+16+j in its high nibble; a nibble holds q+8."""
    rows = dims[0]
    n = int(np.prod(dims[1:]))
    groups, blocks = -(-n // 64), -(-n // 32)
    scale = np.frombuffer(b, "<f4", rows * groups, p).reshape(rows, groups)
    packed = np.frombuffer(b, np.uint8, rows * blocks * 16, p + 4 * rows * groups).reshape(rows, blocks, 16)
    q = np.concatenate([packed & 15, packed >> 4], axis=2).astype(np.float32) - 8  # (rows, blocks, 32)
    q = q.reshape(rows, blocks * 32)[:, :n]
    return (q * np.repeat(scale, 64, axis=1)[:, :n]).reshape(-1)


def load(path):
    """Returns (meta, state_dict). meta has name, arch, labels, preprocess, calibration."""
    b = open(path, "rb").read()
    r = Reader(b)
    if b[:4] != b"ALXN":
        raise ValueError(f"{path}: not an alexnet weight file")
    r.p = 4
    version, size = r.take("I"), r.take("Q")
    if version != 1 or size != len(b):
        raise ValueError(f"{path}: version {version}, size {size} of {len(b)} bytes")
    meta = {"name": r.string()}
    arch = {"name": r.string(), "input": r.take("3i"), "layers": []}
    for _ in range(r.take("I")):
        op, name = r.string(), r.string()
        conv = r.take("6i")
        ceil = r.take("B")
        size_, alpha, beta, k = r.take("i"), *r.take("3f")
        outhw, inout = r.take("2i"), r.take("2i")
        arch["layers"].append({"op": op, "name": name, "conv": conv, "ceil": ceil,
                               "lrn": (size_, alpha, beta, k), "out_hw": outhw, "in_out": inout})
    meta["arch"] = arch
    meta["labels"] = [r.string() for _ in range(r.take("I"))]
    resize, ch, cw = r.take("3i")
    meta["preprocess"] = {"resize": resize, "crop": (ch, cw), "mean": r.take("3f"), "std": r.take("3f")}
    t, th = r.take("2f")
    meta["calibration"] = {"temperature": t, "threshold": th}
    table = []
    for _ in range(r.take("I")):
        name, dtype, ndim = r.string(), r.take("B"), r.take("B")
        dims = [r.take("I") for _ in range(ndim)]
        table.append((name, dtype, dims, r.take("Q")))
    data = (r.p + ALIGN - 1) // ALIGN * ALIGN
    sd = {}
    for name, dtype, dims, off in table:
        n, p = int(np.prod(dims)), data + off
        if dtype == 0:
            a = np.frombuffer(b, "<f4", n, p)
        elif dtype == 1:
            a = np.frombuffer(b, "<f2", n, p).astype(np.float32)
        elif dtype == 2:
            scale = np.frombuffer(b, "<f4", dims[0], p)
            q = np.frombuffer(b, np.int8, n, p + 4 * dims[0]).astype(np.float32)
            a = (q.reshape(dims[0], -1) * scale[:, None]).reshape(-1)
        elif dtype == 3:
            a = q4(b, p, dims)
        else:
            raise ValueError(f"{path}: tensor {name}: unknown dtype {dtype}")
        sd[name] = torch.from_numpy(a.reshape(dims).copy())
    return meta, sd

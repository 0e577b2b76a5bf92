"""What the PyTorch fixture scripts share: the file format, the layer table
and the tiny networks built from it.

Imported by nn/testdata/golden.py and explain/testdata/gradcam.py (which
puts this directory on sys.path). A fixture is two files:

  NAME.json  the index: a "tensors" table giving each tensor's offset (in
             floats) and shape, and the script's own lists (cases, ops...);
  NAME.bin   every tensor, float32 little-endian, concatenated.

Layers are nn.Arch layers as dicts with the Go field names ("Op", "InC",
...), so Go unmarshals them directly; module() makes the PyTorch module of
one. Nothing here draws random numbers at import: each script seeds torch
itself.
"""
import json
import os

import torch
import torch.nn as tnn


class Fixture:
    """The tensors of one fixture and its index; identical tensors (a shared
    input, the biases of a quantised twin, Flatten/Dropout outputs) are
    stored once."""

    def __init__(self, *lists):
        self.index = {"tensors": {}}
        for k in lists:
            self.index[k] = []
        self.tensors = []
        self.offset = 0  # floats stored so far
        self.stored = {}  # data bytes -> offset

    def put(self, name, t):
        """Stores t (a tensor or anything torch.as_tensor takes) as name; returns name."""
        t = torch.as_tensor(t).detach().to(torch.float32).contiguous().clone()  # clone: m.weight is overwritten later
        key = t.numpy().tobytes()
        if key not in self.stored:
            self.stored[key] = self.offset
            self.tensors.append(t.reshape(-1))
            self.offset += t.numel()
        self.index["tensors"][name] = {"offset": self.stored[key], "shape": list(t.shape)}
        return name

    def write(self, out, name):
        """Writes out/NAME.bin and out/NAME.json."""
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(torch.cat(self.tensors).numpy().astype("<f4").tobytes())
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(self.index, f, indent=1, sort_keys=True)
            f.write("\n")


def L(op, **kw):
    d = {"Op": op}
    d.update(kw)
    return d


def conv(name, i, o, k, s, p, g=1):
    return L("conv", Name=name, InC=i, OutC=o, Kernel=k, Stride=s, Pad=p, Groups=g)


def relu():
    return L("relu")


def maxpool(k, s, p=0, ceil=False):
    return L("maxpool", Kernel=k, Stride=s, Pad=p, CeilMode=ceil)


def lrn(size=5, alpha=1e-4, beta=0.75, k=1.0):
    return L("lrn", Size=size, Alpha=alpha, Beta=beta, K=k)


def linear(name, i, o):
    return L("linear", Name=name, In=i, Out=o)


def module(l):
    """The PyTorch module of layer l."""
    op = l["Op"]
    if op == "conv":
        return tnn.Conv2d(l["InC"], l["OutC"], l["Kernel"], l["Stride"], l["Pad"], groups=l.get("Groups", 1))
    if op == "relu":
        return tnn.ReLU()
    if op == "maxpool":
        return tnn.MaxPool2d(l["Kernel"], l["Stride"], l.get("Pad", 0), ceil_mode=l.get("CeilMode", False))
    if op == "lrn":
        return tnn.LocalResponseNorm(l["Size"], l["Alpha"], l["Beta"], l["K"])
    if op == "adaptiveavgpool":
        return tnn.AdaptiveAvgPool2d((l["OutH"], l["OutW"]))
    if op == "flatten":
        return tnn.Flatten(1)
    if op == "linear":
        return tnn.Linear(l["In"], l["Out"])
    if op == "dropout":
        return tnn.Dropout()
    raise ValueError(op)


def random_net(layers):
    """The modules of layers, with variance-preserving weights (normal,
    std sqrt(2/fan_in)) and non-trivial biases (uniform in [-0.2, 0.2]), so
    that activations neither vanish nor blow up through the layers."""
    mods = [module(l) for l in layers]
    for l, m in zip(layers, mods):
        if l["Op"] in ("conv", "linear"):
            tnn.init.normal_(m.weight, 0.0, (2.0 / m.weight[0].numel()) ** 0.5)
            tnn.init.uniform_(m.bias, -0.2, 0.2)
    return mods


def quantize_rows(w, qmax):
    """Symmetric per output row of w (rows = dim 0), scale = max|row|/qmax,
    round half to even: (q as float, scale)."""
    rows = w.reshape(w.shape[0], -1)
    scale = rows.abs().amax(dim=1) / qmax
    scale[scale == 0] = 1
    q = torch.round(rows / scale[:, None]).clamp(-qmax, qmax)
    return q.reshape(w.shape), scale


def dequant_rows(q, scale):
    """q * scale, one scale per row (dim 0)."""
    return q * scale.reshape(-1, *([1] * (q.dim() - 1)))

#!/usr/bin/python3
"""Writes the PyTorch golden fixtures the nn tests compare against.

    /usr/bin/python3 nn/testdata/golden.py [OUTDIR]     (default: this directory)

(or `go test ./nn -run Golden -update`). Output (the format is fixture.py's,
shared with explain/testdata/gradcam.py):

  golden.json  the index: a list of cases, each a whole network given as an
               nn.Arch (Go field names, so Go unmarshals it directly), its
               parameters, its input and the output of every layer;
  golden.bin   every tensor, float32 little-endian, concatenated; the index
               gives each tensor's offset (in floats) and shape.

Per-op cases are one-layer networks (odd sizes, padding, strides, groups,
ceil mode, LRN, adaptive pooling); the net cases are small random networks
laid out like the seed, torchvision and paper AlexNets (the real state_dict
key names, reduced widths and input sizes so the files stay small). Each net
case also has an int8 twin: weights quantised per output row (symmetric,
scale = max|row|/127, round half to even), the int8 values and scales stored
in the fixture, and PyTorch's outputs computed with the dequantised weights.
Deterministic: fixed seeds, one thread.
"""
import os
import sys

import torch

sys.dont_write_bytecode = True  # importing fixture.py leaves no __pycache__ in the tree
from fixture import Fixture, L, conv, dequant_rows, linear, lrn, maxpool, quantize_rows, random_net, relu  # noqa: E402

torch.manual_seed(20240601)
torch.set_num_threads(1)

fx = Fixture("cases")
put = fx.put


def case(name, arch, x_scale=1.0, x_shift=0.0, quant=False):
    layers = arch["Layers"]
    mods = random_net(layers)
    seq = torch.nn.Sequential(*mods).eval()
    x = torch.randn(1, arch["InC"], arch["InH"], arch["InW"]) * x_scale + x_shift
    variants = [("f32", False)] + ([("q8", True)] if quant else [])
    for tag, q in variants:
        params = {}
        with torch.no_grad():
            for l, m in zip(layers, mods):
                if l["Op"] not in ("conv", "linear"):
                    continue
                if q:
                    qw, s = quantize_rows(m.weight, 127)
                    params[l["Name"] + ".weight"] = {"q8": put(f"{name}.{tag}.{l['Name']}.weight.q8", qw),
                                                     "scale": put(f"{name}.{tag}.{l['Name']}.weight.scale", s)}
                    m.weight.copy_(dequant_rows(qw, s))
                else:
                    params[l["Name"] + ".weight"] = {"f32": put(f"{name}.{tag}.{l['Name']}.weight", m.weight)}
                params[l["Name"] + ".bias"] = {"f32": put(f"{name}.{tag}.{l['Name']}.bias", m.bias)}
            outs = []
            h = x
            for i, m in enumerate(seq):
                h = m(h)
                outs.append(put(f"{name}.{tag}.out{i}", h[0]))
        fx.index["cases"].append({"name": f"{name}/{tag}", "quant": q, "arch": arch, "params": params,
                               "input": put(f"{name}.{tag}.input", x[0]), "outputs": outs})


def one(name, layer, c, h, w, **kw):
    a = {"Name": name, "InC": c, "InH": h, "InW": w, "Layers": [layer]}
    if layer["Op"] == "linear":
        a["Layers"] = [L("flatten"), layer]
    case(name, a, **kw)


# Per-op cases: odd sizes, every padding/stride/group combination AlexNet
# uses, and the corners (pad > k/2, 1x1 kernels, output channels below the
# GEMM tile).
one("conv-3x3-s1-p1", conv("op", 3, 5, 3, 1, 1), 3, 13, 11)
one("conv-5x5-s2-p2", conv("op", 4, 6, 5, 2, 2), 4, 17, 19)
one("conv-11x11-s4-p2", conv("op", 3, 7, 11, 4, 2), 3, 23, 20)
one("conv-11x11-s4-p0", conv("op", 3, 9, 11, 4, 0), 3, 21, 21)
one("conv-g2", conv("op", 6, 10, 3, 1, 1, 2), 6, 9, 10)
one("conv-g3-s2", conv("op", 6, 9, 3, 2, 0, 3), 6, 8, 7)
one("conv-1x1", conv("op", 5, 13, 1, 1, 0), 5, 7, 6)
one("conv-pad-gt-half", conv("op", 2, 3, 3, 1, 2), 2, 5, 6)
one("conv-wide", conv("op", 20, 33, 3, 1, 1), 20, 15, 15)
one("conv-g2-k5", conv("op", 8, 12, 5, 1, 2, 2), 8, 11, 9)
one("relu", relu(), 3, 5, 7)
one("maxpool-3-2", maxpool(3, 2), 3, 13, 13)
one("maxpool-3-2-ceil", maxpool(3, 2, 0, True), 3, 14, 15)
one("maxpool-3-2-p1", maxpool(3, 2, 1), 2, 9, 10, x_shift=-5.0)  # all negative: padding must be -inf, not 0
one("maxpool-2-2-ceil", maxpool(2, 2, 0, True), 2, 7, 7)
one("maxpool-3-1-p1", maxpool(3, 1, 1), 2, 6, 5, x_shift=-5.0)
one("maxpool-3-3-p1-ceil", maxpool(3, 3, 1, True), 2, 11, 11)  # ceil window dropped: it would start in the padding
one("lrn-5", lrn(), 7, 5, 6, x_scale=3.0)
one("lrn-5-strong", lrn(5, 1.0, 0.75, 1.0), 7, 4, 3, x_scale=3.0)
one("lrn-3", lrn(3, 0.5, 0.6, 2.0), 4, 5, 5, x_scale=3.0)
one("lrn-4-even", lrn(4, 1.0, 1.0, 1.0), 6, 3, 4, x_scale=3.0)
one("lrn-1", lrn(1, 0.3, 0.5, 1.5), 3, 3, 3, x_scale=3.0)
one("adaptive-13-6", L("adaptiveavgpool", OutH=6, OutW=6), 3, 13, 13)
one("adaptive-up-5x7-6", L("adaptiveavgpool", OutH=6, OutW=6), 2, 5, 7)
one("adaptive-11x9-3x4", L("adaptiveavgpool", OutH=3, OutW=4), 2, 11, 9)
one("adaptive-same", L("adaptiveavgpool", OutH=6, OutW=6), 2, 6, 6)
one("adaptive-1x1-2x3", L("adaptiveavgpool", OutH=2, OutW=3), 2, 1, 1)
one("linear-37-11", linear("op", 37, 11), 37, 1, 1)
one("linear-1-3", linear("op", 1, 3), 1, 1, 1)
one("linear-100-1", linear("op", 100, 1), 100, 1, 1)
one("linear-q8", linear("op", 45, 9), 45, 1, 1, quant=True)
one("conv-q8", conv("op", 5, 7, 3, 1, 1), 5, 9, 8, quant=True)

D = L("dropout")
F = L("flatten")

# Seed layout (alexnet-seed model.py): 11/4/2 conv, 3/2 pools, 2048-wide FC in
# the original; here widths 8-20-24-24-16, 40-wide FC, 95x95 input.
case("seed", {"Name": "seed-small", "InC": 3, "InH": 95, "InW": 95, "Layers": [
    conv("features.0", 3, 8, 11, 4, 2), relu(), maxpool(3, 2),
    conv("features.3", 8, 20, 5, 1, 2), relu(), maxpool(3, 2),
    conv("features.6", 20, 24, 3, 1, 1), relu(),
    conv("features.8", 24, 24, 3, 1, 1), relu(),
    conv("features.10", 24, 16, 3, 1, 1), relu(), maxpool(3, 2),
    F, D, linear("classifier.1", 16 * 2 * 2, 40), relu(),
    D, linear("classifier.4", 40, 40), relu(),
    linear("classifier.6", 40, 5)]}, quant=True)

# torchvision.models.alexnet layout, with AdaptiveAvgPool2d((6,6)) upsampling
# the 2x2 map of a 95x95 input as torchvision does for small inputs.
case("torchvision", {"Name": "torchvision-small", "InC": 3, "InH": 95, "InW": 95, "Layers": [
    conv("features.0", 3, 12, 11, 4, 2), relu(), maxpool(3, 2),
    conv("features.3", 12, 24, 5, 1, 2), relu(), maxpool(3, 2),
    conv("features.6", 24, 32, 3, 1, 1), relu(),
    conv("features.8", 32, 16, 3, 1, 1), relu(),
    conv("features.10", 16, 16, 3, 1, 1), relu(), maxpool(3, 2),
    L("adaptiveavgpool", OutH=6, OutW=6),
    F, D, linear("classifier.1", 16 * 6 * 6, 32), relu(),
    D, linear("classifier.4", 32, 32), relu(),
    linear("classifier.6", 32, 7)]}, quant=True)

# The paper's (Caffe bvlc_alexnet) layout: LRN after conv1 and conv2, two
# groups in conv2, conv4, conv5, unpadded conv1; 95x95 input.
case("paper", {"Name": "paper-small", "InC": 3, "InH": 95, "InW": 95, "Layers": [
    conv("features.0", 3, 12, 11, 4, 0), relu(), lrn(), maxpool(3, 2),
    conv("features.4", 12, 24, 5, 1, 2, 2), relu(), lrn(), maxpool(3, 2),
    conv("features.8", 24, 32, 3, 1, 1), relu(),
    conv("features.10", 32, 32, 3, 1, 1, 2), relu(),
    conv("features.12", 32, 24, 3, 1, 1, 2), relu(), maxpool(3, 2),
    F, D, linear("classifier.1", 24 * 1 * 1, 48), relu(),
    D, linear("classifier.4", 48, 48), relu(),
    linear("classifier.6", 48, 6)]}, quant=True)

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
fx.write(out, "golden")
print(f"wrote {len(fx.index['cases'])} cases, {fx.offset} floats ({4 * fx.offset} bytes) to {out}")

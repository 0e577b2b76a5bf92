#!/usr/bin/python3
"""Writes the PyTorch Grad-CAM fixtures the explain tests compare against.

    /usr/bin/python3 explain/testdata/gradcam.py [OUTDIR]   (default: this directory)

(or `go test ./explain -run Golden -update`). Grad-CAM is computed with
autograd, the reference the Go backward pass must match:

    A = output of the ReLU after the last conv (requires grad)
    logits = layers after it (A); logits[0, class].backward()
    w = A.grad.mean((h, w)); cam = relu(sum_k w[k] A[k])
    map = F.interpolate(cam, input size, bilinear, align_corners=False) / its max

Output (the format of nn/testdata/fixture.py, which also gives the layers):

  gradcam.json  the index: per-op cases (max pool backward with ties and
                overlapping windows, adaptive average pool backward), small
                random networks laid out like the seed, torchvision and paper
                AlexNets (LRN, groups), each in float32 and with the shipped
                model's mixed quantisation (int8 convs and last FC, int4
                hidden FCs, groups of 64), and the shipped model
                (weights/default/flowers.alexnet) on photo.png; each network
                case gives its input, and per class the logits, cam and the
                normalised map sampled every 7th pixel (the map itself is
                50k floats at 224x224: only the samples are stored), and
                occlusion sensitivity of the shipped model on photo.png
                (patch 56, stride 28: the drop per position);
  gradcam.bin   every tensor, float32 little-endian, concatenated;
  photo.png     a real photo (flower_photos, CC-BY 2.0, see its LICENSE.txt)
                resized and centre-cropped to 224x224 as the model's
                preprocessing does (PIL), stored losslessly so that Go and
                PyTorch see the same input.

The photo is read from $ALEXNET_SHARED/data/flower_photos, by default
../shared/data/flower_photos next to the repository (as internal/shared).
Deterministic: fixed seeds, one thread.
"""
import os
import sys

import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the tree
sys.path.insert(0, os.path.join(ROOT, "train"))
sys.path.insert(0, os.path.join(ROOT, "nn", "testdata"))
import alexnet_file  # noqa: E402  (the repository's reader of weight files)
from fixture import Fixture, L, conv, dequant_rows, linear, lrn, maxpool, module, quantize_rows, random_net, relu  # noqa: E402  (nn's fixture format and layers)

torch.manual_seed(20261130)
torch.set_num_threads(1)

PHOTO = "sunflowers/1022552002_2b93faf9e7_n.jpg"
SAMPLE = 7  # the stored map samples: pixels (7i, 7j)

fx = Fixture("ops", "cases", "occlusion")
put, index = fx.put, fx.index

D, FL = L("dropout"), L("flatten")
P = L("maxpool", Kernel=3, Stride=2, Pad=0)  # the networks' 3/2 pool (CeilMode false, left out of the index)


def forward(mods, x):
    """The network's output on x, without autograd."""
    with torch.no_grad():
        h = x
        for m in mods:
            h = m.eval()(h)
    return h


def cam_layer(layers):
    t = max(i for i, l in enumerate(layers) if l["Op"] == "conv")
    return t + 1 if layers[t + 1]["Op"] == "relu" else t


def gradcam(mods, t, x, cls):
    """(logits, cam (H,W), normalised map (InH,InW)) by autograd."""
    with torch.no_grad():
        a = x
        for m in mods[:t + 1]:
            a = m(a)
    a = a.detach().requires_grad_(True)
    h = a
    for m in mods[t + 1:]:
        h = m(h)
    h[0, cls].backward()
    w = a.grad[0].mean(dim=(1, 2))
    cam = torch.relu((w[:, None, None] * a[0].detach()).sum(0))
    up = F.interpolate(cam[None, None], size=x.shape[2:], mode="bilinear", align_corners=False)[0, 0]
    top = up.max()
    norm = up / top if top > 0 else torch.zeros_like(up)
    return h[0].detach(), cam, norm


def explain_case(name, layers, mods, params, x, classes):
    mods = [m.eval() for m in mods]
    t = cam_layer(layers)
    per = []
    for c in classes:
        logits, cam, norm = gradcam(mods, t, x, c)
        per.append({"class": c, "logits": put(f"{name}.c{c}.logits", logits), "cam": put(f"{name}.c{c}.cam", cam),
                    "samples": put(f"{name}.c{c}.samples", norm[::SAMPLE, ::SAMPLE])})
    return {"name": name, "camLayer": t, "params": params, "classes": per}


def quantize_rows(w, qmax):
    """Symmetric per row of w (rows = dim 0): (q, scale)."""
    rows = w.reshape(w.shape[0], -1)
    scale = rows.abs().amax(dim=1) / qmax
    scale[scale == 0] = 1
    q = torch.round(rows / scale[:, None]).clamp(-qmax, qmax)
    return q.reshape(w.shape), scale


def quantize_q4(w, group=64):
    """Symmetric int4 per group of 64 values of a row: (q (rows, n), scale (rows, groups))."""
    rows, n = w.shape[0], w[0].numel()
    w = w.reshape(rows, n)
    ng = -(-n // group)
    q, scale = torch.zeros(rows, n), torch.zeros(rows, ng)
    for g in range(ng):
        part = w[:, g * group:(g + 1) * group]
        s = part.abs().amax(dim=1) / 7
        s[s == 0] = 1
        q[:, g * group:(g + 1) * group] = torch.round(part / s[:, None]).clamp(-7, 7)
        scale[:, g] = s
    return q, scale


def net_case(name, arch, mixed):
    layers = arch["Layers"]
    mods = random_net(layers)
    # conv5's bias pushes about a third of its outputs below zero, so that
    # whole pooling windows are 0 after the ReLU: ties.
    last = max(i for i, l in enumerate(layers) if l["Op"] == "conv")
    with torch.no_grad():
        mods[last].bias.sub_(0.3)
    x = X
    linears = [l["Name"] for l in layers if l["Op"] == "linear"]
    for tag in ["f32", "mixed"] if mixed else ["f32"]:
        params = {}
        with torch.no_grad():
            for l, m in zip(layers, mods):
                if l["Op"] not in ("conv", "linear"):
                    continue
                key = f"{name}.{tag}.{l['Name']}"
                if tag == "f32":
                    params[l["Name"] + ".weight"] = {"f32": put(key + ".weight", m.weight)}
                elif l["Op"] == "linear" and l["Name"] != linears[-1]:
                    q, s = quantize_q4(m.weight)
                    params[l["Name"] + ".weight"] = {"q4": put(key + ".weight.q", q), "scale": put(key + ".weight.scale", s)}
                    m.weight.copy_(dequant_q4(q, s).reshape(m.weight.shape))
                else:
                    q, s = quantize_rows(m.weight, 127)
                    params[l["Name"] + ".weight"] = {"q8": put(key + ".weight.q", q), "scale": put(key + ".weight.scale", s)}
                    m.weight.copy_(dequant_rows(q, s))
                params[l["Name"] + ".bias"] = {"f32": put(key + ".bias", m.bias)}
        order = torch.argsort(forward(mods, x)[0], descending=True).tolist()
        c = explain_case(f"{name}/{tag}", layers, mods, params, x, [order[0], order[1]])
        c["arch"] = arch
        c["input"] = put(f"{name}/{tag}.input", x[0])
        index["cases"].append(c)


def dequant_q4(q, scale, group=64):
    rows, n = q.shape
    return q * torch.repeat_interleave(scale, group, dim=1)[:, :n]


def op_maxpool(name, c, h, w, k, s, p):
    # Small integers: many exact ties in every window.
    x = torch.randint(0, 3, (1, c, h, w)).float().requires_grad_(True)
    y = F.max_pool2d(x, k, s, p)
    dy = torch.randn_like(y)
    y.backward(dy)
    index["ops"].append({"name": name, "op": "maxpool", "Kernel": k, "Stride": s, "Pad": p, "shape": [c, h, w],
                         "x": put(name + ".x", x[0]), "dy": put(name + ".dy", dy[0]), "dx": put(name + ".dx", x.grad[0])})


def op_adaptive(name, c, h, w, oh, ow):
    x = torch.randn(1, c, h, w, requires_grad=True)
    y = F.adaptive_avg_pool2d(x, (oh, ow))
    dy = torch.randn_like(y)
    y.backward(dy)
    index["ops"].append({"name": name, "op": "adaptiveavgpool", "OutH": oh, "OutW": ow, "shape": [c, h, w],
                         "x": put(name + ".x", x[0]), "dy": put(name + ".dy", dy[0]), "dx": put(name + ".dx", x.grad[0])})


def op_upsample(name, h, w, oh, ow):
    x = torch.rand(1, 1, h, w)
    y = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False)
    index["ops"].append({"name": name, "op": "upsample", "shape": [h, w], "out": [oh, ow],
                         "x": put(name + ".x", x[0, 0]), "y": put(name + ".y", y[0, 0])})


op_maxpool("maxpool-3-2-ties", 3, 13, 13, 3, 2, 0)
op_maxpool("maxpool-3-2-p1-ties", 2, 9, 10, 3, 2, 1)
op_maxpool("maxpool-3-1-ties", 2, 6, 7, 3, 1, 0)
op_adaptive("adaptive-2-6", 3, 2, 2, 6, 6)
op_adaptive("adaptive-13-6", 2, 13, 13, 6, 6)
op_adaptive("adaptive-7x5-3x4", 2, 7, 5, 3, 4)
op_upsample("upsample-13-60", 13, 13, 60, 60)
op_upsample("upsample-3x5-17x11", 3, 5, 17, 11)

X = torch.randn(1, 3, 127, 127)  # the input of every network case

# Widths reduced from the real ones (seed 48-128-192-192-128, FC 2048) so
# the file stays small; 127x127 inputs give conv5 7x7 (6x6 for the paper's), pooled to 3x3 with
# overlapping 3/2 windows.
net_case("seed", {"Name": "seed", "InC": 3, "InH": 127, "InW": 127, "Layers": [
    conv("features.0", 3, 8, 11, 4, 2), relu(), P,
    conv("features.3", 8, 16, 5, 1, 2), relu(), P,
    conv("features.6", 16, 24, 3, 1, 1), relu(),
    conv("features.8", 24, 24, 3, 1, 1), relu(),
    conv("features.10", 24, 16, 3, 1, 1), relu(), P,
    FL, D, linear("classifier.1", 16 * 3 * 3, 72), relu(),
    D, linear("classifier.4", 72, 40), relu(),
    linear("classifier.6", 40, 5)]}, mixed=True)

# torchvision.models.alexnet: AdaptiveAvgPool2d((6,6)) after pool3 (3x3 here:
# it upsamples, each input cell feeding several outputs).
net_case("torchvision", {"Name": "torchvision", "InC": 3, "InH": 127, "InW": 127, "Layers": [
    conv("features.0", 3, 8, 11, 4, 2), relu(), P,
    conv("features.3", 8, 16, 5, 1, 2), relu(), P,
    conv("features.6", 16, 24, 3, 1, 1), relu(),
    conv("features.8", 24, 16, 3, 1, 1), relu(),
    conv("features.10", 16, 16, 3, 1, 1), relu(), P,
    L("adaptiveavgpool", OutH=6, OutW=6),
    FL, D, linear("classifier.1", 16 * 6 * 6, 40), relu(),
    D, linear("classifier.4", 40, 40), relu(),
    linear("classifier.6", 40, 7)]}, mixed=True)

# The paper's layout: LRN after conv1 and conv2, groups of 2 in conv2, conv4
# and conv5; unpadded conv1 makes conv5 6x6 here.
net_case("paper", {"Name": "paper", "InC": 3, "InH": 127, "InW": 127, "Layers": [
    conv("features.0", 3, 8, 11, 4, 0), relu(), lrn(), P,
    conv("features.4", 8, 16, 5, 1, 2, 2), relu(), lrn(), P,
    conv("features.8", 16, 24, 3, 1, 1), relu(),
    conv("features.10", 24, 24, 3, 1, 1, 2), relu(),
    conv("features.12", 24, 16, 3, 1, 1, 2), relu(), P,
    FL, D, linear("classifier.1", 16 * 2 * 2, 48), relu(),
    D, linear("classifier.4", 48, 48), relu(),
    linear("classifier.6", 48, 6)]}, mixed=True)


def positions(n, patch, stride):
    p = list(range(0, n - patch + 1, stride))
    if p[-1] + patch < n:
        p.append(n - patch)
    return p


def occlusion(mods, x, cls, patch, stride, temperature):
    """Occlusion sensitivity: the drop of softmax(logits/T)[cls] when a
    patch x patch square of the normalised input is set to 0 (grey), per
    position; a last position flush with the border."""
    def prob(inp):
        return torch.softmax(forward(mods, inp)[0] / temperature, 0)[cls]
    p0 = prob(x)
    ys, xs = positions(x.shape[2], patch, stride), positions(x.shape[3], patch, stride)
    grid = torch.zeros(len(ys), len(xs))
    for i, y in enumerate(ys):
        for j, xx in enumerate(xs):
            o = x.clone()
            o[:, :, y:y + patch, xx:xx + patch] = 0
            grid[i, j] = p0 - prob(o)
    index["occlusion"].append({"class": cls, "patch": patch, "stride": stride, "temperature": temperature,
                               "score": float(p0), "grid": put(f"occlusion.c{cls}.grid", grid)})


def shipped():
    """The shipped model on a real photo: only the maps and logits are stored."""
    meta, sd = alexnet_file.load(os.path.join(ROOT, "weights", "default", "flowers.alexnet"))
    layers = []
    for l in meta["arch"]["layers"]:
        op = l["op"]
        ic, oc, k, s, p, g = l["conv"]
        if op == "conv":
            layers.append(conv(l["name"], ic, oc, k, s, p, max(g, 1)))
        elif op == "maxpool":
            layers.append(maxpool(k, s, p, bool(l["ceil"])))
        elif op == "linear":
            layers.append(linear(l["name"], *l["in_out"]))
        elif op in ("relu", "flatten", "dropout"):
            layers.append(L(op))
        else:
            raise ValueError(f"shipped model: op {op} not expected")
    mods = [module(l) for l in layers]
    with torch.no_grad():
        for l, m in zip(layers, mods):
            if l["Op"] in ("conv", "linear"):
                m.weight.copy_(sd[l["Name"] + ".weight"])
                m.bias.copy_(sd[l["Name"] + ".bias"])
    pp = meta["preprocess"]
    shared = os.environ.get("ALEXNET_SHARED") or os.path.join(ROOT, "..", "shared")
    img = Image.open(os.path.join(shared, "data", "flower_photos", PHOTO)).convert("RGB")
    import torchvision.transforms as T
    img = T.CenterCrop(pp["crop"])(T.Resize(pp["resize"])(img))
    img.save(os.path.join(OUT, "photo.png"), optimize=True)
    img = Image.open(os.path.join(OUT, "photo.png"))  # what Go reads
    x = T.Normalize(pp["mean"], pp["std"])(T.ToTensor()(img))[None]
    order = torch.argsort(forward(mods, x)[0], descending=True).tolist()
    c = explain_case("shipped", layers, mods, None, x, [order[0], order[1]])
    occlusion(mods, x, order[0], 56, 28, meta["calibration"]["temperature"])
    c["photo"] = "photo.png"
    c["source"] = PHOTO
    index["cases"].append(c)


OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
shipped()
fx.write(OUT, "gradcam")
print(f"wrote {len(index['ops'])} op cases, {len(index['cases'])} network cases, {fx.offset} floats ({4 * fx.offset} bytes) to {OUT}")

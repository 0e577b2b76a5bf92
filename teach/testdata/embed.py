"""Regenerates embed.json, the fixture TestEmbeddingOpsMatchPyTorch compares
with: the end of a taught model in PyTorch on a random input x (C,H,W),

    a = relu(x); b = max_pool2d(a, 2, 2)
    e = cat([a.mean((2,3)), a.amax((2,3)), b.mean((2,3)), b.amax((2,3))], 1)
    logits = linear(normalize(e, dim=1))

which the engine runs as relu, maxpool, globalpool of layers 0 and 1,
l2norm, linear.

    /usr/bin/python3 teach/testdata/embed.py > teach/testdata/embed.json
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(12)
C, H, W, OUT = 5, 7, 6, 3
x = torch.randn(1, C, H, W)
lin = torch.nn.Linear(4 * C, OUT)
a = F.relu(x)
b = F.max_pool2d(a, 2, 2)
e = torch.cat([a.mean((2, 3)), a.amax((2, 3)), b.mean((2, 3)), b.amax((2, 3))], 1)
n = F.normalize(e, dim=1)
logits = lin(n)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


print(json.dumps({
    "torch": torch.__version__, "c": C, "h": H, "w": W, "out": OUT,
    "x": flat(x), "weight": flat(lin.weight), "bias": flat(lin.bias),
    "embedding": flat(n), "logits": flat(logits),
}, indent=1))

"""Regenerates adamw.json, the fixture TestAdamWMatchesPyTorch compares with:
a linear head trained by torch.optim.AdamW on a full batch with mean
cross-entropy, weight decay on the weight only (the bias in a group with
weight_decay=0), as package teach trains it.

    /usr/bin/python3 teach/testdata/adamw.py > teach/testdata/adamw.json
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(11)
N, D, C, STEPS = 12, 6, 3, 25
LR, WD = 0.05, 0.1
x = torch.randn(N, D)
y = torch.randint(0, C, (N,))
head = torch.nn.Linear(D, C)
w0 = head.weight.detach().clone()
b0 = head.bias.detach().clone()
opt = torch.optim.AdamW([
    {"params": [head.weight], "weight_decay": WD},
    {"params": [head.bias], "weight_decay": 0.0},
], lr=LR, betas=(0.9, 0.999), eps=1e-8)
losses = []
for _ in range(STEPS):
    opt.zero_grad()
    loss = F.cross_entropy(head(x), y)
    loss.backward()
    losses.append(loss.item())
    opt.step()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


print(json.dumps({
    "torch": torch.__version__,
    "n": N, "in": D, "out": C, "steps": STEPS, "lr": LR, "weight_decay": WD,
    "x": flat(x), "y": [int(v) for v in y.tolist()],
    "w0": flat(w0), "b0": flat(b0),
    "losses": losses,
    "w": flat(head.weight), "b": flat(head.bias),
}, indent=1))

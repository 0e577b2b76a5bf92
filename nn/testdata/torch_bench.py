#!/usr/bin/python3
"""Times PyTorch on the seed AlexNet (random weights, 1x3x224x224), for the
native comparison in DESIGN.md:  /usr/bin/python3 nn/testdata/torch_bench.py [THREADS]"""
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
m = nn.Sequential(
    nn.Conv2d(3, 48, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
    nn.Conv2d(48, 128, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
    nn.Conv2d(128, 192, 3, padding=1), nn.ReLU(),
    nn.Conv2d(192, 192, 3, padding=1), nn.ReLU(),
    nn.Conv2d(192, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
    nn.Flatten(), nn.Dropout(), nn.Linear(128 * 6 * 6, 2048), nn.ReLU(),
    nn.Dropout(), nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, 5)).eval()
x = torch.randn(1, 3, 224, 224)
ts = []
with torch.no_grad():
    for _ in range(5):
        m(x)
    for _ in range(20):
        t = time.perf_counter()
        m(x)
        ts.append(time.perf_counter() - t)
ts.sort()
print(f"torch {torch.__version__} threads={torch.get_num_threads()}: seed forward median {1e3 * ts[len(ts) // 2]:.1f} ms, min {1e3 * ts[0]:.1f} ms")

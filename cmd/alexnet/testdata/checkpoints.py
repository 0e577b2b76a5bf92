"""Writes PyTorch checkpoints for cmd/alexnet's end-to-end converter test.

    /usr/bin/python3 cmd/alexnet/testdata/checkpoints.py OUTDIR

OUTDIR gets, for each of seed (the seed's model.py AlexNet, 5 classes) and
torchvision (torchvision.models.alexnet(weights=None), 1000 classes):
  NAME.pth          torch.save(model.state_dict(), ...) (zip format)
  NAME-input.npy    a (1,3,224,224) float32 input
  NAME-logits.npy   model(input) in eval mode, (1,classes) float32
and bad.pth, a seed checkpoint whose conv2 has 100 output channels (fits no
architecture). Random init with fixed seeds; the input is the one of 8
random inputs with the widest top-1 margin, so that top-1 is a fair test
of int8 weights rather than a coin toss between near-equal logits.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision


class AlexNet(nn.Module):
    """The seed's model.py (half-width AlexNet)."""

    def __init__(self, num_classes=1000, init_weights=False, conv2=128):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 48, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(48, conv2, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(conv2, 192, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(192, 192, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(192, 128, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5),
            nn.Linear(128 * 6 * 6, 2048),
            nn.ReLU(inplace=True),
            nn.Dropout(p=0.5),
            nn.Linear(2048, 2048),
            nn.ReLU(inplace=True),
            nn.Linear(2048, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, start_dim=1)
        return self.classifier(x)


def save(out, name, model):
    model.eval()
    g = torch.Generator().manual_seed(1)
    best = None
    with torch.no_grad():
        for _ in range(8):
            x = torch.randn(1, 3, 224, 224, generator=g)
            y = model(x)
            top2 = torch.topk(y[0], 2).values
            margin = float((top2[0] - top2[1]) / y.abs().max())
            if best is None or margin > best[0]:
                best = (margin, x, y)
    _, x, y = best
    torch.save(model.state_dict(), os.path.join(out, name + ".pth"))
    np.save(os.path.join(out, name + "-input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, name + "-logits.npy"), y.numpy().astype(np.float32))


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    torch.set_num_threads(1)
    save(out, "seed", AlexNet(num_classes=5))
    torch.manual_seed(0)
    save(out, "torchvision", torchvision.models.alexnet(weights=None))
    torch.manual_seed(0)
    torch.save(AlexNet(num_classes=5, conv2=100).state_dict(), os.path.join(out, "bad.pth"))


main()

"""Writes prep's fixtures: what torchvision 0.14 (PIL 9) makes of two flower
photos, so prep_test.go can compare the Go preprocessing with it.

    /usr/bin/python3 prep/testdata/gen.py [FLOWER_PHOTOS]

FLOWER_PHOTOS defaults to $ALEXNET_SHARED/data/flower_photos, and without
ALEXNET_SHARED to ../shared/data/flower_photos from the repository root.

For each photo NAME.jpg (copied here from the data set; CC-BY, see README.md):
  NAME.pil.png    PIL's decoded RGB pixels (lossless), to compare resampling alone
  NAME.seed.png   Resize(224) + CenterCrop(224), the flowers model's input, as uint8
  NAME.tv.png     Resize(256) + CenterCrop(224), torchvision's ImageNet recipe
  NAME.json       a sample of the normalised tensor (ToTensor + Normalize) of the
                  seed pipeline: [c, y, x, value] rows, to pin the normalisation
"""
import json, os, shutil, sys

import numpy as np
import torch
from PIL import Image
from torchvision import transforms as T

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
shared = os.environ.get("ALEXNET_SHARED") or os.path.join(os.path.dirname(repo), "shared")
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(shared, "data", "flower_photos")
if not os.path.isdir(data):
    sys.exit("gen.py: no flower photos at %s (pass the folder, or set ALEXNET_SHARED)" % data)
photos = {
    "daisy-500x333": "daisy/14021430525_e06baf93a9.jpg",  # downscale by 1.49 (seed), 1.30 (tv)
    "daisy-193x240": "daisy/11834945233_a53b7a92ac_m.jpg",  # upscale, portrait
}
mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
for name, rel in photos.items():
    jpg = os.path.join(here, name + ".jpg")
    shutil.copyfile(os.path.join(data, rel), jpg)
    im = Image.open(jpg).convert("RGB")
    im.save(os.path.join(here, name + ".pil.png"), optimize=True)
    seed = T.Compose([T.Resize(224), T.CenterCrop(224)])(im)
    seed.save(os.path.join(here, name + ".seed.png"), optimize=True)
    T.Compose([T.Resize(256), T.CenterCrop(224)])(im).save(os.path.join(here, name + ".tv.png"), optimize=True)
    full = T.Compose([T.Resize(224), T.CenterCrop(224), T.ToTensor(), T.Normalize(mean, std)])(im)
    # The uint8 crop fully determines the tensor:
    again = T.Normalize(mean, std)(T.ToTensor()(seed))
    assert torch.equal(full, again)
    rng = np.random.default_rng(0)
    rows = [[0, 0, 0], [2, 223, 223], [1, 100, 57]] + [[int(rng.integers(3)), int(rng.integers(224)), int(rng.integers(224))] for _ in range(29)]
    out = [[c, y, x, float(full[c, y, x])] for c, y, x in rows]
    with open(os.path.join(here, name + ".json"), "w") as f:
        json.dump({"source": rel, "size": list(im.size), "samples": out}, f, indent=0)

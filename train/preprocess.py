"""The one preprocessing of the default model, and the train/validation split.

The weight file states the same preprocessing (Resize 224, centre crop 224,
ImageNet mean/std) and the Go engine (prep/) applies it the same way.
"""
import hashlib
import os

import torchvision.transforms as T

LABELS = ["daisy", "dandelion", "roses", "sunflowers", "tulips"]
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
RESIZE, CROP = 224, 224


def eval_transform():
    """Shorter side to 224 (PIL bilinear, antialiased), centre crop 224x224, normalise."""
    return T.Compose([T.Resize(RESIZE), T.CenterCrop(CROP), T.ToTensor(), T.Normalize(MEAN, STD)])


def split_of(rel):
    """'val' for about 10% of photos, by a hash of the file name alone, so the
    split is stable as files are added or moved between folders."""
    name = os.path.basename(rel)
    return "val" if int(hashlib.sha1(name.encode()).hexdigest()[:8], 16) % 10 == 0 else "train"


def list_photos(data):
    """Every photo as 'class/file.jpg', sorted."""
    out = []
    for label in LABELS:
        for f in sorted(os.listdir(os.path.join(data, label))):
            if f.lower().endswith((".jpg", ".jpeg", ".png")):
                out.append(f"{label}/{f}")
    return out

#!/usr/bin/python3
"""Classify photos in PyTorch with a weight file, the way the Go engine does:
the file's preprocessing (train/preprocess.py) and its calibration.

  /usr/bin/python3 train/classify.py weights/default/flowers.alexnet PHOTO...

Prints one JSON object per photo: file, probs (calibrated), logits.
With --eval DIR --split train/split.txt it prints the validation accuracy instead.
"""
import argparse
import json
import os
import sys

import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import alexnet_file  # noqa: E402
from preprocess import eval_transform  # noqa: E402
from train import SeedNet  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("photos", nargs="*")
    ap.add_argument("--eval", help="flower_photos folder: print val accuracy")
    ap.add_argument("--split", default=os.path.join(HERE, "split.txt"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    meta, sd = alexnet_file.load(args.weights)
    p = meta["preprocess"]
    if meta["arch"]["name"] != "seed" or p["resize"] != 224 or p["crop"] != (224, 224):
        sys.exit(f"{args.weights}: this script runs the seed model with the default preprocessing")
    model = SeedNet(len(meta["labels"])).eval()
    model.load_state_dict(sd)
    tf, temp = eval_transform(), meta["calibration"]["temperature"]
    if args.eval:
        val = [l.split()[1] for l in open(args.split) if l.startswith("val ")]
        correct = 0
        with torch.no_grad():
            for rel in val:
                x = tf(Image.open(os.path.join(args.eval, rel)).convert("RGB"))
                correct += meta["labels"][model(x[None]).argmax().item()] == rel.split("/")[0]
        print(json.dumps({"val": len(val), "top1": correct / len(val)}))
        return
    with torch.no_grad():
        for f in args.photos:
            logits = model(tf(Image.open(f).convert("RGB"))[None])[0]
            probs = torch.softmax(logits / temp, 0)
            print(json.dumps({"file": f, "probs": probs.tolist(), "logits": logits.tolist()}))


if __name__ == "__main__":
    main()

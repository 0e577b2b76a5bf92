#!/usr/bin/python3
"""Train the seed's half-width AlexNet on flower_photos and export it.

The network is exactly the seed's model.py (48-128-192-192-128 conv channels,
2048-wide FC). To train it well from scratch on 3000 photos, batch norm is
inserted after every conv and the first two linear layers during training;
export folds each batch norm into the layer before it (an exact rewrite in
eval mode), so the exported state_dict has the seed's keys and shapes and
nothing else.

Run with Debian's torch (the python3 first on PATH has none):
  /usr/bin/python3 train/train.py --data ../shared/data/flower_photos --out train/run
It checkpoints every epoch to OUT/last.pt and resumes from it when run again.
At the end it writes OUT/best.pth (the seed-layout state_dict of the best
validation epoch), OUT/calib.json (temperature, not-sure threshold, ECE) and
OUT/labels.json, which `alexnet convert` turns into a weight file.
"""
import argparse
import copy
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
import torchvision.transforms as T

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from preprocess import LABELS, MEAN, STD, eval_transform, list_photos, split_of  # noqa: E402


class TrainNet(nn.Module):
    """The seed AlexNet with batch norm after conv/linear layers (folded away on export)."""

    def __init__(self, num_classes=5, bn=True):
        super().__init__()
        norm2 = (lambda c: nn.BatchNorm2d(c)) if bn else (lambda c: nn.Identity())
        norm1 = (lambda c: nn.BatchNorm1d(c)) if bn else (lambda c: nn.Identity())
        self.features = nn.Sequential(
            nn.Conv2d(3, 48, 11, stride=4, padding=2), norm2(48), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(48, 128, 5, padding=2), norm2(128), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(128, 192, 3, padding=1), norm2(192), nn.ReLU(inplace=True),
            nn.Conv2d(192, 192, 3, padding=1), norm2(192), nn.ReLU(inplace=True),
            nn.Conv2d(192, 128, 3, padding=1), norm2(128), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(128 * 6 * 6, 2048), norm1(2048), nn.ReLU(inplace=True),
            nn.Dropout(0.5), nn.Linear(2048, 2048), norm1(2048), nn.ReLU(inplace=True),
            nn.Linear(2048, num_classes),
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


# Seed key of each weighted layer of TrainNet, in order.
SEED_KEYS = ["features.0", "features.3", "features.6", "features.8", "features.10",
             "classifier.1", "classifier.4", "classifier.6"]


def seed_state_dict(model):
    """Fold every batch norm into its conv/linear and rename to the seed's keys."""
    model = model.eval()
    layers = [m for m in list(model.features) + list(model.classifier)]
    out, k = {}, 0
    for i, m in enumerate(layers):
        if not isinstance(m, (nn.Conv2d, nn.Linear)):
            continue
        w, b = m.weight.detach().clone().double(), m.bias.detach().clone().double()
        nxt = layers[i + 1] if i + 1 < len(layers) else None
        if isinstance(nxt, (nn.BatchNorm2d, nn.BatchNorm1d)):
            s = nxt.weight.double() / torch.sqrt(nxt.running_var.double() + nxt.eps)
            w = w * s.view(-1, *([1] * (w.dim() - 1)))
            b = (b - nxt.running_mean.double()) * s + nxt.bias.double()
        out[SEED_KEYS[k] + ".weight"] = w.float().contiguous()
        out[SEED_KEYS[k] + ".bias"] = b.float().contiguous()
        k += 1
    return out


class SeedNet(nn.Module):
    """The seed's model.py, for checking the folded export."""

    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 48, 11, 4, 2), nn.ReLU(True), nn.MaxPool2d(3, 2),
            nn.Conv2d(48, 128, 5, padding=2), nn.ReLU(True), nn.MaxPool2d(3, 2),
            nn.Conv2d(128, 192, 3, padding=1), nn.ReLU(True),
            nn.Conv2d(192, 192, 3, padding=1), nn.ReLU(True),
            nn.Conv2d(192, 128, 3, padding=1), nn.ReLU(True), nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(4608, 2048), nn.ReLU(True),
            nn.Dropout(0.5), nn.Linear(2048, 2048), nn.ReLU(True), nn.Linear(2048, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def load_cache(data, cache, photos):
    """Decode every photo once: train photos resized so the shorter side is 256
    (uint8 CHW tensors), validation photos through the exact eval transform."""
    key = hashlib.sha1("\n".join(photos).encode()).hexdigest()[:12]
    path = os.path.join(cache, f"photos-{key}.pt")
    if os.path.exists(path):
        return torch.load(path)
    t0 = time.time()
    resize = T.Resize(256)
    ev = eval_transform()
    items = {}
    for n, rel in enumerate(photos):
        img = Image.open(os.path.join(data, rel)).convert("RGB")
        if split_of(rel) == "val":
            items[rel] = ev(img)  # float CHW, normalised
        else:
            items[rel] = torch.from_numpy(np.asarray(resize(img)).copy()).permute(2, 0, 1).contiguous()
        if n % 500 == 0:
            print(f"decoded {n}/{len(photos)} photos", flush=True)
    os.makedirs(cache, exist_ok=True)
    torch.save(items, path)
    print(f"photo cache {path} written in {time.time() - t0:.0f}s", flush=True)
    return items


def train_augment():
    return T.Compose([
        T.RandomResizedCrop(224, scale=(0.35, 1.0), ratio=(3 / 4, 4 / 3), antialias=True),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.RandomRotation(15)], p=0.5),
        T.ColorJitter(0.3, 0.3, 0.3),  # no hue jitter: it costs 10x the rest of the augmentation on tensors
    ])


class Augmented(torch.utils.data.Dataset):
    """Training photos with fresh augmentation each epoch, as uint8 (3,224,224).
    A DataLoader worker process runs it, so it overlaps with the network's work."""

    def __init__(self, images, labels):
        self.images, self.labels, self.aug = images, labels, train_augment()

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.aug(self.images[i]), self.labels[i]


class EMA:
    """Exponential moving average of a model's floating-point state: its
    parameters and its batch-norm running statistics."""

    def __init__(self, model, decay):
        self.decay = decay
        self.model = copy.deepcopy(model).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        for e, m in zip(self.model.state_dict().values(), model.state_dict().values()):
            if e.dtype.is_floating_point:
                e.mul_(self.decay).add_(m, alpha=1 - self.decay)
            else:
                e.copy_(m)


def normalise(x):
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x.float() / 255 - mean) / std


def evaluate(model, xs, ys, bs=64):
    model.eval()
    logits = []
    with torch.no_grad():
        for i in range(0, len(xs), bs):
            logits.append(model(torch.stack(xs[i:i + bs])))
    logits = torch.cat(logits)
    acc = (logits.argmax(1) == torch.tensor(ys)).float().mean().item()
    return acc, logits


def ece(probs, ys, bins=15):
    conf, pred = probs.max(1)
    correct = (pred == ys).float()
    e = torch.zeros(())
    for lo in range(bins):
        m = (conf > lo / bins) & (conf <= (lo + 1) / bins)
        if m.any():
            e += m.float().mean() * (conf[m].mean() - correct[m].mean()).abs()
    return e.item()


def calibrate(logits, ys, target=0.95):
    """Temperature scaling (Guo et al. 2017) by NLL on validation logits, then the
    not-sure threshold: the lowest top probability at which the predictions kept
    (top prob >= threshold) are at least `target` correct on validation."""
    ys = torch.tensor(ys)
    best_t, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 5.0, 0.01):
        nll = F.cross_entropy(logits / t, ys).item()
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    probs = F.softmax(logits / best_t, 1)
    conf, pred = probs.max(1)
    correct = (pred == ys).float()
    threshold = 1.0
    for th in np.arange(0.20, 1.0, 0.01):
        keep = conf >= th
        if keep.any() and correct[keep].mean() >= target:
            threshold = float(th)
            break
    keep = conf >= threshold
    return {
        "temperature": round(best_t, 3),
        "threshold": round(threshold, 2),
        "ece_before": round(ece(F.softmax(logits, 1), ys), 4),
        "ece_after": round(ece(probs, ys), 4),
        "nll_before": round(F.cross_entropy(logits, ys).item(), 4),
        "nll_after": round(best_nll, 4),
        "val_kept": round(keep.float().mean().item(), 4),
        "val_kept_accuracy": round(correct[keep].mean().item(), 4) if keep.any() else None,
        "target_kept_accuracy": target,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "flower_photos"))
    ap.add_argument("--out", default=os.path.join(HERE, "run"))
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/alexnet-train"))
    ap.add_argument("--epochs", type=int, default=80)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.02, help="peak SGD learning rate (one-cycle)")
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--smoothing", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--limit", type=int, default=0, help="use only N photos (smoke test)")
    ap.add_argument("--steps", type=int, default=0, help="stop each epoch after N steps (smoke test)")
    ap.add_argument("--ema", type=float, default=0.998, help="decay per step of the weight average (0: none)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    photos = list_photos(args.data)
    if args.limit:
        photos = photos[:: max(1, len(photos) // args.limit)][: args.limit]
    items = load_cache(args.data, args.cache, photos)
    train = [p for p in photos if split_of(p) == "train"]
    val = [p for p in photos if split_of(p) == "val"]
    label = {p: LABELS.index(p.split("/")[0]) for p in photos}
    vx, vy = [items[p] for p in val], [label[p] for p in val]
    print(f"{len(train)} train, {len(val)} val photos", flush=True)

    model = TrainNet(len(LABELS))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.wd)
    steps_per_epoch = args.steps or len(train) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch,
                                                pct_start=0.15, div_factor=10, final_div_factor=100)
    # An exponential moving average of the weights (and batch-norm statistics),
    # evaluated next to the raw weights every epoch: on small data it is often
    # the better of the two, and costs one more validation pass.
    ema = EMA(model, args.ema) if args.ema else None
    start, best = 0, 0.0
    last = os.path.join(args.out, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last)
        model.load_state_dict(ck["model"]), opt.load_state_dict(ck["opt"]), sched.load_state_dict(ck["sched"])
        if ema and "ema" in ck:
            ema.model.load_state_dict(ck["ema"])
        start, best = ck["epoch"] + 1, ck["best"]
        total = args.epochs * steps_per_epoch
        if sched.total_steps != total:
            # Resumed with another --epochs: keep the warm-up as it was and
            # anneal from here to the new end (OneCycleLR keeps its phases in
            # _schedule_phases; the last one ends the run).
            sched.total_steps = total
            sched._schedule_phases[-1]["end_step"] = float(total - 1)
            print(f"schedule now ends after epoch {args.epochs}", flush=True)
        torch.set_rng_state(ck["rng"])
        print(f"resumed from {last} at epoch {start}, best val {best:.4f}", flush=True)

    loader = torch.utils.data.DataLoader(Augmented([items[p] for p in train], [label[p] for p in train]),
                                         batch_size=args.batch, shuffle=True, drop_last=True,
                                         num_workers=1, persistent_workers=True)
    crit = nn.CrossEntropyLoss(label_smoothing=args.smoothing)
    for epoch in range(start, args.epochs):
        model.train()
        t0, seen, loss_sum, correct = time.time(), 0, 0.0, 0
        for step, (x, y) in enumerate(loader):
            if step == steps_per_epoch:
                break
            x = normalise(x)
            out = model(x)
            loss = crit(out, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            if ema:
                ema.update(model)
            seen += len(y)
            loss_sum += loss.item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
        acc, _ = evaluate(model, vx, vy)
        ema_acc = evaluate(ema.model, vx, vy)[0] if ema else 0.0
        dt = time.time() - t0
        print(f"epoch {epoch + 1}/{args.epochs} loss {loss_sum / seen:.4f} train_acc {correct / seen:.4f} "
              f"val_acc {acc:.4f}" + (f" ema_val_acc {ema_acc:.4f}" if ema else "") +
              f" lr {sched.get_last_lr()[0]:.5f} {seen / dt:.1f} img/s {dt:.0f}s", flush=True)
        if max(acc, ema_acc) >= best:
            best = max(acc, ema_acc)
            keep = ema.model if ema_acc > acc else model
            torch.save(keep.state_dict(), os.path.join(args.out, "best_train.pt"))
        ck = {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
              "epoch": epoch, "best": best, "rng": torch.get_rng_state()}
        if ema:
            ck["ema"] = ema.model.state_dict()
        torch.save(ck, last + ".tmp")
        os.replace(last + ".tmp", last)

    # Export the best epoch in the seed's layout and check the fold is exact.
    model.load_state_dict(torch.load(os.path.join(args.out, "best_train.pt")))
    model.eval()
    sd = seed_state_dict(model)
    seed = SeedNet(len(LABELS)).eval()
    seed.load_state_dict(sd)
    acc, logits = evaluate(seed, vx, vy)
    _, ref = evaluate(model, vx, vy)
    diff = (logits - ref).abs().max().item()
    assert diff <= 1e-3 * max(1.0, ref.abs().max().item()), f"batch-norm fold changed the logits by {diff}"
    torch.save(sd, os.path.join(args.out, "best.pth"))
    with open(os.path.join(args.out, "labels.json"), "w") as f:
        json.dump({str(i): l for i, l in enumerate(LABELS)}, f, indent=1)
    calib = calibrate(logits, vy)
    calib["val_accuracy_float32"] = round(acc, 4)
    calib["val_photos"] = len(val)
    with open(os.path.join(args.out, "calib.json"), "w") as f:
        json.dump(calib, f, indent=1)
    print(f"exported {args.out}/best.pth: val top-1 {acc:.4f} (fold diff {diff:.2e}); calibration {calib}", flush=True)


if __name__ == "__main__":
    main()

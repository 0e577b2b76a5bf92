#!/bin/sh
# Measures `alexnet teach` few-shot: for each of 5 draws, 10 random photos
# per class of DIR/<class>/ (default ../shared/data/oxford17_novel) teach
# a model with -seed set to the draw, and `alexnet eval` measures it on the
# other photos (a split file lists them). Prints each draw's top-1 and the
# mean ± sd. Run from the module root:
#
#	sh teach/tenshot.sh [DIR] [SHOTS] [extra alexnet teach flags...]
set -eu
data=${1:-../shared/data/oxford17_novel}
shots=${2:-10}
[ $# -ge 2 ] && shift 2 || shift $#
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/alexnet" ./cmd/alexnet
for d in 0 1 2 3 4; do
	rm -rf "$work/train"
	mkdir -p "$work/train"
	# Draw d: random.Random("d/class").sample of each class's sorted photos.
	python3 - "$data" "$work/train" "$work/split$d.txt" "$d" "$shots" <<'PY'
import os, random, sys
data, train, split, d, shots = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
with open(split, "w") as out:
    for c in sorted(os.listdir(data)):
        if not os.path.isdir(os.path.join(data, c)):
            continue
        photos = sorted(f for f in os.listdir(os.path.join(data, c)) if f.lower().endswith((".jpg", ".jpeg", ".png")))
        pick = set(random.Random("%d/%s" % (d, c)).sample(photos, shots))
        os.makedirs(os.path.join(train, c))
        for f in photos:
            if f in pick:
                os.symlink(os.path.abspath(os.path.join(data, c, f)), os.path.join(train, c, f))
                print("train", c + "/" + f, file=out)
            else:
                print("val", c + "/" + f, file=out)
PY
	"$work/alexnet" teach -seed "$d" -out "$work/taught$d.alexnet" "$@" "$work/train" >"$work/teach$d.txt"
	"$work/alexnet" eval -weights "$work/taught$d.alexnet" -split "$work/split$d.txt" -json "$data" >"$work/eval$d.json"
	python3 -c "import json,sys; print('draw $d: top-1 %.2f%%' % (100*json.load(open(sys.argv[1]))['top1']))" "$work/eval$d.json"
done | tee "$work/draws.txt"
python3 - "$work/draws.txt" <<'PY'
import statistics, sys
accs = [float(l.split()[-1].rstrip("%")) for l in open(sys.argv[1])]
print("mean top-1 %.1f%% ± %.1f (sd over %d draws)" % (statistics.mean(accs), statistics.stdev(accs), len(accs)))
PY

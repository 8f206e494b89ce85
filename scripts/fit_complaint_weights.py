#!/usr/bin/python3
"""Fits the complaint scorer's weights (rules/lexicon/complaint_weights.tsv) to labelled posts.

earshot computes the features itself (`earshot explain --json`), so what is fitted is exactly
what the daemon scores; this script only runs a logistic regression over them (scikit-learn,
Debian's python3-sklearn) and writes the weights file. earshot runs no ML library.

Each labelled set counts the same in the fit, however many posts it has, so one large set of
one industry does not pull the weights toward its own words. Before writing, it prints how the
fit does on data it did not see: each set (and each industry of the sets that name one) held
out in turn, trained on the rest.

Posts about no company (industry "random") are left out of the fit: no brand is named, so the
packs never page on them whatever their score, and a model fitted on them learns that an
@mention makes a complaint. They stay in the sets to measure false pages.

Run it through scripts/fit-complaint-weights.sh, which builds earshot and installs sklearn.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
from collections import defaultdict

import numpy as np
from sklearn.linear_model import LogisticRegression


def read_set(path):
    posts = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                p = json.loads(line)
                if not isinstance(p.get("complaint"), bool):
                    sys.exit(f"{path}:{n}: error: \"complaint\" must be true or false")
                p["set"] = os.path.basename(path)
                posts.append(p)
    return posts


def read_airline(d):
    labels = {}
    with open(os.path.join(d, "labels.tsv"), encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            labels[cols[0]] = cols[1]
    posts = []
    with open(os.path.join(d, "posts.jsonl"), encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            p.update(complaint=labels[p["id"]] == "negative", set="airline-dev",
                     industry="airline")
            posts.append(p)
    return posts


def features(posts, earshot, lexicon):
    corpus = "".join(json.dumps({"id": str(i), "text": p["text"]}) + "\n"
                     for i, p in enumerate(posts))
    cmd = [earshot, "explain", "--json"] + (["--lexicon", lexicon] if lexicon else []) + ["-"]
    run = subprocess.run(cmd, input=corpus, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stderr}")
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    if len(rows) != len(posts):
        sys.exit(f"earshot explain gave {len(rows)} rows for {len(posts)} posts")
    names = [n for n in rows[0]["features"] if n != "bias"]
    x = np.array([[r["features"][n] for n in names] for r in rows], dtype=float)
    return names, x


def sample_weights(posts):
    per_set = defaultdict(int)
    for p in posts:
        per_set[p["set"]] += 1
    return np.array([len(posts) / (len(per_set) * per_set[p["set"]]) for p in posts])


def fit(x, y, w, c):
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(x, y, sample_weight=w)
    return model


def macro_f1(y, flagged):
    def f1(tp, fp, fn):
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    tp = int(np.sum(y & flagged))
    fp = int(np.sum(~y & flagged))
    fn = int(np.sum(y & ~flagged))
    tn = int(np.sum(~y & ~flagged))
    return (f1(tp, fp, fn) + f1(tn, fn, fp)) / 2, fp / max(1, fp + tn)


def held_out_report(posts, x, y, c, threshold):
    """Each group held out in turn: the fit on everything else, judged on the group."""
    groups = defaultdict(list)
    for i, p in enumerate(posts):
        groups[p["set"]].append(i)
        if p.get("industry") and p["set"] != "airline-dev":
            groups[f"  {p['industry']}"].append(i)
    print(f"held out (trained on the rest), threshold {threshold}:")
    print(f"  {'group':<18}{'posts':>6}{'macroF1':>9}{'flagged non-complaints':>24}")
    for name, idx in sorted(groups.items()):
        test = np.zeros(len(posts), dtype=bool)
        test[idx] = True
        train = ~test
        if len(set(y[test])) < 2:
            continue
        m = fit(x[train], y[train], sample_weights([posts[i] for i in np.where(train)[0]]), c)
        p = m.predict_proba(x[test])[:, 1]
        f, fpr = macro_f1(y[test], p > threshold)
        print(f"  {name:<18}{len(idx):>6}{f:>9.3f}{fpr:>24.1%}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="*", help="labelled JSONL ({text, complaint: bool})")
    ap.add_argument("--airline", help="a folder with posts.jsonl + labels.tsv")
    ap.add_argument("--earshot", default="build/daemon/earshot")
    ap.add_argument("--lexicon", help="lexicon dir (default: earshot's shipped rules/lexicon)")
    ap.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    ap.add_argument("--threshold", type=float, default=0.5,
                    help="the complaint-to-brand threshold, for the held-out report")
    ap.add_argument("--out", help="weights file to write (default: print only)")
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args()

    posts = []
    for s in args.sets:
        posts += [p for p in read_set(s) if p.get("industry") != "random"]
    if args.airline:
        posts += read_airline(args.airline)
    if not posts:
        ap.error("give labelled sets")
    names, x = features(posts, args.earshot, args.lexicon)
    y = np.array([p["complaint"] for p in posts])
    if not args.no_report:
        held_out_report(posts, x, y, args.c, args.threshold)
    model = fit(x, y, sample_weights(posts), args.c)
    f, fpr = macro_f1(y, model.predict_proba(x)[:, 1] > args.threshold)
    sets = sorted({p["set"] for p in posts})
    print(f"fitted on {len(posts)} posts ({', '.join(sets)}): macro-F1 {f:.3f} on them, "
          f"{fpr:.1%} of their non-complaints above {args.threshold}")

    lines = [
        "# Weights of the complaint scorer's logistic model: complaint = 1 / (1 + exp(-z)),",
        "# z = bias + sum of weight x feature (the features are described in docs/complaints.md).",
        "# Fitted by scripts/fit-complaint-weights.sh (logistic regression, L2, C="
        f"{args.c:g}, each set weighted equally)",
        f"# on {datetime.date.today().isoformat()} from {len(posts)} labelled posts: "
        f"{', '.join(sets)}.",
        "# Refit after changing complaint_cues.tsv; override single weights with an overlay.",
        f"bias\t{model.intercept_[0]:.4f}",
    ]
    lines += [f"{n}\t{wt:.4f}" for n, wt in zip(names, model.coef_[0])]
    text = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()

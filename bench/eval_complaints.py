#!/usr/bin/env python3
"""How well earshot tells complaints from everything else, on a labelled set of posts.

Runs `earshot replay` (the same detection the daemon runs) over labelled posts and prints what
the complaints literature reports: macro-F1 (the mean F1 of the complaint and non-complaint
classes), precision and recall of each class, and the share of non-complaint posts that would
page (flagged by a live complaint rule). With --score T it judges the bare complaint score
(complaint_score > T) instead of the rule packs, and --vader T VADER alone (compound < T).

  bench/eval_complaints.py --earshot build/daemon/earshot --config CONFIG SET.jsonl...
  bench/eval_complaints.py --brand AcmeAir --airline ../shared/data/airline-dev

A labelled set is JSONL with "id", "text" and "complaint": true|false (other keys, such as
"industry" and "kind", give the per-group lines). --airline DIR reads a folder holding
posts.jsonl and labels.tsv (id, positive|neutral|negative), where negative means complaint.
Only the standard library: runs under any python3.
"""
import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict


def read_sets(paths, airline_dirs):
    posts = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                p = json.loads(line)
                if not isinstance(p.get("complaint"), bool):
                    sys.exit(f"{path}:{n}: error: \"complaint\" must be true or false")
                p.setdefault("industry", os.path.basename(path))
                posts.append(p)
    for d in airline_dirs:
        labels = {}
        with open(os.path.join(d, "labels.tsv"), encoding="utf-8") as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                labels[cols[0]] = cols[1]
        with open(os.path.join(d, "posts.jsonl"), encoding="utf-8") as f:
            for line in f:
                p = json.loads(line)
                p["complaint"] = labels[p["id"]] == "negative"
                p["industry"] = "airline"
                p["kind"] = labels[p["id"]]
                posts.append(p)
    return posts


def replay(posts, args):
    cmd = [args.earshot, "replay"]
    if args.config:
        cmd += ["--config", args.config]
    for b in args.brand:
        cmd += ["--brand", b]
    for r in args.rules:
        cmd += ["--rules", r]
    if args.lexicon:
        cmd += ["--lexicon", args.lexicon]
    cmd.append("-")
    # Posts are numbered for the run: ids may repeat across (or even within) labelled sets.
    corpus = "".join(
        json.dumps({"id": str(i), "text": p["text"], "author": p.get("author", "")}) + "\n"
        for i, p in enumerate(posts))
    run = subprocess.run(cmd, input=corpus, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"earshot replay failed ({run.returncode}):\n{run.stderr}")
    out = {}
    for line in run.stdout.splitlines():
        r = json.loads(line)
        if "error" in r:
            sys.exit(f"earshot replay could not read line {r.get('line')}: {r['error']}")
        out[r["id"]] = r
    return out


def f1(p, r):
    return 2 * p * r / (p + r) if p + r else 0.0


def scores(pairs):
    """pairs: (truth, flagged). Returns a dict of the figures."""
    tp = sum(1 for t, f in pairs if t and f)
    fp = sum(1 for t, f in pairs if not t and f)
    fn = sum(1 for t, f in pairs if t and not f)
    tn = sum(1 for t, f in pairs if not t and not f)
    pc = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    pn = tn / (tn + fn) if tn + fn else 0.0
    rn = tn / (tn + fp) if tn + fp else 0.0
    return {
        "n": len(pairs), "complaints": tp + fn,
        "macro_f1": (f1(pc, rc) + f1(pn, rn)) / 2 if tp + fn and tn + fp else float("nan"),
        "complaint_p": pc, "complaint_r": rc, "complaint_f1": f1(pc, rc),
        "other_p": pn, "other_r": rn, "other_f1": f1(pn, rn),
        "false_page_share": fp / (tn + fp) if tn + fp else 0.0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="*", help="labelled JSONL files")
    ap.add_argument("--airline", action="append", default=[], help="posts.jsonl + labels.tsv dir")
    ap.add_argument("--earshot", default="build/daemon/earshot")
    ap.add_argument("--config")
    ap.add_argument("--brand", action="append", default=[])
    ap.add_argument("--brands-file", action="append", default=[],
                    help="'Name: @Handle @Handle' per line; names and handles become brands")
    ap.add_argument("--rules", action="append", default=[])
    ap.add_argument("--lexicon")
    ap.add_argument("--score", type=float, help="judge complaint_score > T, not the packs")
    ap.add_argument("--vader", type=float,
                    help="judge VADER alone: compound < T (the baseline; -0.05 is VADER's own)")
    ap.add_argument("--by", default="industry", help="key for the per-group lines ('' for none)")
    ap.add_argument("--misses", type=int, default=0, help="print N missed and N false posts")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args()
    for path in args.brands_file:
        with open(path, encoding="utf-8") as f:
            for line in f:
                name, _, handles = line.partition(":")
                if name.strip():
                    args.brand.append(name.strip())
                args.brand += [h.lstrip("@") for h in handles.split()]
    posts = read_sets(args.sets, args.airline)
    if not posts:
        ap.error("give at least one labelled set")
    results = replay(posts, args)

    for i, p in enumerate(posts):
        p["_run"] = str(i)

    def flagged(p):
        r = results[p["_run"]]
        if args.vader is not None:
            return r["sentiment"]["compound"] < args.vader
        return r["complaint_score"] > args.score if args.score is not None else r["complaint"]

    pairs = [(p["complaint"], flagged(p)) for p in posts]
    total = scores(pairs)
    groups = defaultdict(list)
    if args.by:
        for p, pair in zip(posts, pairs):
            groups[str(p.get(args.by, "-"))].append(pair)
    if args.json:
        print(json.dumps({"all": total, "groups": {g: scores(v) for g, v in groups.items()}}))
        return
    judged = (f"VADER compound < {args.vader}" if args.vader is not None
              else f"complaint_score > {args.score}" if args.score is not None
              else "live complaint rule")
    print(f"flagged = {judged}")
    print(f"{'set':<14}{'posts':>6}{'compl':>6}{'macroF1':>8}{'P(c)':>7}{'R(c)':>7}{'P(o)':>7}"
          f"{'R(o)':>7}{'paged':>7}")
    rows = sorted(groups.items()) + [("ALL", pairs)]
    for name, v in rows:
        s = scores(v)
        print(f"{name:<14}{s['n']:>6}{s['complaints']:>6}{s['macro_f1']:>8.3f}"
              f"{s['complaint_p']:>7.3f}{s['complaint_r']:>7.3f}{s['other_p']:>7.3f}"
              f"{s['other_r']:>7.3f}{s['false_page_share']:>7.1%}")
    print("paged = share of non-complaint posts that would page")
    if args.misses:
        missed = [p for p, (t, f) in zip(posts, pairs) if t and not f][: args.misses]
        false = [p for p, (t, f) in zip(posts, pairs) if not t and f][: args.misses]
        for title, rows in (("missed complaints", missed), ("false pages", false)):
            print(f"\n{title}:")
            for p in rows:
                print(f"  {results[p['_run']]['complaint_score']:.2f} [{p.get('kind', '')}] "
                      f"{p['text'][:150]!r}")


if __name__ == "__main__":
    main()

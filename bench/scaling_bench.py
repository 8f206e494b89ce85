#!/usr/bin/env python3
"""How `earshot replay` scales with the rules and the brands it watches: one comparable line per
configuration, and with --table the rules x brands table docs/performance.md keeps.

  replay rules=1000 brands=100: 72630 posts in 0.610 s = 119,066 posts/s; load 0.31 s; RSS 41 MB

The corpus is the airline development set (../shared/data/airline-dev, or --corpus), ten times
over (--copies), with every airline's handle and name rewritten to the one brand every
configuration watches, AcmeAir, so
the posts and their detections are the same in each run: what changes is only what earshot
must hold and consult. The brands beyond AcmeAir are invented names no post mentions. The rules
are the shipped packs (whose rules use {{brand}}, one instance per brand) plus N generated
analyst rules in the style of bench/rules_bench.cc: a hashtag, a regex of word alternatives, a
phrase list and a `near`, with a sentiment bound; their words come from a vocabulary of 20,000
mostly invented words, so a post rarely names one.

posts/s is replay's own figure (detection and output, after loading); load is the rest of the
process's wall time (reading and compiling rules, the lexicon); RSS is the peak.

  bench/scaling_bench.py --earshot build/daemon/earshot [--rules 1000] [--brands 100]
  bench/scaling_bench.py --earshot build/daemon/earshot --table
"""
import argparse
import json
import os
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
AIRLINES = ["VirginAmerica", "united", "SouthwestAir", "Delta", "USAirways", "AmericanAir",
            "JetBlue", "Southwest", "Virgin America", "American Airlines", "US Airways"]


def one_brand_corpus(source, out, copies):
    pattern = re.compile("|".join(re.escape(a) for a in sorted(AIRLINES, key=len, reverse=True)),
                         re.IGNORECASE)
    with open(source, encoding="utf-8") as src:
        posts = [json.loads(line) for line in src]
    n = 0
    with open(out, "w", encoding="utf-8") as dst:
        for copy in range(copies):
            for post in posts:
                text = pattern.sub("AcmeAir", post["text"])
                post = dict(post, id=f"{post['id']}-{copy}", text=text)
                dst.write(json.dumps(post) + "\n")
                n += 1
    return n


def invented_words(rng, n):
    common = ["the", "my", "and", "flight", "bag", "still", "waiting", "hours", "refund",
              "service", "you", "again", "today", "customer", "staff", "phone", "order"]
    words = list(common)
    seen = set(words)
    while len(words) < n:
        w = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def analyst_rules(n, seed=7):
    rng = random.Random(seed)
    vocab = invented_words(rng, 20000)
    w = lambda: vocab[rng.randrange(40, len(vocab))]
    out = []
    for i in range(n):
        out.append(
            f"- rule: analyst-{i}\n  description: generated analyst rule {i}\n"
            f"  category: complaint\n  severity: medium\n  match:\n    any:\n"
            f"      - hashtag: \"{w()}\"\n"
            f"      - regex: '\\b(?:{w()}|{w()}|{w()})\\s+(?:{w()}|{w()})\\b'\n"
            f"      - phrase: [\"{w()} {w()}\", \"{w()} {w()}\", \"{w()} {w()}\"]\n"
            f"      - near: 4\n        terms: [[{w()}, {w()}], [{w()}, {w()}]]\n"
            f"    none:\n      - sentiment: {{above: 0.6}}\n")
    return "".join(out)


def brand_names(n, seed=11):
    rng = random.Random(seed)
    syllables = ["ac", "me", "lum", "en", "bank", "fresh", "cart", "swift", "drop", "kes",
                 "trel", "mo", "bile", "gra", "nite", "trust", "nor", "moor", "vel", "quin"]
    names, seen = ["AcmeAir"], {"acmeair"}
    while len(names) < n:
        name = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).capitalize()
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


def run(earshot, corpus, posts, n_rules, n_brands, tmp):
    cmd = [earshot, "replay", "--jobs", "1"]  # one core, as the figures are kept
    for pack in ("complaints", "resolution", "praise"):
        cmd += ["--rules", str(ROOT / "rules" / f"{pack}.yaml")]
    if n_rules:
        analyst = pathlib.Path(tmp) / f"analyst-{n_rules}.yaml"
        if not analyst.exists():
            analyst.write_text(analyst_rules(n_rules), encoding="utf-8")
        cmd += ["--rules", str(analyst)]
    cmd += ["--lexicon", str(ROOT / "rules/lexicon")]
    for b in brand_names(n_brands):
        cmd += ["--brand", b]
    cmd += ["--output", os.devnull, str(corpus)]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    stderr = proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd[:8])} ...: failed\n{stderr}")
    m = re.search(r"(\d+) posts, .* in ([0-9.]+) s", stderr)
    replayed, seconds = int(m.group(1)), float(m.group(2))
    assert replayed == posts, stderr
    return {"rules": n_rules, "brands": n_brands, "posts": posts, "seconds": seconds,
            "posts_per_s": posts / seconds if seconds > 0 else float("inf"),
            "load_s": wall - seconds, "rss_mb": usage.ru_maxrss / 1024}


def line(r):
    return (f"replay rules={r['rules']} brands={r['brands']}: {r['posts']} posts in "
            f"{r['seconds']:.3f} s = {r['posts_per_s']:,.0f} posts/s; load {r['load_s']:.2f} s; "
            f"RSS {r['rss_mb']:.0f} MB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--earshot", default=str(ROOT / "build/daemon/earshot"))
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/data/airline-dev/posts.jsonl"))
    ap.add_argument("--rules", type=int, default=0, help="generated analyst rules")
    ap.add_argument("--brands", type=int, default=1)
    ap.add_argument("--table", action="store_true",
                    help="rules 10/100/1000/5000 x brands 1/10/100/1000, a markdown table")
    ap.add_argument("--rounds", type=int, default=3, help="best of this many runs each")
    ap.add_argument("--copies", type=int, default=10,
                    help="the corpus this many times over, each post with an id of its own, so "
                         "that replay's own timing (to 10 ms) is a few hundred ms")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="earshot-scaling-bench-") as tmp:
        corpus = pathlib.Path(tmp) / "one-brand.jsonl"
        posts = one_brand_corpus(args.corpus, corpus, args.copies)

        def best(n_rules, n_brands):
            runs = [run(args.earshot, corpus, posts, n_rules, n_brands, tmp)
                    for _ in range(args.rounds)]
            return min(runs, key=lambda r: r["seconds"])

        if not args.table:
            print(line(best(args.rules, args.brands)))
            return
        brands = [1, 10, 100, 1000]
        print("| analyst rules | " + " | ".join(f"{b} brand{'s' if b > 1 else ''}"
                                                  for b in brands) + " |")
        print("|---:|" + "---:|" * len(brands))
        for n_rules in (10, 100, 1000, 5000):
            cells = []
            for n_brands in brands:
                r = best(n_rules, n_brands)
                print(line(r), file=sys.stderr)
                cells.append(f"{r['posts_per_s'] / 1000:,.0f}k/s, {r['rss_mb']:.0f} MB, "
                             f"load {r['load_s']:.2f} s")
            print(f"| {n_rules:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

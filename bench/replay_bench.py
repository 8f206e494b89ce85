#!/usr/bin/env python3
"""Times `earshot replay --escalate` over a generated corpus and prints one comparable line:

  replay --escalate --jobs 1: 200000 posts in 2.73 s = 73249 posts/s

The corpus (bench/replay_corpus.py, 200,000 posts by default, about 54 MB) is written to a
temporary folder at run time and deleted after; the rule packs are the shipped ones, the brands
the twelve the labelled sets mention most. The time is the whole command's, start to exit, so it
counts loading the rules too. docs/performance.md keeps the figures.

  bench/replay_bench.py --earshot build/daemon/earshot [--posts N] [--jobs N]

--jobs is replay's own: threads that read and detect while the escalator takes their posts in
order (1 = everything on one core, the issue table's figure).
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BRANDS = ["PolloRapido", "FreshCartUK", "GraniteTrust", "SwiftDrop", "LumenBank", "CobaltOutfit",
          "Basketly", "AshgroveRail", "RoamlyCarHire", "NorthmoorHelp", "Munchbox", "KestrelMobile"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--earshot", default=str(ROOT / "build/daemon/earshot"))
    ap.add_argument("--posts", type=int, default=200000)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="earshot-replay-bench-") as tmp:
        corpus = pathlib.Path(tmp) / "corpus.jsonl"
        with open(corpus, "w", encoding="utf-8") as f:
            subprocess.run([sys.executable, str(ROOT / "bench/replay_corpus.py"), str(args.posts)],
                           stdout=f, check=True)
        cmd = [args.earshot, "replay", "--jobs", str(args.jobs)]
        for pack in ("complaints", "resolution", "praise"):
            cmd += ["--rules", str(ROOT / "rules" / f"{pack}.yaml")]
        cmd += ["--lexicon", str(ROOT / "rules/lexicon")]
        for b in BRANDS:
            cmd += ["--brand", b]
        cmd += ["--escalate", "--escalations", str(pathlib.Path(tmp) / "escalations.jsonl"),
                "--output", str(pathlib.Path(tmp) / "results.jsonl"), str(corpus)]
        start = time.monotonic()
        done = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
        seconds = time.monotonic() - start
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            sys.exit(done.returncode)
    print(f"replay --escalate --jobs {args.jobs}: {args.posts} posts in {seconds:.2f} s = "
          f"{args.posts / seconds:.0f} posts/s")


if __name__ == "__main__":
    main()

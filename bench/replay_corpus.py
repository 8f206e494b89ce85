#!/usr/bin/env python3
"""Writes a replay corpus of N distinct posts to stdout, for `earshot replay --escalate`.

The posts are the labelled complaint sets (tests/data/complaints/dev-*.jsonl) over and over, each
round with ids of its own (a seen id is skipped, so repeats would measure nothing) and with times
that move on by --step seconds a post, as a month of history would. The output depends on N and
--step alone, so two runs replay the same corpus.

  bench/replay_corpus.py 200000 > /tmp/replay-200k.jsonl
"""
import argparse
import datetime
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("posts", type=int)
    ap.add_argument("--step", type=float, default=12.0, help="seconds between two posts")
    ap.add_argument("--authors", type=int, default=7, help="rounds before an author comes back")
    ap.add_argument("--pause", type=float, default=0.0,
                    help="seconds of silence after every third round (quiet incidents resolve)")
    args = ap.parse_args()
    base = []
    for name in ("dev-a.jsonl", "dev-b.jsonl"):
        with open(ROOT / "tests/data/complaints" / name, encoding="utf-8") as f:
            base += [json.loads(line) for line in f if line.strip()]
    start = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
    for i in range(args.posts):
        round_, post = divmod(i, len(base))
        p = dict(base[post])
        back = round_ % args.authors
        # Authors and their threads come back every few rounds: a complaint repeated in its thread
        # joins the incident the thread opened, as follow-ups do.
        p["thread"] = f"t-{p['id']}-{back}"
        p["id"] = f"{p['id']}-r{round_}"
        p["author"] = f"{p['author']}{back}"
        t = start + datetime.timedelta(seconds=i * args.step + (round_ // 3) * args.pause)
        p["created_at"] = t.strftime("%Y-%m-%dT%H:%M:%S") + f".{t.microsecond // 1000:03d}Z"
        print(json.dumps(p, ensure_ascii=False))


if __name__ == "__main__":
    main()

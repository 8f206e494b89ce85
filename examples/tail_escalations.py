#!/usr/bin/python3
"""An outside subscriber to earshot's bus: prints each escalation as it is published.

earshot publishes every escalation on its external endpoint (bus.endpoint in earshot.yaml) as a
two-frame ZeroMQ message: the topic b"esc", then the escalation's JSON (docs/bus.md). This script
is the whole protocol: subscribe to b"esc", read two frames, parse the JSON.

    sudo apt-get install python3-zmq
    /usr/bin/python3 examples/tail_escalations.py ipc:///run/earshot/escalations.sock
    /usr/bin/python3 examples/tail_escalations.py tcp://127.0.0.1:5561 --count 3

PUB/SUB drops what a subscriber is not there for, so watch `seq`: a jump means messages were
missed (the daemon's own sinks catch up from the outbox; an outside subscriber can only notice).
"""
import argparse
import json
import sys

import zmq


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoint", nargs="?", default="ipc:///run/earshot/escalations.sock")
    parser.add_argument("--count", type=int, default=0, help="exit after this many (0: never)")
    parser.add_argument("--json", action="store_true", help="print the raw JSON, one per line")
    args = parser.parse_args()

    context = zmq.Context()
    sock = context.socket(zmq.SUB)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SUBSCRIBE, b"esc")
    sock.connect(args.endpoint)
    print(f"listening on {args.endpoint}", file=sys.stderr, flush=True)

    seen = 0
    last_seq = None
    try:
        while args.count == 0 or seen < args.count:
            frames = sock.recv_multipart()
            if len(frames) != 2 or frames[0] != b"esc":
                continue  # not an escalation
            esc = json.loads(frames[1])
            if last_seq is not None and esc["seq"] > last_seq + 1:
                print(f"missed seq {last_seq + 1}..{esc['seq'] - 1}", file=sys.stderr)
            last_seq = esc["seq"]
            seen += 1
            if args.json:
                print(frames[1].decode("utf-8"), flush=True)
                continue
            post = esc["posts"][0] if esc["posts"] else {}
            print(f"{esc['severity'].upper():<8} {esc['kind']:<7} {esc['incident_id']}  "
                  f"{esc['summary']}", flush=True)
            if post:
                print(f"         @{post['author']} ({post['followers']} followers) {post['url']}",
                      flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A/B run times of two nk variants over the benchmark kernels, for nk's developers.

    python3 bench/ab.py [--rounds 3] [--a-env "VAR=VALUE ..."] [--b-env "VAR=VALUE ..."]
                        [--a-nk PATH] [--b-nk PATH] [KERNEL ...]

Runs `nk run --no-cache bench/kernels/KERNEL.nk` under variant A and variant B, A then
B for each kernel, for ROUNDS rounds, and prints each kernel's median time under both,
B/A and the geomean of B/A; a checksum that differs between A and B is flagged. A
variant is an nk binary (default build/bin/nk) plus environment variables, e.g.
--b-env "NK_LLVM_ARGS=-disable-lsr=false" or --b-nk /path/to/other/build/bin/nk.
Unlike bench/run.py it builds nothing and runs neither C nor Numba: it answers "did
this change make any kernel slower?" (this machine's run-to-run noise is a few percent,
so use 3 or more rounds and look again at any kernel outside 0.95-1.05).
"""

import argparse
import math
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNELS = os.path.join(ROOT, "bench", "kernels")


def run(nk, env_text, kernel):
    env = dict(os.environ)
    for item in env_text.split():
        name, value = item.split("=", 1)
        env[name] = value
    out = subprocess.run([nk, "run", "--no-cache", os.path.join(KERNELS, kernel + ".nk")],
                         capture_output=True, text=True, env=env)
    m = re.search(r" ([0-9.]+) ms \(check (.*)\)", out.stdout)
    if out.returncode != 0 or not m:
        sys.exit(f"{kernel}: nk run failed ({nk}, {env_text!r}):\n{out.stdout}{out.stderr}")
    return float(m.group(1)), m.group(2)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--a-env", default="")
    p.add_argument("--b-env", default="")
    p.add_argument("--a-nk", default=os.path.join(ROOT, "build", "bin", "nk"))
    p.add_argument("--b-nk", default=os.path.join(ROOT, "build", "bin", "nk"))
    p.add_argument("kernels", nargs="*")
    args = p.parse_args()
    kernels = args.kernels or sorted(f[:-3] for f in os.listdir(KERNELS) if f.endswith(".nk"))
    variants = [(args.a_nk, args.a_env), (args.b_nk, args.b_env)]
    times = {k: ([], []) for k in kernels}
    checks = {k: (set(), set()) for k in kernels}
    for _ in range(args.rounds):
        for k in kernels:
            for v, (nk, env_text) in enumerate(variants):
                ms, check = run(nk, env_text, k)
                times[k][v].append(ms)
                checks[k][v].add(check)
    logs = []
    print(f"{'kernel':16s} {'A ms':>9s} {'B ms':>9s}   B/A")
    for k in kernels:
        a, b = statistics.median(times[k][0]), statistics.median(times[k][1])
        logs.append(math.log(b / a))
        flag = "" if checks[k][0] == checks[k][1] else f"  CHECKSUM DIFFERS: {checks[k][0]} vs {checks[k][1]}"
        print(f"{k:16s} {a:9.3f} {b:9.3f}  {b / a:5.2f}{flag}")
    print(f"geomean B/A {math.exp(sum(logs) / len(logs)):.3f} ({args.rounds} rounds, medians)")


if __name__ == "__main__":
    main()

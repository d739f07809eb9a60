#!/usr/bin/env python3
"""Mutation fuzzing of nk's front end: no input may crash nk, hang it, or make it
report an internal error (SPEC 2.9).

Takes the .nk files of examples/ and tests/lit/ as seeds, applies random byte- and
token-level mutations, and runs `nk check` and `nk compile --emit=ir` on each result.
A run fails when nk dies from a signal, exceeds the time limit, or exits with a code
other than 0 (ok) or 1 (diagnostics). Failing inputs are saved for a regression test.

    python3 tests/fuzz/mutate.py --nk build/bin/nk --count 3000 --seed 1
"""
import argparse
import glob
import os
import random
import subprocess
import sys
import tempfile

TOKENS = [
    "(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "==", "+=", "**", "//", "->", "@", "*",
    "\n", "\n    ", "\t", "\\\n", "#", '"', "'", '"""', "f'{", "}", "0x", "1e", "1.5", "9" * 30,
    "def ", "return ", "for ", " in ", "range(", "prange(", "if ", "else:", "elif ", "while ",
    "lambda ", "class ", "with ", "yield ", "not ", " and ", " or ", "None", "True", "np.",
    "math.", "a[", "a[:, ", "a.shape", "len(", "print(", "np.zeros(", "dtype=np.float32",
    "@njit", "@jit(target=\"cuda\")", "@cuda.jit", "float32[:]", "\x00", "\xff", "é", "\r",
    "import ", "from nk import ", "raise ValueError(", "assert ", "break", "continue",
    "x", "i", "-", "~", "%", "<<", ">>", "&", "|", "^", "1", "0", "-1", "2.0",
]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        kind = rng.randrange(7)
        pos = rng.randrange(len(data) + 1)
        if kind == 0 and data:  # flip a byte
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:  # insert a token
            data[pos:pos] = rng.choice(TOKENS).encode("utf-8", "surrogateescape")
        elif kind == 2 and data:  # delete a range
            end = min(len(data), pos + rng.randint(1, 20))
            del data[pos:end]
        elif kind == 3:  # duplicate a line
            lines = bytes(data).split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
        elif kind == 4:  # swap two lines
            lines = bytes(data).split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
        elif kind == 5:  # repeat a token many times (deep nesting, long lines)
            data[pos:pos] = rng.choice(TOKENS).encode("utf-8", "surrogateescape") * rng.choice([50, 500, 5000])
        elif kind == 6 and data:  # change indentation of a line
            lines = bytes(data).split(b"\n")
            i = rng.randrange(len(lines))
            lines[i] = b" " * rng.randint(0, 12) + lines[i].lstrip()
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def run(nk, path, args, timeout):
    try:
        p = subprocess.run([nk] + args + [path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    if p.returncode < 0:
        return f"signal {-p.returncode}"
    if p.returncode not in (0, 1):
        return f"exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nk", required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--save", default="fuzz-failures")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    seeds = sorted(glob.glob(os.path.join(root, "examples", "*.nk")) +
                   glob.glob(os.path.join(root, "tests", "lit", "**", "*.nk"), recursive=True))
    corpus = [open(s, "rb").read() for s in seeds]
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "input.nk")
        for n in range(args.count):
            data = mutate(rng, rng.choice(corpus))
            with open(path, "wb") as f:
                f.write(data)
            for cmd in (["check"], ["compile", "--emit=ir"]):
                problem = run(args.nk, path, cmd, args.timeout)
                if problem:
                    failures += 1
                    os.makedirs(args.save, exist_ok=True)
                    out = os.path.join(args.save, f"failure-{args.seed}-{n}.nk")
                    with open(out, "wb") as f:
                        f.write(data)
                    print(f"FAIL ({' '.join(cmd)}): {problem} -> {out}")
                    break
    print(f"fuzz: {args.count} inputs, seed {args.seed}: {failures} failures")
    print(f"{args.count - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

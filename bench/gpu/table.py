#!/usr/bin/env python3
"""Reads the outputs of the GPU benchmarks (bench/gpu/*.nk, *_numba.py, *.cu) and prints
a markdown table of their RESULT lines, with ratios against the CUDA C++ build, and
whether their CHECK lines agree.

    table.py [--ref LABEL] LABEL=FILE [LABEL=FILE ...]

Each FILE is one program's output, LABEL the implementation's name in the table.
Lines read:
    RESULT <kernel>/<variant> <median ms> <GB/s>
    EVENT  <kernel>/<variant> <median ms> <GB/s>   (CUDA C++ only: cudaEvent timing,
                                                     listed as LABEL + " [cudaEvent]")
    CHECK  <kernel>/<variant> <values...>
Columns: "vs CUDA C++" is this GB/s over the reference's GB/s for the same
kernel/variant (the reference is the --ref label, default the first label that starts
with "CUDA C++"); "vs best CUDA C++" is over the reference's best variant of that kernel.
Both use the launch + synchronise timings (RESULT), never the cudaEvent ones.
"""
import sys
from collections import OrderedDict


def parse(path):
    results, events, checks = [], [], []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return results, events, checks
    for line in lines:
        parts = line.split()
        if len(parts) == 4 and parts[0] in ("RESULT", "EVENT"):
            try:
                row = (parts[1], float(parts[2]), float(parts[3]))
            except ValueError:
                continue
            (results if parts[0] == "RESULT" else events).append(row)
        elif len(parts) >= 3 and parts[0] == "CHECK":
            checks.append((parts[1], tuple(parts[2:])))
    return results, events, checks


def fmt_ratio(value):
    return "" if value is None else f"{value:.2f}"


def main(argv):
    ref_label = None
    pairs = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--ref" and args:
            ref_label = args.pop(0)
        elif "=" in a:
            label, path = a.split("=", 1)
            pairs.append((label, path))
        else:
            print(f"table.py: bad argument {a!r}", file=sys.stderr)
            return 2
    rows = []  # (name, label, ms, gbs)
    checks = OrderedDict()  # kernel -> list of (name, label, values)
    for label, path in pairs:
        results, events, chk = parse(path)
        rows += [(name, label, ms, gbs) for name, ms, gbs in results]
        rows += [(name, label + " [cudaEvent]", ms, gbs) for name, ms, gbs in events]
        for name, values in chk:
            checks.setdefault(name.split("/")[0], []).append((name, label, values))

    if not rows:
        print("no RESULT lines found")
        return 1
    if ref_label is None:
        ref_label = next((l for _, l, _, _ in rows if l.startswith("CUDA C++")), None)
    ref = {name: gbs for name, label, ms, gbs in rows if label == ref_label}
    best = {}
    for name, gbs in ref.items():
        kernel = name.split("/")[0]
        best[kernel] = max(best.get(kernel, 0.0), gbs)

    order = OrderedDict()
    for name, *_ in rows:
        order.setdefault(name, None)
    names = sorted(order, key=lambda n: (n.split("/")[0], list(order).index(n)))
    labels = list(OrderedDict((label, None) for _, label, _, _ in rows))

    print("| kernel | implementation | median ms | GB/s | vs CUDA C++ | vs best CUDA C++ |")
    print("|---|---|---:|---:|---:|---:|")
    for name in names:
        for label in labels:
            for n, l, ms, gbs in rows:
                if n != name or l != label:
                    continue
                same = gbs / ref[name] if name in ref and ref[name] > 0 else None
                kernel = name.split("/")[0]
                vs_best = gbs / best[kernel] if best.get(kernel) else None
                print(f"| {name} | {label} | {ms:.4f} | {gbs:.1f} | {fmt_ratio(same)} | {fmt_ratio(vs_best)} |")
    print()
    if ref_label is None:
        print("(no CUDA C++ results: ratio columns empty)")
    else:
        print(f"Ratios: GB/s over {ref_label}'s GB/s (launch + synchronise timing), for the same "
              "kernel/variant and for that kernel's fastest variant; above 1 is faster than nvcc's build.")
    print()

    status = 0
    for kernel, entries in checks.items():
        distinct = OrderedDict()
        for name, label, values in entries:
            distinct.setdefault(values, []).append(f"{label}:{name}")
        if len(distinct) == 1:
            values = next(iter(distinct))
            print(f"checksums {kernel}: all {len(entries)} runs agree: {' '.join(values)}")
        else:
            status = 1
            print(f"!!! CHECKSUM MISMATCH {kernel}:")
            for values, who in distinct.items():
                print(f"    {' '.join(values)}  <- {', '.join(who)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

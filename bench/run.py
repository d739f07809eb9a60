#!/usr/bin/env python3
"""The benchmark suite of SPEC section 6: every kernel under nk, as C and under Numba.

    python3 bench/run.py [--rounds 3] [--size-scale S] [--only NAME[,NAME...]]
                         [--no-numba] [--threads] [--check-only]

Each bench/kernels/NAME.nk (valid Python that imports numba) has a C twin
bench/c/NAME.c with the same algorithm, sizes, data and output line

    NAME <median ms> ms (check <checksum>)

(the median of REPEATS timed calls after a warm-up call). This script builds the C
versions into build/bench-c/, then for ROUNDS rounds runs, kernel by kernel, nk
(`build/bin/nk run --time --no-cache`), the C binary and Numba (/usr/bin/python3 with
Debian's python3-numba) one after the other, checks that all runs of a kernel print the
same checksum, and prints the medians over the rounds, the ratios nk/C and nk/Numba with
their geomeans, nk's compile time of the whole file (parse + types + compile, from the
`nk: time:` lines of `nk run`) and the first call's compile time of the kernel alone
through the C++ API (build/bench/nk_compile_time, the SPEC's "first call of a typical
kernel"). It writes bench/results/results.md and
bench/results/plot.svg (not with --check-only).

--size-scale S passes S as sys.argv[1] / argv[1] to every kernel (the default, 4, is the
benchmark size; 1 is a quick size for CI). --check-only runs one round and only verifies
the checksums; the exit status is 1 on a mismatch or a failed run. --threads also runs
the kernels that use prange with NK_NUM_THREADS=1 and =N (N = os.cpu_count()), and the C
(OMP_NUM_THREADS) and Numba (NUMBA_NUM_THREADS) versions likewise, and prints speed-ups.
"""

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNELS = os.path.join(ROOT, "bench", "kernels")
CSRC = os.path.join(ROOT, "bench", "c")
CBUILD = os.path.join(ROOT, "build", "bench-c")
RESULTS = os.path.join(ROOT, "bench", "results")

LINE = re.compile(r"^(\S+) ([0-9]+(?:\.[0-9]*)?) ms \(check (.*)\)\s*$")
TIME = re.compile(r"^nk: time: (.+?) ([0-9]+(?:\.[0-9]*)?) ms\s*$")
# "compile" is the wall time of lowering, optimising and machine code (nk compiles the
# host program and the functions on two threads); older nk printed only the phases.
COMPILE_PHASES = ("parse", "types", "compile")
OLD_COMPILE_PHASES = ("parse", "types", "lower", "optimize", "machine code")
FIRST_CALL = re.compile(r"^\| (\S+) \| ([0-9.]+) \|")
C_FLAGS = ["-std=c11", "-O3", "-march=native", "-ffp-contract=off"]
RUN_TIMEOUT = 600


def log(msg=""):
    print(msg, flush=True)


def warn(msg):
    print(msg, file=sys.stderr, flush=True)


class Run:
    """One run of one kernel by one implementation."""

    def __init__(self, ms=None, check=None, error=None, phases=None):
        self.ms = ms
        self.check = check
        self.error = error
        self.phases = phases or {}

    def compile_ms(self):
        phases = COMPILE_PHASES if "compile" in self.phases else OLD_COMPILE_PHASES
        if not any(p in self.phases for p in phases):
            return None
        return sum(self.phases.get(p, 0.0) for p in phases)


def execute(cmd, env=None, retry_busy=False):
    """Runs cmd; returns (rc, stdout, stderr). A binary being rebuilt under us ('text file
    busy', 'permission denied') is retried after 30 s, a few times."""
    for attempt in range(6):
        try:
            p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return 124, "", f"timed out after {RUN_TIMEOUT} s"
        except OSError as e:
            if retry_busy and attempt < 5:
                warn(f"  ({' '.join(cmd[:2])}: {e}; retrying in 30 s)")
                time.sleep(30)
                continue
            return 127, "", str(e)
        busy = p.returncode == 126 or re.search(r"text file busy|permission denied",
                                                 p.stderr, re.I)
        if retry_busy and busy and attempt < 5:
            warn(f"  ({' '.join(cmd[:2])}: {p.stderr.strip()[:200]}; retrying in 30 s)")
            time.sleep(30)
            continue
        return p.returncode, p.stdout, p.stderr
    return p.returncode, p.stdout, p.stderr


def parse_run(name, rc, out, err):
    phases = {}
    for line in err.splitlines():
        m = TIME.match(line.strip())
        if m:
            phases[m.group(1)] = phases.get(m.group(1), 0.0) + float(m.group(2))
    if rc != 0:
        tail = (err.strip() or out.strip()).splitlines()[-3:]
        return Run(error=f"exit {rc}: " + " | ".join(tail), phases=phases)
    for line in reversed(out.splitlines()):
        m = LINE.match(line.strip())
        if m and m.group(1) == name:
            return Run(float(m.group(2)), m.group(3), phases=phases)
    tail = out.strip().splitlines()[-2:]
    return Run(error="no timing line in the output: " + " | ".join(tail), phases=phases)


def geomean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


class Suite:
    def __init__(self, args):
        self.args = args
        self.notes = []
        self.nk = os.path.abspath(args.nk)
        self.python = args.numba_python
        self.kernels = self.find_kernels()
        self.scale_args = [] if args.size_scale is None else [str(args.size_scale)]
        self.threads = os.cpu_count() or 1
        self.failed = False

    def note(self, msg):
        self.notes.append(msg)
        log(f"note: {msg}")

    # ---- discovery and builds -------------------------------------------------------

    def find_kernels(self):
        names = sorted(f[:-3] for f in os.listdir(KERNELS) if f.endswith(".nk"))
        if self.args.only:
            wanted = [w for o in self.args.only for w in o.split(",") if w]
            unknown = [w for w in wanted if w not in names]
            if unknown:
                sys.exit(f"run.py: no kernel {', '.join(unknown)} (have: {', '.join(names)})")
            names = [n for n in names if n in wanted]
        return names

    def is_parallel(self, name):
        with open(os.path.join(KERNELS, name + ".nk")) as f:
            return re.search(r"\bprange\s*\(", f.read()) is not None

    def pick_cc(self):
        if self.args.cc:
            return self.args.cc
        if shutil.which("clang-19"):
            return "clang-19"
        cc = shutil.which("cc") or "cc"
        self.note("clang-19 not found: the C versions are built with `cc` "
                  f"({self.cc_version('cc')}), not with clang-19 as SPEC section 6 asks")
        return cc

    def cc_version(self, cc):
        try:
            out = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
            return out.splitlines()[0].strip() if out else cc
        except OSError:
            return cc

    def openmp_flags(self, cc):
        """The first OpenMP flag the compiler links with, or None."""
        os.makedirs(CBUILD, exist_ok=True)
        src = os.path.join(CBUILD, "omp_probe.c")
        with open(src, "w") as f:
            f.write("#ifndef _OPENMP\n#error no OpenMP\n#endif\n"
                    "int main(void) {\n  int s = 0;\n#pragma omp parallel for reduction(+ : s)\n"
                    "  for (int i = 0; i < 4; ++i) s += i;\n  return s != 6;\n}\n")
        exe = os.path.join(CBUILD, "omp_probe")
        for flags in (["-fopenmp"],):
            p = subprocess.run([cc, *flags, src, "-o", exe], capture_output=True, text=True)
            if p.returncode == 0 and subprocess.run([exe], capture_output=True).returncode == 0:
                return flags
        return None

    def build_c(self):
        self.cc = self.pick_cc()
        self.cc_desc = self.cc_version(self.cc)
        self.omp = None
        if any(self.is_parallel(k) for k in self.kernels):
            self.omp = self.openmp_flags(self.cc)
            if self.omp is None:
                self.note("no OpenMP for the C compiler (for clang-19: apt-get install "
                          "libomp-19-dev): the C versions of the prange kernels run serially")
        os.makedirs(CBUILD, exist_ok=True)
        self.cbin = {}
        header = os.path.join(CSRC, "bench.h")
        for name in self.kernels:
            src = os.path.join(CSRC, name + ".c")
            if not os.path.exists(src):
                self.note(f"{name}: no bench/c/{name}.c, no C time")
                continue
            flags = C_FLAGS + (self.omp if self.omp and self.is_parallel(name) else [])
            out = os.path.join(CBUILD, name)
            stamp = out + ".flags"
            cmdline = " ".join([self.cc, *flags])
            fresh = (os.path.exists(out) and os.path.exists(stamp)
                     and open(stamp).read() == cmdline
                     and os.path.getmtime(out) >= max(os.path.getmtime(src),
                                                      os.path.getmtime(header)))
            if not fresh:
                p = subprocess.run([self.cc, *flags, src, "-o", out, "-lm"], cwd=CSRC,
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    warn(f"FAILED to build bench/c/{name}.c:\n{p.stderr}")
                    self.failed = True
                    continue
                with open(stamp, "w") as f:
                    f.write(cmdline)
            self.cbin[name] = out
        log(f"C: {self.cc_desc}: {' '.join(C_FLAGS)} -lm"
            + (f", prange kernels {' '.join(self.omp)}" if self.omp else "")
            + f" -> {os.path.relpath(CBUILD, ROOT)}/")

    def probe_numba(self):
        self.numba = None
        if self.args.no_numba:
            return
        try:
            p = subprocess.run([self.python, "-c", "import numba; print(numba.__version__)"],
                               capture_output=True, text=True)
        except OSError as e:
            p = None
            err = str(e)
        if p is not None and p.returncode == 0:
            self.numba = p.stdout.strip()
            log(f"Numba: {self.numba} ({self.python})")
        else:
            err = err if p is None else (p.stderr.strip().splitlines() or ["?"])[-1]
            self.note(f"`import numba` fails under {self.python} ({err}): no Numba column "
                      "(apt-get install python3-numba)")

    def nk_version(self):
        rc, out, err = execute([self.nk, "--version"], retry_busy=True)
        if rc != 0:
            sys.exit(f"run.py: {self.nk} --version failed: {err.strip()} (build nk first)")
        return " ".join(out.split())

    # ---- running ------------------------------------------------------------------

    def env(self, **extra):
        env = dict(os.environ)
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def run_nk(self, name, **env):
        path = os.path.join("bench", "kernels", name + ".nk")
        cmd = [self.nk, "run", "--time", "--no-cache", path, *self.scale_args]
        return parse_run(name, *execute(cmd, self.env(**env), retry_busy=True))

    def run_c(self, name, **env):
        if name not in self.cbin:
            return None
        return parse_run(name, *execute([self.cbin[name], *self.scale_args], self.env(**env)))

    def run_numba(self, name, **env):
        if not self.numba:
            return None
        path = os.path.join("bench", "kernels", name + ".nk")
        return parse_run(name, *execute([self.python, path, *self.scale_args],
                                        self.env(**env)))

    def main_runs(self, rounds):
        """runs[name][impl] = [Run, ...]; rounds outermost, implementations alternate."""
        runs = {k: {"nk": [], "C": [], "Numba": []} for k in self.kernels}
        for r in range(rounds):
            log(f"round {r + 1}/{rounds}")
            for name in self.kernels:
                row = []
                for impl, fn in (("nk", self.run_nk), ("C", self.run_c),
                                 ("Numba", self.run_numba)):
                    run = fn(name)
                    if run is None:
                        continue
                    runs[name][impl].append(run)
                    row.append(f"{impl} " + (f"{run.ms:.3f} ms" if run.error is None
                                             else "FAILED"))
                    if run.error is not None:
                        warn(f"  {name}: {impl} FAILED: {run.error}")
                log(f"  {name:<15} " + ", ".join(row))
        return runs

    def verify(self, name, by_impl):
        """True when every successful run of the kernel printed the same checksum."""
        ok = True
        seen = {}
        for impl, rs in by_impl.items():
            for run in rs:
                if run.error is not None:
                    ok = False
                    continue
                seen.setdefault(run.check, []).append(impl)
        if len(seen) > 1:
            ok = False
            warn(f"!!! CHECKSUM MISMATCH in {name}:")
            for check, impls in seen.items():
                warn(f"!!!   {'/'.join(sorted(set(impls))):<22} check {check}")
        return ok

    def thread_runs(self, rounds):
        """For each prange kernel: times with 1 and N threads of nk, C, Numba."""
        n = self.threads
        par = [k for k in self.kernels if self.is_parallel(k)]
        res = {}
        if not par:
            return res
        log(f"threads: prange kernels with 1 and {n} threads, {rounds} round(s)")
        for name in par:
            res[name] = {}
        for r in range(rounds):
            for name in par:
                for t in (1, n):
                    for impl, fn, var in (("nk", self.run_nk, "NK_NUM_THREADS"),
                                          ("C", self.run_c, "OMP_NUM_THREADS"),
                                          ("Numba", self.run_numba, "NUMBA_NUM_THREADS")):
                        if impl == "C" and not self.omp:
                            continue
                        run = fn(name, **{var: t})
                        if run is None:
                            continue
                        if run.error is not None:
                            warn(f"  {name}: {impl} with {var}={t} FAILED: {run.error}")
                        res[name].setdefault((impl, t), []).append(run)
        return res

    # ---- reporting ----------------------------------------------------------------

    def first_call_ms(self):
        """The C++ API's first-call compile time of each kernel (median ms by name), from
        build/bench/nk_compile_time next to the nk binary; {} when it is not built."""
        tool = os.path.join(os.path.dirname(os.path.dirname(self.nk)), "bench", "nk_compile_time")
        if not os.access(tool, os.X_OK):
            self.note("build/bench/nk_compile_time not built: no first-call column")
            return {}
        rc, out, err = execute([tool, "--samples", "7", "--only", ",".join(self.kernels)])
        if rc != 0:
            warn(f"nk_compile_time failed: {err.strip()[-500:]}")
        found = {}
        for line in out.splitlines():
            m = FIRST_CALL.match(line)
            if m:
                found[m.group(1)] = float(m.group(2))
        return found

    def summarize(self, runs):
        first = self.first_call_ms()
        rows = []
        for name in self.kernels:
            med = {impl: median([r.ms for r in rs if r.error is None])
                   for impl, rs in runs[name].items()}
            comp = median([r.compile_ms() for r in runs[name]["nk"] if r.error is None])
            nk, c, nb = med["nk"], med["C"], med["Numba"]
            rows.append({
                "name": name, "parallel": self.is_parallel(name), "nk": nk, "C": c,
                "Numba": nb,
                "nk/C": nk / c if nk and c else None,
                "nk/Numba": nk / nb if nk and nb else None,
                "compile": comp,
                "first": first.get(name),
            })
        return rows

    def table(self, rows, markdown):
        head = ["kernel", "nk ms", "C ms", "Numba ms", "nk/C", "nk/Numba", "compile ms", "1st call ms"]
        body = []
        for r in rows:
            body.append([r["name"] + (" (prange)" if r["parallel"] else ""),
                         fmt(r["nk"], 3), fmt(r["C"], 3), fmt(r["Numba"], 3),
                         fmt(r["nk/C"]), fmt(r["nk/Numba"]), fmt(r["compile"], 1), fmt(r["first"], 1)])
        gc = geomean([r["nk/C"] for r in rows])
        gn = geomean([r["nk/Numba"] for r in rows])
        gcomp = geomean([r["compile"] for r in rows])
        gfirst = geomean([r["first"] for r in rows])
        body.append(["geomean", "", "", "", fmt(gc), fmt(gn), fmt(gcomp, 1), fmt(gfirst, 1)])
        if markdown:
            lines = ["| " + " | ".join(head) + " |",
                     "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
            for b in body:
                if b[0] == "geomean":
                    b = [f"**{x}**" if x else "" for x in b]
                lines.append("| " + " | ".join(b) + " |")
            return "\n".join(lines)
        widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
        out = []
        for i, b in enumerate([head] + body):
            if i == len(body):
                out.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
            out.append("  ".join(str(x).ljust(w) if j == 0 else str(x).rjust(w)
                                 for j, (x, w) in enumerate(zip(b, widths))))
        out.insert(1, "-" * (sum(widths) + 2 * (len(widths) - 1)))
        return "\n".join(out)

    def thread_table(self, res, markdown):
        n = self.threads
        head = ["kernel"]
        impls = [i for i in ("nk", "C", "Numba")
                 if any((i, 1) in v for v in res.values())]
        for i in impls:
            head += [f"{i} 1T ms", f"{i} {n}T ms", f"{i} speed-up"]
        body = []
        for name, v in res.items():
            row = [name]
            for i in impls:
                t1 = median([r.ms for r in v.get((i, 1), []) if r.error is None])
                tn = median([r.ms for r in v.get((i, n), []) if r.error is None])
                row += [fmt(t1, 3), fmt(tn, 3), fmt(t1 / tn if t1 and tn else None) + "x"]
            body.append(row)
        if markdown:
            lines = ["| " + " | ".join(head) + " |",
                     "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
            lines += ["| " + " | ".join(b) + " |" for b in body]
            return "\n".join(lines)
        widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
        out = ["  ".join(str(x).ljust(w) if j == 0 else str(x).rjust(w)
                         for j, (x, w) in enumerate(zip(b, widths))) for b in [head] + body]
        out.insert(1, "-" * (sum(widths) + 2 * (len(widths) - 1)))
        return "\n".join(out)

    def write_svg(self, rows, path):
        """A grouped bar chart of nk/C and nk/Numba per kernel on a log2 axis around 1."""
        items = [(r["name"], r["nk/C"], r["nk/Numba"]) for r in rows]
        items.append(("geomean", geomean([r["nk/C"] for r in rows]),
                      geomean([r["nk/Numba"] for r in rows])))
        vals = [v for _, a, b in items for v in (a, b) if v]
        top = max([2.0] + [2 ** math.ceil(math.log2(v)) for v in vals if v > 1])
        bottom = min([0.5] + [2 ** math.floor(math.log2(v)) for v in vals if v < 1])
        top, bottom = min(top, 64.0), max(bottom, 1 / 64.0)
        left, right, head, foot = 60, 20, 56, 100
        group, bar = 46, 18
        width = left + right + group * len(items)
        height = 340
        plot_h = height - head - foot

        def y(v):
            v = min(max(v, bottom), top)
            return head + plot_h * (math.log2(top) - math.log2(v)) / (
                math.log2(top) - math.log2(bottom))

        colours = {"nk/C": "#4472c4", "nk/Numba": "#ed7d31"}
        s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{left}" y="20" font-size="14" font-weight="bold">nk time / other '
             f'time per kernel (log scale; below 1: nk is faster)</text>']
        e = math.log2(bottom)
        while e <= math.log2(top) + 1e-9:
            v = 2 ** e
            yy = y(v)
            s.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'stroke="{"#000" if v == 1 else "#ddd"}" '
                     f'stroke-width="{1.5 if v == 1 else 1}"/>')
            label = f"{v:g}" if v >= 1 else f"1/{1 / v:g}"
            s.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{label}</text>')
            e += 1
        y1 = y(1.0)
        for i, (name, a, b) in enumerate(items):
            x0 = left + group * i + (group - 2 * bar) / 2
            for k, (key, v) in enumerate((("nk/C", a), ("nk/Numba", b))):
                if not v:
                    continue
                yy = y(v)
                top_y, h = min(yy, y1), abs(yy - y1)
                s.append(f'<rect x="{x0 + k * bar:.1f}" y="{top_y:.1f}" width="{bar - 2}" '
                         f'height="{max(h, 1):.1f}" fill="{colours[key]}">'
                         f'<title>{name} {key} = {v:.2f}</title></rect>')
            tx = left + group * i + group / 2
            ty = height - foot + 10
            weight = ' font-weight="bold"' if name == "geomean" else ""
            s.append(f'<text x="{tx:.1f}" y="{ty}" text-anchor="end"{weight} '
                     f'transform="rotate(-50 {tx:.1f} {ty})">{name}</text>')
        lx = left
        for key, col in colours.items():
            s.append(f'<rect x="{lx}" y="30" width="12" height="12" fill="{col}"/>')
            s.append(f'<text x="{lx + 16}" y="40">{key}</text>')
            lx += 90
        s.append("</svg>")
        with open(path, "w") as f:
            f.write("\n".join(s) + "\n")

    def write_results(self, rows, header, threads_md, mismatches):
        os.makedirs(RESULTS, exist_ok=True)
        md = ["# nk benchmark results", "",
              "Written by `python3 bench/run.py`; see bench/README.md for what the columns "
              "mean.", ""]
        md += [f"- {h}" for h in header]
        md += [f"- note: {n}" for n in self.notes]
        md += ["", self.table(rows, markdown=True), ""]
        if mismatches:
            md += ["**CHECKSUM MISMATCH** in: " + ", ".join(mismatches), ""]
        if threads_md:
            md += ["## prange speed-up", "", threads_md, ""]
        md += ["![nk/C and nk/Numba per kernel](plot.svg)", ""]
        with open(os.path.join(RESULTS, "results.md"), "w") as f:
            f.write("\n".join(md))
        self.write_svg(rows, os.path.join(RESULTS, "plot.svg"))
        log(f"wrote {os.path.relpath(RESULTS, ROOT)}/results.md and plot.svg")

    # ---- main ---------------------------------------------------------------------

    def main(self):
        args = self.args
        version = self.nk_version()
        log(f"nk: {version}")
        self.build_c()
        self.probe_numba()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        if load > 0.5 and not args.check_only:
            self.note(f"load average {load:.2f} at the start: other work on this machine "
                      "may disturb the times")
        rounds = 1 if args.check_only else args.rounds
        scale = "default (4)" if args.size_scale is None else str(args.size_scale)
        log(f"{len(self.kernels)} kernels, {rounds} round(s), size scale {scale}")
        started = time.time()
        runs = self.main_runs(rounds)

        mismatches = [k for k in self.kernels if not self.verify(k, runs[k])]
        thread_res = {}
        if args.threads:
            thread_res = self.thread_runs(rounds)
            for name, v in thread_res.items():
                by = {f"{impl} {t}T": rs for (impl, t), rs in v.items()}
                by.update(runs[name])
                if not self.verify(name, by) and name not in mismatches:
                    mismatches.append(name)
        elapsed = time.time() - started

        if args.check_only:
            for name in self.kernels:
                impls = [i for i, rs in runs[name].items() if rs]
                status = "FAIL" if name in mismatches else "ok"
                checks = sorted({r.check for rs in runs[name].values() for r in rs
                                 if r.error is None})
                log(f"{status:<4} {name:<15} {'/'.join(impls):<12} check "
                    + " | ".join(checks))
            log(f"check-only: {len(self.kernels) - len(mismatches)}/{len(self.kernels)} "
                f"kernels agree ({elapsed:.1f} s)")
            if mismatches:
                warn("!!! checksum mismatch or failed run in: " + ", ".join(mismatches))
            return 1 if mismatches or self.failed else 0

        rows = self.summarize(runs)
        log("")
        log(self.table(rows, markdown=False))
        threads_md = None
        if thread_res:
            log("")
            log(f"prange speed-up with {self.threads} threads (NK_NUM_THREADS, "
                "OMP_NUM_THREADS, NUMBA_NUM_THREADS = 1 and N):")
            log(self.thread_table(thread_res, markdown=False))
            threads_md = self.thread_table(thread_res, markdown=True)
        if mismatches:
            warn("")
            warn("!!! CHECKSUM MISMATCH or failed run in: " + ", ".join(mismatches))
        header = [
            f"date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
            f"nk: `{version}`",
            f"C: {self.cc_desc}, `{' '.join(C_FLAGS)} -lm`"
            + (f", prange kernels `{' '.join(self.omp)}`" if self.omp else ""),
            f"Numba: {self.numba} ({self.python})" if self.numba else "Numba: not run",
            f"{os.cpu_count()} CPUs; {rounds} rounds, size scale {scale}; times are "
            "medians over the rounds of each run's median kernel time",
        ]
        if not args.no_write:
            self.write_results(rows, header, threads_md, mismatches)
        return 1 if mismatches or self.failed else 0


def numba_venv():
    """The peer is the current Numba (SPEC 6), not Debian's older python3-numba: a venv
    of /usr/bin/python3 in build/bench-venv with numba from PyPI, made once."""
    venv = os.path.join(ROOT, "build", "bench-venv")
    python = os.path.join(venv, "bin", "python")
    check = [python, "-c", "import numba"]
    if os.path.exists(python) and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    log(f"making {os.path.relpath(venv, ROOT)} with the current Numba from PyPI")
    made = subprocess.run(["/usr/bin/python3", "-m", "venv", venv], capture_output=True).returncode == 0
    if made:
        made = subprocess.run([python, "-m", "pip", "install", "-q", "numba"], capture_output=True).returncode == 0
    if made and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    log("note: could not install Numba from PyPI; using /usr/bin/python3 (Debian's python3-numba)")
    return "/usr/bin/python3"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of alternating runs (3)")
    ap.add_argument("--size-scale", type=int, default=None, metavar="S",
                    help="size multiplier passed to every kernel as argv[1] "
                         "(kernels default to 4; 1 is a quick CI size)")
    ap.add_argument("--only", action="append", metavar="NAME[,NAME]",
                    help="run only these kernels (repeatable)")
    ap.add_argument("--no-numba", action="store_true", help="skip the Numba runs")
    ap.add_argument("--threads", action="store_true",
                    help="also time prange kernels with 1 and os.cpu_count() threads")
    ap.add_argument("--check-only", action="store_true",
                    help="one round, verify the checksums only; exit 1 on a mismatch")
    ap.add_argument("--no-write", action="store_true",
                    help="do not write bench/results/results.md and plot.svg")
    ap.add_argument("--nk", default=os.environ.get("NK", os.path.join(ROOT, "build", "bin",
                                                                      "nk")),
                    help="the nk binary (default build/bin/nk, or $NK)")
    ap.add_argument("--numba-python", default=os.environ.get("NUMBA_PYTHON"),
                    help="the Python with numba (default: a venv build/bench-venv with the "
                         "current Numba from PyPI, made on first use; /usr/bin/python3 "
                         "(Debian's older Numba) when pip cannot reach PyPI; or $NUMBA_PYTHON)")
    ap.add_argument("--cc", default=None, help="C compiler (default clang-19, else cc)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if args.size_scale is not None and args.size_scale < 1:
        ap.error("--size-scale must be at least 1")
    if args.numba_python is None and not args.no_numba:
        args.numba_python = numba_venv()
    sys.exit(Suite(args).main())


if __name__ == "__main__":
    main()

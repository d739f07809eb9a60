#!/usr/bin/env python3
"""The GPU suite: tests/gpu/*.nk against CPython, their PTX against ptxas, and the
error nk gives without a CUDA driver.

    run_gpu.py --ptx --nk build/bin/nk [--ptxas PATH] [--gpu-arch sm_80]
    run_gpu.py --run --nk build/bin/nk --python PY
    run_gpu.py --error-paths --nk build/bin/nk

--ptx          every tests/gpu/*.nk and examples/*.nk with GPU code (a `@cuda.jit`
               or `@jit(target="cuda")` decorator) is compiled with
               `nk compile F --emit=ptx --gpu-arch ARCH` (at -O3 and at -O0, with no
               CUDA driver loadable) and the PTX assembled by `ptxas --gpu-name ARCH`.
               Without ptxas: SKIP, exit 77.
--run          first, every program with `@jit(target="cuda")` functions and no
               `@cuda.jit` runs under `nk run --target=cpu` (no GPU needed); then a
               probe program calls cuda.synchronize(): if nk answers "CudaError: no
               CUDA ...", SKIP, exit 77 (or 1 if the CPU part failed). Otherwise every
               tests/gpu program runs under `nk run`. Each run is compared with the
               reference, `PY FILE` with PYTHONPATH=<repo>/python (the pure-Python nk,
               which simulates CUDA on the CPU): stdout must match exactly, or within
               the relative tolerance of a `# tolerance: 1e-5` header. examples/*.nk
               with GPU code only have to exit 0 (they print timings).
--error-paths  with NK_CUDA_DRIVER=/nonexistent/libcuda.so.1, the first CUDA call of
               a program (to_device, device_array, a kernel launch, a call of a
               @jit(target="cuda") function) fails with exit 3 and
               `FILE.nk:LINE: CudaError: no CUDA driver...`; cuda.is_available() is
               False; --target=cpu runs without loading the driver. Works anywhere.

Header comments (first 30 lines) of a test program:
  # expect-error: IndexError: index 10 is out of bounds for axis 0 with size 10
  # expect-line: 16
      The program ends with that exception, raised at line 16. The reference must
      fail with exactly that last stderr line and with line 16 as its innermost
      frame in the program (this checks the test itself); nk must exit 3 with
      `NAME.nk:16: IndexError: index 10 ...` on stderr. stdout before the error is
      compared as usual.
  # tolerance: 1e-5
      Numbers in stdout are compared within that relative tolerance.

One line per check (PASS/FAIL), then `N passed, M failed`; exit 0, 1 on a failure,
77 when the mode cannot run here.
"""

import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EXAMPLES = REPO / "examples"
sys.path.insert(0, str(REPO / "tests" / "diff"))
from run_diff import Run, last_line, same_output, short_diff  # noqa: E402

SKIP = 77
HEADER_LINES = 30
TAIL_CHARS = 800
NO_DRIVER = "/nonexistent/libcuda.so.1"

ERROR_RE = re.compile(r"^#\s*expect-error:\s*(\S.*?)\s*$")
LINE_RE = re.compile(r"^#\s*expect-line:\s*(\d+)\s*$")
TOL_RE = re.compile(r"^#\s*tolerance:\s*(\S+)\s*$")
# `@cuda.jit`, `@cuda.jit(...)`, `@numba.cuda.jit`: explicit kernels and device functions.
KERNEL_RE = re.compile(r"^[ \t]*@[ \t]*(?:\w+\.)*cuda\.jit\b", re.M)
# `@jit(target="cuda")` and the like: auto-parallel GPU functions.
AUTO_RE = re.compile(r"^[ \t]*@[ \t]*(?:\w+\.)*n?jit[ \t]*\([^)]*target[ \t]*=[ \t]*[\"']cuda[\"']",
                     re.M)
FRAME_RE = re.compile(r'^\s*File "([^"]+)", line (\d+)', re.M)


class Program:
    """A .nk file and what its source and header comments say about it."""

    def __init__(self, path):
        self.path = path
        self.name = path.name
        self.is_example = path.parent == EXAMPLES
        text = path.read_text(encoding="utf-8", errors="replace")
        self.has_kernel = bool(KERNEL_RE.search(text))
        self.has_auto = bool(AUTO_RE.search(text))
        self.error = self.line = self.tolerance = None
        for line in text.splitlines()[:HEADER_LINES]:
            line = line.strip()
            if m := ERROR_RE.match(line):
                self.error = m.group(1)
            elif m := LINE_RE.match(line):
                self.line = int(m.group(1))
            elif m := TOL_RE.match(line):
                self.tolerance = float(m.group(1))

    @property
    def has_gpu_code(self):
        return self.has_kernel or self.has_auto

    @property
    def runs_on_cpu_target(self):
        """--target=cpu runs @jit(target="cuda") functions, not explicit kernels."""
        return self.has_auto and not self.has_kernel


def indent(text):
    return "    " + text.strip().replace("\n", "\n    ")


def tail(text):
    text = text.strip()
    return "..." + text[-TAIL_CHARS:] if len(text) > TAIL_CHARS else text


def base_env():
    env = dict(os.environ)
    pp = str(REPO / "python")
    env["PYTHONPATH"] = pp + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONHASHSEED"] = "0"
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def run_parallel(jobs, items, fn):
    """fn(item) -> list of (label, ok, why); yields them in the order of items."""
    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        futures = [pool.submit(fn, item) for item in items]
        for item, fut in zip(items, futures):
            try:
                yield from fut.result()
            except Exception as e:  # a bug here must not hide the other results
                yield f"{getattr(item, 'name', item)}", False, f"harness error: {e!r}"


class Tally:
    def __init__(self, quiet):
        self.quiet, self.passed, self.failed = quiet, 0, 0

    def add(self, label, ok, why=""):
        if ok:
            self.passed += 1
            if not self.quiet:
                print(f"PASS {label}")
        else:
            self.failed += 1
            print(f"FAIL {label}: {why}")
        sys.stdout.flush()

    def summary(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.stdout.flush()
        return 1 if self.failed else 0


# ------------------------------------------------------------------------- --ptx


def find_ptxas(explicit):
    if explicit:
        return explicit if Path(explicit).is_file() else None
    found = shutil.which("ptxas")
    if found:
        return found
    for root in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"):
        if root and (Path(root) / "bin" / "ptxas").is_file():
            return str(Path(root) / "bin" / "ptxas")
    return None


def check_ptx(prog, args, ptxas):
    results = []
    env = dict(os.environ)
    env["NK_CUDA_DRIVER"] = NO_DRIVER        # emitting PTX must not need a driver
    with tempfile.TemporaryDirectory(prefix="nk-ptx-") as tmp:
        for opt in ("-O3", "-O0"):
            label = f"ptx {opt} {prog.name}"
            ptx = Path(tmp) / f"{prog.path.stem}{opt}.ptx"
            cmd = [args.nk, "compile", str(prog.path), "--emit=ptx", "--gpu-arch", args.gpu_arch,
                   opt, "-o", str(ptx)]
            r = Run(cmd, str(prog.path.parent), env, args.timeout)
            if r.rc != 0:
                results.append((label, False, f"{shlex.join(cmd)}: {r.status()}\n" +
                                indent(tail(r.stderr))))
                continue
            text = ptx.read_text(errors="replace") if ptx.is_file() else ""
            if ".entry" not in text:
                results.append((label, False, f"{shlex.join(cmd)} wrote no kernel "
                                f"(no .entry in {ptx.name}, {len(text)} characters)"))
                continue
            cmd = [ptxas, "--gpu-name", args.gpu_arch, str(ptx), "-o", str(ptx) + ".cubin"]
            r = Run(cmd, tmp, env, args.timeout)
            if r.rc != 0:
                kept = Path(tempfile.gettempdir()) / f"nk-failed-{prog.path.stem}{opt}.ptx"
                shutil.copyfile(ptx, kept)
                results.append((label, False, f"{shlex.join(cmd)}: {r.status()} "
                                f"(PTX kept in {kept})\n" + indent(tail(r.stderr))))
                continue
            results.append((label, True, ""))
    return results


def mode_ptx(args, programs):
    ptxas = find_ptxas(args.ptxas)
    if ptxas is None:
        print("SKIP: ptxas not found (install the CUDA toolkit to validate PTX)")
        return SKIP
    programs = [p for p in programs if p.has_gpu_code]
    if not programs:
        print("no GPU programs selected")
        return 1
    tally = Tally(args.quiet)
    for label, ok, why in run_parallel(args.jobs, programs,
                                       lambda p: check_ptx(p, args, ptxas)):
        tally.add(label, ok, why)
    return tally.summary()


# ------------------------------------------------------------------------- --run


def innermost_frame_line(prog, stderr):
    """The line of the last traceback frame that is in the program itself."""
    lines = [int(line) for f, line in FRAME_RE.findall(stderr) if Path(f).name == prog.name]
    return lines[-1] if lines else None


def check_reference(prog, ref):
    """Whether the reference run behaves as the program's headers say; a problem
    here is a broken test, not an nk bug."""
    if prog.error is None:
        if ref.rc != 0:
            return f"reference failed: {ref.status()}\n" + indent(tail(ref.stderr))
        return None
    if prog.line is None:
        return "an expect-error header needs an expect-line header"
    if ref.rc in (0, None):
        return f"reference did not raise {prog.error!r}: {ref.status()}"
    got = last_line(ref.stderr)
    if got != prog.error:
        return f"reference raised {got!r}, the header expects {prog.error!r}"
    line = innermost_frame_line(prog, ref.stderr)
    if line != prog.line:
        return f"reference raised at line {line}, the header says {prog.line}"
    return None


def compare(prog, ref, got, what):
    """nk's run against the reference's; None when they agree."""
    problems = []
    if got.rc is None:
        problems.append(f"{what} {got.status()}")
    elif prog.error is None:
        if got.rc != 0:
            problems.append(f"{what} {got.status()}:\n" + indent(tail(got.stderr)))
    else:
        want = f"{prog.name}:{prog.line}: {prog.error}"
        found = re.search(r"(?:^|[\s/])" + re.escape(want) + r"\s*$", got.stderr, re.M)
        if got.rc != 3 or not found:
            problems.append(f"{what} {got.status()}, expected exit 3 and {want!r} on "
                            "stderr:\n" + indent(tail(got.stderr)))
    if not same_output(ref.stdout, got.stdout, prog.tolerance):
        tol = f" (tolerance {prog.tolerance:g})" if prog.tolerance else ""
        problems.append(f"stdout differs{tol}:\n" + short_diff(ref.stdout, got.stdout))
    return "\n    ".join(problems) if problems else None


class References:
    """Reference runs, made once per program and shared by the CPU and GPU passes."""

    def __init__(self, args):
        self.args, self.env, self.runs = args, base_env(), {}

    def get(self, prog):
        if prog.path not in self.runs:
            self.runs[prog.path] = Run([self.args.python, str(prog.path)],
                                       str(prog.path.parent), self.env, self.args.timeout)
        return self.runs[prog.path]


def check_run(prog, args, refs, target):
    """One program under `nk run` (target "gpu") or `nk run --target=cpu`."""
    label = f"{target} {prog.name}"
    cmd = [args.nk, "run"] + (["--target=cpu"] if target == "cpu" else []) + [str(prog.path)]
    got = Run(cmd, str(prog.path.parent), base_env(), args.timeout)
    if prog.is_example:             # examples print timings: they only have to succeed
        if got.rc != 0:
            return [(label, False, f"{shlex.join(cmd)}: {got.status()}\n" +
                     indent(tail(got.stderr)))]
        return [(label, True, "")]
    ref = refs.get(prog)
    broken = check_reference(prog, ref)
    if broken:
        return [(label, False, broken)]
    why = compare(prog, ref, got, "nk" if target == "gpu" else "nk --target=cpu")
    return [(label, why is None, why or "")]


PROBE = "from nk import cuda\ncuda.synchronize()\nprint(\"ok\")\n"


def probe_gpu(args):
    """(True, None) with a usable GPU, (False, message) without one; raises on
    anything else."""
    with tempfile.TemporaryDirectory(prefix="nk-probe-") as tmp:
        path = Path(tmp) / "probe.nk"
        path.write_text(PROBE)
        r = Run([args.nk, "run", str(path)], tmp, base_env(), args.timeout)
    if r.rc == 0 and r.stdout == "ok\n":
        return True, None
    m = re.search(r"CudaError: (no CUDA.*)", r.stderr)
    if r.rc is not None and r.rc != 0 and m:
        return False, m.group(1).strip()
    raise RuntimeError(f"the GPU probe failed unexpectedly: nk {r.status()}, stdout "
                       f"{r.stdout!r}\n" + indent(tail(r.stderr)))


def mode_run(args, programs):
    if not args.python:
        print("--run needs --python (CPython with NumPy >= 2)", file=sys.stderr)
        return 2
    refs = References(args)
    tally = Tally(args.quiet)

    # 1. @jit(target="cuda") programs on the CPU: needs no GPU.
    cpu = [p for p in programs if p.runs_on_cpu_target]
    for label, ok, why in run_parallel(args.jobs, cpu,
                                       lambda p: check_run(p, args, refs, "cpu")):
        tally.add(label, ok, why)

    # 2. Everything on the GPU, if there is one.
    try:
        usable, message = probe_gpu(args)
    except RuntimeError as e:
        tally.add("gpu probe", False, str(e))
        return tally.summary()
    if not usable:
        code = tally.summary()
        print(f"SKIP: no usable GPU: {message}")
        return code if code else SKIP
    gpu = [p for p in programs if not p.is_example or p.has_gpu_code]
    for label, ok, why in run_parallel(args.jobs, gpu,
                                       lambda p: check_run(p, args, refs, "gpu")):
        tally.add(label, ok, why)
    return tally.summary()


# ----------------------------------------------------------------- --error-paths

# Each case: a program whose first CUDA call is at line `line` (1-based).
NO_DRIVER_CASES = [
    ("to_device", 4, """\
from nk import cuda
import numpy as np
print("before")
d = cuda.to_device(np.zeros(4))
print("not reached")
"""),
    ("device_array", 3, """\
from nk import cuda
print("before")
d = cuda.device_array(8)
print("not reached")
"""),
    ("kernel_launch", 11, """\
from nk import cuda


@cuda.jit
def noop(n):
    i = cuda.grid(1)
    if i > n:
        return

print("before")
noop[1, 32](5)
print("not reached")
"""),
    ("auto_call", 11, """\
from nk import jit
import numpy as np

@jit(target="cuda")
def inc(a):
    for i in range(a.shape[0]):
        a[i] += 1

a = np.zeros(4)
print("before")
inc(a)
print("not reached")
"""),
]


def check_no_driver(args, tmp, name, line, source):
    """The call at `line` fails with CudaError: no CUDA driver, exit 3."""
    path = Path(tmp) / f"{name}.nk"
    path.write_text(source)
    env = base_env()
    env["NK_CUDA_DRIVER"] = NO_DRIVER
    r = Run([args.nk, "run", str(path)], tmp, env, args.timeout)
    label = f"no driver: {name}"
    at_line = re.search(rf"(?:^|[\s/]){re.escape(path.name)}:{line}: CudaError: no CUDA driver",
                        r.stderr, re.M)
    # A @jit(target="cuda") call may report inside the function, with the call
    # site in its "called from" chain.
    if name == "auto_call" and not at_line and "CudaError: no CUDA driver" in r.stderr:
        at_line = re.search(rf"called from .* at \S*{re.escape(path.name)}:{line}\b", r.stderr)
    if r.rc != 3 or not at_line or r.stdout != "before\n":
        return label, False, (f"expected exit 3, stdout 'before' and "
                              f"'{path.name}:{line}: CudaError: no CUDA driver...'; got "
                              f"{r.status()}, stdout {r.stdout!r}, stderr:\n" +
                              indent(tail(r.stderr)))
    return label, True, ""


def mode_error_paths(args):
    tally = Tally(args.quiet)
    env = base_env()
    env["NK_CUDA_DRIVER"] = NO_DRIVER
    with tempfile.TemporaryDirectory(prefix="nk-errors-") as tmp:
        for name, line, source in NO_DRIVER_CASES:
            tally.add(*check_no_driver(args, tmp, name, line, source))

        # cuda.is_available() asks; it does not fail.
        path = Path(tmp) / "available.nk"
        path.write_text("from nk import cuda\nprint(cuda.is_available())\n")
        r = Run([args.nk, "run", str(path)], tmp, env, args.timeout)
        tally.add("no driver: is_available", r.rc == 0 and r.stdout == "False\n",
                  f"expected exit 0 and 'False'; got {r.status()}, stdout {r.stdout!r}:\n" +
                  indent(tail(r.stderr)))

        # --target=cpu never loads the driver.
        path = Path(tmp) / "auto_call.nk"
        r = Run([args.nk, "run", "--target=cpu", str(path)], tmp, env, args.timeout)
        tally.add("no driver: --target=cpu", r.rc == 0 and r.stdout == "before\nnot reached\n",
                  f"expected exit 0; got {r.status()}, stdout {r.stdout!r}:\n" +
                  indent(tail(r.stderr)))
    return tally.summary()


# -------------------------------------------------------------------------- main


def select_programs(args):
    if args.files:
        paths = [f.resolve() for f in args.files]
    else:
        paths = sorted(HERE.glob("*.nk"))
        if args.mode != "error-paths":
            paths += sorted(EXAMPLES.glob("*.nk"))
    if args.filter:
        paths = [p for p in paths if args.filter in p.name]
    return [Program(p) for p in paths]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--ptx", dest="mode", action="store_const", const="ptx",
                      help="validate the PTX of every GPU program with ptxas")
    mode.add_argument("--run", dest="mode", action="store_const", const="run",
                      help="run the programs (--target=cpu, then on the GPU) against CPython")
    mode.add_argument("--error-paths", dest="mode", action="store_const", const="error-paths",
                      help="check the errors nk gives without a CUDA driver")
    ap.add_argument("--nk", required=True, help="path to the nk executable")
    ap.add_argument("--python", help="reference interpreter (CPython with NumPy >= 2), for --run")
    ap.add_argument("--ptxas", help="ptxas to use (default: PATH, then /usr/local/cuda/bin)")
    ap.add_argument("--gpu-arch", default="sm_80", help="GPU architecture for --ptx")
    ap.add_argument("--filter", help="only files whose name contains this")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per process")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("-q", "--quiet", action="store_true", help="print only failures")
    ap.add_argument("files", nargs="*", type=Path, help="programs (default: tests/gpu, examples)")
    args = ap.parse_args()

    args.nk = str(Path(args.nk).resolve()) if os.sep in args.nk else args.nk
    if args.python:
        # abspath, not resolve(): a venv's python is a symlink that must stay in the venv.
        args.python = os.path.abspath(args.python) if os.sep in args.python else args.python

    if args.mode == "error-paths":
        return mode_error_paths(args)
    programs = select_programs(args)
    if not programs:
        print("no test programs selected", file=sys.stderr)
        return 1
    return mode_ptx(args, programs) if args.mode == "ptx" else mode_run(args, programs)


if __name__ == "__main__":
    sys.exit(main())

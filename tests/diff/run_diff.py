#!/usr/bin/env python3
"""Differential tests: each tests/diff/*.nk must print under `nk run` what it
prints under CPython + NumPy (the reference interpreter, SPEC §2).

    run_diff.py --nk build/bin/nk --python python3 [--filter SUBSTR] [-j N] [files...]

For every program:

* the reference run is `PYTHON FILE` with PYTHONPATH=<repo>/python (nk's
  pure-Python stand-in module) and the nk run is `nk run FILE`, both from the
  file's folder, with a timeout;
* stdout must match exactly, or, for a file with a `# tolerance: 1e-9` header
  comment, token by token with numbers compared within that relative
  tolerance (other text still exact);
* a file with a `# expect-error: Kind` header must fail under both: both exit
  non-zero, the reference's last stderr line must be `Kind: message` (the
  program itself is checked), and nk's stderr must contain `Kind: message`
  (nk prints `file.nk:LINE: Kind: message`). stdout before the error is
  compared as above;
* any other program must exit 0 under both.

One line per program (PASS, or FAIL with a short reason and diff), then a
final line `N passed, M failed`; the exit status is 1 if any failed.
"""

import argparse
import concurrent.futures
import difflib
import math
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
HEADER_LINES = 30          # headers are looked for in a file's first lines
DIFF_LINES = 12            # at most this many diff lines per failure
TAIL_CHARS = 600           # at most this much of a failing process's stderr

ERROR_RE = re.compile(r"^#\s*expect-error:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
TOL_RE = re.compile(r"^#\s*tolerance:\s*(\S+)\s*$")
# A number token: ints, floats, scientific notation, inf and nan (with signs).
NUM_RE = re.compile(
    r"[-+]?(?:(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|inf|nan)(?![\w.])")


class Headers:
    def __init__(self, path):
        self.error = None
        self.tolerance = None
        with open(path, encoding="utf-8", errors="replace") as f:
            for _, line in zip(range(HEADER_LINES), f):
                line = line.strip()
                m = ERROR_RE.match(line)
                if m:
                    self.error = m.group(1)
                m = TOL_RE.match(line)
                if m:
                    self.tolerance = float(m.group(1))


class Run:
    def __init__(self, cmd, cwd, env, timeout):
        self.cmd = cmd
        self.timed_out = False
        try:
            p = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout)
            self.rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            self.timed_out = True
            self.rc, out, err = None, e.stdout or b"", e.stderr or b""
        except OSError as e:
            self.rc, out, err = None, b"", str(e).encode()
        self.stdout = out.decode("utf-8", errors="replace")
        self.stderr = err.decode("utf-8", errors="replace")

    def status(self):
        if self.timed_out:
            return "timed out"
        if self.rc is None:
            return "could not start: " + self.stderr.strip()
        return f"exit {self.rc}"

    def stderr_tail(self):
        s = self.stderr.strip()
        if len(s) > TAIL_CHARS:
            s = "..." + s[-TAIL_CHARS:]
        return s


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip() if lines else ""


def _is_float_token(t):
    return any(c in t for c in ".eE") or t.lstrip("+-") in ("inf", "nan")


def numbers_close(a, b, tol):
    """Two number tokens agree: same spelling, or both floats (or both ints)
    within the relative tolerance; nan matches nan, inf matches itself."""
    if a == b:
        return True
    if _is_float_token(a) != _is_float_token(b):
        return False        # "1" against "1.0" is a formatting bug, not drift
    x, y = float(a), float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=tol, abs_tol=0.0)


def same_output(ref, got, tol):
    """Exact comparison, or with numbers compared within a relative tolerance."""
    if tol is None:
        return ref == got
    if ref.count("\n") != got.count("\n"):
        return False
    rt, gt = NUM_RE.split(ref), NUM_RE.split(got)
    rn, gn = NUM_RE.findall(ref), NUM_RE.findall(got)
    if len(rn) != len(gn) or rt != gt:
        return False
    return all(numbers_close(a, b, tol) for a, b in zip(rn, gn))


def short_diff(ref, got):
    d = difflib.unified_diff(ref.splitlines(), got.splitlines(),
                             "python", "nk", n=1, lineterm="")
    lines = list(d)[2:]
    if not lines:   # the difference is in line endings or a final newline
        return f"    python ends {ref[-20:]!r}, nk ends {got[-20:]!r}"
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + [f"... ({len(lines) - DIFF_LINES} more diff lines)"]
    return "\n".join("    " + l for l in lines)


def check(path, args):
    if not path.is_file():
        return False, f"no such file: {path}"
    hdr = Headers(path)
    env = dict(os.environ)
    pp = str(REPO / "python")
    env["PYTHONPATH"] = pp + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONHASHSEED"] = "0"
    env.setdefault("PYTHONWARNINGS", "ignore")
    cwd = str(path.parent)
    ref = Run([args.python, str(path)], cwd, env, args.timeout)
    got = Run([args.nk, "run", str(path)], cwd, env, args.timeout)

    # The reference run must behave as the file's header says; otherwise the
    # test itself is broken.
    if ref.rc != 0 and hdr.error is None:
        return False, f"reference ({args.python}) failed: {ref.status()}\n    " + \
            ref.stderr_tail().replace("\n", "\n    ")
    ref_msg = None
    if hdr.error is not None:
        if ref.rc == 0 or ref.rc is None:
            return False, f"reference ({args.python}) did not raise {hdr.error}: {ref.status()}"
        ref_msg = last_line(ref.stderr)
        if not (ref_msg == hdr.error or ref_msg.startswith(hdr.error + ":")):
            return False, f"reference raised something else: {ref_msg!r} (expected {hdr.error})"

    problems = []
    if got.rc is None:
        problems.append(f"nk {got.status()}")
    elif hdr.error is None and got.rc != 0:
        problems.append(f"nk {got.status()}: " + got.stderr_tail().replace("\n", "\n    "))
    elif hdr.error is not None:
        if got.rc == 0:
            problems.append(f"nk exited 0, expected {hdr.error}")
        elif ref_msg not in got.stderr:
            tail = got.stderr_tail().replace("\n", "\n    ")
            problems.append(f"nk {got.status()}; its stderr lacks {ref_msg!r}:\n    {tail}")
    if not same_output(ref.stdout, got.stdout, hdr.tolerance):
        what = "stdout differs" + (f" (tolerance {hdr.tolerance:g})" if hdr.tolerance else "")
        problems.append(what + ":\n" + short_diff(ref.stdout, got.stdout))
    if problems:
        return False, "\n    ".join(problems)
    return True, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nk", required=True, help="path to the nk executable")
    ap.add_argument("--python", default=sys.executable,
                    help="reference interpreter (CPython with NumPy >= 2)")
    ap.add_argument("--filter", default=None, help="only files whose name contains this")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per process")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("-q", "--quiet", action="store_true", help="print only failures")
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()

    files = [f.resolve() for f in args.files] or sorted(HERE.glob("*.nk"))
    if args.filter:
        files = [f for f in files if args.filter in f.name]
    if not files:
        print("no test programs selected", file=sys.stderr)
        print("0 passed, 0 failed")
        return 1
    args.nk = str(Path(args.nk).resolve()) if os.sep in args.nk else args.nk
    # abspath, not resolve(): a venv's python is a symlink that must stay inside the venv.
    args.python = os.path.abspath(args.python) if os.sep in args.python else args.python

    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = [pool.submit(check, f, args) for f in files]
        for f, fut in zip(files, futures):
            try:
                ok, why = fut.result()
            except Exception as e:  # a bug here must not hide the other results
                ok, why = False, f"harness error: {e!r}"
            if ok:
                passed += 1
                if not args.quiet:
                    print(f"PASS {f.name}")
            else:
                failed += 1
                print(f"FAIL {f.name}: {why}")
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

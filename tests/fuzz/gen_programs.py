#!/usr/bin/env python3
"""Grammar-based fuzzing of nk: generate random, well-formed `.nk` programs.

Every generated program is valid Python in nk's subset (docs/language.md) and is built
so that, if nk is correct, `nk run` prints exactly what CPython + NumPy 2 prints
(docs/runtime.md, tests/diff/README.md).  The generator keeps to the places where the
two agree by construction:

* int64 and float64 only (no float32, no small ints, no bool arithmetic);
* every variable has one type for its whole life (fresh names everywhere);
* every value has a static magnitude bound; stored values stay below 1e6, so no int
  intermediate leaves +-1e15 (no int64 wrap-around, exact int -> float conversions)
  and no float reaches inf or nan;
* divisors are guarded (non-zero literals, `abs(e) + 1`, `e | 1`, `e if e != 0 else 1`,
  ...), powers have small non-negative integer exponents or positive bases, math
  functions get arguments inside their domains;
* array indices are in range by construction (loop variables with known ranges,
  constants, `e % n`, `e % n - n`); every array has a shape known to the generator;
* tuples holding NumPy scalars are never printed; `round(x, n)` is applied to a Python
  float; `min`/`max`/ternaries/`and`/`or` combine values of one type.

Modes:

    gen_programs.py --emit DIR --count N --seed S      write DIR/gen_S_K.nk
    gen_programs.py --diff --count N --seed S --nk build/bin/nk --python PY [--keep DIR]
    gen_programs.py --crash-only --count N --seed S --nk build/bin/nk [--keep DIR]

`--diff` runs each program under `PY` (PYTHONPATH=<repo>/python) and `nk run`, and
compares stdout and the exit status (for a failing run: the reference's last stderr
line must appear in nk's stderr).  `--crash-only` runs `nk check` and `nk run` and flags
signals, timeouts and exit 70 (internal compiler error); it needs no CPython.  Program
K of seed S is the same in every mode (`--start K --count 1 --emit -` prints it) for the
same `--avoid` set; `--avoid FEATURE` leaves out a construct that hits a known, open nk
bug (tests/fuzz/regressions/).  The last line printed is `N passed, M failed`.
See tests/fuzz/README.md.
"""

import argparse
import concurrent.futures
import errno
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

INT, FLT, BOOL, ARR, TUP = "int", "float", "bool", "arr", "tuple"

VB = 10 ** 6        # magnitude bound of stored values (variables, elements, returns)
WIDE = 1e12         # magnitude bound of the elements of "wide" arrays (and of parameters)
CAP = 10 ** 15      # magnitude bound of any int intermediate (< 2**53: exact in float64)
FCAP = 1e12         # magnitude bound of any float intermediate

INT_MODS = [3, 5, 7, 10, 13, 97, 100, 256, 1000, 1009, 10007, 65536, 999983]
FLT_MODS = ["1000.0", "97.5", "360.0", "512.0", "10.0", "7.25", "1e4", "2.5"]
FLOAT_LITS = ["0.5", "1.5", "2.0", "0.25", "3.0", "0.1", "2.5", "0.75", "10.0", "1e-3",
              "2.5e2", "1.", ".5", "1_000.5", "0.3", "7.0", "1e2", "0.2", "100.0", "3.75"]
INT_FMT_SPECS = ["d", "5d", "+d", "05d", "x", "o", "b", ",", "_", ">6", "<6", "^7", "", "3",
                 "-d", " d", "#x", ".2f", "e", "08,d"]
FLT_FMT_SPECS = [".6f", ".3f", ".2e", "e", "g", ".3g", "10.4f", "+.2f", ".1%", ",.2f",
                 ">12", "f", ".0f", "<10.3f", "^11.2f", "08.3f", ".12g", "E", " .4f", ".10f",
                 "G", "+.3e", ""]
LABELS = ["r", "v", "out", "a", "sum", "x", "val", "res", "t", "k", "acc", "tab\\t", "é",
          "q:", "[", "x=", "->", "s p a c e", "two\nlines", "it's", 'say "hi"', "→ 日本",
          "", "\t"]


def slice_len(n, start, stop, step):
    return len(range(*slice(start, stop, step).indices(n)))


def fmt_slice_part(v):
    return "" if v is None else str(v)


class Ex:
    """An expression: code (fully parenthesised unless atomic), type, magnitude bound."""
    __slots__ = ("code", "ty", "b")

    def __init__(self, code, ty, b=0.0):
        self.code, self.ty, self.b = code, ty, float(b)


class Var:
    def __init__(self, name, ty, dtype=None, shape=None, ro=False, lo=None, hi=None,
                 elems=None, eb=VB):
        self.name, self.ty, self.dtype, self.shape = name, ty, dtype, shape
        self.eb = eb            # magnitude bound of an array's elements
        self.ro = ro            # never assigned again (arrays, loop variables, counters)
        self.lo, self.hi = lo, hi  # exact value range of an int (loop variables)
        self.elems = elems      # element types of a tuple

    def bound(self):
        if self.lo is not None:
            return max(abs(self.lo), abs(self.hi))
        return VB

    @property
    def size(self):
        s = 1
        for d in self.shape:
            s *= d
        return s


class Fn:
    def __init__(self, name):
        self.name = name
        self.params = []   # Var templates
        self.ret = None    # None | INT | FLT | BOOL | (TUP, [types]) | (ARR, dtype, shape)
        self.cost = 1
        self.lines = []


class Ctx:
    """State while generating one function body or the host program."""

    def __init__(self, fn, indent, host=False, limit=20000):
        self.fn = fn
        self.host = host
        self.scopes = [[]]
        self.indent = indent
        self.lines = []
        self.loops = []       # innermost last: True for loops where break/continue are ok
        self.mult = 1         # product of the enclosing loops' trip counts
        self.cost = 0
        self.limit = limit
        self.calls = 0

    def emit(self, line):
        self.lines.append("    " * self.indent + line)

    def add(self, var):
        self.scopes[-1].append(var)
        return var

    def vars(self, pred=None):
        out = []
        for s in self.scopes:
            for v in s:
                if pred is None or pred(v):
                    out.append(v)
        return out


class Gen:
    def __init__(self, rng, avoid=()):
        self.rng = rng
        self.avoid = set(avoid)   # features left out (see AVOIDABLE)
        self.counter = 0
        self.fns = []
        self.consts = []
        self.uses_prange = False
        self.uses_jit = False
        self.nk_types = set()

    # ------------------------------------------------------------------ helpers
    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(seq)

    def wpick(self, pairs):
        pairs = [(w, v) for w, v in pairs if w > 0]
        total = sum(w for w, _ in pairs)
        r = self.rng.random() * total
        for w, v in pairs:
            r -= w
            if r <= 0:
                return v
        return pairs[-1][1]

    def fmt_int(self, v):
        r = self.rng.random()
        a = abs(v)
        if r < 0.06 and a > 0:
            s = hex(a)
        elif r < 0.09 and a > 0:
            s = bin(a)
        elif r < 0.11 and a > 0:
            s = oct(a)
        elif r < 0.14 and a >= 1000:
            s = f"{a:_}"
        else:
            s = str(a)
        return f"(-{s})" if v < 0 else s

    def int_lit(self, lo=-9, hi=20):
        if self.chance(0.08):
            v = self.rng.randint(-5000, 5000)
        else:
            v = self.rng.randint(lo, hi)
        return Ex(self.fmt_int(v), INT, abs(v))

    def float_lit(self):
        r = self.rng.random()
        if r < 0.04:
            s = self.pick(["1e-7", "2.5e-5", "1.5e14", "1e16", "3e20", "6.02e23", "1e-10",
                           "9.999e15", "1.2345678901234567e-3", "123456789.125"])
            return Ex(s, FLT, float(s))
        if r < 0.45:
            s = self.pick(FLOAT_LITS)
            v = float(s.replace("_", ""))
        else:
            v = round(self.rng.uniform(-60, 60), self.rng.randint(0, 4))
            s = repr(v)
            if self.chance(0.1) and v == int(v):
                s = f"{int(v)}."
                if v < 0:
                    s = f"-{abs(int(v))}."
        if s.startswith("-") or v < 0:
            s = s if s.startswith("-") else f"-{s}"
            return Ex(f"({s})", FLT, abs(v))
        return Ex(s, FLT, abs(v))

    def small_float_lit(self):
        """A float literal that may be stored (magnitude at most VB)."""
        while True:
            e = self.float_lit()
            if e.b <= VB:
                return e

    def wrap_int(self, e, limit):
        if e.b <= limit:
            return e
        mods = [m for m in INT_MODS if m <= limit] or [3]
        m = self.pick(mods)
        if self.chance(0.2):
            return Ex(f"({e.code} % -{m})", INT, m)
        return Ex(f"({e.code} % {m})", INT, m)

    def wrap_float(self, e, limit):
        if e.b <= limit:
            return e
        mods = [m for m in FLT_MODS if float(m) <= limit] or ["2.5"]
        m = self.pick(mods)
        if self.chance(0.3):
            return Ex(f"math.fmod({e.code}, {m})", FLT, float(m))
        if self.chance(0.2):
            return Ex(f"({e.code} % -{m})", FLT, float(m))
        return Ex(f"({e.code} % {m})", FLT, float(m))

    def wrap(self, e, limit):
        return self.wrap_int(e, limit) if e.ty == INT else self.wrap_float(e, limit)

    # ------------------------------------------------------------------ indices
    def index_for(self, ctx, n, dim_code=None, allow_calls=False):
        """An int expression whose value is in [-n, n-1] (n >= 1)."""
        loopv = [v for v in ctx.vars(lambda v: v.ty == INT and v.lo is not None)
                 if v.lo >= -n and v.hi <= n - 1]
        r = self.rng.random()
        if loopv and r < 0.45:
            v = self.pick(loopv)
            # a shifted loop variable, when it still fits
            if self.chance(0.25):
                c = self.rng.randint(-2, 2)
                if c and v.lo + c >= -n and v.hi + c <= n - 1:
                    return f"{v.name} + {c}" if c > 0 else f"{v.name} - {-c}"
            if self.chance(0.15) and v.lo >= 0:
                return f"{n} - 1 - {v.name}" if not dim_code else f"{dim_code} - 1 - {v.name}"
            return v.name
        if r < 0.65:
            c = self.rng.randint(-n, n - 1)
            return str(c)
        if r < 0.72 and dim_code:
            return self.pick([f"{dim_code} - 1", f"-{dim_code}", "0", "-1"])
        e = self.int_expr(ctx, self.rng.randint(0, 2), allow_calls=allow_calls and self.chance(0.3))
        m = dim_code if dim_code and self.chance(0.4) else str(n)
        if self.chance(0.25):
            return f"{e.code} % {m} - {m}"
        return f"{e.code} % {m}"

    def elem(self, ctx, arr, allow_calls=False):
        """An element access of arr (all dimensions non-empty)."""
        idx = []
        for k, n in enumerate(arr.shape):
            dim = None
            if self.chance(0.3):
                dim = f"len({arr.name})" if k == 0 and self.chance(0.5) else f"{arr.name}.shape[{k}]"
            idx.append(self.index_for(ctx, n, dim, allow_calls))
        if len(idx) == 2 and self.chance(0.2):
            return f"{arr.name}[{idx[0]}][{idx[1]}]"
        return f"{arr.name}[{', '.join(idx)}]"

    def readable_arrays(self, ctx, dtype=None):
        return ctx.vars(lambda v: v.ty == ARR and v.size > 0 and (dtype is None or v.dtype == dtype))

    # ------------------------------------------------------------------ expressions
    def callable_fns(self, ctx, ret):
        out = []
        for f in self.fns:
            if ctx.fn is f:
                continue
            if f.ret != ret:
                continue
            if ctx.cost + ctx.mult * f.cost > ctx.limit or ctx.calls >= 6:
                continue
            out.append(f)
        return out

    def call_code(self, ctx, f):
        ctx.calls += 1
        ctx.cost += ctx.mult * f.cost
        args = []
        for p in f.params:
            if p.ty == ARR:
                args.append(self.array_arg(ctx, p.dtype, p.shape))
            elif p.lo is not None:   # the depth parameter of a recursive function
                e = self.int_expr(ctx, self.rng.randint(0, 1))
                args.append(f"{e.code} % {p.hi + 1}")
            elif p.ty == BOOL:
                args.append(self.bool_expr(ctx, 1).code)
            else:
                args.append(self.wrap(self.expr(ctx, p.ty, self.rng.randint(0, 2)), VB).code)
        return f"{f.name}({', '.join(args)})"

    def expr(self, ctx, ty, d, allow_calls=True):
        if ty == INT:
            return self.int_expr(ctx, d, allow_calls)
        if ty == FLT:
            return self.float_expr(ctx, d, allow_calls)
        return self.bool_expr(ctx, d, allow_calls)

    def tuple_elems(self, ctx, ty):
        out = []
        for v in ctx.vars(lambda v: v.ty == TUP):
            for k, t in enumerate(v.elems):
                if t == ty:
                    out.append(f"{v.name}[{k}]")
        return out

    def int_leaf(self, ctx, allow_calls=True):
        ivars = ctx.vars(lambda v: v.ty == INT)
        arrs = self.readable_arrays(ctx, INT)
        allarrs = ctx.vars(lambda v: v.ty == ARR)
        consts = [c for c in self.consts if c.ty == INT]
        tup = self.tuple_elems(ctx, INT)
        calls = self.callable_fns(ctx, INT) if allow_calls else []
        bvars = ctx.vars(lambda v: v.ty == BOOL)
        if bvars and self.chance(0.03):
            return Ex(f"int({self.pick(bvars).name})", INT, 1)
        k = self.wpick([(3, "lit"), (6 if ivars else 0, "var"), (3 if arrs else 0, "elem"),
                        (1 if allarrs else 0, "len"), (1 if consts else 0, "const"),
                        (1 if tup else 0, "tup"), (1 if calls else 0, "call")])
        if k == "lit":
            return self.int_lit()
        if k == "var":
            v = self.pick(ivars)
            return Ex(v.name, INT, v.bound())
        if k == "elem":
            a = self.pick(arrs)
            return Ex(self.elem(ctx, a, allow_calls), INT, a.eb)
        if k == "len":
            a = self.pick(allarrs)
            opts = [(f"len({a.name})", a.shape[0]), (f"{a.name}.size", a.size),
                    (f"{a.name}.ndim", len(a.shape))]
            opts += [(f"{a.name}.shape[{j}]", n) for j, n in enumerate(a.shape)]
            c, b = self.pick(opts)
            return Ex(c, INT, b)
        if k == "const":
            c = self.pick(consts)
            return Ex(c.name, INT, abs(c.lo) if c.lo is not None else VB)
        if k == "tup":
            return Ex(self.pick(tup), INT, VB)
        return Ex(self.call_code(ctx, self.pick(calls)), INT, VB)

    def float_leaf(self, ctx, allow_calls=True):
        fvars = ctx.vars(lambda v: v.ty == FLT)
        arrs = self.readable_arrays(ctx, FLT)
        consts = [c for c in self.consts if c.ty == FLT]
        tup = self.tuple_elems(ctx, FLT)
        calls = self.callable_fns(ctx, FLT) if allow_calls else []
        k = self.wpick([(3, "lit"), (6 if fvars else 0, "var"), (3 if arrs else 0, "elem"),
                        (1 if consts else 0, "const"), (0.5, "mconst"), (1, "conv"),
                        (1 if tup else 0, "tup"), (1 if calls else 0, "call")])
        if k == "lit":
            return self.float_lit()
        if k == "var":
            return Ex(self.pick(fvars).name, FLT, VB)
        if k == "elem":
            a = self.pick(arrs)
            return Ex(self.elem(ctx, a, allow_calls), FLT, a.eb)
        if k == "const":
            c = self.pick(consts)
            return Ex(c.name, FLT, c.hi if c.hi is not None else VB)
        if k == "mconst":
            return Ex(self.pick(["math.pi", "math.e", "math.tau", "np.pi", "np.e"]), FLT, 6.3)
        if k == "tup":
            return Ex(self.pick(tup), FLT, VB)
        if k == "call":
            return Ex(self.call_code(ctx, self.pick(calls)), FLT, VB)
        e = self.int_leaf(ctx, allow_calls)
        return Ex(f"float({e.code})", FLT, e.b)

    def int_divisor(self, ctx, d, allow_calls=True):
        """(code, max magnitude): an int expression that is never 0."""
        r = self.rng.random()
        if r < 0.35 or d <= 0:
            v = self.pick([x for x in range(-9, 12) if x != 0] + [16, 100, 1000, 7, 3])
            return self.fmt_int(v), abs(v)
        e = self.wrap_int(self.int_expr(ctx, d - 1, allow_calls), VB)
        if r < 0.5:
            return f"(abs({e.code}) + 1)", e.b + 1
        if r < 0.62:
            return f"({e.code} | 1)", 2 * e.b + 2
        if r < 0.75:
            m = self.pick([3, 5, 7, 11])
            return f"({e.code} % {m} + 1)", m
        if r < 0.85:
            return f"max({e.code}, 1)", max(e.b, 1)
        leaf = self.int_leaf(ctx, allow_calls=False)
        alt = self.pick([1, -1, 2, 3, -7])
        return f"({leaf.code} if {leaf.code} != 0 else {alt})", max(leaf.b, 7)

    def float_divisor(self, ctx, d, allow_calls=True):
        """(code, max magnitude, min magnitude): a float expression never near 0."""
        r = self.rng.random()
        if r < 0.35 or d <= 0:
            v = self.pick(["0.5", "1.5", "2.0", "3.0", "(-2.5)", "4.0", "0.25", "10.0",
                           "(-1.0)", "7.5", "0.1", "(-0.75)", "1e3"])
            x = abs(float(v.strip("()")))
            return v, x, x
        e = self.wrap_float(self.float_expr(ctx, d - 1, allow_calls), VB)
        if r < 0.55:
            return f"(abs({e.code}) + 1.0)", e.b + 1, 1.0
        if r < 0.7:
            return f"max(abs({e.code}), 0.5)", max(e.b, 0.5), 0.5
        if r < 0.8:
            i = self.wrap_int(self.int_expr(ctx, d - 1, allow_calls), VB)
            return f"(abs({i.code}) + 1)", i.b + 1, 1.0
        leaf = self.float_leaf(ctx, allow_calls=False)
        alt = self.pick(["2.0", "(-3.0)", "1.5"])
        return (f"({leaf.code} if abs({leaf.code}) >= 1.0 else {alt})", max(leaf.b, 3.0), 1.0)

    def int_expr(self, ctx, d, allow_calls=True):
        if d <= 0 or self.chance(0.2):
            return self.int_leaf(ctx, allow_calls)
        k = self.wpick([(8, "bin"), (2, "div"), (2, "mod"), (1, "pow"), (1.2, "bit"),
                        (0.8, "shift"), (1, "unary"), (1, "minmax"), (1, "tern"),
                        (2, "conv"), (0.4, "andor")])
        sub = lambda: self.int_expr(ctx, d - 1, allow_calls)
        if k == "bin":
            a, b = sub(), sub()
            op = self.pick("+-*")
            if op == "*":
                while a.b * b.b > CAP:
                    if a.b >= b.b:
                        a = self.wrap_int(a, 10 ** 6)
                    else:
                        b = self.wrap_int(b, 10 ** 6)
                return self.wrap_int(Ex(f"({a.code} * {b.code})", INT, a.b * b.b), CAP)
            return self.wrap_int(Ex(f"({a.code} {op} {b.code})", INT, a.b + b.b), CAP)
        if k == "div":
            a = sub()
            g, _ = self.int_divisor(ctx, d - 1, allow_calls)
            return Ex(f"({a.code} // {g})", INT, a.b + 1)
        if k == "mod":
            a = sub()
            g, gb = self.int_divisor(ctx, d - 1, allow_calls)
            return Ex(f"({a.code} % {g})", INT, gb)
        if k == "pow":
            e = self.rng.randint(0, 4)
            limit = {0: CAP, 1: CAP, 2: 3 * 10 ** 7, 3: 10 ** 5, 4: 5000}[e]
            a = self.wrap_int(sub(), limit)
            if self.chance(0.2) and a.b <= 5000:
                i = self.int_leaf(ctx, allow_calls)
                return Ex(f"({a.code} ** ({i.code} % 5))", INT, max(a.b, 1) ** 4)
            return Ex(f"({a.code} ** {e})", INT, max(a.b, 1) ** e)
        if k == "bit":
            a, b = sub(), sub()
            op = self.pick("&|^")
            return self.wrap_int(Ex(f"({a.code} {op} {b.code})", INT, 2 * max(a.b, b.b) + 2), CAP)
        if k == "shift":
            a = sub()
            if self.chance(0.5):
                s = self.rng.randint(0, 10)
                a = self.wrap_int(a, CAP // (2 ** s))
                return Ex(f"({a.code} << {s})", INT, a.b * 2 ** s)
            if self.chance(0.4):
                i = self.int_leaf(ctx, allow_calls)
                return Ex(f"({a.code} >> ({i.code} % 8))", INT, max(a.b, 1))
            return Ex(f"({a.code} >> {self.rng.randint(0, 20)})", INT, max(a.b, 1))
        if k == "unary":
            a = sub()
            op = self.pick(["-", "-", "~", "abs", "+"])
            if op == "abs":
                return Ex(f"abs({a.code})", INT, a.b)
            if op == "~":
                return Ex(f"(~{a.code})", INT, a.b + 1)
            return Ex(f"({op}{a.code})", INT, a.b)
        if k == "minmax":
            n = self.pick([2, 2, 3])
            xs = [sub() for _ in range(n)]
            return Ex(f"{self.pick(['min', 'max'])}({', '.join(x.code for x in xs)})", INT,
                      max(x.b for x in xs))
        if k == "tern":
            a, b = sub(), sub()
            c = self.cond_expr(ctx, d - 1, allow_calls)
            return Ex(f"({a.code} if {c.code} else {b.code})", INT, max(a.b, b.b))
        if k == "andor":   # same-typed operands: the result is one of them
            a, b = sub(), sub()
            return Ex(f"({a.code} {self.pick(['and', 'or'])} {b.code})", INT, max(a.b, b.b))
        # conversions from float (CPython's int(6e23) is exact; nk's is unspecified)
        f = self.wrap_float(self.float_expr(ctx, d - 1, allow_calls), 1e14)
        fn = self.pick(["int", "round", "math.floor", "math.ceil", "math.trunc", "int"])
        return Ex(f"{fn}({f.code})", INT, f.b + 1)

    def float_expr(self, ctx, d, allow_calls=True):
        if d <= 0 or self.chance(0.2):
            return self.float_leaf(ctx, allow_calls)
        k = self.wpick([(8, "bin"), (2, "mixed"), (2, "div"), (1, "idiv"), (1, "fdiv"),
                        (1, "fmod"), (1, "pow"), (1, "unary"), (1, "minmax"), (1, "tern"),
                        (3, "math"), (1, "round"), (0.7, "np"), (0.4, "andor")])
        sub = lambda: self.float_expr(ctx, d - 1, allow_calls)
        if k in ("bin", "mixed"):
            a, b = sub(), sub()
            if k == "mixed":
                i = self.int_expr(ctx, d - 1, allow_calls)
                if self.chance(0.5):
                    a = i
                else:
                    b = i
            op = self.pick("+-*")
            if op == "*":
                while a.b * b.b > FCAP:
                    if a.b >= b.b:
                        a = self.wrap(a, 1e5)
                    else:
                        b = self.wrap(b, 1e5)
                return self.wrap_float(Ex(f"({a.code} * {b.code})", FLT, a.b * b.b), FCAP)
            return self.wrap_float(Ex(f"({a.code} {op} {b.code})", FLT, a.b + b.b), FCAP)
        if k == "div":
            a = sub()
            g, gmax, gmin = self.float_divisor(ctx, d - 1, allow_calls)
            return self.wrap_float(Ex(f"({a.code} / {g})", FLT, a.b / gmin), FCAP)
        if k == "idiv":   # int / int is a float
            a = self.int_expr(ctx, d - 1, allow_calls)
            g, _ = self.int_divisor(ctx, d - 1, allow_calls)
            return Ex(f"({a.code} / {g})", FLT, a.b)
        if k == "fdiv":
            a = sub()
            g, gmax, gmin = self.float_divisor(ctx, d - 1, allow_calls)
            return self.wrap_float(Ex(f"({a.code} // {g})", FLT, a.b / gmin + 1), FCAP)
        if k == "fmod":
            a = sub()
            g, gmax, gmin = self.float_divisor(ctx, d - 1, allow_calls)
            if self.chance(0.3):
                return Ex(f"math.fmod({a.code}, {g})", FLT, gmax)
            return Ex(f"({a.code} % {g})", FLT, gmax)
        if k == "pow":
            r = self.rng.random()
            if r < 0.4:
                e = self.rng.randint(0, 3)
                limit = {0: FCAP, 1: FCAP, 2: 1e6, 3: 1e4}[e]
                a = self.wrap_float(sub(), limit)
                if self.chance(0.25):   # an integral float exponent: any base is fine
                    return Ex(f"({a.code} ** {e}.0)", FLT, max(a.b, 1) ** e)
                return Ex(f"({a.code} ** {e})", FLT, max(a.b, 1) ** e)
            if r < 0.55:
                a = self.wrap_float(sub(), 1e4)
                i = self.int_leaf(ctx, allow_calls)
                return Ex(f"({a.code} ** ({i.code} % 3))", FLT, max(a.b, 1) ** 2)
            if r < 0.8:
                p = self.pick(["0.5", "1.5", "2.0", "0.25", "3.0", "(-1.0)", "(-0.5)", "2.5"])
                a = self.wrap_float(sub(), 1e4)
                base = f"(abs({a.code}) + 0.5)" if "-" in p else f"abs({a.code})"
                return Ex(f"({base} ** {p})", FLT, (a.b + 2) ** max(float(p.strip("()")), 0.0) + 2)
            i = self.wrap_int(self.int_expr(ctx, d - 1, allow_calls), 1e4)
            return Ex(f"(abs({i.code}) ** 0.5)", FLT, math.sqrt(i.b) + 1)
        if k == "unary":
            a = sub()
            op = self.pick(["-", "abs", "math.fabs", "-", "+"])
            if op in ("abs", "math.fabs"):
                return Ex(f"{op}({a.code})", FLT, a.b)
            return Ex(f"({op}{a.code})", FLT, a.b)
        if k == "minmax":
            n = self.pick([2, 2, 3])
            xs = [sub() for _ in range(n)]
            return Ex(f"{self.pick(['min', 'max'])}({', '.join(x.code for x in xs)})", FLT,
                      max(x.b for x in xs))
        if k == "tern":
            a, b = sub(), sub()
            c = self.cond_expr(ctx, d - 1, allow_calls)
            return Ex(f"({a.code} if {c.code} else {b.code})", FLT, max(a.b, b.b))
        if k == "andor":
            a, b = sub(), sub()
            return Ex(f"({a.code} {self.pick(['and', 'or'])} {b.code})", FLT, max(a.b, b.b))
        if k == "round":
            a = sub()
            n = self.rng.randint(-2, 4)
            return Ex(f"round(float({a.code}), {n})", FLT, a.b + 10 ** max(n, 0) + 100)
        if k == "np":
            a = sub()
            r = self.rng.random()
            if r < 0.2:
                return Ex(f"np.sqrt(abs({a.code}))", FLT, math.sqrt(a.b) + 1)
            if r < 0.5:
                fn = self.pick(["np.floor", "np.ceil", "np.trunc", "np.fabs", "np.abs"])
                return Ex(f"{fn}({a.code})", FLT, a.b + 1)
            if r < 0.75:
                b = sub()
                fn = self.pick(["np.minimum", "np.maximum", "np.copysign"])
                return Ex(f"{fn}({a.code}, {b.code})", FLT, max(a.b, b.b))
            g, gmax, gmin = self.float_divisor(ctx, d - 1, allow_calls)
            return Ex(f"np.fmod({a.code}, {g})", FLT, gmax)
        return self.math_call(ctx, d, allow_calls)

    def math_call(self, ctx, d, allow_calls):
        if self.chance(0.15):
            a = self.int_expr(ctx, d - 1, allow_calls)   # math.* of an int is a float
        else:
            a = self.float_expr(ctx, d - 1, allow_calls)
        fn = self.pick(["sqrt", "exp", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
                        "atan", "tanh", "asin", "acos", "atanh", "asinh", "acosh", "sinh",
                        "cosh", "erf", "erfc", "expm1", "degrees", "radians", "hypot",
                        "atan2", "copysign", "pow", "logb", "fabs"])
        c = a.code
        if fn == "sqrt":
            return Ex(f"math.sqrt(abs({c}))", FLT, math.sqrt(a.b) + 1)
        if fn in ("exp", "expm1"):
            if a.b > 20:
                c = f"math.fmod({c}, 20.0)"
            return Ex(f"math.{fn}({c})", FLT, math.exp(min(a.b, 20)) + 1)
        if fn in ("log", "log2", "log10"):
            return Ex(f"math.{fn}(abs({c}) + 1.0)", FLT, math.log(a.b + 2) * 2 + 1)
        if fn == "logb":
            base = self.pick(["2.0", "10.0", "3.0", "0.5", "math.e"])
            return Ex(f"math.log(abs({c}) + 1.0, {base})", FLT, math.log(a.b + 2) * 2 + 1)
        if fn == "log1p":
            return Ex(f"math.log1p(abs({c}))", FLT, math.log(a.b + 2) + 1)
        if fn in ("sin", "cos", "atan", "tanh", "erf", "erfc"):
            return Ex(f"math.{fn}({c})", FLT, 2.0)
        if fn == "tan":
            return Ex(f"math.tan({c})", FLT, 2e16)   # forces a wrap before it is used
        if fn in ("asin", "acos"):
            return Ex(f"math.{fn}(math.fmod({c}, 1.0))", FLT, 3.2)
        if fn == "atanh":
            return Ex(f"math.atanh(math.fmod({c}, 1.0) * 0.5)", FLT, 1.0)
        if fn == "asinh":
            return Ex(f"math.asinh({c})", FLT, math.log(a.b + 2) + 1)
        if fn == "acosh":
            return Ex(f"math.acosh(abs({c}) + 1.0)", FLT, math.log(a.b + 2) + 2)
        if fn in ("sinh", "cosh"):
            if a.b > 10:
                c = f"math.fmod({c}, 10.0)"
            return Ex(f"math.{fn}({c})", FLT, 12000.0)
        if fn == "degrees":
            return self.wrap_float(Ex(f"math.degrees({c})", FLT, a.b * 58), FCAP)
        if fn == "radians":
            return Ex(f"math.radians({c})", FLT, a.b)
        if fn == "fabs":
            return Ex(f"math.fabs({c})", FLT, a.b)
        b = self.float_expr(ctx, d - 1, allow_calls)
        if fn == "hypot":
            return Ex(f"math.hypot({c}, {b.code})", FLT, a.b + b.b)
        if fn == "atan2":
            return Ex(f"math.atan2({c}, {b.code})", FLT, 3.2)
        if fn == "copysign":
            return Ex(f"math.copysign({c}, {b.code})", FLT, a.b)
        # pow with a positive base
        p = self.pick(["2.0", "0.5", "3.0", "1.5", "(-1.0)", "(-2.0)", "0.0", "1.0"])
        a = self.wrap_float(a, 1e4)
        return Ex(f"math.pow(abs({a.code}) + 0.5, {p})", FLT,
                  (a.b + 1) ** max(float(p.strip("()")), 0.0) + 4)

    def cond_expr(self, ctx, d, allow_calls=True):
        """A condition for if/elif/while/ternaries: a bool, or a number's truthiness."""
        if self.chance(0.12):
            return self.expr(ctx, self.pick([INT, FLT]), d, allow_calls)
        return self.bool_expr(ctx, d, allow_calls)

    def cmp_operand(self, ctx, d, allow_calls):
        return self.expr(ctx, self.pick([INT, FLT]), d, allow_calls)

    def bool_expr(self, ctx, d, allow_calls=True):
        bvars = ctx.vars(lambda v: v.ty == BOOL)
        calls = self.callable_fns(ctx, BOOL) if allow_calls else []
        if d <= 0:
            k = self.wpick([(4 if bvars else 0, "var"), (1, "lit"), (5, "cmp")])
        else:
            k = self.wpick([(2 if bvars else 0, "var"), (0.5, "lit"), (6, "cmp"), (2, "chain"),
                            (1.5, "not"), (3, "andor"), (0.5, "pred"), (0.5, "boolcall"),
                            (0.7, "parity"), (0.5 if calls else 0, "call"), (0.3, "tern")])
        dd = max(d - 1, 0)
        if k == "var":
            return Ex(self.pick(bvars).name, BOOL)
        if k == "lit":
            return Ex(self.pick(["True", "False"]), BOOL)
        if k == "cmp":
            a, b = self.cmp_operand(ctx, dd, allow_calls), self.cmp_operand(ctx, dd, allow_calls)
            op = self.pick(["<", "<=", ">", ">=", "==", "!="])
            return Ex(f"({a.code} {op} {b.code})", BOOL)
        if k == "chain":
            n = self.pick([3, 3, 4])
            ac = allow_calls and "chain-calls" not in self.avoid
            xs = [self.cmp_operand(ctx, max(dd - 1, 0), ac) for _ in range(n)]
            s = xs[0].code
            for x in xs[1:]:
                s += f" {self.pick(['<', '<=', '>', '>=', '==', '!='])} {x.code}"
            return Ex(f"({s})", BOOL)
        if k == "not":
            return Ex(f"(not {self.cond_expr(ctx, dd, allow_calls).code})", BOOL)
        if k == "andor":
            a, b = self.bool_expr(ctx, dd, allow_calls), self.bool_expr(ctx, dd, allow_calls)
            return Ex(f"({a.code} {self.pick(['and', 'or'])} {b.code})", BOOL)
        if k == "pred":
            f = self.float_expr(ctx, dd, allow_calls)
            fn = self.pick(["math.isfinite", "math.isnan", "math.isinf", "np.isfinite"])
            return Ex(f"{fn}({f.code})", BOOL)
        if k == "boolcall":
            e = self.cmp_operand(ctx, dd, allow_calls)
            return Ex(f"bool({e.code})", BOOL)
        if k == "parity":
            e = self.int_expr(ctx, dd, allow_calls)
            m = self.pick([2, 3, 4])
            return Ex(f"({e.code} % {m} == {self.rng.randint(0, m - 1)})", BOOL)
        if k == "tern":
            a, b = self.bool_expr(ctx, dd, allow_calls), self.bool_expr(ctx, dd, allow_calls)
            c = self.bool_expr(ctx, dd, allow_calls)
            return Ex(f"({a.code} if {c.code} else {b.code})", BOOL)
        return Ex(self.call_code(ctx, self.pick(calls)), BOOL)

    # ------------------------------------------------------------------ arrays
    def creation(self, ctx, dtype, shape):
        """Code creating a fresh array of dtype and shape, with deterministic contents."""
        r = self.rng.random()
        dt = "np.int64" if dtype == INT else "np.float64"
        shp = str(shape[0]) if len(shape) == 1 else f"({shape[0]}, {shape[1]})"
        if len(shape) == 1 and self.chance(0.15):
            shp = f"({shape[0]},)"
        if r < 0.25:
            fn = self.pick(["np.zeros", "np.ones"])
            if dtype == INT:
                return f"{fn}({shp}, dtype={dt})" if self.chance(0.8) else f"{fn}({shp}, {dt})"
            return f"{fn}({shp})" if self.chance(0.7) else f"{fn}({shp}, dtype={dt})"
        if r < 0.45:
            if dtype == INT:
                v = self.int_lit(-50, 50).code
            else:
                v = self.small_float_lit().code
            if self.chance(0.3) and ctx is not None:
                e = self.wrap(self.expr(ctx, dtype, 1, allow_calls=False), VB)
                v = e.code
                if dtype == INT and self.chance(0.5):
                    return f"np.full({shp}, {v}, dtype=np.int64)"
            return f"np.full({shp}, {v})"
        if len(shape) == 1:
            n = shape[0]
            if r < 0.7:
                if dtype == INT:
                    # np.arange with 1-3 int arguments and exactly n elements
                    for _ in range(20):
                        step = self.pick([1, 1, 2, 3, -1, -2, 5])
                        start = self.rng.randint(-10, 10)
                        stop = start + step * n
                        if len(range(start, stop, step)) == n:
                            if step == 1 and start == 0 and self.chance(0.5):
                                return f"np.arange({n})"
                            if step == 1 and self.chance(0.5):
                                return f"np.arange({start}, {stop})"
                            return f"np.arange({start}, {stop}, {step})"
                    return f"np.arange({n})"
                if self.chance(0.4):
                    return f"np.arange({n}, dtype=np.float64)"
                for _ in range(20):
                    step = self.pick([0.5, 0.25, 1.5, -0.5, 0.1, 2.0, -0.25, 0.3])
                    start = self.pick([0.0, 1.0, -2.0, 0.5, 3.25])
                    stop = start + step * n - step / 2
                    if "arange-float" in self.avoid and (start + step) - start != step:
                        continue
                    if n == max(0, math.ceil((stop - start) / step)):
                        return f"np.arange({start!r}, {stop!r}, {step!r})"
                return f"np.arange(0.0, {float(n)!r})"
            if dtype == FLT and r < 0.85 and not (n == 1 and "linspace-1" in self.avoid):
                a = self.pick(["0.0", "-1.0", "1.0", "2.5", "-3.0", "0.1"])
                b = self.pick(["1.0", "10.0", "-1.0", "0.3", "100.0", "7.0"])
                if self.chance(0.3):
                    return f"np.linspace({a}, {b}, num={n})"
                return f"np.linspace({a}, {b}, {n})"
        src = [v for v in (ctx.vars(lambda v: v.ty == ARR and v.shape == shape) if ctx else [])]
        if src:
            s = self.pick(src)
            if s.dtype == dtype:
                fn = self.pick(["np.zeros_like", "np.ones_like", "copy", "np.copy", "full_like"])
                if fn == "copy":
                    return f"{s.name}.copy()"
                if fn == "np.copy":
                    return f"np.copy({s.name})"
                if fn == "full_like":
                    v = self.int_lit().code if dtype == INT else self.small_float_lit().code
                    return f"np.full_like({s.name}, {v})"
                return f"{fn}({s.name})"
            return f"{self.pick(['np.zeros_like', 'np.ones_like'])}({s.name}, dtype={dt})"
        if dtype == INT:
            return f"np.zeros({shp}, dtype=np.int64)"
        return f"np.ones({shp})"

    def fill_array(self, ctx, var):
        """Emit a deterministic fill loop over all of var's elements."""
        if var.size == 0 or var.size > 400 and not self.chance(0.5):
            return
        names = []
        for n in var.shape:
            iv = Var(self.fresh("i"), INT, ro=True, lo=0, hi=n - 1)
            names.append(iv)
        depth0 = ctx.indent
        for iv, n in zip(names, var.shape):
            ctx.emit(f"for {iv.name} in range({n}):")
            ctx.indent += 1
            ctx.scopes.append([iv])
        k = names[0].name if len(names) == 1 else f"({names[0].name} * {var.shape[1]} + {names[1].name})"
        form = self.rng.random()
        if var.dtype == INT:
            a, b = self.rng.randint(-7, 7), self.rng.randint(-20, 20)
            m = self.pick([7, 11, 13, 100, 1000])
            val = self.pick([f"({a} * {k} + {b}) % {m}", f"{k} * {k} - {b}",
                             f"({k} * {abs(a) + 1}) // 3 - {abs(b)}", f"{k} % 5 - 2"])
        else:
            a = self.pick(["0.5", "1.25", "-0.75", "3.0", "0.1", "2.5", "-1.5"])
            b = self.pick(["1.0", "-2.0", "0.3", "7.0", "0.0"])
            val = self.pick([f"{k} * {a} + {b}", f"({k} % 7) * {a} - {b}",
                             f"{k} / 3.0 - {b}", f"math.sin({k}) * 10.0",
                             f"({k} * {k}) % 11 * {a}", f"1.0 / ({k} + 1)"])
        if form < 0.1 and ctx.vars(lambda v: v.ty in (INT, FLT) and not v.ro and v.lo is None):
            e = self.wrap(self.expr(ctx, var.dtype, 1, allow_calls=False), VB)
            val = e.code
        elif form < 0.3:
            # wide magnitudes: NumPy's scientific print mode, long reprs (elements < WIDE)
            var.eb = WIDE
            if var.dtype == INT:
                val = self.pick([f"({k} - 3) * 123456789", f"{k} * {k} * {k} - 77777",
                                 f"(-1) ** {k} * 10 ** ({k} % 12)"])
            else:
                val = self.pick([f"({k} - 2.5) * 3.7e8", f"1.5e-7 * ({k} + 1)",
                                 f"({k} % 3 - 1) * 1e-5 + {k}", f"10.0 ** ({k} % 12 - 6)",
                                 f"({k} + 0.5) * 1e8", f"1.0 / ({k} + 1) ** 3",
                                 f"({k} % 4) * 1e-9", f"123456.789 * ({k} - 1)"])
        idx = ", ".join(v.name for v in names)
        ctx.emit(f"{var.name}[{idx}] = {val}")
        for _ in names:
            ctx.indent -= 1
            ctx.scopes.pop()
        ctx.indent = depth0
        ctx.cost += var.size

    def new_array(self, ctx, dtype=None, shape=None):
        dtype = dtype or self.pick([INT, FLT, FLT])
        if shape is None:
            shape = self.random_shape()
        name = self.fresh("arr")
        code = self.creation(ctx, dtype, shape)
        ctx.emit(f"{name} = {code}")
        v = Var(name, ARR, dtype=dtype, shape=shape, ro=True)
        if self.chance(0.7):
            self.fill_array(ctx, v)
        ctx.add(v)
        ctx.cost += 1
        return v

    def random_shape(self):
        r = self.rng.random()
        if r < 0.02:
            return (0,)
        if r < 0.04:
            return (self.rng.randint(1001, 1300),)
        if r < 0.06:
            return (self.rng.randint(30, 40), self.rng.randint(30, 40))
        if r < 0.62:
            return (self.rng.randint(1, 12),)
        if r < 0.66:
            return (self.rng.randint(0, 3), self.rng.randint(0, 3))
        return (self.rng.randint(1, 5), self.rng.randint(1, 6))

    def slice_1d(self, n, want=None):
        """(text, length) of a random slice of an axis of length n (optionally of a given
        length; None when not found)."""
        for _ in range(40):
            step = self.pick([None, None, 1, 2, 3, -1, -1, -2])
            start = self.pick([None, self.rng.randint(-n - 2, n + 2), self.rng.randint(0, max(n - 1, 0))])
            stop = self.pick([None, self.rng.randint(-n - 2, n + 2), self.rng.randint(0, n)])
            ln = slice_len(n, start, stop, step)
            if want is not None and ln != want:
                continue
            if step is None:
                text = f"{fmt_slice_part(start)}:{fmt_slice_part(stop)}"
            else:
                text = f"{fmt_slice_part(start)}:{fmt_slice_part(stop)}:{step}"
            return text, ln
        if want is None or want == n:
            return self.pick([":", "::1", "0:"]), n
        if want is not None and want <= n:
            s = self.rng.randint(0, n - want)
            return f"{s}:{s + want}", want
        return None

    def view_of(self, ctx, base):
        """(code, shape) of a random view of base."""
        if len(base.shape) == 1:
            t, ln = self.slice_1d(base.shape[0])
            return f"{base.name}[{t}]", (ln,)
        r, c = base.shape
        k = self.rng.random()
        if k < 0.25 and r > 0:
            i = self.rng.randint(-r, r - 1)
            return f"{base.name}[{i}]", (c,)
        if k < 0.45 and c > 0:
            j = self.rng.randint(-c, c - 1)
            return f"{base.name}[:, {j}]", (r,)
        if k < 0.55 and r > 0:
            i = self.rng.randint(-r, r - 1)
            t, ln = self.slice_1d(c)
            return f"{base.name}[{i}, {t}]", (ln,)
        if k < 0.7:
            t, ln = self.slice_1d(r)
            return f"{base.name}[{t}]", (ln, c)
        t1, l1 = self.slice_1d(r)
        t2, l2 = self.slice_1d(c)
        return f"{base.name}[{t1}, {t2}]", (l1, l2)

    def array_arg(self, ctx, dtype, shape):
        exact = ctx.vars(lambda v: v.ty == ARR and v.dtype == dtype and v.shape == shape)
        r = self.rng.random()
        if exact and r < 0.55:
            return self.pick(exact).name
        if r < 0.85:
            cands = ctx.vars(lambda v: v.ty == ARR and v.dtype == dtype and len(v.shape) >= len(shape))
            self.rng.shuffle(cands)
            for base in cands[:4]:
                if len(shape) == 1 and len(base.shape) == 1 and base.shape[0] >= shape[0]:
                    s = self.slice_1d(base.shape[0], shape[0])
                    if s:
                        return f"{base.name}[{s[0]}]"
                if len(shape) == 1 and len(base.shape) == 2:
                    r_, c_ = base.shape
                    if c_ == shape[0] and r_ > 0:
                        return f"{base.name}[{self.rng.randint(-r_, r_ - 1)}]"
                    if r_ == shape[0] and c_ > 0:
                        return f"{base.name}[:, {self.rng.randint(-c_, c_ - 1)}]"
                if len(shape) == 2 and len(base.shape) == 2:
                    if base.shape[0] >= shape[0] and base.shape[1] >= shape[1]:
                        s1 = self.slice_1d(base.shape[0], shape[0])
                        s2 = self.slice_1d(base.shape[1], shape[1])
                        if s1 and s2:
                            if s2[0] in (":", "::1") and self.chance(0.5):
                                return f"{base.name}[{s1[0]}]"
                            return f"{base.name}[{s1[0]}, {s2[0]}]"
        return self.creation(ctx, dtype, shape)

    # ------------------------------------------------------------------ statements
    def assignable(self, ctx, ty):
        return ctx.vars(lambda v: v.ty == ty and not v.ro)

    def normalise(self, ctx, target, ty):
        """Bring target (a name or an element) back under VB after it may have grown."""
        r = self.rng.random()
        if ty == INT:
            m = self.pick([97, 1000, 10007, 65536, 999983, 1009, 13])
            if r < 0.5:
                ctx.emit(f"{target} %= {m}" if self.chance(0.8) else f"{target} %= -{m}")
            elif r < 0.7:
                ctx.emit(f"{target} = {target} % {m}")
            else:
                ctx.emit(f"if {target} > {m} or {target} < -{m}:")
                ctx.emit(f"    {target} = {target} % {m}")
        else:
            m = self.pick(FLT_MODS)
            if r < 0.4:
                ctx.emit(f"{target} %= {m}")
            elif r < 0.6:
                ctx.emit(f"{target} = math.fmod({target}, {m})")
            else:
                ctx.emit(f"if abs({target}) > {m}:")
                ctx.emit(f"    {target} = {target} % {m}")

    def aug_assign(self, ctx, target, ty, elem_of_int_array=False):
        d = self.rng.randint(0, 2)
        if ty == INT:
            op = self.pick(["+=", "-=", "*=", "//=", "%=", "&=", "|=", "^=", "<<=", ">>=",
                            "**=", "+=", "-="] + (["/="] if elem_of_int_array else []))
            if op in ("//=", "%=", "/="):
                g, _ = self.int_divisor(ctx, d)
                ctx.emit(f"{target} {op} {g}")
                return
            if op == "<<=":
                ctx.emit(f"{target} <<= {self.rng.randint(0, 4)}")
            elif op == ">>=":
                ctx.emit(f"{target} >>= {self.rng.randint(0, 6)}")
                return
            elif op == "**=":
                ctx.emit(f"{target} **= {self.rng.randint(0, 2)}")
            else:
                e = self.wrap_int(self.int_expr(ctx, d), VB)
                ctx.emit(f"{target} {op} {e.code}")
            self.normalise(ctx, target, INT)
            return
        op = self.pick(["+=", "-=", "*=", "/=", "//=", "%=", "**=", "+=", "-="])
        if op in ("/=", "//=", "%="):
            g, gmax, gmin = self.float_divisor(ctx, d)
            ctx.emit(f"{target} {op} {g}")
            if op != "%=" and gmin < 1.0:
                self.normalise(ctx, target, FLT)
            return
        if op == "**=":
            ctx.emit(f"{target} **= {self.pick(['2', '2', '3', '1', '0', '2.0'])}")
        else:
            e = self.wrap(self.expr(ctx, self.pick([FLT, FLT, INT]), d), VB)
            ctx.emit(f"{target} {op} {e.code}")
        self.normalise(ctx, target, FLT)

    def stmt_new_scalar(self, ctx):
        ty = self.pick([INT, INT, FLT, FLT, BOOL])
        name = self.fresh({INT: "n", FLT: "x", BOOL: "ok"}[ty])
        e = self.expr(ctx, ty, self.rng.randint(0, 3))
        if ty != BOOL:
            e = self.wrap(e, VB)
        ann = ""
        if self.chance(0.05):
            ann = {INT: ": int", FLT: ": float", BOOL: ": bool"}[ty]
        if self.chance(0.05) and ty != BOOL:
            other = self.fresh({INT: "n", FLT: "x"}[ty])
            ctx.emit(f"{name} = {other} = {e.code}")
            ctx.add(Var(other, ty))
        else:
            ctx.emit(f"{name}{ann} = {e.code}")
        ctx.add(Var(name, ty))
        ctx.cost += ctx.mult

    def stmt_assign(self, ctx):
        ty = self.pick([INT, FLT, BOOL])
        vs = self.assignable(ctx, ty)
        if not vs:
            return self.stmt_new_scalar(ctx)
        v = self.pick(vs)
        e = self.expr(ctx, ty, self.rng.randint(0, 3))
        if ty != BOOL:
            e = self.wrap(e, VB)
        ctx.emit(f"{v.name} = {e.code}")
        ctx.cost += ctx.mult

    def stmt_aug(self, ctx):
        ty = self.pick([INT, FLT])
        vs = self.assignable(ctx, ty)
        if not vs:
            return self.stmt_new_scalar(ctx)
        self.aug_assign(ctx, self.pick(vs).name, ty)
        ctx.cost += ctx.mult

    def stmt_elem_write(self, ctx):
        arrs = self.readable_arrays(ctx)
        if not arrs:
            return self.stmt_new_array(ctx)
        a = self.pick(arrs)
        target = self.elem(ctx, a, "store-order" not in self.avoid)
        if self.chance(0.45):
            self.aug_assign(ctx, target, a.dtype, elem_of_int_array=a.dtype == INT and self.chance(0.2))
        else:
            ty = a.dtype
            if self.chance(0.1):
                ty = FLT if ty == INT else INT   # numpy converts (float -> int truncates)
            e = self.wrap(self.expr(ctx, ty, self.rng.randint(0, 3)), VB)
            ctx.emit(f"{target} = {e.code}")
        ctx.cost += ctx.mult

    def stmt_new_array(self, ctx):
        if ctx.mult > 20:
            return self.stmt_new_scalar(ctx)
        self.new_array(ctx)

    def stmt_view(self, ctx):
        arrs = ctx.vars(lambda v: v.ty == ARR)
        if not arrs:
            return self.stmt_new_array(ctx)
        base = self.pick(arrs)
        r = self.rng.random()
        name = self.fresh("vw")
        if r < 0.12:
            ctx.emit(f"{name} = {base.name}")   # an alias
            shape = base.shape
        elif r < 0.2 and base.size > 0:
            ctx.emit(f"{name} = {base.name}.copy()")
            shape = base.shape
        else:
            code, shape = self.view_of(ctx, base)
            ctx.emit(f"{name} = {code}")
        ctx.add(Var(name, ARR, dtype=base.dtype, shape=shape, ro=True, eb=base.eb))
        ctx.cost += ctx.mult

    def stmt_fill(self, ctx):
        arrs = ctx.vars(lambda v: v.ty == ARR)
        if not arrs:
            return self.stmt_new_array(ctx)
        a = self.pick(arrs)
        e = self.wrap(self.expr(ctx, a.dtype, 1), VB)
        ctx.emit(f"{a.name}.fill({e.code})")
        ctx.cost += ctx.mult * max(1, a.size // 8)

    def stmt_print(self, ctx):
        r = self.rng.random()
        arrs = ctx.vars(lambda v: v.ty == ARR)
        ctx.cost += ctx.mult
        if r < 0.15 and arrs:
            a = self.pick(arrs)
            k = self.rng.random()
            if k < 0.6:
                ctx.emit(f"print({a.name})")
            elif k < 0.8:
                code, _ = self.view_of(ctx, a)
                ctx.emit(f"print({code})")
            else:
                ctx.emit(f"print({self.pick(LABELS)!r}, {a.name}.shape, {a.name}.size, {a.name}.ndim)")
            ctx.cost += ctx.mult * max(1, a.size // 4)
            return
        if r < 0.18:
            ctx.emit(self.pick(["print()", "print('')", "print(flush=True)"]))
            return
        if r < 0.21:
            # a tuple of values that are Python ints under CPython (not NumPy scalars)
            items = [v.name for v in ctx.vars(lambda v: v.ty == INT and v.lo is not None
                                               and not v.name.startswith(("w", "depth")))]
            items += [f"len({a.name})" for a in arrs] + [c.name for c in self.consts if c.ty == INT]
            items += [self.int_lit().code]
            k = self.rng.randint(1, 3)
            parts = [self.pick(items) for _ in range(k)]
            ctx.emit(f"print(({', '.join(parts)}{',' if k == 1 else ''}))")
            return
        if r < 0.45:
            items = []
            for _ in range(self.rng.randint(1, 4)):
                ty = self.pick([INT, FLT, FLT, BOOL, "str"])
                if ty == "str":
                    items.append(repr(self.pick(LABELS)))
                else:
                    items.append(self.expr(ctx, ty, self.rng.randint(0, 2)).code)
            extra = ""
            if self.chance(0.15):
                extra += f", sep={self.pick(['', ', ', ' | ', '-', chr(92) + 't'])!r}"
            if self.chance(0.1):
                extra += f", end={self.pick(['', ' ', ';' + chr(10), '!' + chr(10)])!r}"
            if self.chance(0.05):
                extra += ", flush=True"
            ctx.emit(f"print({', '.join(items)}{extra})")
            return
        if r < 0.8:
            parts = []
            for _ in range(self.rng.randint(1, 3)):
                ty = self.pick([INT, FLT, FLT, BOOL])
                e = self.expr(ctx, ty, self.rng.randint(0, 2))
                lab = self.pick(["", "v=", "x ", ": ", "[", "r"])
                if ty == INT:
                    spec = self.pick(INT_FMT_SPECS)
                    if spec in ("x", "o", "b", "#x") and self.chance(0.5):
                        parts.append(f"{lab}{{abs({e.code}):{spec}}}")
                        continue
                    conv = "!r" if self.chance(0.08) else ""
                    if conv:
                        parts.append(f"{lab}{{int({e.code})!r}}")
                    else:
                        parts.append(f"{lab}{{{e.code}:{spec}}}" if spec else f"{lab}{{{e.code}}}")
                elif ty == FLT:
                    if self.chance(0.1):
                        parts.append(f"{lab}{{float({e.code})!r}}")
                    else:
                        spec = self.pick(FLT_FMT_SPECS)
                        parts.append(f"{lab}{{{e.code}:{spec}}}" if spec else f"{lab}{{{e.code}}}")
                else:
                    parts.append(f"{lab}{{{e.code}}}")
            body = " ".join(parts)
            if self.chance(0.1):
                body = "{{" + body + "}}"
            q = '"' if "'" not in body else "'"
            if q in body:
                ctx.emit(f"print({self.expr(ctx, INT, 1).code})")
                return
            ctx.emit(f"print(f{q}{body}{q})")
            return
        ty = self.pick([INT, FLT])
        e = self.expr(ctx, ty, self.rng.randint(1, 3))
        if ty == FLT and self.chance(0.5):
            ctx.emit(f"print(float({e.code}))")
        else:
            ctx.emit(f"print({e.code})")

    def loop_range(self, ctx):
        """(range-args text, lo, hi, trips) with lo..hi the loop variable's value range."""
        outer = [v for v in ctx.vars(lambda v: v.ty == INT and v.lo is not None)
                 if v.lo >= -3 and v.hi <= 12]
        arrs = ctx.vars(lambda v: v.ty == ARR)
        r = self.rng.random()
        if r < 0.2:
            n = self.rng.randint(0, 8)
            return f"{n}", 0, max(n - 1, 0), n
        if r < 0.35 and arrs:
            a = self.pick(arrs)
            k = self.rng.randrange(len(a.shape))
            n = a.shape[k]
            if n <= 40:
                code = f"len({a.name})" if k == 0 and self.chance(0.5) else f"{a.name}.shape[{k}]"
                if self.chance(0.3) and n > 0:
                    return f"{code} - 1, -1, -1", 0, n - 1, n
                return code, 0, max(n - 1, 0), n
        if r < 0.55:
            a = self.rng.randint(-5, 6)
            b = a + self.rng.randint(-2, 9)
            return f"{a}, {b}", a, max(a, b - 1), max(0, b - a)
        if r < 0.75:
            step = self.pick([1, 2, 3, -1, -2, -3])
            a = self.rng.randint(-6, 10)
            b = a + step * self.rng.randint(-1, 6)
            rg = range(a, b, step)
            lo, hi = (min(rg), max(rg)) if len(rg) else (a, a)
            return f"{a}, {b}, {step}", lo, hi, len(rg)
        if r < 0.88 and outer:
            v = self.pick(outer)
            if self.chance(0.5):
                return v.name, 0, max(v.hi - 1, 0), max(v.hi, 0)
            b = self.rng.randint(v.hi, v.hi + 4)
            return f"{v.name}, {b}", v.lo, max(b - 1, v.lo), max(0, b - v.lo)
        m = self.rng.randint(1, 7)
        e = self.int_expr(ctx, 1)
        return f"{e.code} % {m}", 0, m - 1, m - 1

    def stmt_for(self, ctx, depth):
        args, lo, hi, trips = self.loop_range(ctx)
        if ctx.mult * max(trips, 1) * 4 > 4000:
            return self.stmt_new_scalar(ctx)
        iv = Var(self.fresh("i"), INT, ro=True, lo=lo, hi=hi)
        kw = "range"
        if not ctx.host and self.chance(0.05):
            kw = "prange"
            self.uses_prange = True
        ctx.emit(f"for {iv.name} in {kw}({args}):")
        self.body(ctx, depth + 1, [iv], loop=True, mult=max(trips, 1))
        if self.chance(0.15) and trips > 0 and "%" not in args and not any(
                c.isalpha() for c in args):
            # the loop variable keeps its last value after the loop
            ctx.add(Var(iv.name, INT, ro=True, lo=lo, hi=hi))

    def stmt_while(self, ctx, depth):
        k = self.rng.randint(1, 7)
        if ctx.mult * k * 4 > 4000:
            return self.stmt_new_scalar(ctx)
        w = Var(self.fresh("w"), INT, ro=True, lo=0, hi=k)
        ctx.emit(f"{w.name} = 0")
        cond = f"{w.name} < {k}"
        if self.chance(0.4):
            c = self.cond_expr(ctx, 1, allow_calls=False)
            cond = f"{cond} and {c.code}"
        ctx.emit(f"while {cond}:")
        ctx.indent += 1
        ctx.emit(f"{w.name} += 1")
        ctx.indent -= 1
        self.body(ctx, depth + 1, [Var(w.name, INT, ro=True, lo=1, hi=k)], loop=True, mult=k)
        ctx.add(w)

    def stmt_if(self, ctx, depth):
        c = self.cond_expr(ctx, self.rng.randint(1, 3))
        ctx.emit(f"if {c.code}:")
        self.body(ctx, depth + 1, [])
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            c = self.cond_expr(ctx, self.rng.randint(1, 2))
            ctx.emit(f"elif {c.code}:")
            self.body(ctx, depth + 1, [])
        if self.chance(0.5):
            ctx.emit("else:")
            self.body(ctx, depth + 1, [])

    def stmt_break(self, ctx):
        if not ctx.loops:
            return self.stmt_new_scalar(ctx)
        c = self.cond_expr(ctx, self.rng.randint(0, 2))
        ctx.emit(f"if {c.code}:")
        ctx.emit(f"    {self.pick(['break', 'continue'])}")

    def stmt_return(self, ctx):
        if ctx.host or ctx.fn is None or ctx.fn.ret is None or (
                isinstance(ctx.fn.ret, tuple) and ctx.fn.ret[0] == ARR):
            return self.stmt_new_scalar(ctx)
        c = self.bool_expr(ctx, self.rng.randint(0, 2))
        ctx.emit(f"if {c.code}:")
        ctx.indent += 1
        self.emit_return(ctx)
        ctx.indent -= 1

    def emit_return(self, ctx):
        ret = ctx.fn.ret
        if ret is None:
            ctx.emit("return")
            return
        if ret in (INT, FLT):
            ctx.emit(f"return {self.wrap(self.expr(ctx, ret, self.rng.randint(0, 3)), VB).code}")
            return
        if ret == BOOL:
            ctx.emit(f"return {self.bool_expr(ctx, self.rng.randint(0, 2)).code}")
            return
        if ret[0] == TUP:
            parts = []
            for t in ret[1]:
                e = self.expr(ctx, t, self.rng.randint(0, 2))
                parts.append(self.wrap(e, VB).code if t != BOOL else e.code)
            ctx.emit(f"return {', '.join(parts)}" if self.chance(0.8) else f"return ({', '.join(parts)})")
            return
        raise AssertionError(ret)

    def stmt_call(self, ctx):
        fns = [f for f in self.fns if f is not ctx.fn and ctx.cost + ctx.mult * f.cost <= ctx.limit]
        if not fns or ctx.calls >= 8:
            return self.stmt_new_scalar(ctx)
        f = self.pick(fns)
        code = self.call_code(ctx, f)
        self.bind_result(ctx, f, code)

    def bind_result(self, ctx, f, code, show=False):
        ret = f.ret
        if ret is None:
            ctx.emit(code)
            return
        if ret in (INT, FLT, BOOL):
            vs = self.assignable(ctx, ret)
            if vs and self.chance(0.3):
                name = self.pick(vs).name
                ctx.emit(f"{name} = {code}")
            else:
                name = self.fresh({INT: "n", FLT: "x", BOOL: "ok"}[ret])
                ctx.emit(f"{name} = {code}")
                ctx.add(Var(name, ret))
            if show:
                self.show_scalar(ctx, name, ret)
            return
        if ret[0] == TUP:
            if self.chance(0.3):
                name = self.fresh("t")
                ctx.emit(f"{name} = {code}")
                ctx.add(Var(name, TUP, ro=True, elems=list(ret[1])))
                if show:
                    for k, t in enumerate(ret[1]):
                        self.show_scalar(ctx, f"{name}[{k}]", t)
                return
            names = []
            for t in ret[1]:
                vs = [v for v in self.assignable(ctx, t) if v.name not in names]
                if vs and self.chance(0.25):
                    names.append(self.pick(vs).name)
                else:
                    n = self.fresh({INT: "n", FLT: "x", BOOL: "ok"}[t])
                    ctx.add(Var(n, t))
                    names.append(n)
            ctx.emit(f"{', '.join(names)} = {code}")
            if show:
                for n, t in zip(names, ret[1]):
                    self.show_scalar(ctx, n, t)
            return
        _, dtype, shape = ret
        name = self.fresh("arr")
        ctx.emit(f"{name} = {code}")
        ctx.add(Var(name, ARR, dtype=dtype, shape=shape, ro=True, eb=WIDE))
        if show:
            ctx.emit(f"print({name})")

    def show_scalar(self, ctx, code, ty):
        r = self.rng.random()
        if ty == FLT:
            if r < 0.4:
                ctx.emit(f"print({code})")
            elif r < 0.6:
                ctx.emit(f"print(float({code}))")
            elif r < 0.8:
                ctx.emit(f"print(f\"{{{code}:{self.pick(FLT_FMT_SPECS)}}}\")")
            else:
                ctx.emit(f"print({self.pick(LABELS)!r}, {code})")
        else:
            ctx.emit(f"print({code})" if r < 0.7 else f"print(f\"{{{code}}}!\")")

    def stmt_misc(self, ctx):
        r = self.rng.random()
        if r < 0.2:
            ctx.emit("pass")
            return
        if r < 0.45:
            arrs = [a for a in ctx.vars(lambda v: v.ty == ARR and len(v.shape) == 2)]
            if arrs:
                a = self.pick(arrs)
                n1, n2 = Var(self.fresh("n"), INT, ro=True, lo=a.shape[0], hi=a.shape[0]), \
                    Var(self.fresh("n"), INT, ro=True, lo=a.shape[1], hi=a.shape[1])
                ctx.emit(f"{n1.name}, {n2.name} = {a.name}.shape")
                ctx.add(n1)
                ctx.add(n2)
                return
        if r < 0.7:
            ty = self.pick([INT, FLT])
            vs = self.assignable(ctx, ty)
            if len(vs) >= 2:
                a, b = self.rng.sample(vs, 2)
                ctx.emit(f"{a.name}, {b.name} = {b.name}, {a.name}")
                return
        if r < 0.85:
            e = self.bool_expr(ctx, 1)
            # an assertion that holds: `c or not c`
            ctx.emit(f"assert {e.code} or not {e.code}, \"never\"")
            return
        n1, n2 = self.fresh("n"), self.fresh("x")
        a = self.wrap(self.int_expr(ctx, 1), VB)
        b = self.wrap(self.float_expr(ctx, 1), VB)
        ctx.emit(f"{n1}, {n2} = {a.code}, {b.code}")
        ctx.add(Var(n1, INT))
        ctx.add(Var(n2, FLT))

    def statement(self, ctx, depth):
        can_nest = depth < 3 and ctx.mult < 400
        k = self.wpick([
            (5, "new"), (4, "assign"), (4, "aug"), (4, "elem"), (1.5, "newarr"),
            (1.5, "view"), (0.5, "fill"), (3, "print"), (2.5 if can_nest else 0, "for"),
            (1 if can_nest else 0, "while"), (2.5 if depth < 4 else 0, "if"),
            (1.5 if ctx.loops else 0, "break"), (1 if not ctx.host else 0, "return"),
            (2 if self.fns else 0, "call"), (1, "misc")])
        if k == "new":
            self.stmt_new_scalar(ctx)
        elif k == "assign":
            self.stmt_assign(ctx)
        elif k == "aug":
            self.stmt_aug(ctx)
        elif k == "elem":
            self.stmt_elem_write(ctx)
        elif k == "newarr":
            self.stmt_new_array(ctx)
        elif k == "view":
            self.stmt_view(ctx)
        elif k == "fill":
            self.stmt_fill(ctx)
        elif k == "print":
            self.stmt_print(ctx)
        elif k == "for":
            self.stmt_for(ctx, depth)
        elif k == "while":
            self.stmt_while(ctx, depth)
        elif k == "if":
            self.stmt_if(ctx, depth)
        elif k == "break":
            self.stmt_break(ctx)
        elif k == "return":
            self.stmt_return(ctx)
        elif k == "call":
            self.stmt_call(ctx)
        else:
            self.stmt_misc(ctx)

    def body(self, ctx, depth, new_vars, loop=False, mult=1):
        ctx.indent += 1
        ctx.scopes.append(list(new_vars))
        if loop:
            ctx.loops.append(True)
        old_mult = ctx.mult
        ctx.mult *= mult
        start = len(ctx.lines)
        for _ in range(self.rng.randint(1, 4 if depth < 2 else 3)):
            self.statement(ctx, depth)
        if len(ctx.lines) == start:
            ctx.emit("pass")
        ctx.mult = old_mult
        if loop:
            ctx.loops.pop()
        ctx.scopes.pop()
        ctx.indent -= 1

    # ------------------------------------------------------------------ functions
    def param_type(self):
        r = self.rng.random()
        if r < 0.35:
            return Var(self.fresh("p"), INT)
        if r < 0.65:
            return Var(self.fresh("q"), FLT)
        if r < 0.7:
            return Var(self.fresh("flag"), BOOL)
        dtype = self.pick([INT, FLT, FLT])
        shape = self.random_shape()
        if shape[0] > 100 or len(shape) == 2 and shape[0] > 10:
            shape = (self.rng.randint(1, 10),)
        return Var(self.fresh("a"), ARR, dtype=dtype, shape=shape, ro=True, eb=WIDE)

    def type_text(self, t, ndim=0):
        base = {INT: "int64", FLT: "float64", BOOL: "boolean"}[t]
        self.nk_types.add(base)
        if ndim == 0:
            return base
        return base + "[" + ", ".join([":"] * ndim) + "]"

    def decorator(self, f):
        r = self.rng.random()
        sigable = f.ret is None or f.ret in (INT, FLT, BOOL) or f.ret[0] == ARR
        if r < 0.1 and sigable:
            ps = ", ".join(self.type_text(p.dtype if p.ty == ARR else p.ty,
                                          len(p.shape) if p.ty == ARR else 0) for p in f.params)
            if f.ret is None:
                self.nk_types.add("void")
                rt = "void"
            elif f.ret in (INT, FLT, BOOL):
                rt = self.type_text(f.ret)
            else:
                rt = self.type_text(f.ret[1], len(f.ret[2]))
            return f"@njit(\"{rt}({ps})\")"
        self.uses_jit = self.uses_jit or r < 0.3
        return self.wpick([(10, "@njit"), (2, "@jit(nopython=True)"), (1, "@njit(cache=True)"),
                           (1, "@njit(boundscheck=True)"), (1, "@njit(error_model=\"python\")"),
                           (1, "@njit(fastmath=False)"), (1, "@njit(nogil=True)"),
                           (1, "@jit"), (1.5, None)])

    def gen_function(self, idx):
        f = Fn(f"f{idx}")
        nparams = self.pick([0, 1, 2, 2, 3, 3, 4])
        f.params = [self.param_type() for _ in range(nparams)]
        r = self.rng.random()
        arr_params = [p for p in f.params if p.ty == ARR]
        if r < 0.25:
            f.ret = INT
        elif r < 0.5:
            f.ret = FLT
        elif r < 0.55:
            f.ret = BOOL
        elif r < 0.7:
            f.ret = (TUP, tuple(self.pick([INT, FLT, FLT, BOOL]) for _ in range(self.rng.randint(2, 3))))
        elif r < 0.85:
            if arr_params and self.chance(0.5):
                p = self.pick(arr_params)
                f.ret = (ARR, p.dtype, p.shape)
            else:
                f.ret = (ARR, self.pick([INT, FLT]), self.random_shape() if self.chance(0.5) else
                         (self.rng.randint(1, 8),))
        else:
            f.ret = None
        recursive = f.ret in (INT, FLT) and self.chance(0.12)
        if recursive:
            base_op = self.pick(['<=', '<', '=='])
            f.params.insert(0, Var(self.fresh("depth"), INT, ro=True, lo=0, hi=self.rng.randint(1, 6)))
        ctx = Ctx(f, 1, limit=1500 if recursive else 6000)
        for p in f.params:
            # scalar parameters may be reassigned; a depth parameter may not
            lo = p.lo
            if recursive and p is f.params[0] and base_op == "<":
                lo = -1   # `if depth < 0: return` lets depth 0 recurse once more
            ctx.add(Var(p.name, p.ty, dtype=p.dtype, shape=p.shape, ro=p.ty == ARR or p.lo is not None,
                        lo=lo, hi=p.hi, eb=WIDE))
        if recursive:
            ctx.emit(f"if {f.params[0].name} {base_op} 0:")
            ctx.indent += 1
            self.emit_return(ctx)
            ctx.indent -= 1
        ret_arr = None
        if isinstance(f.ret, tuple) and f.ret[0] == ARR:
            _, dtype, shape = f.ret
            ret_arr = self.new_array(ctx, dtype, shape)
        if self.chance(0.1):
            ctx.emit('"""A generated function."""')
        for _ in range(self.rng.randint(2, 7)):
            self.statement(ctx, 0)
        if ret_arr is not None:
            same = [p for p in arr_params if p.shape == ret_arr.shape and p.dtype == ret_arr.dtype]
            if same and self.chance(0.3):
                ctx.emit(f"return {self.pick(same).name}")
            else:
                ctx.emit(f"return {ret_arr.name}")
        elif f.ret is None:
            if self.chance(0.3):
                ctx.emit("return")
            elif not ctx.lines:
                ctx.emit("pass")
        elif recursive:
            args = [f"{f.params[0].name} - 1"]
            for p in f.params[1:]:
                if p.ty == ARR:
                    args.append(self.array_arg(ctx, p.dtype, p.shape))
                elif p.ty == BOOL:
                    args.append(self.bool_expr(ctx, 1, allow_calls=False).code)
                else:
                    args.append(self.wrap(self.expr(ctx, p.ty, 1, allow_calls=False), VB).code)
            call = f"{f.name}({', '.join(args)})"
            e = self.wrap(self.expr(ctx, f.ret, self.rng.randint(0, 2)), VB)
            if f.ret == INT:
                ctx.emit(f"return ({e.code} {self.pick('+-')} {call}) % {self.pick([97, 1000, 65536])}")
            else:
                ctx.emit(f"return math.fmod({e.code} + {call} * {self.pick(['0.5', '1.5', '(-1.0)'])}, 1000.0)")
        else:
            self.emit_return(ctx)
        f.cost = max(1, ctx.cost)
        if recursive:
            f.cost *= f.params[0].hi + 1
        head = []
        dec = self.decorator(f)
        if dec:
            head.append(dec)
        annotate = (self.chance(0.5) if recursive else self.chance(0.07)) and (
            f.ret is None or f.ret in (INT, FLT, BOOL))
        if annotate:
            ps = []
            for p in f.params:
                t = self.type_text(p.dtype if p.ty == ARR else p.ty, len(p.shape) if p.ty == ARR else 0)
                ps.append(f"{p.name}: {t}")
            rt = ""
            if f.ret in (INT, FLT, BOOL):
                rt = " -> " + {INT: "int", FLT: "float", BOOL: "bool"}[f.ret]
            head.append(f"def {f.name}({', '.join(ps)}){rt}:")
        else:
            head.append(f"def {f.name}({', '.join(p.name for p in f.params)}):")
        f.lines = head + ctx.lines
        return f

    # ------------------------------------------------------------------ host
    def gen_host(self, guard):
        ctx = Ctx(None, 1 if guard else 0, host=True, limit=60000)
        for _ in range(self.rng.randint(1, 3)):
            self.new_array(ctx)
        for _ in range(self.rng.randint(1, 3)):
            self.stmt_new_scalar(ctx)
        order = list(self.fns)
        self.rng.shuffle(order)
        for f in order:
            for _ in range(self.rng.choice([1, 1, 2])):
                if ctx.cost + f.cost > ctx.limit:
                    break
                if self.chance(0.15) and ctx.cost + 4 * f.cost <= ctx.limit:
                    iv = Var(self.fresh("i"), INT, ro=True, lo=0, hi=3)
                    ctx.emit(f"for {iv.name} in range(4):")
                    ctx.indent += 1
                    ctx.scopes.append([iv])
                    ctx.mult = 4
                    self.bind_result(ctx, f, self.call_code(ctx, f), show=True)
                    ctx.mult = 1
                    ctx.scopes.pop()
                    ctx.indent -= 1
                else:
                    self.bind_result(ctx, f, self.call_code(ctx, f), show=True)
                if self.chance(0.5):
                    self.statement(ctx, 0)
            ctx.calls = 0
        for _ in range(self.rng.randint(0, 4)):
            self.statement(ctx, 0)
        for a in ctx.vars(lambda v: v.ty == ARR):
            if self.chance(0.3):
                ctx.emit(f"print({a.name})")
        if self.chance(0.06):
            self.error_tail(ctx)
        if not ctx.lines:
            ctx.emit("pass")
        return ctx.lines

    def error_tail(self, ctx):
        """End the host program with a statement that raises."""
        arrs = ctx.vars(lambda v: v.ty == ARR and (v.size > 0 or len(v.shape) == 1))
        r = self.rng.random()
        if r < 0.35 and arrs and "index-errors" not in self.avoid:
            a = self.pick(arrs)
            bad = self.rng.randrange(len(a.shape))
            idx = []
            for k, n in enumerate(a.shape):
                if k == bad:
                    idx.append(str(self.pick([n, n + 3, -n - 1])))
                else:
                    idx.append(str(self.rng.randint(-n, n - 1)))
            ctx.emit(f"print({a.name}[{', '.join(idx)}])")
        elif r < 0.6:
            op = self.pick(["//", "%", "/"])
            zero = "0" if self.chance(0.6) else "0.0"
            num = self.pick(["7", "-3", "2.5"])
            self.extra_fns.append(f"@njit\ndef fz(u, v):\n    return u {op} v\n")
            ctx.emit(f"print(fz({num}, {zero}))")
        elif r < 0.8:
            self.extra_fns.append("@njit\ndef fr(k):\n    if k > 2:\n"
                                  "        raise ValueError(\"k is too large\")\n    return k\n")
            ctx.emit("print(fr(1))")
            ctx.emit("print(fr(5))")
        else:
            e = self.int_expr(ctx, 1)
            ctx.emit(f"assert {e.code} > 10 ** 9, \"assertion in host\"")

    def program(self):
        self.extra_fns = []
        out = ["# Generated by tests/fuzz/gen_programs.py", "import math",
               "import numpy as np"]
        nconst = self.rng.randint(0, 3)
        consts = []
        for _ in range(nconst):
            if self.chance(0.5):
                v = self.rng.randint(-20, 50)
                name = self.fresh("K")
                consts.append(f"{name} = {v}")
                self.consts.append(Var(name, INT, ro=True, lo=v, hi=v))
            else:
                e = self.float_lit()
                name = self.fresh("C")
                consts.append(f"{name} = {e.code}")
                self.consts.append(Var(name, FLT, ro=True, lo=None, hi=e.b))
        if len(self.consts) >= 2 and self.chance(0.5):
            ints = [c for c in self.consts if c.ty == INT]
            if ints:
                c = self.pick(ints)
                name = self.fresh("K")
                consts.append(f"{name} = {c.name} * 2 + 1")
                v = c.lo * 2 + 1
                self.consts.append(Var(name, INT, ro=True, lo=v, hi=v))
        nfn = self.rng.randint(1, 5)
        for i in range(nfn):
            self.fns.append(self.gen_function(i))
        guard = self.chance(0.75)
        host = self.gen_host(guard)
        imports = ["njit"]
        if self.uses_prange:
            imports.append("prange")
        if any("@jit" in l for f in self.fns for l in f.lines[:1]):
            imports.append("jit")
        imports += sorted(self.nk_types)
        out.append(f"from nk import {', '.join(imports)}")
        out.append("")
        out += consts
        for f in self.fns:
            out += ["", ""] + f.lines
        for text in dict.fromkeys(self.extra_fns):
            out += ["", ""] + text.rstrip("\n").split("\n")
        out += ["", ""]
        if guard:
            out.append('if __name__ == "__main__":')
        out += host
        return "\n".join(out) + "\n"


# Features that --avoid can leave out, to keep fuzzing past a known nk bug.
AVOIDABLE = {
    "chain-calls": "calls to generated functions inside chained comparisons",
    "linspace-1": "np.linspace(a, b, 1)",
    "store-order": "calls in the subscript of an element store (`a[f()] = g()`)",
    "arange-float": "float np.arange whose (start + step) - start is not step",
    "index-errors": "out-of-range indices (implied by --nk-arg=--no-boundscheck)",
}


def generate(seed, index, avoid=()):
    rng = random.Random(seed * 1_000_003 + index)
    return Gen(rng, avoid).program()


def generate_safe(args, seed, index):
    try:
        return generate(seed, index, args.avoid), None
    except Exception as e:  # a generator bug: report it, keep going
        return None, f"generator error: {type(e).__name__}: {e}"


# ---------------------------------------------------------------------- running

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_cmd(cmd, cwd, env, timeout):
    """(exit status or "timeout", stdout, stderr). While the nk binary is being rebuilt
    (permission denied, text file busy, missing), wait and try again."""
    for attempt in range(20):
        try:
            p = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
            return (p.returncode, p.stdout.decode("utf-8", "replace"),
                    p.stderr.decode("utf-8", "replace"))
        except subprocess.TimeoutExpired as e:
            return ("timeout", (e.stdout or b"").decode("utf-8", "replace"),
                    (e.stderr or b"").decode("utf-8", "replace"))
        except OSError as e:
            if e.errno not in (errno.EACCES, errno.ETXTBSY, errno.ENOENT) or attempt == 19:
                raise
            time.sleep(30)


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip() if lines else ""


def nk_cmd(args, sub, path):
    cmd = [args.nk, sub]
    if not args.cache:
        cmd.append("--no-cache")
    return cmd + list(args.nk_arg) + [path]


def diff_one(args, seed, index, workdir):
    src, gerr = generate_safe(args, seed, index)
    name = f"gen_{seed}_{index}"
    if gerr:
        return name, gerr, "", (None, "", ""), (None, "", "")
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name + ".nk")
    with open(path, "w") as f:
        f.write(src)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(REPO, "python")
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("PYTHONWARNINGS", "ignore")
    prc, pout, perr = run_cmd([args.python, path], d, env, args.timeout)
    nrc, nout, nerr = run_cmd(nk_cmd(args, "run", path), d, os.environ, args.timeout)
    problem = None
    if prc == "timeout":
        problem = "python timed out (generator bug)"
    elif nrc == "timeout":
        problem = "nk timed out"
    elif nrc not in (0, 3) or (isinstance(nrc, int) and nrc < 0):
        problem = f"nk exit {nrc}"
    elif (prc == 0) != (nrc == 0):
        problem = f"exit status: python {prc}, nk {nrc}"
    elif prc != 0 and last_line(perr) not in nerr:
        problem = f"error differs: python {last_line(perr)!r}"
    elif pout != nout:
        problem = "stdout differs"
    result = (name, problem, src, (prc, pout, perr), (nrc, nout, nerr))
    shutil.rmtree(d, ignore_errors=True)
    return result


def crash_one(args, seed, index, workdir):
    src, gerr = generate_safe(args, seed, index)
    name = f"gen_{seed}_{index}"
    if gerr:
        return name, gerr, "", {}, None
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name + ".nk")
    with open(path, "w") as f:
        f.write(src)
    problem = None
    note = None
    outs = {}
    for sub in ("check", "run"):
        rc, out, err = run_cmd(nk_cmd(args, sub, path), d, os.environ, args.timeout)
        outs[sub] = (rc, out, err)
        if rc == "timeout":
            problem = f"nk {sub} timed out"
        elif rc < 0:
            problem = f"nk {sub} killed by signal {-rc}"
        elif rc == 70:
            problem = f"nk {sub}: internal compiler error (exit 70)"
        elif rc not in (0, 1, 3):
            problem = f"nk {sub}: unexpected exit {rc}"
        elif rc == 1:
            note = f"nk {sub} rejected the program (exit 1)"
            if args.strict:
                problem = note
        if problem or rc == 1:
            break
    shutil.rmtree(d, ignore_errors=True)
    return name, problem, src, outs, note


def save(keep, name, src, files):
    d = os.path.join(keep, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".nk"), "w") as f:
        f.write(src)
    for fname, text in files.items():
        with open(os.path.join(d, fname), "w") as f:
            f.write(text)
    return d


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="features for --avoid:\n" + "\n".join(f"  {k:14} {v}" for k, v in sorted(AVOIDABLE.items())))
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--emit", metavar="DIR", help="write the programs to DIR ('-': stdout)")
    mode.add_argument("--diff", action="store_true", help="compare nk run with CPython")
    mode.add_argument("--crash-only", action="store_true",
                      help="run nk check/run only; flag signals, timeouts, exit 70")
    ap.add_argument("--count", type=int, default=100, help="number of programs (default 100)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--start", type=int, default=0, help="index of the first program")
    ap.add_argument("--nk", default=os.path.join(REPO, "build", "bin", "nk"),
                    help="the nk binary (default build/bin/nk)")
    ap.add_argument("--python", default=sys.executable,
                    help="reference CPython with NumPy 2 (--diff; default: this Python)")
    ap.add_argument("--keep", metavar="DIR", help="save failing programs and outputs here")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per process (default 10)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="programs run in parallel (default: the number of CPUs)")
    ap.add_argument("--nk-arg", action="append", default=[],
                    help="extra argument for nk (repeatable), e.g. --nk-arg=-O0")
    ap.add_argument("--cache", action="store_true", help="let nk run use its cache")
    ap.add_argument("--strict", action="store_true",
                    help="crash-only: also count programs nk rejects (exit 1) as failures")
    ap.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    ap.add_argument("--avoid", action="append", default=[], choices=sorted(AVOIDABLE),
                    metavar="FEATURE",
                    help="leave a feature out (repeatable), to fuzz past a known nk bug")
    args = ap.parse_args()
    if "--no-boundscheck" in args.nk_arg and "index-errors" not in args.avoid:
        args.avoid.append("index-errors")   # unchecked indices do not raise (runtime.md)
    indices = range(args.start, args.start + args.count)

    if args.emit:
        for i in indices:
            src = generate(args.seed, i, args.avoid)
            if args.emit == "-":
                sys.stdout.write(f"# ---- gen_{args.seed}_{i}.nk\n{src}")
            else:
                os.makedirs(args.emit, exist_ok=True)
                with open(os.path.join(args.emit, f"gen_{args.seed}_{i}.nk"), "w") as f:
                    f.write(src)
        if args.emit != "-":
            print(f"wrote {args.count} programs to {args.emit}")
        return 0

    args.nk = os.path.abspath(args.nk)
    passed = failed = rejected = 0
    with tempfile.TemporaryDirectory(prefix="nkgen") as work, \
            concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        fn = diff_one if args.diff else crash_one
        futures = [pool.submit(fn, args, args.seed, i, work) for i in indices]
        for fut in futures:
            res = fut.result()
            name, problem, src = res[0], res[1], res[2]
            if args.crash_only and res[4]:
                rejected += 1
                if not args.quiet:
                    print(f"NOTE {name}: {res[4]}")
            if problem is None:
                passed += 1
                if not args.quiet:
                    print(f"PASS {name}")
                continue
            failed += 1
            where = ""
            if args.keep:
                if args.diff:
                    (prc, pout, perr), (nrc, nout, nerr) = res[3], res[4]
                    files = {"python.out": pout, "python.err": perr, "nk.out": nout,
                             "nk.err": nerr,
                             "status.txt": f"{problem}\npython exit {prc}\nnk exit {nrc}\n"}
                else:
                    files = {}
                    for sub, (rc, out, err) in res[3].items():
                        files[f"nk-{sub}.out"] = out
                        files[f"nk-{sub}.err"] = err
                    files["status.txt"] = problem + "\n"
                where = " -> " + save(args.keep, name, src, files)
            print(f"FAIL {name}: {problem}{where}", flush=True)
    if args.crash_only and rejected:
        print(f"{rejected} programs rejected by nk (exit 1)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

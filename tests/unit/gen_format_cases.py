#!/usr/bin/env python3
"""Writes tests/unit/format_cases.inc: what CPython and NumPy print, for format_test.cpp.

Usage: python3 tests/unit/gen_format_cases.py [OUTPUT]   (needs numpy >= 2)
OUTPUT defaults to format_cases.inc next to this script.

Every expected string comes from the running Python and NumPy, so the C++ runtime
(runtime/format.cpp) is checked against the real thing:
  kFloat64Repr  repr(float)                       edge values and random bit patterns
  kFloat32Repr  str(np.float32)                   edge values and random bit patterns
  kIntSpecs     format(int, spec)                 incl. uint64 values and error messages
  kFloatSpecs   format(float, spec) and format(np.float32, spec)
  kBoolSpecs    format(bool, spec)
  kStrSpecs     format(str, spec)                 incl. non-ASCII text and fill characters
  kArrays       str(ndarray), 1-d and 2-d, all 11 dtypes, strided/reversed/transposed views,
                wrapping, and '...' summaries (> 1000 elements)
Arrays are stored either as their raw bytes (hex) or, for big ones, as a formula that the
test recomputes bit for bit (see ArrayCase in format_test.cpp). The run is deterministic.
"""
import random
import struct
import sys
from pathlib import Path

import numpy as np

if int(np.__version__.split(".")[0]) < 2:
    sys.exit(f"numpy >= 2 required, found {np.__version__}")

rng = np.random.default_rng(20240611)
random.seed(20240611)

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"]
DTYPE_ENUM = {"bool": "Bool", "int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64",
              "uint8": "UInt8", "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64",
              "float32": "Float32", "float64": "Float64"}


def cstr(s):
    """A C++ string literal for the UTF-8 bytes of s (octal escapes cannot run on)."""
    out = ['"']
    for b in s.encode("utf-8"):
        c = chr(b)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif 32 <= b < 127 and c != "?":
            out.append(c)
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def csv(s):
    """A std::string_view literal: keeps embedded NULs (format(0, 'c') is '\\0')."""
    return cstr(s) + "sv"


def cstr_lines(s):
    """Long multi-line text as adjacent literals, one per printed line."""
    parts = s.split("\n")
    if len(parts) == 1:
        return cstr(s)
    return "\n        ".join(cstr(p + "\n") for p in parts[:-1]) + "\n        " + cstr(parts[-1])


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def f64_from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def call_format(v, spec):
    try:
        return True, format(v, spec)
    except (ValueError, OverflowError) as e:
        return False, str(e)


# ---------------------------------------------------------------- float reprs

def float64_values():
    vals = [0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 0.5, 1.5, 2.5, 10.0, 100.0, 1e15, 1e16,
            1e17, 1234567890123456.0, 12345678901234567.0, 9999999999999998.0, 2.0 ** 53, 2.0 ** 53 + 2,
            1e-4, 1e-5, 0.0001234, 0.00001234, 9.999999999999999e-05, 1e22, 1e23, 1e-7, 123.456, 1e100,
            1e-100, 1e300, 1e308, 1.7976931348623157e308, 2.2250738585072014e-308, 2.225073858507201e-308,
            5e-324, 1e-323, 4.9406564584124654e-324, 3.14159, 2.718281828459045, 6.02214076e23,
            float("inf"), float("-inf"), float("nan"), -float("nan"), 0.1 + 0.2, 1.1, 2.675, 1e-10,
            123456789.0, 1e8, 99999999.0, 1e6, 1e7, 3e-5, 4.35, 0.07, 100.0 / 3]
    for e in range(-30, 31):
        vals += [10.0 ** e, -(10.0 ** e) * 1.5, 7 * 10.0 ** e]
    bits = rng.integers(0, 2 ** 64, 330, dtype=np.uint64).tolist()
    vals += [f64_from_bits(b) for b in bits]
    vals += (rng.standard_normal(150) * 10.0 ** rng.integers(-20, 20, 150)).tolist()
    vals += [f64_from_bits(int(b)) for b in rng.integers(1, 2 ** 52, 30, dtype=np.uint64)]  # subnormals
    return vals


def float32_values():
    vals = [0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1 / 3, 0.5, 1.5, 1e-4, 1.0001e-4, 9.9999e-5, 1e-5, 1e5,
            1e6, 999999.0, 999999.9, 999999.94, 1e7, 16777216.0, 16777217.0, 3.4028235e38, 1.1754944e-38,
            1e-45, 1.4e-45, 3e-45, 1e-40, 3.14159265, 2.7182817, 123456.7, 1234567.0, 0.001, 12.5,
            float("inf"), float("-inf"), float("nan"), 1e16, 1e15, 65504.0, 0.00012, 1.5e-5, 100000.0]
    for e in range(-12, 13):
        vals += [10.0 ** e, -(10.0 ** e) * 1.5, 7 * 10.0 ** e]
    out = [np.float32(v) for v in vals]
    out += list(rng.integers(0, 2 ** 32, 330, dtype=np.uint64).astype(np.uint32).view(np.float32))
    out += list((rng.standard_normal(150) * 10.0 ** rng.integers(-8, 10, 150)).astype(np.float32))
    out += list(rng.integers(1, 2 ** 23, 20, dtype=np.uint64).astype(np.uint32).view(np.float32))
    # around the positional/scientific switches, 1e-4 and 1e6
    for edge in (np.float32(1e-4), np.float32(1e6)):
        x = edge
        for _ in range(3):
            x = np.nextafter(x, np.float32(0))
        for _ in range(6):
            out.append(x)
            x = np.nextafter(x, np.float32(np.inf))
    return out


# ---------------------------------------------------------------- format specs

FILLS = ["", "", "", "*", "0", " ", "x", "é", "<", "=", "日"]
ALIGNS = ["", "", "<", ">", "=", "^"]
SIGNS = ["", "", "+", "-", " "]


def random_spec(types):
    s = ""
    a = random.choice(ALIGNS)
    if a:
        s += random.choice(FILLS) + a
    s += random.choice(SIGNS)
    if random.random() < 0.08:
        s += "z"
    if random.random() < 0.15:
        s += "#"
    if random.random() < 0.2:
        s += "0"
    if random.random() < 0.5:
        s += str(random.choice([1, 2, 5, 8, 10, 12, 15, 20, 25]))
    r = random.random()
    if r < 0.1:
        s += ","
    elif r < 0.2:
        s += "_"
    if random.random() < 0.4:
        s += "." + str(random.choice([0, 1, 2, 3, 5, 6, 10, 17, 20, 30]))
    return s + random.choice(types)


GARBAGE_ALPHABET = "<>=^+- z#0123456789,_.ebcdoxXfFgGn%sé*{}"


def garbage_spec():
    return "".join(random.choice(GARBAGE_ALPHABET) for _ in range(random.randint(1, 6)))


COMMON_SPECS = ["", "d", ">8d", "<8d", "^9d", "08d", "+d", " d", ",", "_", ",d", "_x", "_b", "#x", "#X", "#o",
                "#b", "#010x", "x", "X", "o", "b", "c", "n", ".3f", ".2e", "8.3f", "08.3f", "+.1%", "%", ".0f",
                "e", "E", "f", "F", "g", "G", ".3g", ".10g", ".0e", ".17g", ".30f", ".50e", "#.0f", "#g", "#.3",
                ".3", ".1", "r", ".2s", "s", "10", "<10", "^10", "*^11", "=+10", "z.1f", "z", ",.2f", "_.3f",
                "015,.2f", "010,", "09,", "020_x", "=10", "0=10", "x<6", ".", "5.", ",_", "_,", ",,", "xx",
                "+c", "#c", ".2c", "z.2", "zd", "é>7", "日^9.2f", "99999999999999999999999", ".99999999999999999999",
                ".3000000000", "\x01", "é", ",n", "_n", ",c", "_c", ",s", "=^", ".2%", "10.4n", "+08.2e", " 012.3F",
                "-^15,.4g", "#_o", "#_X"]


def int_cases():
    vals = [0, 1, -1, 7, -7, 42, 255, 256, 65, 0x263A, 0x10FFFF, 0x110000, 1000, -1000, 1234567, -1234567,
            2 ** 31 - 1, -2 ** 31, 2 ** 63 - 1, -2 ** 63, 10 ** 15, 2 ** 53 + 1]
    cases = []
    for v in vals:
        for spec in COMMON_SPECS:
            if random.random() < 0.25:
                cases.append((v, False, spec))
    for _ in range(200):
        r = random.random()
        if r < 0.4:
            v = random.randint(-1000, 1000)
        elif r < 0.6:
            v = random.choice(vals)
        else:
            v = random.randint(-2 ** 63, 2 ** 63 - 1)
        cases.append((v, False, random_spec(["", "", "b", "c", "d", "o", "x", "X", "n", "e", "f", "g", "%", "E", "s"])))
    for _ in range(80):  # uint64, beyond int64 too
        v = random.choice([2 ** 64 - 1, 2 ** 63, 2 ** 63 + 5, random.randint(0, 2 ** 64 - 1), random.randint(0, 500)])
        cases.append((v, True, random.choice(COMMON_SPECS + [random_spec(["", "d", "x", "c", "e", "g", "%"])])))
    for _ in range(60):
        cases.append((random.choice([0, 1, -1, 65, 123456789, -987654321]), False, garbage_spec()))
    out = []
    for v, unsigned, spec in cases:
        ok, text = call_format(v, spec)
        out.append((v, unsigned, spec, ok, text))
    return out


def float_cases():
    vals = [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1 / 3, 2 / 3, 1e16, 1e-5, 0.0001, 1234.5,
            123456789.0, 1e22, 5e-324, 1.7976931348623157e308, 999999.5, 0.05, -0.004, 3.14159265358979,
            float("inf"), float("-inf"), float("nan"), 1e100, 12.0, 9.5, 0.45, 2.675, 1e-300, -123.456]
    cases = []
    for v in vals:
        for spec in COMMON_SPECS:
            if random.random() < 0.15:
                cases.append((v, False, spec))
    for _ in range(260):
        r = random.random()
        if r < 0.3:
            v = random.uniform(-1e6, 1e6)
        elif r < 0.5:
            v = random.choice(vals)
        elif r < 0.8:
            v = random.uniform(-1, 1) * 10 ** random.randint(-30, 30)
        else:
            v = f64_from_bits(random.getrandbits(64))
        cases.append((v, False, random_spec(["", "", "e", "E", "f", "F", "g", "G", "n", "%", "d", "x", "s"])))
    for _ in range(50):
        cases.append((random.choice([0.0, -0.0, 1.5, -2.25, 1e20, float("nan"), 12345.678, -1e-7]), False,
                      garbage_spec()))
    # float32 values: formatted as Python floats (also with an empty spec)
    for _ in range(80):
        f = np.float32(random.choice([0.1, 1 / 3, 1e6, 1.5e-5, 3.4028235e38, 16777217.0, random.uniform(-1e4, 1e4)]))
        cases.append((f, True, random.choice(["", "", ".3f", ".2e", "g", ">12", ",.1f", "%", "d", ".10g", "+"])))
    out = []
    for v, is32, spec in cases:
        ok, text = call_format(v, spec)
        out.append((float(v), is32, spec, ok, text))
    return out


def bool_cases():
    specs = ["", "d", ">6", "<6", "^7", "06", "+", " d", "x", "#x", "b", "c", ".2f", "e", "%", "g", "s", "z", "z.2",
             ".2", ",", "_b", "10", "*^5", "n", "#o", "X", "?", "+c"]
    out = []
    for v in (True, False):
        for spec in specs:
            ok, text = call_format(v, spec)
            out.append((v, spec, ok, text))
    return out


def str_cases():
    vals = ["", "a", "ab", "hello", "hello world", "é", "naïve", "日本語", "🙂x", "tab\there", "x" * 30, "  pad  "]
    specs = ["", "s", "5", "10", "<10", ">10", "^10", "^11", "*^9", "é>8", "日<6", ".2", ".0", "10.3", ">8.1s",
             "05", "010s", "=5", "+", " ", "-", "#", "z", "d", "x", ",", "_", ",s", ".", "xx", "=^5", "0=5",
             "<", "1", ".10", "+s", " s", "z#s", "#=s", "z+s", "-s", "3.5s"]
    out = []
    for v in vals:
        for spec in specs:
            if random.random() < 0.45 or v in ("ab", "日本語"):
                ok, text = call_format(v, spec)
                out.append((v, spec, ok, text))
    return out


# ---------------------------------------------------------------- arrays

def gen_base(dt, n, mul, add, mod, sub, scale, special_every):
    """The formula ArrayCase::fill in format_test.cpp recomputes bit for bit:
    k = (i * mul + add) % mod (uint64), v = k - sub (int64); bool: k odd; ints: v cast
    (wrapping); floats: v * scale (one rounding), with nan at i % special_every == 0 and
    -inf at i % special_every == 1, then cast to the dtype."""
    k = (np.arange(n, dtype=np.uint64) * np.uint64(mul) + np.uint64(add)) % np.uint64(mod)
    v = k.astype(np.int64) - np.int64(sub)
    if dt == "bool":
        return (k % np.uint64(2)) == np.uint64(1)
    if dt in ("float32", "float64"):
        d = v.astype(np.float64) * np.float64(scale)
        if special_every > 0:
            idx = np.arange(n)
            d[idx % special_every == 0] = np.nan
            d[idx % special_every == 1] = -np.inf
        with np.errstate(all="ignore"):
            return d.astype(dt)
    with np.errstate(all="ignore"):
        return v.astype(dt)


def random_values(dt, n):
    if dt == "bool":
        return rng.integers(0, 2, n).astype(bool)
    if dt.startswith("int") or dt.startswith("uint"):
        info = np.iinfo(dt)
        r = random.random()
        if r < 0.3:
            return rng.integers(max(info.min, -10), min(info.max, 10), n, endpoint=True).astype(dt)
        if r < 0.6:
            return rng.integers(max(info.min, -1000), min(info.max, 100000), n, endpoint=True).astype(dt)
        return rng.integers(info.min, info.max, n, endpoint=True, dtype=dt)
    r = random.random()
    if r < 0.15:
        a = rng.integers(-100, 100, n).astype(float)
    elif r < 0.3:
        a = rng.standard_normal(n)
    elif r < 0.45:
        a = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 12, n)
    elif r < 0.55:
        a = rng.uniform(0, 1000, n).round(random.randint(0, 5))
    elif r < 0.65:
        a = rng.standard_normal(n) * 10.0 ** random.randint(-10, 12)
    elif r < 0.75:
        a = rng.uniform(1e-5, 2e-4, n)
    elif r < 0.88:
        a = np.array([random.choice([0.0, -0.0, 1.0, 0.5, 1e-4, 1e8, 99999999.0, 1e6, 999999.0, 1e16, 1e-300, 5e-324,
                                     1e300, 123456.789, 0.1, 1 / 3, 1000.0, 1000.0001]) for _ in range(n)])
    else:
        a = rng.integers(0, 2 ** 62, n, dtype=np.int64).view(np.float64) * random.choice([1, -1])
    with np.errstate(all="ignore"):
        a = a.astype(dt)
    if random.random() < 0.2 and n > 0:
        for _ in range(random.randint(1, 3)):
            a[random.randrange(n)] = random.choice([np.nan, np.inf, -np.inf])
    return a


def make_view(base, kind):
    if kind == "rev":
        return base[::-1] if base.ndim == 1 else base[::-1, ::-1]
    if kind == "step":
        return base[::2] if base.ndim == 1 else base[::2, ::3]
    if kind == "negstep":
        return base[::-3] if base.ndim == 1 else base[:, ::-2]
    if kind == "T":
        return base.T
    return base


class ArrayCase:
    def __init__(self, base, view, gen=None):
        self.base = base
        self.view = view
        self.gen = gen  # (mul, add, mod, sub, scale, special_every) or None for raw bytes
        self.expected = str(view)

    def row(self):
        v = self.view
        shape = list(v.shape) + [0] * (2 - v.ndim)
        strides = list(v.strides) + [0] * (2 - v.ndim)
        offset = v.__array_interface__["data"][0] - self.base.__array_interface__["data"][0]
        if self.gen is None:
            gen, hexdata = (0, 0, 0, 0, 0.0, 0), self.base.tobytes().hex()
        else:
            gen, hexdata = self.gen, ""
        mul, add, mod, sub, scale, special = gen
        return ("    {DType::%s, %d, {%d, %d}, {%d, %d}, %d, %d, {%du, %du, %du, %d, %r, %d}, \"%s\",\n        %s},"
                % (DTYPE_ENUM[v.dtype.name], v.ndim, shape[0], shape[1], strides[0], strides[1], offset,
                   self.base.size, mul, add, mod, sub, float(scale), special, hexdata, cstr_lines(self.expected)))


def array_cases():
    cases = []
    # Hand-picked: what people print.
    fixed = [
        np.arange(3.0), np.arange(10), np.array([0.1, 0.2, 0.3]), np.array([1.0, 2.5, -3.25]),
        np.array([1e-5, 1.0]), np.array([1e8, 1.0]), np.array([1e-4, 1e-3]), np.array([1.0, 1000.0]),
        np.array([1.0, 1000.0001]), np.array([np.nan, 1.5]), np.array([np.nan, -np.inf]), np.array([np.nan]),
        np.array([np.inf, 1e10]), np.array([-0.0, 0.0]), np.zeros(5), np.ones(4, dtype=np.float32),
        np.array([0.1, 1 / 3], dtype=np.float32), np.array([1e6, 1.0], dtype=np.float32),
        np.array([999999.9], dtype=np.float32), np.array([3e10, 1.2345678e10], dtype=np.float32),
        np.array([True, False, True]), np.array([[True, False], [False, True]]), np.arange(12).reshape(3, 4),
        np.arange(12.0).reshape(3, 4) / 7, np.array([[1.5, np.nan], [-np.inf, 2.0]]), np.eye(3),
        np.array([2 ** 64 - 1, 0], dtype=np.uint64), np.array([-128, 127], dtype=np.int8),
        np.array([-2 ** 63, 2 ** 63 - 1], dtype=np.int64), np.linspace(0, 1, 11), np.linspace(0, 1, 30),
        np.arange(40).reshape(2, 20) * 1000003, np.array([0.0001, 0.0002], dtype=np.float32),
        np.array([1, 1000.00006], dtype=np.float32),
    ]
    for a in fixed:
        a = np.ascontiguousarray(a)
        cases.append(ArrayCase(a, a))
    # Bigger hand-picked ones, as formulas: (dtype, shape, mul, add, mod, sub, scale, special_every)
    big = 2 ** 62
    formulas = [
        ("int64", (100,), 1, 0, big, 0, 1.0, 0),          # np.arange(100)
        ("float64", (100,), 1, 0, big, 0, 1.5, 0),        # np.arange(100.0) * 1.5
        ("int64", (1000,), 1, 0, big, 0, 1.0, 0),         # np.arange(1000): not summarised
        ("int64", (1001,), 1, 0, big, 0, 1.0, 0),         # np.arange(1001): summarised
        ("float64", (2, 1000), 1, 0, big, 0, 1 / 3, 0),
        ("bool", (3, 400), 0, 1, 2, 0, 1.0, 0),           # np.ones((3, 400), dtype=bool)
        ("int8", (40, 30), 1, 0, big, 0, 1.0, 0),         # np.arange(1200).astype(np.int8)
        ("float64", (10 ** 5,), 0, 1, 2, 0, 1.0, 0),      # np.ones(10**5)
        ("float32", (10 ** 6,), 1, 0, big, 0, 0.1, 0),
        ("float64", (1001, 3), 1, 0, big, 500, 0.25, 0),
        ("uint64", (2000,), 1, 0, big, 1, 1.0, 0),        # wraps to 2**64 - 1 at i = 0
    ]
    for dt, shape, mul, add, mod, sub, scale, special in formulas:
        gen = (mul, add, mod, sub, scale, special)
        base = gen_base(dt, int(np.prod(shape)), *gen).reshape(shape)
        cases.append(ArrayCase(base, base, gen=gen))
    # Random small arrays, all dtypes, with views.
    for _ in range(170):
        dt = random.choice(DTYPES)
        if random.random() < 0.6:
            n = random.choice([0, 1, 2, 3, 4, 5, 6, 7, 10, 16, 24])
            base = random_values(dt, n)
        else:
            shape = (random.choice([0, 1, 2, 3, 4]), random.choice([0, 1, 2, 3, 5, 8]))
            base = random_values(dt, shape[0] * shape[1]).reshape(shape)
        kind = random.choice(["", "", "", "rev", "step", "negstep", "T"])
        cases.append(ArrayCase(base, make_view(base, kind)))
    # Big arrays from the formula: wrapping, summaries, 2-d summaries.
    shapes = [(1001,), (1200,), (5000,), (10 ** 6,), (2, 1000), (1000, 2), (1001, 1), (40, 40), (3, 400), (7, 200),
              (6, 167), (6, 168), (100, 11), (50, 21), (31,), (60,), (200,), (13, 13), (8, 60)]
    for i, shape in enumerate(shapes * 3):
        dt = DTYPES[(i * 5 + 3) % len(DTYPES)]
        mod = random.choice([3, 100, 2001, 10 ** 6, 10 ** 9, 2 ** 40])
        scale = random.choice([1.0, 0.5, 0.001, 1e-7, 12345.678, 3.0e5, 1.25e-3])
        special = random.choice([0, 0, 0, 5, 997])
        gen = (2654435761, 12345, mod, mod // 2, scale, special)
        base = gen_base(dt, int(np.prod(shape)), *gen).reshape(shape)
        view = make_view(base, random.choice(["", "", "rev", "step", "T"]))
        if view.size <= 1000 < base.size:  # keep it summarised: long outputs bloat the file
            view = base
        cases.append(ArrayCase(base, view, gen=gen))
    return cases


# ---------------------------------------------------------------- output

def main():
    out_path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("format_cases.inc")
    L = []
    L.append(f"// Generated by tests/unit/gen_format_cases.py with Python {sys.version.split()[0]} and NumPy "
             f"{np.__version__}. Do not edit;")
    L.append("// regenerate with `python3 tests/unit/gen_format_cases.py`. Included by format_test.cpp.")
    L.append("// clang-format off")

    L.append("// {bits of a float64, repr(x)}")
    L.append("const Float64Case kFloat64Repr[] = {")
    for v in float64_values():
        L.append(f"    {{0x{f64_bits(v):016x}ull, {cstr(repr(v))}}},")
    L.append("};")

    L.append("// {bits of a float32, str(np.float32(x))}")
    L.append("const Float32Case kFloat32Repr[] = {")
    for f in float32_values():
        bits = int(np.array(f, dtype=np.float32).view(np.uint32))
        L.append(f"    {{0x{bits:08x}u, {cstr(str(f))}}},")
    L.append("};")

    L.append("// {value (bits as int64), is_unsigned, spec, ok, format(value, spec) or the error message}")
    L.append("const IntSpecCase kIntSpecs[] = {")
    for v, unsigned, spec, ok, text in int_cases():
        raw = v - 2 ** 64 if v >= 2 ** 63 else v
        lit = "INT64_MIN" if raw == -2 ** 63 else f"{raw}ll"
        L.append(f"    {{{lit}, {str(unsigned).lower()}, {csv(spec)}, {str(ok).lower()}, {csv(text)}}},")
    L.append("};")

    L.append("// {bits of the value as a float64, is_float32, spec, ok, format(value, spec) or the error}")
    L.append("const FloatSpecCase kFloatSpecs[] = {")
    for v, is32, spec, ok, text in float_cases():
        L.append(f"    {{0x{f64_bits(v):016x}ull, {str(is32).lower()}, {csv(spec)}, {str(ok).lower()}, {csv(text)}}},")
    L.append("};")

    L.append("// {value, spec, ok, format(value, spec) or the error}")
    L.append("const BoolSpecCase kBoolSpecs[] = {")
    for v, spec, ok, text in bool_cases():
        L.append(f"    {{{str(v).lower()}, {csv(spec)}, {str(ok).lower()}, {csv(text)}}},")
    L.append("};")

    L.append("const StrSpecCase kStrSpecs[] = {")
    for v, spec, ok, text in str_cases():
        L.append(f"    {{{csv(v)}, {csv(spec)}, {str(ok).lower()}, {csv(text)}}},")
    L.append("};")

    L.append("// {dtype, ndim, shape, strides (bytes), offset of the view in its base (bytes), base elements,")
    L.append("//  formula mod, scale, special_every (when hex is empty), base bytes as hex, str(view)}")
    L.append("const ArrayCase kArrays[] = {")
    for c in array_cases():
        L.append(c.row())
    L.append("};")
    L.append("// clang-format on")
    out_path.write_text("\n".join(L) + "\n")
    print(f"wrote {out_path} ({out_path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()

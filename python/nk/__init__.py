"""Pure-Python stand-in for nk, so a ``.nk`` file runs under CPython and NumPy.

CPython is nk's reference interpreter (SPEC 2): a ``.nk`` file that keeps to the
CPU subset must print under ``nk run`` what it prints under CPython.  This module
gives such a file the names it imports from ``nk`` without compiling anything:

* ``jit`` / ``njit`` in all their forms (bare, with options, with a signature
  string, ``target="cuda"``) return the function unchanged; ``prange`` is ``range``.
* The type names (``bool``/``boolean``, ``int8`` .. ``uint64``, ``float32``,
  ``float64``, ``void``, ``intp``) subscript to array types (``float64[:]``,
  ``float32[:, ::1]``), call to cast (``float64(x)`` is ``np.float64(x)``) or, with
  type arguments, build signatures (``float64(float64[:], int64)``).  They also
  work as NumPy dtypes (``np.zeros(n, dtype=float32)``).
* ``cuda`` is a CPU simulation of Numba's CUDA API: ``cuda.jit`` kernels launched
  as ``f[blocks, threads](args)`` run every thread of every block on the host, one
  block after another.  Threads run sequentially, or as Python threads with a real
  barrier when the kernel (or a function it names) uses ``cuda.syncthreads``.
  Device arrays are NumPy arrays with ``copy_to_host``.  ``cuda.is_available()``
  is False: code that asks takes its CPU path.

Usage: ``PYTHONPATH=python python3 prog.nk``.  It is slow (plain Python loops);
it is meant for checking results, not for speed.
"""

import builtins as _builtins
import threading as _threading

import numpy as _np

__all__ = [
    "jit", "njit", "prange", "cuda", "bool", "boolean", "int8", "int16", "int32",
    "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "void",
    "intp",
]

prange = range

# --------------------------------------------------------------------------- types


class _ArrayType:
    """An array type such as ``float64[:, ::1]`` (annotations and signatures)."""

    def __init__(self, scalar, ndim, layout):
        self.scalar, self.ndim, self.layout = scalar, ndim, layout
        self.dtype = scalar.dtype

    def __repr__(self):
        return f"array({self.scalar.name}, {self.ndim}d, {self.layout})"

    def __eq__(self, other):
        return isinstance(other, _ArrayType) and repr(self) == repr(other)

    def __hash__(self):
        return hash(repr(self))


class _Signature:
    """``float64(float64[:], int64)``: a return type and argument types."""

    def __init__(self, ret, args):
        self.return_type, self.args = ret, tuple(args)

    def __repr__(self):
        return f"({', '.join(map(repr, self.args))}) -> {self.return_type!r}"


class _Type:
    """A scalar type name: subscript for arrays, call to cast or to make a signature."""

    def __init__(self, name, dtype):
        self.name = name
        self.dtype = None if dtype is None else _np.dtype(dtype)  # np.dtype(t) works

    def __repr__(self):
        return self.name

    def __getitem__(self, dims):
        if not isinstance(dims, tuple):
            dims = (dims,)
        if not all(isinstance(d, slice) for d in dims):
            raise TypeError(f"array type needs slices, e.g. {self.name}[:, :]")
        layout = "A"
        if dims[-1].step == 1:
            layout = "C"
        elif len(dims) > 1 and dims[0].step == 1:
            layout = "F"
        return _ArrayType(self, len(dims), layout)

    def __call__(self, *args):
        if not args or any(isinstance(a, (_Type, _ArrayType)) for a in args):
            return _Signature(self, args)
        if self.dtype is None:
            raise TypeError("void cannot be called with a value")
        return self.dtype.type(*args)


bool = boolean = _Type("bool", _np.bool_)
int8, int16, int32, int64 = (_Type(f"int{b}", f"int{b}") for b in (8, 16, 32, 64))
uint8, uint16, uint32, uint64 = (_Type(f"uint{b}", f"uint{b}") for b in (8, 16, 32, 64))
float32, float64 = _Type("float32", "float32"), _Type("float64", "float64")
intp = _Type("int64", _np.intp)
void = _Type("void", None)


def _dtype(d):
    return _np.dtype(d.dtype if isinstance(d, _Type) else d)


# ----------------------------------------------------------------------- decorators


def _decorator(args, kwargs, wrap):
    """Handle ``@deco``, ``@deco(...options)`` and ``@deco("sig", ...)``."""
    if len(args) == 1 and callable(args[0]) and not isinstance(args[0], _Type) \
            and not kwargs:
        return wrap(args[0], {})
    return lambda fn: wrap(fn, kwargs)


def jit(*args, **kwargs):
    """``@jit``, ``@jit(nopython=True, ...)``, ``@jit("sig")``, ``@jit(target="cuda")``.

    Every form returns the function unchanged: it runs as plain Python (a
    ``target="cuda"`` function runs on the CPU, which is what it computes)."""
    return _decorator(args, kwargs, lambda fn, opts: fn)


njit = jit

# ----------------------------------------------------------------- CUDA simulation


class Dim3(tuple):
    """``cuda.threadIdx`` and friends: a 3-tuple with ``.x .y .z``."""

    def __new__(cls, x=0, y=0, z=0):
        return super().__new__(cls, (x, y, z))

    x = property(lambda self: self[0])
    y = property(lambda self: self[1])
    z = property(lambda self: self[2])


class _ThreadState(_threading.local):
    thread = block = Dim3()
    bdim = gdim = Dim3(1, 1, 1)
    block_state = None      # shared by a block: shared arrays and the barrier
    nshared = 0             # how many cuda.shared.array calls this thread made


_tls = _ThreadState()
_atomic_lock = _threading.RLock()


class _Barrier:
    """``syncthreads`` barrier; threads that have returned no longer count."""

    def __init__(self, n):
        self.live, self.arrived, self.gen = n, 0, 0
        self.cond = _threading.Condition()
        self.error = None

    def _release_if_full(self):
        if self.live and self.arrived >= self.live:
            self.arrived, self.gen = 0, self.gen + 1
            self.cond.notify_all()

    def wait(self):
        with self.cond:
            gen = self.gen
            self.arrived += 1
            self._release_if_full()
            while gen == self.gen and self.error is None:
                self.cond.wait()
            if self.error is not None:
                raise RuntimeError("another thread of the block failed")

    def leave(self, error=None):
        with self.cond:
            self.live -= 1
            if error is not None and self.error is None:
                self.error = error
                self.cond.notify_all()
            self._release_if_full()


class _BlockState:
    def __init__(self, nthreads):
        self.shared = []
        self.barrier = _Barrier(nthreads)


def _dim3(v):
    if isinstance(v, int) or hasattr(v, "__index__"):
        return Dim3(int(v), 1, 1)
    v = tuple(int(x) for x in v) + (1, 1)
    return Dim3(*v[:3])


def _uses_syncthreads(fn, seen=None):
    """Whether ``fn``, or a global function it names, mentions ``syncthreads``."""
    seen = set() if seen is None else seen
    fn = getattr(fn, "py_func", fn)
    code = getattr(fn, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    if "syncthreads" in code.co_names:
        return True
    g = getattr(fn, "__globals__", {})
    return any(_uses_syncthreads(g[n], seen) for n in code.co_names if n in g)


def _indices(d):
    for z in range(d.z):
        for y in range(d.y):
            for x in range(d.x):
                yield Dim3(x, y, z)


class Kernel:
    """A ``@cuda.jit`` kernel; ``kernel[blocks, threads](args)`` launches it."""

    def __init__(self, fn):
        self.py_func = fn
        self.__name__ = getattr(fn, "__name__", "kernel")
        self.__doc__ = getattr(fn, "__doc__", None)

    def __getitem__(self, config):
        if not isinstance(config, tuple) or len(config) < 2:
            raise ValueError("launch as kernel[blocks, threads](args)")
        grid, block = _dim3(config[0]), _dim3(config[1])
        return lambda *args: self._launch(grid, block, args)

    def forall(self, ntasks, tpb=128):
        return self[max(1, (ntasks + tpb - 1) // tpb), tpb]

    def __call__(self, *args):
        # Permissive: called directly (e.g. from another kernel) it runs as-is.
        return self.py_func(*args)

    def _run_thread(self, t, b, grid, block, bs, args):
        _tls.thread, _tls.block, _tls.bdim, _tls.gdim = t, b, block, grid
        _tls.block_state, _tls.nshared = bs, 0
        try:
            self.py_func(*args)
        finally:
            _tls.thread, _tls.block = Dim3(), Dim3()
            _tls.bdim = _tls.gdim = Dim3(1, 1, 1)
            _tls.block_state = None

    def _launch(self, grid, block, args):
        nthreads = block.x * block.y * block.z
        threaded = nthreads > 1 and _uses_syncthreads(self.py_func)
        for b in _indices(grid):
            bs = _BlockState(nthreads)
            if not threaded:
                for t in _indices(block):
                    self._run_thread(t, b, grid, block, bs, args)
                continue
            errors = []

            def body(t, b=b, bs=bs):
                err = None
                try:
                    self._run_thread(t, b, grid, block, bs, args)
                except BaseException as e:  # noqa: BLE001 - re-raised below
                    err = e
                    errors.append(e)
                bs.barrier.leave(err)

            threads = [_threading.Thread(target=body, args=(t,)) for t in _indices(block)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            first = [e for e in errors if not isinstance(e, RuntimeError)] or errors
            if first:
                raise first[0]


class DeviceNDArray(_np.ndarray):
    """A "device" array: a NumPy array with Numba's device-array methods."""

    def copy_to_host(self, ary=None, stream=0):
        if ary is None:
            return _np.array(self.view(_np.ndarray), copy=True)
        ary[...] = self
        return ary

    def copy_to_device(self, ary, stream=0):
        self[...] = ary

    def is_c_contiguous(self):
        return self.flags.c_contiguous


class _Namespace:
    pass


class _Cuda:
    """The ``cuda`` name: Numba's CUDA API, simulated on the CPU."""

    threadIdx = property(lambda self: _tls.thread)
    blockIdx = property(lambda self: _tls.block)
    blockDim = property(lambda self: _tls.bdim)
    gridDim = property(lambda self: _tls.gdim)
    warpsize = 32
    DeviceNDArray = DeviceNDArray

    def __init__(self):
        self.shared, self.local, self.atomic = _Namespace(), _Namespace(), _Namespace()
        self.shared.array = self._shared_array
        self.local.array = lambda shape, dtype: _np.zeros(shape, _dtype(dtype))
        for name in ("add", "sub", "max", "min", "exch", "cas"):
            setattr(self.atomic, name, getattr(self, "_atomic_" + name))

    # decorators
    def jit(self, *args, **kwargs):
        """``@cuda.jit``, ``@cuda.jit("sig")``, ``@cuda.jit(device=True)``."""
        return _decorator(args, kwargs,
                          lambda fn, opts: fn if opts.get("device") else Kernel(fn))

    # thread geometry
    def grid(self, ndim):
        t, b, d = _tls.thread, _tls.block, _tls.bdim
        g = tuple(b[k] * d[k] + t[k] for k in range(ndim))
        return g[0] if ndim == 1 else g

    def gridsize(self, ndim):
        g = tuple(_tls.bdim[k] * _tls.gdim[k] for k in range(ndim))
        return g[0] if ndim == 1 else g

    def syncthreads(self):
        bs = _tls.block_state
        if bs is not None:
            bs.barrier.wait()

    def _shared_array(self, shape, dtype):
        bs = _tls.block_state
        if bs is None:
            return _np.zeros(shape, _dtype(dtype))
        with _atomic_lock:
            k = _tls.nshared
            _tls.nshared += 1
            if k == len(bs.shared):
                bs.shared.append(_np.zeros(shape, _dtype(dtype)))
            return bs.shared[k]

    # atomics: each returns the old value
    @staticmethod
    def _update(ary, idx, f):
        with _atomic_lock:
            old = ary[idx]
            ary[idx] = f(old)
            return old

    def _atomic_add(self, ary, idx, val):
        return self._update(ary, idx, lambda o: o + val)

    def _atomic_sub(self, ary, idx, val):
        return self._update(ary, idx, lambda o: o - val)

    def _atomic_max(self, ary, idx, val):
        return self._update(ary, idx, lambda o: _builtins.max(o, val))

    def _atomic_min(self, ary, idx, val):
        return self._update(ary, idx, lambda o: _builtins.min(o, val))

    def _atomic_exch(self, ary, idx, val):
        return self._update(ary, idx, lambda o: val)

    def _atomic_cas(self, ary, idx, old, val):
        return self._update(ary, idx, lambda o: val if o == old else o)

    # memory
    def to_device(self, obj, stream=0, copy=True, to=None):
        if to is not None:
            to.copy_to_device(obj)
            return to
        return _np.array(obj, copy=True).view(DeviceNDArray)

    def device_array(self, shape, dtype=_np.float64, strides=None, order="C", stream=0):
        return _np.empty(shape, _dtype(dtype), order=order).view(DeviceNDArray)

    def device_array_like(self, ary, stream=0):
        return _np.empty_like(ary).view(DeviceNDArray)

    def synchronize(self):
        pass

    def is_available(self):
        return False


cuda = _Cuda()

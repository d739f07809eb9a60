// The public C++ API of nk: #include <nk/nk.h>. See nk/jit.h (Jit, Module, Function),
// nk/array.h (ArrayRef, view) and nk/errors.h (CompileError, RuntimeError, TypeError).
#pragma once

#include "nk/array.h"
#include "nk/errors.h"
#include "nk/jit.h"
#include "nk/version.h"

// nk's C++ API: a Jit loads .nk sources into Modules; a Module calls its functions on
// the caller's own buffers, compiling each function lazily once per argument-type
// signature (as Numba does); Module::function<R(Args...)> gives a typed handle that
// calls the compiled code with no lookup per call. Thread-safe: many threads may load,
// compile and call at once. No LLVM type appears here.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "nk/array.h"
#include "nk/errors.h"

namespace nk {

enum class Target { Cpu, Cuda };

struct Options {
  // Cpu: @jit(target="cuda") functions run on the CPU too; Cuda: their top-level loops
  // run on the GPU (a call without a usable GPU throws nk::RuntimeError, kind CudaError).
  Target target = Target::Cpu;
  int opt_level = 3;            // 0..3
  bool boundscheck = true;      // false: as --no-boundscheck
  bool fastmath = false;
  bool cache = false;           // reuse compiled code from disk (SPEC 5)
  std::string cache_dir;        // empty: $XDG_CACHE_HOME/nk
};

namespace detail {

// The entry point of one specialisation: args[i] points to argument i (a scalar, or an
// array descriptor); the result, if any, is written to `result`. Returns 0, or non-zero
// when the function raised (the exception is pending in the runtime).
using EntryFn = int32_t (*)(void** args, void* result);

// A descriptor as compiled code reads it: {meminfo, data, shape[N], strides[N]}.
template <int N> struct ArrayDesc {
  void* meminfo;  // null: the caller owns the memory
  void* data;
  int64_t shape[N];
  int64_t strides[N];
};

// One argument, type-erased (for Module::call).
struct Arg {
  bool is_array = false;
  DType dtype = DType::Float64;
  int ndim = 0;
  bool contiguous = false;
  alignas(8) unsigned char scalar[8] = {};
  std::vector<int64_t> desc;  // arrays: the descriptor's words
  void* pointer() { return is_array ? static_cast<void*>(desc.data()) : static_cast<void*>(scalar); }
};

std::string dtype_name(DType t);
// "float64", "int32[:, ::1]": how nk's signature syntax spells an argument's type.
std::string type_name(DType t, int ndim, bool contiguous, bool is_array);

class ModuleState;
struct JitState;

struct Resolved {
  EntryFn entry = nullptr;
  std::string return_type;  // "float64", "none", "array(float64, 1d, C)", ...
};

// Compiles `name` for the signature (or finds it compiled); throws CompileError.
Resolved resolve(ModuleState& m, const std::string& name, const std::vector<std::string>& param_types);
// Throws the pending RuntimeError of this thread (after a non-zero status).
[[noreturn]] void throw_pending(ModuleState& m);

template <class T> struct is_array_ref : std::false_type {};
template <class T, int N> struct is_array_ref<ArrayRef<T, N>> : std::true_type {};

template <class T> constexpr bool is_scalar_v = std::is_arithmetic_v<T>;

// The nk spelling of a C++ argument or result type, for typed handles.
template <class T> std::string static_type_name() {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_void_v<U>) return "none";
  else if constexpr (is_array_ref<U>::value) return type_name(dtype_of<typename U::element_type>(), U::ndim, false, true);
  else return type_name(dtype_of<U>(), 0, false, false);
}

template <class T> Arg make_arg(const T& value) {
  Arg a;
  using U = std::remove_cvref_t<T>;
  if constexpr (is_array_ref<U>::value) {
    constexpr int N = U::ndim;
    a.is_array = true;
    a.dtype = dtype_of<typename U::element_type>();
    a.ndim = N;
    a.contiguous = value.contiguous();
    a.desc.assign(2 + 2 * N, 0);  // meminfo (null: the caller owns the memory), data, shape, strides
    void* data = const_cast<void*>(static_cast<const void*>(value.data()));
    std::memcpy(&a.desc[1], &data, sizeof data);
    for (int k = 0; k < N; ++k) {
      a.desc[static_cast<size_t>(2 + k)] = value.shape()[static_cast<size_t>(k)];
      a.desc[static_cast<size_t>(2 + N + k)] = value.strides()[static_cast<size_t>(k)];
    }
  } else {
    static_assert(is_scalar_v<U>, "nk functions take numbers and nk::ArrayRef views");
    a.dtype = dtype_of<U>();
    std::memcpy(a.scalar, &value, sizeof(U));
  }
  return a;
}

// Per-argument storage for typed calls: a scalar's value or an array's descriptor.
template <class T> struct Slot {
  T value;
  explicit Slot(const T& v) : value(v) {}
  void* pointer() { return &value; }
};
template <class T, int N> struct Slot<ArrayRef<T, N>> {
  ArrayDesc<N> desc;
  explicit Slot(const ArrayRef<T, N>& a) {
    desc.meminfo = nullptr;
    desc.data = const_cast<void*>(static_cast<const void*>(a.data()));
    for (int k = 0; k < N; ++k) {
      desc.shape[k] = a.shape()[static_cast<size_t>(k)];
      desc.strides[k] = a.strides()[static_cast<size_t>(k)];
    }
  }
  void* pointer() { return &desc; }
};

}  // namespace detail

template <class Signature> class Function;

// A typed handle: the compiled entry point of one specialisation, called directly.
template <class R, class... Args> class Function<R(Args...)> {
 public:
  R operator()(const Args&... args) const {
    std::tuple<detail::Slot<std::remove_cvref_t<Args>>...> slots{detail::Slot<std::remove_cvref_t<Args>>(args)...};
    void* pointers[sizeof...(Args) + 1] = {};
    std::apply([&](auto&... s) {
      size_t i = 0;
      ((pointers[i++] = s.pointer()), ...);
    }, slots);
    if constexpr (std::is_void_v<R>) {
      if (entry_(pointers, nullptr) != 0) detail::throw_pending(*module_);
    } else {
      R result{};
      if (entry_(pointers, &result) != 0) detail::throw_pending(*module_);
      return result;
    }
  }

 private:
  friend class Module;
  Function(std::shared_ptr<detail::ModuleState> m, detail::EntryFn e) : module_(std::move(m)), entry_(e) {}
  std::shared_ptr<detail::ModuleState> module_;
  detail::EntryFn entry_;
};

class Module {
 public:
  // Calls `name` with `args` (numbers and nk::ArrayRef views), compiling it first for
  // these argument types if needed. R is the C++ type of its result (void for none);
  // a result of another type is a TypeError.
  template <class R = void, class... Args> R call(const std::string& name, const Args&... args) {
    std::vector<detail::Arg> erased{detail::make_arg(args)...};
    std::vector<std::string> types;
    std::vector<void*> pointers;
    for (detail::Arg& a : erased) {
      types.push_back(detail::type_name(a.dtype, a.ndim, a.contiguous, a.is_array));
      pointers.push_back(a.pointer());
    }
    detail::Resolved r = detail::resolve(*state_, name, types);
    check_result<R>(name, r);
    if constexpr (std::is_void_v<R>) {
      if (r.entry(pointers.data(), nullptr) != 0) detail::throw_pending(*state_);
    } else {
      R result{};
      if (r.entry(pointers.data(), &result) != 0) detail::throw_pending(*state_);
      return result;
    }
  }

  // A typed handle for `name` specialised for Args; throws TypeError when the function's
  // result is not R, and CompileError when it does not compile for Args.
  template <class Signature> Function<Signature> function(const std::string& name) { return make_function(name, static_cast<Signature*>(nullptr)); }

  const std::string& name() const;

 private:
  friend class Jit;
  explicit Module(std::shared_ptr<detail::ModuleState> s) : state_(std::move(s)) {}

  template <class R> void check_result(const std::string& name, const detail::Resolved& r) {
    std::string want = detail::static_type_name<R>();
    if (r.return_type != want)
      throw TypeError("'" + name + "' returns '" + r.return_type + "', not '" + want + "' as the C++ caller expects");
  }
  template <class R, class... Args> Function<R(Args...)> make_function(const std::string& name, R (*)(Args...)) {
    detail::Resolved r = detail::resolve(*state_, name, {detail::static_type_name<Args>()...});
    check_result<R>(name, r);
    return Function<R(Args...)>(state_, r.entry);
  }

  std::shared_ptr<detail::ModuleState> state_;
};

class Jit {
 public:
  explicit Jit(Options options = {});
  ~Jit();
  Jit(const Jit&) = delete;
  Jit& operator=(const Jit&) = delete;

  // Parses the source (syntax errors throw CompileError); functions are compiled when
  // first called or handed out.
  Module load_file(const std::string& path);
  Module load_source(const std::string& source, const std::string& name = "<source>");

  const Options& options() const;

 private:
  std::shared_ptr<detail::JitState> state_;
};

}  // namespace nk

// nk::ArrayRef<T, N>: a non-owning view of an N-dimensional array in the caller's
// memory (data pointer, shape, strides in bytes), and nk::view() to make one from a
// std::vector, a std::span or a raw pointer with a shape (and strides).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace nk {

// Element types, in the runtime's order.
enum class DType : int32_t { Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float32, Float64 };

template <class T> constexpr DType dtype_of() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>) return DType::Bool;
  else if constexpr (std::is_same_v<U, int8_t>) return DType::Int8;
  else if constexpr (std::is_same_v<U, int16_t>) return DType::Int16;
  else if constexpr (std::is_same_v<U, int32_t>) return DType::Int32;
  else if constexpr (std::is_same_v<U, int64_t> || (std::is_same_v<U, long long> && sizeof(long long) == 8)) return DType::Int64;
  else if constexpr (std::is_same_v<U, uint8_t>) return DType::UInt8;
  else if constexpr (std::is_same_v<U, uint16_t>) return DType::UInt16;
  else if constexpr (std::is_same_v<U, uint32_t>) return DType::UInt32;
  else if constexpr (std::is_same_v<U, uint64_t> || (std::is_same_v<U, unsigned long long> && sizeof(unsigned long long) == 8)) return DType::UInt64;
  else if constexpr (std::is_same_v<U, float>) return DType::Float32;
  else if constexpr (std::is_same_v<U, double>) return DType::Float64;
  else static_assert(sizeof(T) == 0, "nk arrays hold bool, (u)int8..64, float or double");
}

template <class T, int N = 1>
class ArrayRef {
  static_assert(N >= 1, "arrays have at least one dimension");

 public:
  using element_type = T;
  static constexpr int ndim = N;

  // C-contiguous.
  ArrayRef(T* data, const std::array<int64_t, N>& shape) : data_(data), shape_(shape) {
    int64_t stride = static_cast<int64_t>(sizeof(T));
    for (int k = N - 1; k >= 0; --k) {
      if (shape_[k] < 0) throw std::invalid_argument("nk::view: negative dimension");
      strides_[k] = stride;
      stride *= shape_[k];
    }
  }
  // Any strides, in bytes (as NumPy's).
  ArrayRef(T* data, const std::array<int64_t, N>& shape, const std::array<int64_t, N>& strides)
      : data_(data), shape_(shape), strides_(strides) {}
  // A view of a mutable array is a view of a const one too.
  template <class U, class = std::enable_if_t<std::is_same_v<const U, T> && !std::is_same_v<U, T>>>
  ArrayRef(const ArrayRef<U, N>& other) : data_(other.data()), shape_(other.shape()), strides_(other.strides()) {}

  T* data() const { return data_; }
  const std::array<int64_t, N>& shape() const { return shape_; }
  const std::array<int64_t, N>& strides() const { return strides_; }
  int64_t size() const {
    int64_t n = 1;
    for (int64_t s : shape_) n *= s;
    return n;
  }
  bool contiguous() const {
    int64_t stride = static_cast<int64_t>(sizeof(T));
    for (int k = N - 1; k >= 0; --k) {
      if (shape_[k] != 1 && strides_[k] != stride) return false;
      stride *= shape_[k];
    }
    return true;
  }

 private:
  T* data_;
  std::array<int64_t, N> shape_{};
  std::array<int64_t, N> strides_{};
};

template <class T> ArrayRef<T> view(std::vector<T>& v) { return ArrayRef<T>(v.data(), {static_cast<int64_t>(v.size())}); }
template <class T> ArrayRef<const T> view(const std::vector<T>& v) {
  return ArrayRef<const T>(v.data(), {static_cast<int64_t>(v.size())});
}
template <class T, size_t E> ArrayRef<T> view(std::span<T, E> s) { return ArrayRef<T>(s.data(), {static_cast<int64_t>(s.size())}); }
template <class T> ArrayRef<T> view(T* data, int64_t n) { return ArrayRef<T>(data, {n}); }
template <class T, size_t N> ArrayRef<T, static_cast<int>(N)> view(T* data, const int64_t (&shape)[N]) {
  std::array<int64_t, N> s{};
  for (size_t k = 0; k < N; ++k) s[k] = shape[k];
  return ArrayRef<T, static_cast<int>(N)>(data, s);
}
template <class T, size_t N>
ArrayRef<T, static_cast<int>(N)> view(T* data, const int64_t (&shape)[N], const int64_t (&strides)[N]) {
  std::array<int64_t, N> s{}, st{};
  for (size_t k = 0; k < N; ++k) {
    s[k] = shape[k];
    st[k] = strides[k];
  }
  return ArrayRef<T, static_cast<int>(N)>(data, s, st);
}

}  // namespace nk

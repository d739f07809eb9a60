// Text as Python and NumPy print it. Three families of output live here:
//  - Python's float repr and format() mini-language (CPython's pystrtod.c and
//    formatter_unicode.c, rebuilt on std::to_chars, which gives the same shortest and
//    correctly rounded digits as CPython's dtoa);
//  - NumPy's float printing (str of a float32 scalar, array elements), which uses its
//    own Dragon4 with cutoffs and padding rules that no standard routine reproduces, so
//    it is re-implemented here over a small big-integer type;
//  - NumPy's array2string layout (widths, wrapping at 75 columns, '...' summaries).
// The aim is byte-for-byte equality with CPython 3 + NumPy 2 output.
#include "runtime/format.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace nk::runtime {
namespace {

// ===================================================================================
// Big integers, just enough for Dragon4 (NumPy's algorithm needs exact arithmetic on
// values up to ~2^1100 for float64 subnormals and maxima).
// ===================================================================================

class BigInt {
 public:
  static constexpr int kMaxBlocks = 72;

  void set_u64(uint64_t v) {
    length_ = 0;
    if (v != 0) {
      blocks_[0] = static_cast<uint32_t>(v);
      blocks_[1] = static_cast<uint32_t>(v >> 32);
      length_ = blocks_[1] != 0 ? 2 : 1;
    }
  }
  void set_pow2(int e) {
    int b = e / 32;
    for (int i = 0; i < b; ++i) blocks_[i] = 0;
    blocks_[b] = 1u << (e % 32);
    length_ = b + 1;
  }
  bool is_zero() const { return length_ == 0; }

  void mul_small(uint32_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < length_; ++i) {
      uint64_t p = static_cast<uint64_t>(blocks_[i]) * m + carry;
      blocks_[i] = static_cast<uint32_t>(p);
      carry = p >> 32;
    }
    if (carry != 0) blocks_[length_++] = static_cast<uint32_t>(carry);
  }
  void mul_pow10(int e) {
    static constexpr uint32_t kPow10[] = {1,      10,      100,      1000,     10000,
                                          100000, 1000000, 10000000, 100000000};
    while (e >= 9) {
      mul_small(1000000000u);
      e -= 9;
    }
    if (e > 0) mul_small(kPow10[e]);
  }
  void shift_left(int s) {
    if (length_ == 0 || s == 0) return;
    int bs = s / 32, bits = s % 32;
    uint32_t out[kMaxBlocks] = {};
    for (int i = 0; i < length_; ++i) {
      uint64_t v = static_cast<uint64_t>(blocks_[i]) << bits;
      out[i + bs] |= static_cast<uint32_t>(v);
      out[i + bs + 1] |= static_cast<uint32_t>(v >> 32);
    }
    int n = length_ + bs + 1;
    while (n > 0 && out[n - 1] == 0) --n;
    std::memcpy(blocks_, out, sizeof(uint32_t) * n);
    length_ = n;
  }
  // this = a + b
  void set_sum(const BigInt& a, const BigInt& b) {
    const BigInt& lo = a.length_ < b.length_ ? a : b;
    const BigInt& hi = a.length_ < b.length_ ? b : a;
    uint64_t carry = 0;
    int i = 0;
    for (; i < lo.length_; ++i) {
      uint64_t s = static_cast<uint64_t>(lo.blocks_[i]) + hi.blocks_[i] + carry;
      blocks_[i] = static_cast<uint32_t>(s);
      carry = s >> 32;
    }
    for (; i < hi.length_; ++i) {
      uint64_t s = static_cast<uint64_t>(hi.blocks_[i]) + carry;
      blocks_[i] = static_cast<uint32_t>(s);
      carry = s >> 32;
    }
    length_ = hi.length_;
    if (carry != 0) blocks_[length_++] = static_cast<uint32_t>(carry);
  }
  // this -= b, requires this >= b
  void sub(const BigInt& b) {
    int64_t borrow = 0;
    for (int i = 0; i < length_; ++i) {
      int64_t d = static_cast<int64_t>(blocks_[i]) - (i < b.length_ ? b.blocks_[i] : 0) - borrow;
      borrow = d < 0 ? 1 : 0;
      blocks_[i] = static_cast<uint32_t>(d + (borrow << 32));
    }
    while (length_ > 0 && blocks_[length_ - 1] == 0) --length_;
  }
  friend int compare(const BigInt& a, const BigInt& b) {
    if (a.length_ != b.length_) return a.length_ < b.length_ ? -1 : 1;
    for (int i = a.length_ - 1; i >= 0; --i) {
      if (a.blocks_[i] != b.blocks_[i]) return a.blocks_[i] < b.blocks_[i] ? -1 : 1;
    }
    return 0;
  }
  // Divides by `den` when the quotient is known to be a single decimal digit; the
  // remainder stays in *this.
  uint32_t div_digit(const BigInt& den) {
    uint32_t q = 0;
    while (compare(*this, den) >= 0) {
      sub(den);
      ++q;
    }
    return q;
  }

 private:
  int length_ = 0;
  uint32_t blocks_[kMaxBlocks];
};

// ===================================================================================
// NumPy's Dragon4 (numpy/_core/src/multiarray/dragon4.c), unique-digit mode only: the
// only mode print() reaches with NumPy's default print options.
// ===================================================================================

enum class CutoffMode { TotalLength, FractionLength };
// NumPy's trim modes: 'k' keep all, '0' leave one zero, '.' trim zeros keep the point,
// '-' trim zeros and the point.
enum class TrimMode { None, LeaveOneZero, Zeros, DptZeros };

// A finite or special float split as Dragon4 wants it: value = mantissa * 2^exponent.
struct FloatParts {
  uint64_t mantissa = 0;
  int32_t exponent = 0;
  uint32_t mantissa_bit = 0;     // index of the highest set mantissa bit
  bool unequal_margins = false;  // next float up is twice as far as the next one down
  bool negative = false;
  bool is_nan = false;
  bool is_inf = false;
};

int log2_u64(uint64_t v) { return v == 0 ? 0 : 63 - __builtin_clzll(v); }

FloatParts parts_of(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  FloatParts p;
  uint64_t frac = bits & ((uint64_t{1} << 52) - 1);
  uint32_t exp = static_cast<uint32_t>((bits >> 52) & 0x7ff);
  p.negative = (bits >> 63) != 0;
  if (exp == 0x7ff) {
    p.is_nan = frac != 0;
    p.is_inf = frac == 0;
    return p;
  }
  if (exp != 0) {
    p.mantissa = (uint64_t{1} << 52) | frac;
    p.exponent = static_cast<int32_t>(exp) - 1023 - 52;
    p.mantissa_bit = 52;
    p.unequal_margins = exp != 1 && frac == 0;
  } else {
    p.mantissa = frac;
    p.exponent = 1 - 1023 - 52;
    p.mantissa_bit = static_cast<uint32_t>(log2_u64(frac));
  }
  return p;
}

FloatParts parts_of(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  FloatParts p;
  uint32_t frac = bits & ((1u << 23) - 1);
  uint32_t exp = (bits >> 23) & 0xff;
  p.negative = (bits >> 31) != 0;
  if (exp == 0xff) {
    p.is_nan = frac != 0;
    p.is_inf = frac == 0;
    return p;
  }
  if (exp != 0) {
    p.mantissa = (1u << 23) | frac;
    p.exponent = static_cast<int32_t>(exp) - 127 - 23;
    p.mantissa_bit = 23;
    p.unequal_margins = exp != 1 && frac == 0;
  } else {
    p.mantissa = frac;
    p.exponent = 1 - 127 - 23;
    p.mantissa_bit = static_cast<uint32_t>(log2_u64(frac));
  }
  return p;
}

// Size of NumPy's Dragon4 output buffer; it bounds the digits of a cutoff-free run.
constexpr int kDragonBuffer = 16384;

// The digits of |value| (shortest unique, limited by cutoff_max, extended to cutoff_min)
// and, in *out_exponent, the base-10 exponent of the first digit. Mirrors NumPy's
// Dragon4() step by step, including its exponent estimate, because the estimate decides
// where fraction cutoffs clamp.
std::string dragon4(const FloatParts& f, CutoffMode mode, int cutoff_max, int cutoff_min,
                    int* out_exponent) {
  if (f.mantissa == 0) {
    *out_exponent = 0;
    return "0";
  }
  BigInt scale, value, margin_low, margin_high;
  const bool unequal = f.unequal_margins;
  const bool is_even = (f.mantissa & 1) == 0;
  value.set_u64(f.mantissa);
  if (unequal) {
    if (f.exponent > 0) {
      value.shift_left(f.exponent + 2);
      scale.set_u64(4);
      margin_low.set_pow2(f.exponent);
      margin_high.set_pow2(f.exponent + 1);
    } else {
      value.shift_left(2);
      scale.set_pow2(-f.exponent + 2);
      margin_low.set_u64(1);
      margin_high.set_u64(2);
    }
  } else {
    if (f.exponent > 0) {
      value.shift_left(f.exponent + 1);
      scale.set_u64(2);
      margin_low.set_pow2(f.exponent);
    } else {
      value.shift_left(1);
      scale.set_pow2(-f.exponent + 1);
      margin_low.set_u64(1);
    }
  }
  auto sync_high = [&] {
    if (unequal) {
      margin_high = margin_low;
      margin_high.shift_left(1);
    }
  };
  const BigInt& high_margin = unequal ? margin_high : margin_low;

  const double log10_2 = 0.30102999566398119521373889472449;
  int digit_exponent = static_cast<int>(
      std::ceil(static_cast<double>(static_cast<int>(f.mantissa_bit) + f.exponent) * log10_2 - 0.69));
  if (cutoff_max >= 0 && mode == CutoffMode::FractionLength && digit_exponent <= -cutoff_max) {
    digit_exponent = -cutoff_max + 1;
  }
  if (digit_exponent > 0) {
    scale.mul_pow10(digit_exponent);
  } else if (digit_exponent < 0) {
    value.mul_pow10(-digit_exponent);
    margin_low.mul_pow10(-digit_exponent);
    sync_high();
  }
  if (compare(value, scale) >= 0) {
    digit_exponent += 1;
  } else {
    value.mul_small(10);
    margin_low.mul_small(10);
    sync_high();
  }

  int cutoff_max_exponent = digit_exponent - kDragonBuffer;
  if (cutoff_max >= 0) {
    int desired = mode == CutoffMode::TotalLength ? digit_exponent - cutoff_max : -cutoff_max;
    if (desired > cutoff_max_exponent) cutoff_max_exponent = desired;
  }
  int cutoff_min_exponent = digit_exponent;
  if (cutoff_min >= 0) {
    int desired = mode == CutoffMode::TotalLength ? digit_exponent - cutoff_min : -cutoff_min;
    if (desired < cutoff_min_exponent) cutoff_min_exponent = desired;
  }
  *out_exponent = digit_exponent - 1;

  std::string digits;
  bool low = false, high = false;
  uint32_t digit = 0;
  BigInt value_high;
  for (;;) {
    digit_exponent -= 1;
    digit = value.div_digit(scale);
    value_high.set_sum(value, high_margin);
    int c = compare(value, margin_low);
    low = is_even ? c <= 0 : c < 0;
    c = compare(value_high, scale);
    high = is_even ? c >= 0 : c > 0;
    if (((low || high) && digit_exponent <= cutoff_min_exponent) ||
        digit_exponent == cutoff_max_exponent) {
      break;
    }
    digits.push_back(static_cast<char>('0' + digit));
    value.mul_small(10);
    margin_low.mul_small(10);
    sync_high();
  }

  bool round_down = low;
  if (low == high) {
    value.shift_left(1);
    int c = compare(value, scale);
    round_down = c < 0;
    if (c == 0) round_down = (digit & 1) == 0;
  }
  if (round_down) {
    digits.push_back(static_cast<char>('0' + digit));
  } else if (digit == 9) {
    // Carry: drop trailing nines and bump the first digit that is not a nine.
    for (;;) {
      if (digits.empty()) {
        digits.push_back('1');
        *out_exponent += 1;
        break;
      }
      if (digits.back() != '9') {
        digits.back() += 1;
        break;
      }
      digits.pop_back();
    }
  } else {
    digits.push_back(static_cast<char>('0' + digit + 1));
  }
  return digits;
}

char sign_char_of(const FloatParts& f, bool sign) { return f.negative ? '-' : (sign ? '+' : '\0'); }

// NumPy's PrintInfNan: a sign only for infinities.
std::string np_inf_nan(const FloatParts& f, bool sign) {
  if (f.is_nan) return "nan";
  std::string s;
  char c = sign_char_of(f, sign);
  if (c != '\0') s.push_back(c);
  return s + "inf";
}

// NumPy's FormatPositional (unique digit mode).
std::string np_positional(const FloatParts& f, int precision, int min_digits, bool sign,
                          TrimMode trim, int digits_left, int digits_right,
                          CutoffMode cutoff_mode = CutoffMode::FractionLength) {
  if (f.is_nan || f.is_inf) return np_inf_nan(f, sign);
  std::string buf;
  int has_sign = 0;
  char sc = sign_char_of(f, sign);
  if (sc != '\0') {
    buf.push_back(sc);
    has_sign = 1;
  }
  int print_exponent = 0;
  std::string d = dragon4(f, cutoff_mode, precision, min_digits, &print_exponent);
  int num_digits = static_cast<int>(d.size());
  int num_whole = 0, num_frac = 0;
  if (print_exponent >= 0) {
    num_whole = print_exponent + 1;
    if (num_digits <= num_whole) {
      buf += d;
      buf.append(num_whole - num_digits, '0');
    } else {
      buf.append(d, 0, num_whole);
      buf.push_back('.');
      buf.append(d, num_whole, std::string::npos);
      num_frac = num_digits - num_whole;
    }
  } else {
    int frac_zeros = -(print_exponent + 1);
    buf += "0.";
    buf.append(frac_zeros, '0');
    buf += d;
    num_frac = frac_zeros + num_digits;
    num_whole = 1;
  }
  if (trim != TrimMode::DptZeros && num_frac == 0) buf.push_back('.');

  int add_digits = min_digits;
  int desired_frac = add_digits < 0 ? 0 : add_digits;
  if (cutoff_mode == CutoffMode::TotalLength) desired_frac = add_digits - num_whole;
  if (trim == TrimMode::LeaveOneZero) {
    if (num_frac == 0) {
      buf.push_back('0');
      ++num_frac;
    }
  } else if (trim == TrimMode::None && desired_frac > num_frac) {
    buf.append(desired_frac - num_frac, '0');
    num_frac = desired_frac;
  }
  // Rounding can still leave trailing zeros; trim them as the mode asks.
  if (trim != TrimMode::None && num_frac > 0) {
    while (buf.back() == '0') {
      buf.pop_back();
      --num_frac;
    }
    if (buf.back() == '.') {
      if (trim == TrimMode::LeaveOneZero) {
        buf.push_back('0');
        ++num_frac;
      } else if (trim == TrimMode::DptZeros) {
        buf.pop_back();
      }
    }
  }
  if (digits_right >= num_frac) {
    int count = digits_right - num_frac;
    if (trim == TrimMode::DptZeros && num_frac == 0) buf.push_back(' ');
    buf.append(count, ' ');
  }
  if (digits_left > num_whole + has_sign) {
    buf.insert(0, digits_left - (num_whole + has_sign), ' ');
  }
  return buf;
}

// NumPy's FormatScientific (unique digit mode).
std::string np_scientific(const FloatParts& f, int precision, int min_digits, bool sign,
                          TrimMode trim, int digits_left, int exp_digits) {
  if (f.is_nan || f.is_inf) return np_inf_nan(f, sign);
  std::string buf;
  char sc = sign_char_of(f, sign);
  int leftchars = 1 + (sc != '\0' ? 1 : 0);
  if (digits_left > leftchars) buf.append(digits_left - leftchars, ' ');
  if (sc != '\0') buf.push_back(sc);
  int print_exponent = 0;
  std::string d = dragon4(f, CutoffMode::TotalLength, precision < 0 ? -1 : precision + 1,
                          min_digits < 0 ? -1 : min_digits + 1, &print_exponent);
  buf.push_back(d[0]);
  int num_frac = static_cast<int>(d.size()) - 1;
  if (num_frac > 0) {
    buf.push_back('.');
    buf.append(d, 1, std::string::npos);
  }
  if (trim != TrimMode::DptZeros && num_frac == 0) buf.push_back('.');
  int add_digits = min_digits < 0 ? 0 : min_digits;
  if (trim == TrimMode::LeaveOneZero) {
    if (num_frac == 0) {
      buf.push_back('0');
      ++num_frac;
    }
  } else if (trim == TrimMode::None) {
    if (add_digits > num_frac) {
      buf.append(add_digits - num_frac, '0');
      num_frac = add_digits;
    }
  }
  if (trim != TrimMode::None && num_frac > 0) {
    while (buf.back() == '0') {
      buf.pop_back();
      --num_frac;
    }
    if (trim == TrimMode::LeaveOneZero && buf.back() == '.') {
      buf.push_back('0');
      ++num_frac;
    }
  }
  if (exp_digits > 5) exp_digits = 5;
  if (exp_digits < 0) exp_digits = 2;
  buf.push_back('e');
  int e = print_exponent;
  buf.push_back(e >= 0 ? '+' : '-');
  if (e < 0) e = -e;
  std::string ed = std::to_string(e);
  if (static_cast<int>(ed.size()) < exp_digits) ed.insert(0, exp_digits - ed.size(), '0');
  buf += ed;
  return buf;
}

// ===================================================================================
// CPython's float-to-string (Python/pystrtod.c: format_float_short over _Py_dg_dtoa).
// ===================================================================================

// What _Py_dg_dtoa returns: digits without trailing zeros and the decimal point
// position (value = 0.digits * 10^decpt).
struct Dtoa {
  std::string digits;
  int decpt = 0;
  bool negative = false;
  bool is_inf = false;
  bool is_nan = false;
};

// mode 0: shortest round-trip digits; mode 2: `ndigits` significant digits; mode 3:
// `ndigits` digits after the point. std::to_chars gives the same digits as dtoa:
// shortest-and-closest, or the exact value correctly rounded half-to-even.
Dtoa py_dtoa(double v, int mode, int ndigits) {
  Dtoa r;
  r.negative = std::signbit(v);
  if (std::isnan(v)) {
    r.is_nan = true;
    r.negative = false;  // CPython ignores the sign of a nan
    return r;
  }
  if (std::isinf(v)) {
    r.is_inf = true;
    return r;
  }
  double a = std::fabs(v);
  if (a == 0) {
    r.digits = "0";
    r.decpt = 1;
    return r;
  }
  if (mode == 0 || mode == 2) {
    char buf[64];
    std::string big;
    char* first = buf;
    char* last = buf + sizeof buf;
    if (mode == 2 && ndigits > 40) {
      big.resize(static_cast<size_t>(ndigits) + 16);
      first = big.data();
      last = first + big.size();
    }
    std::to_chars_result res = mode == 0
                                   ? std::to_chars(first, last, a, std::chars_format::scientific)
                                   : std::to_chars(first, last, a, std::chars_format::scientific,
                                                   ndigits - 1);
    std::string_view s(first, static_cast<size_t>(res.ptr - first));
    size_t epos = s.find('e');
    for (size_t i = 0; i < epos; ++i) {
      if (s[i] != '.') r.digits.push_back(s[i]);
    }
    int e = 0;
    std::from_chars(s.data() + epos + (s[epos + 1] == '+' ? 2 : 1), s.data() + s.size(), e);
    r.decpt = e + 1;
  } else {
    std::string buf(static_cast<size_t>(ndigits) + 330, '\0');
    std::to_chars_result res =
        std::to_chars(buf.data(), buf.data() + buf.size(), a, std::chars_format::fixed, ndigits);
    std::string_view s(buf.data(), static_cast<size_t>(res.ptr - buf.data()));
    size_t dot = s.find('.');
    size_t int_len = dot == std::string_view::npos ? s.size() : dot;
    std::string all(s.substr(0, int_len));
    if (dot != std::string_view::npos) all += s.substr(dot + 1);
    int decpt = static_cast<int>(int_len);
    size_t lead = 0;
    while (lead < all.size() && all[lead] == '0') ++lead;
    if (lead == all.size()) {
      r.digits.clear();  // rounds to zero: dtoa returns no digits
      r.decpt = -ndigits;
      return r;
    }
    r.digits = all.substr(lead);
    r.decpt = decpt - static_cast<int>(lead);
  }
  while (r.digits.size() > 1 && r.digits.back() == '0') r.digits.pop_back();
  return r;
}

// CPython's PyOS_double_to_string(val, format_code, precision, flags) for the codes
// 'e' 'E' 'f' 'F' 'g' 'G' 'r'.
std::string py_double_to_string(double val, char format_code, int precision, bool always_add_sign,
                                bool add_dot_0, bool alt, bool no_neg_0) {
  bool upper = false;
  int mode = 0;
  switch (format_code) {
    case 'E':
      upper = true;
      format_code = 'e';
      [[fallthrough]];
    case 'e':
      mode = 2;
      precision++;
      break;
    case 'F':
      upper = true;
      format_code = 'f';
      [[fallthrough]];
    case 'f':
      mode = 3;
      break;
    case 'G':
      upper = true;
      format_code = 'g';
      [[fallthrough]];
    case 'g':
      mode = 2;
      if (precision == 0) precision = 1;
      break;
    default:  // 'r'
      mode = 0;
      precision = 0;
      break;
  }
  Dtoa d = py_dtoa(val, mode, precision);
  std::string out;
  if (d.is_inf || d.is_nan) {
    if (d.negative) {
      out.push_back('-');
    } else if (always_add_sign) {
      out.push_back('+');
    }
    out += d.is_inf ? (upper ? "INF" : "inf") : (upper ? "NAN" : "nan");
    return out;
  }
  const std::string& digits = d.digits;
  int digits_len = static_cast<int>(digits.size());
  bool negative = d.negative;
  if (no_neg_0 && negative && (digits_len == 0 || (digits_len == 1 && digits[0] == '0'))) {
    negative = false;
  }
  int decpt = d.decpt;
  bool use_exp = false;
  int vdigits_end = digits_len;
  switch (format_code) {
    case 'e':
      use_exp = true;
      vdigits_end = precision;
      break;
    case 'f':
      vdigits_end = decpt + precision;
      break;
    case 'g':
      if (decpt <= -4 || decpt > (add_dot_0 ? precision - 1 : precision)) use_exp = true;
      if (alt) vdigits_end = precision;
      break;
    default:  // 'r': exponent form from 1e16, as repr() does
      if (decpt <= -4 || decpt > 16) use_exp = true;
      break;
  }
  int exp = 0;
  if (use_exp) {
    exp = decpt - 1;
    decpt = 1;
  }
  int vdigits_start = decpt <= 0 ? decpt - 1 : 0;
  if (!use_exp && add_dot_0) {
    vdigits_end = std::max(vdigits_end, decpt + 1);
  } else {
    vdigits_end = std::max(vdigits_end, decpt);
  }
  if (negative) {
    out.push_back('-');
  } else if (always_add_sign) {
    out.push_back('+');
  }
  if (decpt <= 0) {
    out.append(decpt - vdigits_start, '0');
    out.push_back('.');
    out.append(-decpt, '0');
  } else {
    out.append(-vdigits_start, '0');
  }
  if (0 < decpt && decpt <= digits_len) {
    out.append(digits, 0, decpt);
    out.push_back('.');
    out.append(digits, decpt, std::string::npos);
  } else {
    out += digits;
  }
  if (digits_len < decpt) {
    out.append(decpt - digits_len, '0');
    out.push_back('.');
    out.append(vdigits_end - decpt, '0');
  } else {
    out.append(vdigits_end - digits_len, '0');
  }
  if (out.back() == '.' && !alt) out.pop_back();
  if (use_exp) {
    out.push_back(upper ? 'E' : 'e');
    char eb[16];
    std::snprintf(eb, sizeof eb, "%+.02d", exp);
    out += eb;
  }
  return out;
}

// ===================================================================================
// The format-spec mini-language (CPython's Python/formatter_unicode.c, 3.11+ rules).
// ===================================================================================

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Decodes UTF-8 into code points; a byte that does not start a valid sequence stands
// for itself, so malformed text still gets a length.
std::vector<char32_t> decode_utf8(std::string_view s, std::vector<size_t>* offsets = nullptr) {
  std::vector<char32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    if (offsets) offsets->push_back(i);
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; ok && k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      out.push_back(c);
      i += 1;
    } else {
      out.push_back(cp);
      i += n;
    }
  }
  if (offsets) offsets->push_back(s.size());
  return out;
}

enum class Grouping { None, Comma, Underscore, UnderscoreFour };

struct Spec {
  char32_t fill = ' ';
  char32_t align = '>';
  bool alternate = false;
  char32_t sign = 0;
  bool no_neg_0 = false;
  int64_t width = -1;
  Grouping grouping = Grouping::None;
  int64_t precision = -1;
  char32_t type = 0;
};

std::string hex_lower(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "%x", v);
  return b;
}

std::string code_text(char32_t c) {
  if (c > 32 && c < 128) return std::string(1, static_cast<char>(c));
  return "\\x" + hex_lower(static_cast<uint32_t>(c));
}

std::string unknown_code(char32_t type, const char* type_name) {
  return "Unknown format code '" + code_text(type) + "' for object of type '" + type_name + "'";
}

bool is_align(char32_t c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

// get_integer: ASCII decimal digits with CPython's overflow check (Py_ssize_t).
int parse_integer(const std::vector<char32_t>& s, size_t& pos, int64_t& result, std::string& error) {
  int64_t acc = 0;
  int n = 0;
  for (; pos < s.size(); ++pos, ++n) {
    char32_t c = s[pos];
    if (c < '0' || c > '9') break;
    int64_t digit = c - '0';
    if (acc > (std::numeric_limits<int64_t>::max() - digit) / 10) {
      error = "Too many decimal digits in format string";
      return -1;
    }
    acc = acc * 10 + digit;
  }
  result = acc;
  return n;
}

// parse_internal_render_format_spec.
bool parse_spec(std::string_view text, char32_t default_type, char32_t default_align,
                const char* type_name, Spec& f, std::string& error) {
  std::vector<char32_t> s = decode_utf8(text);
  size_t pos = 0, end = s.size();
  f = Spec{};
  f.align = default_align;
  f.type = default_type;
  bool align_specified = false, fill_specified = false;
  if (end - pos >= 2 && is_align(s[pos + 1])) {
    f.align = s[pos + 1];
    f.fill = s[pos];
    fill_specified = align_specified = true;
    pos += 2;
  } else if (end - pos >= 1 && is_align(s[pos])) {
    f.align = s[pos];
    align_specified = true;
    ++pos;
  }
  if (pos < end && (s[pos] == ' ' || s[pos] == '+' || s[pos] == '-')) f.sign = s[pos++];
  if (pos < end && s[pos] == 'z') {
    f.no_neg_0 = true;
    ++pos;
  }
  if (pos < end && s[pos] == '#') {
    f.alternate = true;
    ++pos;
  }
  if (!fill_specified && pos < end && s[pos] == '0') {
    f.fill = '0';
    if (!align_specified && default_align == '>') f.align = '=';
    ++pos;
  }
  int consumed = parse_integer(s, pos, f.width, error);
  if (consumed < 0) return false;
  if (consumed == 0) f.width = -1;
  if (pos < end && s[pos] == ',') {
    f.grouping = Grouping::Comma;
    ++pos;
  }
  if (pos < end && s[pos] == '_') {
    if (f.grouping != Grouping::None) {
      error = "Cannot specify both ',' and '_'.";
      return false;
    }
    f.grouping = Grouping::Underscore;
    ++pos;
  }
  if (pos < end && s[pos] == ',' && f.grouping == Grouping::Underscore) {
    error = "Cannot specify both ',' and '_'.";
    return false;
  }
  if (pos < end && s[pos] == '.') {
    ++pos;
    consumed = parse_integer(s, pos, f.precision, error);
    if (consumed < 0) return false;
    if (consumed == 0) {
      error = "Format specifier missing precision";
      return false;
    }
  }
  if (end - pos > 1) {
    error = "Invalid format specifier '" + std::string(text) + "' for object of type '" + type_name + "'";
    return false;
  }
  if (end - pos == 1) f.type = s[pos++];
  if (f.grouping != Grouping::None) {
    switch (f.type) {
      case 'd': case 'e': case 'f': case 'g': case 'E': case 'G': case '%': case 'F': case 0:
        break;
      case 'b': case 'o': case 'x': case 'X':
        if (f.grouping == Grouping::Underscore) {
          f.grouping = Grouping::UnderscoreFour;
          break;
        }
        [[fallthrough]];
      default:
        error = std::string("Cannot specify '") + (f.grouping == Grouping::Comma ? ',' : '_') +
                "' with '" + code_text(f.type) + "'.";
        return false;
    }
  }
  return true;
}

// _PyUnicode_InsertThousandsGrouping: groups `digits` from the right and, when
// min_width asks for it, pads with zeros that are grouped too ('0,001,234').
std::string group_digits(std::string_view digits, int64_t min_width, Grouping g) {
  int group = g == Grouping::None ? 0 : g == Grouping::UnderscoreFour ? 4 : 3;
  char sep = g == Grouping::Comma ? ',' : '_';
  std::string rev;
  int64_t remaining = static_cast<int64_t>(digits.size());
  min_width = std::max<int64_t>(0, min_width);
  size_t dpos = digits.size();
  bool use_sep = false;
  auto emit = [&](int64_t len) {
    int64_t n_zeros = std::max<int64_t>(0, len - remaining);
    int64_t n_chars = std::max<int64_t>(0, std::min(remaining, len));
    if (use_sep) rev.push_back(sep);
    for (int64_t i = 0; i < n_chars; ++i) rev.push_back(digits[--dpos]);
    rev.append(static_cast<size_t>(n_zeros), '0');
    remaining -= n_chars;
  };
  bool broken = false;
  if (group > 0) {
    for (;;) {
      int64_t len = std::min<int64_t>(group, std::max<int64_t>(std::max(remaining, min_width), 1));
      emit(len);
      use_sep = true;
      min_width -= len;
      if (remaining <= 0 && min_width <= 0) {
        broken = true;
        break;
      }
      min_width -= 1;
    }
  }
  if (!broken) emit(std::max<int64_t>(std::max(remaining, min_width), 1));
  return std::string(rev.rbegin(), rev.rend());
}

// calc_number_widths + fill_number: [lpad][sign][prefix][spad][digits][.][remainder][rpad].
// `digits` are the integer digits (ungrouped); `remainder` follows the decimal point
// (or is everything, for 'c', inf and nan). Widths count code points.
std::string layout_number(const Spec& f, char sign_char, std::string_view prefix, std::string_view digits,
                          bool has_decimal, std::string_view remainder, int64_t remainder_chars,
                          bool upper) {
  int n_sign = 0;
  char sign = 0;
  if (f.sign == '+') {
    n_sign = 1;
    sign = sign_char == '-' ? '-' : '+';
  } else if (f.sign == ' ') {
    n_sign = 1;
    sign = sign_char == '-' ? '-' : ' ';
  } else if (sign_char == '-') {
    n_sign = 1;
    sign = '-';
  }
  int64_t n_prefix = static_cast<int64_t>(prefix.size());
  int64_t n_non_digit = n_sign + n_prefix + (has_decimal ? 1 : 0) + remainder_chars;
  int64_t min_width = (f.fill == '0' && f.align == '=') ? f.width - n_non_digit : 0;
  std::string grouped;
  if (!digits.empty()) {
    grouped = group_digits(digits, min_width, f.grouping);
  }
  int64_t n_grouped = static_cast<int64_t>(grouped.size());
  int64_t n_padding = f.width - (n_non_digit + n_grouped);
  int64_t lpad = 0, spad = 0, rpad = 0;
  if (n_padding > 0) {
    switch (f.align) {
      case '<': rpad = n_padding; break;
      case '^':
        lpad = n_padding / 2;
        rpad = n_padding - lpad;
        break;
      case '=': spad = n_padding; break;
      default: lpad = n_padding; break;
    }
  }
  std::string fill;
  append_utf8(fill, f.fill);
  std::string out;
  for (int64_t i = 0; i < lpad; ++i) out += fill;
  if (n_sign) out.push_back(sign);
  std::string p(prefix);
  if (upper) {
    for (char& c : p) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (char& c : grouped) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  out += p;
  for (int64_t i = 0; i < spad; ++i) out += fill;
  out += grouped;
  if (has_decimal) out.push_back('.');
  out += remainder;
  for (int64_t i = 0; i < rpad; ++i) out += fill;
  return out;
}

// Widths this large would need more memory than Python could get (it raises
// MemoryError); refuse them rather than try.
constexpr int64_t kMaxWidth = int64_t{1} << 30;

bool check_width(const Spec& f, std::string& error) {
  if (f.width > kMaxWidth) {
    error = "MemoryError: format width too large";
    return false;
  }
  return true;
}

// format_float_internal: the value is already a double (a Python float).
bool format_float_spec(std::string& out, double val, const Spec& f, std::string& error) {
  if (f.precision > std::numeric_limits<int32_t>::max()) {
    error = "precision too big";
    return false;
  }
  if (!check_width(f, error)) return false;
  int precision = static_cast<int>(f.precision);
  int default_precision = 6;
  char32_t type = f.type;
  bool add_dot_0 = false;
  if (type == 0) {
    add_dot_0 = true;
    type = 'r';
    default_precision = 0;
  }
  if (type == 'n') type = 'g';
  bool add_pct = false;
  if (type == '%') {
    type = 'f';
    val *= 100;
    add_pct = true;
  }
  if (precision < 0) {
    precision = default_precision;
  } else if (type == 'r') {
    type = 'g';
  }
  if (precision > 100000000) {
    // Python would build a string this long; we refuse, as for widths.
    error = "MemoryError: format precision too large";
    return false;
  }
  std::string buf = py_double_to_string(val, static_cast<char>(type), precision, false, add_dot_0,
                                        f.alternate, f.no_neg_0);
  if (add_pct) buf.push_back('%');
  char sign_char = 0;
  size_t index = 0;
  if (buf[0] == '-') {
    sign_char = '-';
    index = 1;
  }
  size_t p = index;
  while (p < buf.size() && buf[p] >= '0' && buf[p] <= '9') ++p;
  std::string_view digits(buf.data() + index, p - index);
  bool has_decimal = p < buf.size() && buf[p] == '.';
  size_t rem_start = has_decimal ? p + 1 : p;
  std::string_view remainder(buf.data() + rem_start, buf.size() - rem_start);
  out = layout_number(f, sign_char, "", digits, has_decimal, remainder,
                      static_cast<int64_t>(remainder.size()), false);
  return true;
}

// format_long_internal for a value given as sign and magnitude.
bool format_integer_spec(std::string& out, bool negative, uint64_t magnitude, const Spec& f,
                         std::string& error) {
  if (f.precision != -1) {
    error = "Precision not allowed in integer format specifier";
    return false;
  }
  if (f.no_neg_0) {
    error = "Negative zero coercion (z) not allowed in integer format specifier";
    return false;
  }
  if (!check_width(f, error)) return false;
  if (f.type == 'c') {
    if (f.sign != 0) {
      error = "Sign not allowed with integer format specifier 'c'";
      return false;
    }
    if (f.alternate) {
      error = "Alternate form (#) not allowed with integer format specifier 'c'";
      return false;
    }
    // PyLong_AsLong comes first: a value past a C long is its own OverflowError.
    if (!negative && magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      error = "Python int too large to convert to C long";
      return false;
    }
    if (negative || magnitude > 0x10ffff) {
      error = "%c arg not in range(0x110000)";
      return false;
    }
    std::string ch;
    append_utf8(ch, static_cast<char32_t>(magnitude));
    out = layout_number(f, 0, "", "", false, ch, 1, false);
    return true;
  }
  int base = 10;
  const char* prefix = "";
  switch (f.type) {
    case 'b': base = 2; prefix = "0b"; break;
    case 'o': base = 8; prefix = "0o"; break;
    case 'x':
    case 'X': base = 16; prefix = "0x"; break;
    default: break;
  }
  char digits[72];
  std::to_chars_result r = std::to_chars(digits, digits + sizeof digits, magnitude, base);
  out = layout_number(f, negative ? '-' : 0, f.alternate ? prefix : "",
                      std::string_view(digits, static_cast<size_t>(r.ptr - digits)), false, "", 0,
                      f.type == 'X');
  return true;
}

// int.__format__ for the value (negative, magnitude); `type_name` is 'int' or 'bool'.
bool format_integer(std::string& out, bool negative, uint64_t magnitude, std::string_view spec,
                    const char* type_name, std::string& error) {
  Spec f;
  if (!parse_spec(spec, 'd', '>', type_name, f, error)) return false;
  switch (f.type) {
    case 'b': case 'c': case 'd': case 'o': case 'x': case 'X': case 'n':
      return format_integer_spec(out, negative, magnitude, f, error);
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%': {
      double v = static_cast<double>(magnitude);  // float(int): correctly rounded
      return format_float_spec(out, negative ? -v : v, f, error);
    }
    default:
      error = unknown_code(f.type, type_name);
      return false;
  }
}

std::string uint_to_string(uint64_t v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  return std::string(b, r.ptr);
}

std::string int_to_string(int64_t v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  return std::string(b, r.ptr);
}

// ===================================================================================
// NumPy's array2string (numpy/_core/arrayprint.py) with the default print options:
// precision 8, floatmode 'maxprec', suppress False, linewidth 75, threshold 1000,
// edgeitems 3, sign '-'.
// ===================================================================================

constexpr int kLineWidth = 75;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int kPrecision = 8;

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Formats one element (given by address) the way the chosen NumPy formatter does.
class ElementFormatter {
 public:
  virtual ~ElementFormatter() = default;
  virtual std::string operator()(const char* p) const = 0;
};

class BoolFormatter : public ElementFormatter {
 public:
  std::string operator()(const char* p) const override { return *p != 0 ? " True" : "False"; }
};

// IntegerFormat: right-aligned to the width of the longer of str(max) and str(min).
class IntFormatter : public ElementFormatter {
 public:
  IntFormatter(DType t, const std::vector<const char*>& elems) : type_(t) {
    if (elems.empty()) return;
    if (t == DType::UInt64) {
      uint64_t mx = 0, mn = std::numeric_limits<uint64_t>::max();
      for (const char* p : elems) {
        uint64_t v = load<uint64_t>(p);
        mx = std::max(mx, v);
        mn = std::min(mn, v);
      }
      width_ = std::max(uint_to_string(mx).size(), uint_to_string(mn).size());
    } else {
      int64_t mx = std::numeric_limits<int64_t>::min(), mn = std::numeric_limits<int64_t>::max();
      for (const char* p : elems) {
        int64_t v = value(p);
        mx = std::max(mx, v);
        mn = std::min(mn, v);
      }
      width_ = std::max(int_to_string(mx).size(), int_to_string(mn).size());
    }
  }
  std::string operator()(const char* p) const override {
    std::string s = type_ == DType::UInt64 ? uint_to_string(load<uint64_t>(p)) : int_to_string(value(p));
    if (s.size() < width_) s.insert(0, width_ - s.size(), ' ');
    return s;
  }

 private:
  int64_t value(const char* p) const {
    switch (type_) {
      case DType::Int8: return load<int8_t>(p);
      case DType::Int16: return load<int16_t>(p);
      case DType::Int32: return load<int32_t>(p);
      case DType::Int64: return load<int64_t>(p);
      case DType::UInt8: return load<uint8_t>(p);
      case DType::UInt16: return load<uint16_t>(p);
      case DType::UInt32: return load<uint32_t>(p);
      default: return 0;
    }
  }
  DType type_;
  size_t width_ = 0;
};

// FloatingFormat (floatmode 'maxprec'). T is float or double: NumPy decides the
// exponent format with arithmetic in the array's own dtype.
template <typename T>
class FloatFormatter : public ElementFormatter {
 public:
  explicit FloatFormatter(const std::vector<const char*>& elems) {
    std::vector<T> finite;
    bool any_nonfinite = false, neg_inf = false;
    for (const char* p : elems) {
      T v = load<T>(p);
      if (std::isfinite(v)) {
        finite.push_back(v);
      } else {
        any_nonfinite = true;
        if (std::isinf(v) && v < 0) neg_inf = true;
      }
    }
    bool have_nonzero = false;
    T max_val = 0, min_val = 0;
    for (T v : finite) {
      if (v == 0) continue;
      T a = std::fabs(v);
      if (!have_nonzero) {
        max_val = min_val = a;
        have_nonzero = true;
      } else {
        max_val = std::max(max_val, a);
        min_val = std::min(min_val, a);
      }
    }
    if (have_nonzero) {
      // 10.**min(8, finfo(dtype).precision): 1e6 for float32, 1e8 for float64. The
      // Python-float constants are weak scalars, so they compare as T.
      const T cutoff = sizeof(T) == 4 ? T(1e6) : T(1e8);
      volatile T ratio = max_val / min_val;  // in T, overflow to inf allowed
      if (max_val >= cutoff || min_val < T(0.0001) || ratio > T(1000.)) exp_format_ = true;
    }
    if (finite.empty()) {
      pad_left_ = 0;
      pad_right_ = 0;
      trim_ = TrimMode::Zeros;
      exp_size_ = -1;
      min_digits_ = -1;
    } else if (exp_format_) {
      size_t max_int = 0, max_frac = 0, max_exp = 0;
      for (T v : finite) {
        std::string s = np_scientific(parts_of(v), kPrecision, -1, false, TrimMode::Zeros, -1, -1);
        size_t e = s.find('e');
        size_t dot = s.find('.');
        max_int = std::max(max_int, dot);
        max_frac = std::max(max_frac, e - dot - 1);
        max_exp = std::max(max_exp, s.size() - e - 1);
      }
      exp_size_ = static_cast<int>(max_exp) - 1;
      trim_ = TrimMode::None;
      precision_ = static_cast<int>(max_frac);
      min_digits_ = precision_;
      pad_left_ = static_cast<int>(max_int);
      pad_right_ = exp_size_ + 2 + precision_;
    } else {
      size_t max_int = 0, max_frac = 0;
      for (T v : finite) {
        std::string s = np_positional(parts_of(v), kPrecision, -1, false, TrimMode::Zeros, -1, -1);
        size_t dot = s.find('.');
        max_int = std::max(max_int, dot);
        max_frac = std::max(max_frac, s.size() - dot - 1);
      }
      pad_left_ = static_cast<int>(max_int);
      pad_right_ = static_cast<int>(max_frac);
      exp_size_ = -1;
      trim_ = TrimMode::Zeros;
      min_digits_ = 0;
    }
    if (any_nonfinite) {
      int offset = pad_right_ + 1;
      pad_left_ = std::max({pad_left_, 3 - offset, 3 + (neg_inf ? 1 : 0) - offset});
    }
  }

  std::string operator()(const char* p) const override {
    T v = load<T>(p);
    if (!std::isfinite(v)) {
      std::string ret = std::isnan(v) ? "nan" : (v < 0 ? "-inf" : "inf");
      int pad = pad_left_ + pad_right_ + 1 - static_cast<int>(ret.size());
      if (pad > 0) ret.insert(0, static_cast<size_t>(pad), ' ');
      return ret;
    }
    if (exp_format_) {
      return np_scientific(parts_of(v), precision_, min_digits_, false, trim_, pad_left_, exp_size_);
    }
    return np_positional(parts_of(v), precision_, min_digits_, false, trim_, pad_left_, pad_right_);
  }

 private:
  bool exp_format_ = false;
  int precision_ = kPrecision;
  int min_digits_ = 0;
  int pad_left_ = 0;
  int pad_right_ = 0;
  int exp_size_ = -1;
  TrimMode trim_ = TrimMode::Zeros;
};

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t')) s.pop_back();
  return s;
}

// _extendLine: start a new line when the word would pass the width, unless the line
// holds nothing but its indent (wrapping would not help).
void extend_line(std::string& s, std::string& line, const std::string& word, size_t width,
                 const std::string& next_line_prefix) {
  bool needs_wrap = line.size() + word.size() > width;
  if (line.size() <= next_line_prefix.size()) needs_wrap = false;
  if (needs_wrap) {
    s += rstrip(line);
    s += '\n';
    line = next_line_prefix;
  }
  line += word;
}

// The indices printed along one axis: all of them, or the edges around a '...'.
struct AxisItems {
  bool summary = false;
  std::vector<int64_t> index;  // leading then trailing when summarised
};

AxisItems axis_items(int64_t n, bool summarise) {
  AxisItems a;
  a.summary = summarise && 2 * kEdgeItems < n;
  if (a.summary) {
    for (int64_t i = 0; i < kEdgeItems; ++i) a.index.push_back(i);
    for (int64_t i = n - kEdgeItems; i < n; ++i) a.index.push_back(i);
  } else {
    for (int64_t i = 0; i < n; ++i) a.index.push_back(i);
  }
  return a;
}

// _formatArray's recurser over an n-d strided array (NumPy's layout for any ndim; the
// runtime prints 1-d and 2-d). Rows (the last axis) wrap at the line width with a
// hanging indent; outer axes put their sub-arrays on separate lines, with one blank
// line more per extra axis.
class ArrayPrinter {
 public:
  ArrayPrinter(const ElementFormatter& fmt, int ndim, const int64_t* strides, const std::vector<AxisItems>& axes)
      : fmt_(fmt), ndim_(ndim), strides_(strides), axes_(axes) {}

  std::string print(const char* p, int axis, const std::string& hanging_indent, int curr_width) const {
    const AxisItems& items = axes_[static_cast<size_t>(axis)];
    const std::string next_hanging = hanging_indent + " ";
    const int next_width = curr_width - 1;  // room for this axis's ']'
    const int64_t stride = strides_[axis];
    const size_t n = items.index.size();
    const size_t leading = items.summary ? static_cast<size_t>(kEdgeItems) : 0;
    std::string s;
    if (axis == ndim_ - 1) {
      const size_t elem_width = static_cast<size_t>(curr_width - 1);
      std::string line = hanging_indent;
      for (size_t k = 0; k < leading; ++k) {
        extend_line(s, line, fmt_(p + items.index[k] * stride), elem_width, hanging_indent);
        line += ' ';
      }
      if (items.summary) {
        extend_line(s, line, "...", elem_width, hanging_indent);
        line += ' ';
      }
      for (size_t k = leading; k + 1 < n; ++k) {
        extend_line(s, line, fmt_(p + items.index[k] * stride), elem_width, hanging_indent);
        line += ' ';
      }
      extend_line(s, line, fmt_(p + items.index[n - 1] * stride), elem_width, hanging_indent);
      s += line;
    } else {
      const std::string line_sep(static_cast<size_t>(ndim_ - axis - 1), '\n');
      for (size_t k = 0; k < leading; ++k) {
        s += hanging_indent + print(p + items.index[k] * stride, axis + 1, next_hanging, next_width) + line_sep;
      }
      if (items.summary) s += hanging_indent + "..." + line_sep;
      for (size_t k = leading; k + 1 < n; ++k) {
        s += hanging_indent + print(p + items.index[k] * stride, axis + 1, next_hanging, next_width) + line_sep;
      }
      s += hanging_indent + print(p + items.index[n - 1] * stride, axis + 1, next_hanging, next_width);
    }
    return "[" + s.substr(hanging_indent.size()) + "]";
  }

 private:
  const ElementFormatter& fmt_;
  int ndim_;
  const int64_t* strides_;
  const std::vector<AxisItems>& axes_;
};

// The elements that will be printed (_leading_trailing): the formatter's widths and
// exponent choice come from these alone.
void collect_printed(const char* p, int axis, int ndim, const int64_t* strides, const std::vector<AxisItems>& axes,
                     std::vector<const char*>& out) {
  if (axis == ndim) {
    out.push_back(p);
    return;
  }
  for (int64_t i : axes[static_cast<size_t>(axis)].index) {
    collect_printed(p + i * strides[axis], axis + 1, ndim, strides, axes, out);
  }
}

std::unique_ptr<ElementFormatter> make_formatter(DType dtype, const std::vector<const char*>& elems) {
  switch (dtype) {
    case DType::Bool: return std::make_unique<BoolFormatter>();
    case DType::Float32: return std::make_unique<FloatFormatter<float>>(elems);
    case DType::Float64: return std::make_unique<FloatFormatter<double>>(elems);
    default: return std::make_unique<IntFormatter>(dtype, elems);
  }
}

}  // namespace

// ===================================================================================
// Public entry points.
// ===================================================================================

std::string repr_float64(double v) { return py_double_to_string(v, 'r', 0, false, true, false, false); }

std::string repr_float32(float v) {
  FloatParts f = parts_of(v);
  if (f.is_nan || f.is_inf) return np_inf_nan(f, false);
  // NumPy 2 (legacy > 2.2) prints a float32 positionally in [1e-4, 1e6), and zero.
  float a = std::fabs(v);
  bool positional = v == 0 || (static_cast<long double>(a) < 1.e6L && static_cast<long double>(a) >= 1.e-4L);
  if (positional) {
    return np_positional(f, -1, -1, false, TrimMode::LeaveOneZero, -1, -1, CutoffMode::TotalLength);
  }
  return np_scientific(f, -1, -1, false, TrimMode::DptZeros, -1, -1);
}

bool format_int(std::string& out, int64_t v, bool is_unsigned, std::string_view spec, std::string& error) {
  bool negative = !is_unsigned && v < 0;
  uint64_t magnitude = negative ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  if (spec.empty()) {
    out = negative ? "-" + uint_to_string(magnitude) : uint_to_string(magnitude);
    return true;
  }
  return format_integer(out, negative, magnitude, spec, "int", error);
}

bool format_float(std::string& out, double v, bool is_float32, std::string_view spec, std::string& error) {
  // NumPy's float32.__format__ converts to a Python float first, also for an empty
  // spec: f"{np.float32(0.1)}" is '0.10000000149011612', unlike str().
  (void)is_float32;
  if (spec.empty()) {
    out = repr_float64(v);
    return true;
  }
  Spec f;
  if (!parse_spec(spec, 0, '>', "float", f, error)) return false;
  switch (f.type) {
    case 0: case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'n': case '%':
      return format_float_spec(out, v, f, error);
    default:
      error = unknown_code(f.type, "float");
      return false;
  }
}

bool format_bool(std::string& out, bool v, std::string_view spec, std::string& error) {
  if (spec.empty()) {
    out = v ? "True" : "False";
    return true;
  }
  return format_integer(out, false, v ? 1 : 0, spec, "bool", error);
}

bool format_str(std::string& out, std::string_view v, std::string_view spec, std::string& error) {
  if (spec.empty()) {
    out = std::string(v);
    return true;
  }
  Spec f;
  if (!parse_spec(spec, 's', '<', "str", f, error)) return false;
  if (f.type != 's') {
    error = unknown_code(f.type, "str");
    return false;
  }
  if (f.sign != 0) {
    error = f.sign == ' ' ? "Space not allowed in string format specifier"
                          : "Sign not allowed in string format specifier";
    return false;
  }
  if (f.no_neg_0) {
    error = "Negative zero coercion (z) not allowed in string format specifier";
    return false;
  }
  if (f.alternate) {
    error = "Alternate form (#) not allowed in string format specifier";
    return false;
  }
  if (f.align == '=') {
    error = "'=' alignment not allowed in string format specifier";
    return false;
  }
  if (!check_width(f, error)) return false;
  std::vector<size_t> offsets;
  std::vector<char32_t> cps = decode_utf8(v, &offsets);
  int64_t len = static_cast<int64_t>(cps.size());
  if (f.precision >= 0 && len >= f.precision) len = f.precision;
  std::string_view body = v.substr(0, offsets[static_cast<size_t>(len)]);
  int64_t total = f.width > len ? f.width : len;
  int64_t lpad = 0;
  if (f.align == '>') {
    lpad = total - len;
  } else if (f.align == '^') {
    lpad = (total - len) / 2;
  }
  int64_t rpad = total - len - lpad;
  std::string fill;
  append_utf8(fill, f.fill);
  out.clear();
  for (int64_t i = 0; i < lpad; ++i) out += fill;
  out += body;
  for (int64_t i = 0; i < rpad; ++i) out += fill;
  return true;
}

std::string format_array(const void* data, DType dtype, int ndim, const int64_t* shape, const int64_t* strides) {
  const char* base = static_cast<const char*>(data);
  if (ndim == 0) {
    // str() of a 0-d array is str() of its scalar.
    std::vector<const char*> one{base};
    switch (dtype) {
      case DType::Bool: return *base != 0 ? "True" : "False";
      case DType::Float32: return repr_float32(load<float>(base));
      case DType::Float64: return repr_float64(load<double>(base));
      default: {
        IntFormatter f(dtype, one);
        return f(base);
      }
    }
  }
  int64_t size = 1;
  for (int i = 0; i < ndim; ++i) size *= shape[i];
  if (size == 0) return "[]";
  const bool summarise = size > kThreshold;
  std::vector<AxisItems> axes;
  for (int i = 0; i < ndim; ++i) axes.push_back(axis_items(shape[i], summarise));
  std::vector<const char*> elems;
  collect_printed(base, 0, ndim, strides, axes, elems);
  std::unique_ptr<ElementFormatter> fmt = make_formatter(dtype, elems);
  return ArrayPrinter(*fmt, ndim, strides, axes).print(base, 0, " ", kLineWidth);
}

}  // namespace nk::runtime

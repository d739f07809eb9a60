// What host programs use beyond arithmetic: clocks, sys.argv, int()/float() of
// strings, and np.load/np.save of .npy files (format 1.0/2.0, little-endian, C order).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/dtype.h"
#include "runtime/entry_points.h"
#include "runtime/errors.h"

namespace {

struct Str {
  const char* data;
  int64_t len;
};

std::vector<std::string>& argv_storage() {
  static std::vector<std::string> args;
  return args;
}

std::string py_repr(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string strip(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\n\r\f\v");
  return std::string(s.substr(b, e - b + 1));
}

struct Desc {
  void* meminfo;
  char* data;
  int64_t dims[];
};

const char* npy_descr(nk::runtime::DType t) {
  using nk::runtime::DType;
  switch (t) {
    case DType::Bool: return "|b1";
    case DType::Int8: return "|i1";
    case DType::Int16: return "<i2";
    case DType::Int32: return "<i4";
    case DType::Int64: return "<i8";
    case DType::UInt8: return "|u1";
    case DType::UInt16: return "<u2";
    case DType::UInt32: return "<u4";
    case DType::UInt64: return "<u8";
    case DType::Float32: return "<f4";
    case DType::Float64: return "<f8";
  }
  return "?";
}

bool fail(const std::string& kind, const std::string& message, int32_t line) {
  nk::runtime::raise(kind, message, line);
  return true;
}

}  // namespace

namespace nk::runtime {
void set_argv(std::vector<std::string> args) { argv_storage() = std::move(args); }
}  // namespace nk::runtime

extern "C" double nk_perf_counter() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

extern "C" double nk_wall_time() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

extern "C" int64_t nk_argc() { return static_cast<int64_t>(argv_storage().size()); }

extern "C" int32_t nk_argv(int64_t index, void* out, int32_t line) {
  int64_t n = nk_argc();
  if (index < 0) index += n;
  if (index < 0 || index >= n) return fail("IndexError", "list index out of range", line);
  const std::string& s = argv_storage()[static_cast<size_t>(index)];
  *static_cast<Str*>(out) = {s.data(), static_cast<int64_t>(s.size())};
  return 0;
}

extern "C" int32_t nk_parse_int(void* s, int64_t len, void* out, int32_t line) {
  std::string text(static_cast<const char*>(s), static_cast<size_t>(len));
  std::string t = strip(text), digits;
  bool ok = !t.empty();
  size_t i = 0;
  if (ok && (t[0] == '+' || t[0] == '-')) digits += t[i++];
  bool last_underscore = true;
  for (; i < t.size() && ok; ++i) {
    if (t[i] == '_') {
      ok = !last_underscore;
      last_underscore = true;
    } else if (t[i] >= '0' && t[i] <= '9') {
      digits += t[i];
      last_underscore = false;
    } else {
      ok = false;
    }
  }
  ok = ok && !last_underscore;
  if (!ok) return fail("ValueError", "invalid literal for int() with base 10: " + py_repr(text), line);
  errno = 0;
  long long v = std::strtoll(digits.c_str(), nullptr, 10);
  if (errno == ERANGE) return fail("OverflowError", "int too large to convert to int64: " + py_repr(text), line);
  *static_cast<int64_t*>(out) = v;
  return 0;
}

extern "C" int32_t nk_parse_float(void* s, int64_t len, void* out, int32_t line) {
  std::string text(static_cast<const char*>(s), static_cast<size_t>(len));
  std::string t = strip(text), cleaned;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '_' && i > 0 && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(t[i + 1])))
      continue;
    cleaned += t[i];
  }
  char* end = nullptr;
  double v = cleaned.empty() ? 0 : std::strtod(cleaned.c_str(), &end);
  // strtod accepts hex floats and "infinity"/"nan(...)" forms Python treats alike or rejects.
  bool ok = !cleaned.empty() && end && *end == '\0' && cleaned.find_first_of("xX(") == std::string::npos;
  if (!ok) return fail("ValueError", "could not convert string to float: " + py_repr(text), line);
  *static_cast<double*>(out) = v;
  return 0;
}

extern "C" int32_t nk_np_save(void* path, int64_t len, void* desc, int32_t ndim, int32_t dtype, int32_t line) {
  std::string file(static_cast<const char*>(path), static_cast<size_t>(len));
  if (file.size() < 4 || file.substr(file.size() - 4) != ".npy") file += ".npy";  // as np.save does
  auto t = static_cast<nk::runtime::DType>(dtype);
  Desc* d = static_cast<Desc*>(desc);
  std::string header = std::string("{'descr': '") + npy_descr(t) + "', 'fortran_order': False, 'shape': (";
  for (int k = 0; k < ndim; ++k) header += std::to_string(d->dims[k]) + (ndim == 1 ? "," : k + 1 < ndim ? ", " : "");
  header += "), }";
  // Version 1.0: the whole preamble is padded with spaces to a multiple of 64, then '\n'.
  size_t total = 10 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::ofstream f(file, std::ios::binary);
  if (!f) return fail("FileNotFoundError", "[Errno 2] No such file or directory: " + py_repr(file), line);
  f.write("\x93NUMPY\x01\x00", 8);
  uint16_t hl = static_cast<uint16_t>(header.size());
  char hl_bytes[2] = {static_cast<char>(hl & 0xff), static_cast<char>(hl >> 8)};
  f.write(hl_bytes, 2);
  f.write(header.data(), static_cast<std::streamsize>(header.size()));
  int64_t item = static_cast<int64_t>(nk::runtime::dtype_size(t));
  std::vector<int64_t> index(static_cast<size_t>(ndim), 0);
  int64_t count = 1;
  for (int k = 0; k < ndim; ++k) count *= d->dims[k];
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (int k = 0; k < ndim; ++k) offset += index[static_cast<size_t>(k)] * d->dims[ndim + k];
    f.write(d->data + offset, item);
    for (int k = ndim - 1; k >= 0; --k) {
      if (++index[static_cast<size_t>(k)] < d->dims[k]) break;
      index[static_cast<size_t>(k)] = 0;
    }
  }
  if (!f) return fail("OSError", "cannot write " + py_repr(file), line);
  return 0;
}

extern "C" int32_t nk_np_load(void* path, int64_t len, void* desc, int32_t ndim, int32_t dtype, int32_t line) {
  std::string file(static_cast<const char*>(path), static_cast<size_t>(len));
  std::ifstream f(file, std::ios::binary);
  if (!f) return fail("FileNotFoundError", "[Errno 2] No such file or directory: " + py_repr(file), line);
  char magic[8];
  if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return fail("ValueError", py_repr(file) + " is not a .npy file", line);
  uint32_t header_len = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    f.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else if (magic[6] == 2 || magic[6] == 3) {
    unsigned char b[4];
    f.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  } else {
    return fail("ValueError", "unsupported .npy format version " + std::to_string(magic[6]), line);
  }
  if (header_len > (1u << 20)) return fail("ValueError", "corrupt .npy header in " + py_repr(file), line);
  std::string header(header_len, '\0');
  if (!f.read(header.data(), header_len)) return fail("ValueError", "truncated .npy header in " + py_repr(file), line);
  auto field = [&](const std::string& key) -> std::string {
    size_t k = header.find("'" + key + "'");
    if (k == std::string::npos) return "";
    size_t colon = header.find(':', k);
    return colon == std::string::npos ? "" : header.substr(colon + 1);
  };
  std::string descr = field("descr");
  size_t q1 = descr.find('\''), q2 = descr.find('\'', q1 + 1);
  descr = q1 == std::string::npos || q2 == std::string::npos ? "" : descr.substr(q1 + 1, q2 - q1 - 1);
  std::string fortran = field("fortran_order");
  std::string shape_text = field("shape");
  size_t p1 = shape_text.find('('), p2 = shape_text.find(')');
  if (descr.empty() || p1 == std::string::npos || p2 == std::string::npos)
    return fail("ValueError", "corrupt .npy header in " + py_repr(file), line);
  if (fortran.find("True") < fortran.find(','))
    return fail("ValueError", "np.load: Fortran-order arrays are not supported (" + py_repr(file) + ")", line);
  std::vector<int64_t> shape;
  std::stringstream ss(shape_text.substr(p1 + 1, p2 - p1 - 1));
  std::string part;
  while (std::getline(ss, part, ',')) {
    part = strip(part);
    if (!part.empty()) shape.push_back(std::stoll(part));
  }
  auto t = static_cast<nk::runtime::DType>(dtype);
  std::string want = npy_descr(t);
  bool same_type = descr == want || (want[0] == '|' && descr.substr(1) == want.substr(1)) ||
                   (descr[0] == '=' && descr.substr(1) == want.substr(1));
  if (!same_type || static_cast<int>(shape.size()) != ndim)
    return fail("ValueError", "np.load: " + py_repr(file) + " holds an array of dtype '" + descr + "' with " +
                                  std::to_string(shape.size()) + " dimension(s), but the program declares " +
                                  nk::runtime::dtype_name(t) + " with " + std::to_string(ndim),
                line);
  Desc* d = static_cast<Desc*>(desc);
  for (int k = 0; k < ndim; ++k) d->dims[k] = shape[static_cast<size_t>(k)];
  int64_t item = static_cast<int64_t>(nk::runtime::dtype_size(t));
  if (int32_t status = nk_array_new(desc, ndim, item, 0)) return status;
  int64_t count = 1;
  for (int64_t s : shape) count *= s;
  if (!f.read(d->data, count * item)) {
    nk_array_free(d->meminfo);
    d->meminfo = nullptr;
    return fail("ValueError", "np.load: " + py_repr(file) + " is truncated", line);
  }
  return 0;
}

// Embeds nk in a C++ program: loads kernels.nk, calls kernels on the program's own
// buffers (by name, and through a typed handle), and catches nk's errors.
#include <nk/nk.h>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "kernels.nk";
  try {
    nk::Jit jit;  // default options: CPU, -O3, bounds checks on
    nk::Module m = jit.load_file(path);

    std::vector<float> x(1000, 1.0f), y(1000, 0.5f);
    m.call("saxpy", 2.0f, nk::view(x), nk::view(y));  // compiled for (float32, float32[::1], float32[::1])
    std::printf("y[0] = %.1f\n", y[0]);

    auto norm = m.function<double(nk::ArrayRef<const float>)>("norm");  // typed: no lookup per call
    std::printf("norm(y) = %.4f\n", norm(nk::view(y)));

    std::vector<double> matrix = {1, 2, 3, 4, 5, 6};
    std::vector<double> sums(2);
    m.call("row_sums", nk::view(matrix.data(), {2, 3}), nk::view(sums));
    std::printf("row sums = %.1f %.1f\n", sums[0], sums[1]);

    try {
      m.call<float>("at", nk::view(x), int64_t{5000});
    } catch (const nk::RuntimeError& e) {
      std::printf("caught %s: %s (line %d)\n", e.kind().c_str(), e.message().c_str(), e.line());
    }
    try {
      m.call("saxpy", 2.0f, nk::view(x));  // wrong number of arguments
    } catch (const nk::CompileError& e) {
      std::printf("caught CompileError: %s\n", e.diagnostics().at(0).message.c_str());
    }
  } catch (const nk::Error& e) {
    std::fprintf(stderr, "embed: %s\n", e.what());
    return 1;
  }
  return 0;
}

# The lit suite: every .nk (or .test) file under tests/lit carries its RUN lines and its
# FileCheck expectations. Run it on the build tree, through ctest or directly:
#   python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv build/tests/lit
import ctypes
import os

import lit.formats

config.name = "nk"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".nk", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))

if not hasattr(config, "nk_bin"):
    lit_config.fatal("run lit on the build tree (build/tests/lit), whose "
                     "lit.site.cfg.py says where nk was built")
config.test_exec_root = config.nk_obj_root

# %nk is the built driver; FileCheck, not and count come from LLVM's bin folder.
config.substitutions.append(("%nk", os.path.join(config.nk_bin, "nk")))
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.nk_bin, config.environment.get("PATH", "")])
# Tests never touch the user's compilation cache.
config.environment["XDG_CACHE_HOME"] = os.path.join(config.test_exec_root, "cache")

# REQUIRES: ptxas -- the CUDA toolkit's assembler, to validate generated PTX.
if os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
    config.environment["PATH"] += os.pathsep + "/usr/local/cuda/bin"

# REQUIRES: cuda -- a CUDA driver (and so, presumably, a GPU) to run kernels on.
try:
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda")
except OSError:
    pass

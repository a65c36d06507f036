# -*- Python -*-
# lit configuration of the quant-lp regression tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QUANT_LP"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qlp_obj_root, "test")
# Inputs and helpers that are not tests themselves.
config.excludes = ["Inputs", "CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py", "unit"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%qlp_src_root", config.qlp_src_root))
config.substitutions.append(("%qlp_obj_root", config.qlp_obj_root))
config.substitutions.append(("%python", config.qlp_python))
# lit substitutes in order: the longer name must come first.
config.substitutions.append(("%cmake_generator", config.cmake_generator))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
# The static runtime library a program compiled by quant-compile links.
config.substitutions.append(("%qlp_runtime_lib", config.qlp_runtime_lib))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.qlp_tools_dir, config.llvm_tools_dir]
tools = ["quant-opt", "quant-lsp-server"]
tools += ["quant-run", "quant-compile", "quant-translate"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

if config.qlp_have_ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.qlp_ptxas))


def cuda_device_usable():
    """Whether the CUDA driver loads and reports a device, as quant-run's
    qlp_cuda_available() decides: nvidia-smi alone can list a GPU that this
    process cannot use (no libcuda.so.1 in a container, a driver/library
    mismatch)."""
    import ctypes

    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    return (driver.cuInit(0) == 0
            and driver.cuDeviceGetCount(ctypes.byref(count)) == 0
            and count.value > 0)


if config.qlp_have_cuda_gpu and cuda_device_usable():
    config.available_features.add("cuda-gpu")

# A stand-in CUDA driver (test/unit/FakeCudaDriver.h) that records launches
# instead of running them: quant-run --device=gpu tests that need no GPU
# load it with QLP_CUDA_LIBRARY=%fake_cuda_driver.
config.substitutions.append(("%fake_cuda_driver", config.qlp_fake_cuda_driver))

# Execution tests run lowered programs with upstream tools: mlir-opt's
# tensor-to-LLVM passes (%upstream_to_llvm), then mlir-runner with the runner
# utility libraries (%mlir_runner_libs, for printMemref*).
llvm_config.add_tool_substitutions(["mlir-opt", "mlir-runner"],
                                   [config.llvm_tools_dir])
config.substitutions.append(("%upstream_to_llvm", " ".join([
    "--one-shot-bufferize=bufferize-function-boundaries",
    "--convert-linalg-to-loops", "--lower-affine", "--convert-scf-to-cf",
    "--convert-math-to-llvm", "--expand-strided-metadata",
    "--finalize-memref-to-llvm", "--convert-arith-to-llvm",
    "--convert-index-to-llvm", "--convert-func-to-llvm",
    "--convert-cf-to-llvm", "--reconcile-unrealized-casts"])))
config.substitutions.append(("%mlir_runner_libs", "-shared-libs=" + ",".join(
    os.path.join(config.llvm_tools_dir, "..", "lib", lib)
    for lib in ["libmlir_runner_utils.so", "libmlir_c_runner_utils.so"])))

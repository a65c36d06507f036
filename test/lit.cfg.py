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

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.qlp_tools_dir, config.llvm_tools_dir]
tools = ["quant-opt", "quant-lsp-server"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

if config.qlp_have_ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.qlp_ptxas))
if config.qlp_have_cuda_gpu:
    config.available_features.add("cuda-gpu")

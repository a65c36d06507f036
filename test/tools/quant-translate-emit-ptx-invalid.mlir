// RUN: quant-translate --qlp-emit-ptx --split-input-file --verify-diagnostics %s
// RUN: quant-opt %S/quant-translate-emit-ptx.mlir --qlp-gpu-pipeline="to-llvm=false" \
// RUN:   | not quant-translate --qlp-emit-ptx 2>&1 | FileCheck %s --check-prefix=EARLY
// EARLY: error: gpu.module @layers_kernel is not compiled yet: run quant-opt --qlp-gpu-pipeline (with to-llvm=true) first

// A cubin cannot be printed as PTX.
// expected-error @below {{gpu.binary @cubin holds a bin object, not PTX: compile with --qlp-gpu-pipeline="... format=isa"}}
gpu.binary @cubin [#gpu.object<#nvvm.target<chip = "sm_80">, bin = "\7FELF">]

// -----

module attributes {gpu.container_module} {
  // expected-error @below {{gpu.module @kernels is not compiled yet: run quant-opt --qlp-gpu-pipeline (with to-llvm=true) first}}
  gpu.module @kernels {
  }
}

// -----

// expected-error @below {{no gpu.binary in the input: --qlp-emit-ptx reads the output of quant-opt --qlp-gpu-pipeline}}
module {
  func.func @f() {
    return
  }
}

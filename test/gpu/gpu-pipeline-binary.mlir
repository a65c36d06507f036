// REQUIRES: ptxas
// RUN: quant-opt %s --qlp-gpu-pipeline="chip=sm_86 kernels=false format=bin" | FileCheck %s

// format=bin embeds a cubin that ptxas assembled for the chip (an ELF file)
// instead of PTX.

// CHECK:     llvm.func @clamp(
// CHECK:       gpu.launch_func <%{{.*}} : !llvm.ptr> @[[K:.*]]::@
// CHECK-NOT: assembly =
// CHECK:     gpu.binary @[[K]] [#gpu.object<#nvvm.target<chip = "sm_86", features = "+ptx80">, properties = {{{.*}}}, bin = "\7FELF
func.func @clamp(%x: tensor<3x5x7xi8>) -> tensor<3x5x7xi8> {
  %c = qlp.clamp %x [-100, 100] : tensor<3x5x7xi8>
  return %c : tensor<3x5x7xi8>
}

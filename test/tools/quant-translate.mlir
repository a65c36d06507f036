// quant-translate --mlir-to-llvmir turns the LLVM-dialect output of
// --qlp-cpu-pipeline into LLVM IR: the entry's C interface and the calls into
// the runtime's kernels, with their plans as aligned private constants.

// RUN: quant-opt %s --qlp-cpu-pipeline | quant-translate --mlir-to-llvmir \
// RUN:   | FileCheck %s

// CHECK: @__qlp_kernel_plan_0 = private constant [{{[0-9]+}} x i8] c"QLPK{{.*}}", align 64
// CHECK: declare i32 @qlp_rt_gemm(ptr, ptr, i64, i64, ptr, i64)
// CHECK: define void @layer(
// CHECK: call i32 @qlp_rt_gemm(
// CHECK: define void @_mlir_ciface_layer(

func.func @layer(%x: tensor<4x64xi8>) -> tensor<4x16xi8> {
  %w = arith.constant dense<3> : tensor<64x16xi4>
  %y = qlp.matmul %x, %w : tensor<4x64xi8>, tensor<64x16xi4> -> tensor<4x16xi32>
  %z = qlp.rescale %y scale <[1073741824], [36]> rounding single_round
      : tensor<4x16xi32> -> tensor<4x16xi8>
  return %z : tensor<4x16xi8>
}

// Where qlp and upstream's lowering of tosa.rescale part ways: outside the
// TOSA specification's valid range. TOSA REQUIREs |x| < 2^(shift-1) (here
// 2) so that the scaled result fits in i32; qlp.rescale computes the exact
// result and saturates it to the output type, while upstream's lowering
// truncates it to i32 before clamping and can saturate to the wrong end.
// The import keeps qlp's definition: within the valid range the two agree
// (import-tosa-exec.test), outside it qlp is the one that is right.
//
//   x            exact x * m / 4          qlp   upstream (i32-truncated)
//   2147483647   1152921503533105152      127   -128  (-1073741824)
//   -5           -2684354559 (< -2^31)   -128    127  (1610612737)
//   7            3758096382  (> 2^31)     127   -128  (-536870914)
//   1            536870912 (valid x)      127    127
//
// DEFINE: %{run} = mlir-opt %upstream_to_llvm | mlir-runner -e main -entry-point-result=void %mlir_runner_libs
// RUN: quant-opt %s --pass-pipeline='builtin.module(func.func(qlp-import-tosa), qlp-lower-to-reference, func.func(tosa-to-linalg))' \
// RUN:   | %{run} | FileCheck %s --check-prefix=QLP
// RUN: quant-opt %s --pass-pipeline='builtin.module(func.func(tosa-to-linalg, tosa-to-arith{include-apply-rescale=true}))' \
// RUN:   | %{run} | FileCheck %s --check-prefix=UPSTREAM
// QLP:      data =
// QLP-NEXT: [127,  -128,  127,  127]
// UPSTREAM:      data =
// UPSTREAM-NEXT: [-128,  127,  -128,  127]

memref.global "private" @input : memref<4xi32> = dense<[2147483647, -5, 7, 1]>

func.func @rescale(%x: tensor<4xi32>) -> tensor<4xi8> {
  %m = "tosa.const"() {values = dense<2147483647> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<2> : tensor<1xi8>} : () -> tensor<1xi8>
  %izp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.rescale %x, %m, %s, %izp, %ozp {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true}
      : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<4xi8>
  return %y : tensor<4xi8>
}

func.func private @printMemrefI32(memref<*xi32>)

func.func @main() {
  %g = memref.get_global @input : memref<4xi32>
  %x = bufferization.to_tensor %g restrict : memref<4xi32> to tensor<4xi32>
  %y = call @rescale(%x) : (tensor<4xi32>) -> tensor<4xi8>
  %y32 = tosa.cast %y : (tensor<4xi8>) -> tensor<4xi32>
  %b = bufferization.to_buffer %y32 : tensor<4xi32> to memref<4xi32>
  %u = memref.cast %b : memref<4xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

// Per-budget tests of qlp-allocate-bits on small models whose optimum is
// worked out by hand in the comments. The perturbations are given with
// qlp.perturbation so that the arithmetic stays readable; measured
// perturbations are tested in allocate-bits-omega.mlir.
//
// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 size=200})' | FileCheck %s --check-prefix=SIZE200
// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 size=160})' | FileCheck %s --check-prefix=SIZE160
// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 size-frac=0.25})' | FileCheck %s --check-prefix=SIZE160
// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8})' | FileCheck %s --check-prefix=NOBUDGET

// Size. Three linalg.matmul layers, 64, 128 and 64 weights:
//   layer  bytes at 8 / 4  omega at 8 / 4            4 bits saves   costs
//   a      64 / 32         1 / 8                     32 bytes       +7
//   b      128 / 64        1 / 3                     64 bytes       +2
//   c      64 / 32         0.5 * (2 / 5) = 1 / 2.5   32 bytes       +1.5
// All at 8 bits is 256 bytes, omega 3; all at 4 bits 128 bytes.
//  * size=200 must save 56 bytes: b alone (+2) beats a+c (+8.5) and b+c
//    (+3.5). Optimum a=8, b=4, c=8, objective 5.
//  * size=160 must save 96 bytes: b+c (+3.5) beats a+b (+9). Optimum a=8,
//    b=4, c=4, objective 6.5. size-frac=0.25 is 128 + 0.25 * 128 = 160.
//  * no budget: everything at 8 bits.
// act-bits=0 pairs the activation width with the weight width.

// SIZE200-LABEL: func.func @size_budget
// SIZE200:         linalg.matmul {qlp.act_bits = 8 : i64, qlp.bits = 8 : i64, qlp.name = "a"
// SIZE200:         linalg.matmul {qlp.act_bits = 4 : i64, qlp.bits = 4 : i64, qlp.name = "b"
// SIZE200:         linalg.matmul {qlp.act_bits = 8 : i64, qlp.bits = 8 : i64, qlp.hessian_trace = 5.000000e-01 : f64, qlp.name = "c"
// SIZE160-LABEL: func.func @size_budget
// SIZE160:         linalg.matmul {qlp.act_bits = 8 : i64, qlp.bits = 8 : i64, qlp.name = "a"
// SIZE160:         linalg.matmul {qlp.act_bits = 4 : i64, qlp.bits = 4 : i64, qlp.name = "b"
// SIZE160:         linalg.matmul {qlp.act_bits = 4 : i64, qlp.bits = 4 : i64, qlp.hessian_trace = 5.000000e-01 : f64, qlp.name = "c"
// NOBUDGET-LABEL: func.func @size_budget
// NOBUDGET-COUNT-3: qlp.bits = 8 : i64
// NOBUDGET-NOT:     qlp.bits = 4
func.func @size_budget(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
  %wa = arith.constant dense<0.5> : tensor<8x8xf32>
  %wb = arith.constant dense<0.5> : tensor<8x16xf32>
  %wc = arith.constant dense<0.5> : tensor<16x4xf32>
  %i8 = tensor.empty() : tensor<1x8xf32>
  %i16 = tensor.empty() : tensor<1x16xf32>
  %i4 = tensor.empty() : tensor<1x4xf32>
  %a = linalg.matmul {qlp.name = "a", qlp.perturbation = {b4 = 8.0 : f64, b8 = 1.0 : f64}}
         ins(%x, %wa : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i8 : tensor<1x8xf32>) -> tensor<1x8xf32>
  %b = linalg.matmul {qlp.name = "b", qlp.perturbation = {b4 = 3.0 : f64, b8 = 1.0 : f64}}
         ins(%a, %wb : tensor<1x8xf32>, tensor<8x16xf32>) outs(%i16 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %c = linalg.matmul {qlp.name = "c", qlp.hessian_trace = 0.5 : f64, qlp.perturbation = {b4 = 5.0 : f64, b8 = 2.0 : f64}}
         ins(%b, %wc : tensor<1x16xf32>, tensor<16x4xf32>) outs(%i4 : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %c : tensor<1x4xf32>
}

// -----

// A tosa.matmul of two activations has no constant weight: it is not a
// layer and gets no width.
// SIZE200-LABEL: func.func @do_not_allocate_activation_matmul
// SIZE200:         tosa.matmul
// SIZE200-NOT:     qlp.bits
// SIZE200-SAME:    -> tensor<1x2x2xf32>
func.func @do_not_allocate_activation_matmul(%a: tensor<1x2x4xf32>, %b: tensor<1x4x2xf32>) -> tensor<1x2x2xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %a, %b, %zp, %zp : (tensor<1x2x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  return %m : tensor<1x2x2xf32>
}

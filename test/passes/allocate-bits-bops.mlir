// BOPs budgets of qlp-allocate-bits; optimum worked out by hand.
//
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 bops=15000})' | FileCheck %s --check-prefix=PAIRED
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 bops=15000 act-bits=8})' | FileCheck %s --check-prefix=A8
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 bops-frac=0.5})' | FileCheck %s --check-prefix=FRAC

// Two linalg.matmul layers: p is 1x16 by 16x16 (256 MACs), q is 1x16 by
// 16x8 (128 MACs); omega p: 1 at 8 bits, 6 at 4; q: 1 at 8, 2 at 4.
//
// act-bits=0 (paired, BOPs = MACs * b * b):
//   (p, q) = (8, 8): 16384 + 8192 = 24576   omega 2
//            (4, 8):  4096 + 8192 = 12288   omega 7   <- best within 15000
//            (8, 4): 16384 + 2048 = 18432   omega 3
//            (4, 4):  4096 + 2048 =  6144   omega 8
// act-bits=8 (BOPs = MACs * b * 8):
//            (8, 8): 16384 + 8192 = 24576
//            (4, 8):  8192 + 8192 = 16384
//            (8, 4): 16384 + 4096 = 20480
//            (4, 4):  8192 + 4096 = 12288   omega 8   <- the only one within 15000
//   and qlp.act_bits is not written (the activation width is the option's).
// bops-frac=0.5 (paired): 6144 + 0.5 * (24576 - 6144) = 15360, which again
// admits (4, 8) but not (8, 4).

// PAIRED-LABEL: func.func @bops_budget
// PAIRED:         linalg.matmul {qlp.act_bits = 4 : i64, qlp.bits = 4 : i64, qlp.name = "p"
// PAIRED:         linalg.matmul {qlp.act_bits = 8 : i64, qlp.bits = 8 : i64, qlp.name = "q"
// A8-LABEL: func.func @bops_budget
// A8:         linalg.matmul {qlp.bits = 4 : i64, qlp.name = "p"
// A8:         linalg.matmul {qlp.bits = 4 : i64, qlp.name = "q"
// FRAC-LABEL: func.func @bops_budget
// FRAC:         linalg.matmul {qlp.act_bits = 4 : i64, qlp.bits = 4 : i64, qlp.name = "p"
// FRAC:         linalg.matmul {qlp.act_bits = 8 : i64, qlp.bits = 8 : i64, qlp.name = "q"
func.func @bops_budget(%x: tensor<1x16xf32>) -> tensor<1x8xf32> {
  %wp = arith.constant dense<0.25> : tensor<16x16xf32>
  %wq = arith.constant dense<0.25> : tensor<16x8xf32>
  %i16 = tensor.empty() : tensor<1x16xf32>
  %i8 = tensor.empty() : tensor<1x8xf32>
  %p = linalg.matmul {qlp.name = "p", qlp.perturbation = {b4 = 6.0 : f64, b8 = 1.0 : f64}}
         ins(%x, %wp : tensor<1x16xf32>, tensor<16x16xf32>) outs(%i16 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %q = linalg.matmul {qlp.name = "q", qlp.perturbation = {b4 = 2.0 : f64, b8 = 1.0 : f64}}
         ins(%p, %wq : tensor<1x16xf32>, tensor<16x8xf32>) outs(%i8 : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %q : tensor<1x8xf32>
}

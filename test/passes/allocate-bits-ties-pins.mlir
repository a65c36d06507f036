// Ties (qlp.tie), pins (qlp.bits) and pin-first-last in qlp-allocate-bits;
// optima worked out by hand.
//
// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 size=224})' | FileCheck %s
// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 size=224 pin-first-last=true})' | FileCheck %s --check-prefix=FIRSTLAST

// Four 64-weight layers (64 bytes at 8 bits, 32 at 4): all at 8 bits is
// 256 bytes, so size=224 makes at least one layer drop to 4 bits.
//   omega at 8 / 4:  a 1 / 9,  b 1 / 2,  c 1 / 4,  d 0 / 0
// d's constant weight (all 0.5) quantizes exactly at every width, so
// dropping d would be free, but d is pinned to 8 bits by qlp.bits. Untied,
// b would drop (+1); tied to c ("res"), b and c drop together (+1 + 3 = +4)
// rather than a alone (+8). Objective 1 + 2 + 4 + 0 = 7. pin-first-last
// pins a (and d, already pinned) to 8 bits, which changes nothing here.

// CHECK-LABEL: func.func @tie_and_pin
// CHECK:         linalg.matmul {qlp.act_bits = 8 : i64, qlp.bits = 8 : i64, qlp.name = "a"
// CHECK:         linalg.matmul {qlp.act_bits = 4 : i64, qlp.bits = 4 : i64, qlp.name = "b", {{.*}}qlp.tie = "res"
// CHECK:         linalg.matmul {qlp.act_bits = 4 : i64, qlp.bits = 4 : i64, qlp.name = "c", {{.*}}qlp.tie = "res"
// CHECK:         linalg.matmul {qlp.act_bits = 8 : i64, qlp.bits = 8 : i64, qlp.name = "d"
// FIRSTLAST-LABEL: func.func @tie_and_pin
// FIRSTLAST:         qlp.bits = 8 : i64, qlp.name = "a"
// FIRSTLAST:         qlp.bits = 4 : i64, qlp.name = "b"
// FIRSTLAST:         qlp.bits = 4 : i64, qlp.name = "c"
// FIRSTLAST:         qlp.bits = 8 : i64, qlp.name = "d"
func.func @tie_and_pin(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %w = arith.constant dense<0.5> : tensor<8x8xf32>
  %i = tensor.empty() : tensor<1x8xf32>
  %a = linalg.matmul {qlp.name = "a", qlp.perturbation = {b4 = 9.0 : f64, b8 = 1.0 : f64}}
         ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  %b = linalg.matmul {qlp.name = "b", qlp.tie = "res", qlp.perturbation = {b4 = 2.0 : f64, b8 = 1.0 : f64}}
         ins(%a, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  %c = linalg.matmul {qlp.name = "c", qlp.tie = "res", qlp.perturbation = {b4 = 4.0 : f64, b8 = 1.0 : f64}}
         ins(%b, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  %d = linalg.matmul {qlp.name = "d", qlp.bits = 8 : i64}
         ins(%c, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %d : tensor<1x8xf32>
}

// -----

// pin-first-last: four 64-weight layers, size=224 again.
//   omega at 8 / 4:  e 1 / 1.5,  f 1 / 9,  g 1 / 5,  h 1 / 1.2
// Free, h drops (+0.2). With e and h pinned to 8 bits, g drops (+4).

// CHECK-LABEL: func.func @first_last
// CHECK:         qlp.bits = 8 : i64, qlp.name = "e"
// CHECK:         qlp.bits = 8 : i64, qlp.name = "f"
// CHECK:         qlp.bits = 8 : i64, qlp.name = "g"
// CHECK:         qlp.bits = 4 : i64, qlp.name = "h"
// FIRSTLAST-LABEL: func.func @first_last
// FIRSTLAST:         qlp.bits = 8 : i64, qlp.name = "e"
// FIRSTLAST:         qlp.bits = 8 : i64, qlp.name = "f"
// FIRSTLAST:         qlp.bits = 4 : i64, qlp.name = "g"
// FIRSTLAST:         qlp.bits = 8 : i64, qlp.name = "h"
func.func @first_last(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %w = arith.constant dense<0.5> : tensor<8x8xf32>
  %i = tensor.empty() : tensor<1x8xf32>
  %e = linalg.matmul {qlp.name = "e", qlp.perturbation = {b4 = 1.5 : f64, b8 = 1.0 : f64}}
         ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  %f = linalg.matmul {qlp.name = "f", qlp.perturbation = {b4 = 9.0 : f64, b8 = 1.0 : f64}}
         ins(%e, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  %g = linalg.matmul {qlp.name = "g", qlp.perturbation = {b4 = 5.0 : f64, b8 = 1.0 : f64}}
         ins(%f, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  %h = linalg.matmul {qlp.name = "h", qlp.perturbation = {b4 = 1.2 : f64, b8 = 1.0 : f64}}
         ins(%g, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %h : tensor<1x8xf32>
}

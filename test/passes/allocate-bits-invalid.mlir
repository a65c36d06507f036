// Invalid inputs and infeasible budgets of qlp-allocate-bits. Each split is
// one failure, named after it. Budgets come from the RUN line, so the
// budget-free errors below hold with or without them.
//
// RUN: quant-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 size=40 latency=1.5})'

// One 64-weight layer: 32 bytes at 4 bits, 64 at 8, so size=40 forces 4
// bits; but 4 bits is slower than 8 here (no int4 hardware: 2.0 units
// against 1.0), so latency=1.5 forces 8. Each budget is reported with its
// smallest value under the other.

// expected-error @+2 {{size budget of 40 bytes cannot be met: the smallest size under the other constraints is 64 bytes}}
// expected-error @+1 {{latency budget of 1.5 cannot be met: the smallest latency under the other constraints is 2}}
module @size_and_latency_conflict {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    %y = linalg.matmul {qlp.name = "fc", qlp.latency = {b4 = 2.0 : f64, b8 = 1.0 : f64}}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %y : tensor<1x8xf32>
  }
}

// -----

// Pinned to 8 bits, the 128-weight layer alone takes 128 bytes.
// expected-error @+1 {{size budget of 40 bytes cannot be met: the smallest size under the other constraints is 128 bytes}}
module @size_below_pins {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x16xf32> {
    %w = arith.constant dense<0.5> : tensor<8x16xf32>
    %i = tensor.empty() : tensor<1x16xf32>
    %y = linalg.matmul {qlp.name = "fc", qlp.bits = 8 : i64, qlp.latency = {b8 = 1.0 : f64}}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x16xf32>) outs(%i : tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

module @missing_latency_table {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    // expected-error @+1 {{'linalg.matmul' op layer 'fc' has no qlp.latency table, which the latency budget needs}}
    %y = linalg.matmul {qlp.name = "fc"}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %y : tensor<1x8xf32>
  }
}

// -----

module @latency_table_missing_width {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    // expected-error @+1 {{'linalg.matmul' op qlp.latency of layer 'fc' has no entry b4 for candidate width 4}}
    %y = linalg.matmul {qlp.name = "fc", qlp.latency = {b8 = 1.0 : f64}}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %y : tensor<1x8xf32>
  }
}

// -----

module @tie_without_common_width {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    // expected-note @+1 {{first layer of tie "res"}}
    %a = linalg.matmul {qlp.name = "a", qlp.tie = "res", qlp.bits = 8 : i64, qlp.latency = {b8 = 0.5 : f64}}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    // expected-error @+1 {{'linalg.matmul' op layer 'b' is tied to 'a' (qlp.tie = "res") but the tied layers have no candidate width in common}}
    %b = linalg.matmul {qlp.name = "b", qlp.tie = "res", qlp.bit_choices = array<i64: 2, 4>, qlp.latency = {b2 = 0.1 : f64, b4 = 0.2 : f64}}
           ins(%a, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %b : tensor<1x8xf32>
  }
}

// -----

module @pin_outside_bit_choices {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    // expected-error @+1 {{'linalg.matmul' op layer 'fc' is pinned to 8 bits by qlp.bits, which its qlp.bit_choices does not list}}
    %y = linalg.matmul {qlp.name = "fc", qlp.bits = 8 : i64, qlp.bit_choices = array<i64: 2, 4>}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %y : tensor<1x8xf32>
  }
}

// -----

module @bad_bit_choices {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    // expected-error @+1 {{'linalg.matmul' op qlp.bit_choices of layer 'fc' must list distinct widths from {1, 2, 4, 8}, got [3, 8]}}
    %y = linalg.matmul {qlp.name = "fc", qlp.bit_choices = array<i64: 3, 8>}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %y : tensor<1x8xf32>
  }
}

// -----

module @bad_pinned_width {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    // expected-error @+1 {{'linalg.matmul' op qlp.bits of layer 'fc' must be an integer in {1, 2, 4, 8}, got 16 : i64}}
    %y = linalg.matmul {qlp.name = "fc", qlp.bits = 16 : i64}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %y : tensor<1x8xf32>
  }
}

// -----

module @bad_perturbation_key {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    // expected-error @+1 {{'linalg.matmul' op qlp.perturbation of layer 'fc' has key 'b3'; expected b1, b2, b4 or b8}}
    %y = linalg.matmul {qlp.name = "fc", qlp.latency = {b4 = 1.0 : f64, b8 = 1.0 : f64}, qlp.perturbation = {b3 = 1.0 : f64, b4 = 1.0 : f64, b8 = 0.1 : f64}}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %y : tensor<1x8xf32>
  }
}

// -----

module @negative_perturbation {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    // expected-error @+1 {{'linalg.matmul' op qlp.perturbation of layer 'fc' entry b4 must be a finite non-negative number, got -1.000000e+00 : f64}}
    %y = linalg.matmul {qlp.name = "fc", qlp.latency = {b4 = 1.0 : f64, b8 = 1.0 : f64}, qlp.perturbation = {b4 = -1.0 : f64, b8 = 0.1 : f64}}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %y : tensor<1x8xf32>
  }
}

// -----

module @bad_hessian_trace {
  func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %i = tensor.empty() : tensor<1x8xf32>
    // expected-error @+1 {{'linalg.matmul' op qlp.hessian_trace of layer 'fc' must be a finite non-negative number, got "big"}}
    %y = linalg.matmul {qlp.name = "fc", qlp.hessian_trace = "big"}
           ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
    return %y : tensor<1x8xf32>
  }
}

// -----

module @integer_weights_without_perturbation {
  func.func @f(%x: tensor<2x8xi8>) -> tensor<2x4xi32> {
    %w = arith.constant dense<3> : tensor<8x4xi8>
    // expected-error @+1 {{'qlp.matmul' op layer 'fc' has integer weights, so ||Q_b(W) - W||^2 cannot be measured; give it qlp.perturbation or pin it with qlp.bits}}
    %y = qlp.matmul %x, %w {qlp.name = "fc", qlp.latency = {b4 = 1.0 : f64, b8 = 1.0 : f64}} : tensor<2x8xi8>, tensor<8x4xi8> -> tensor<2x4xi32>
    return %y : tensor<2x4xi32>
  }
}

// -----

module @non_finite_weight {
  func.func @f(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
    %w = arith.constant dense<[[1.0, 0x7F800000], [0.5, -1.0]]> : tensor<2x2xf32>
    %i = tensor.empty() : tensor<1x2xf32>
    // expected-error @+1 {{'linalg.matmul' op has a non-finite weight value (INF) at flat index 1}}
    %y = linalg.matmul {qlp.name = "fc", qlp.latency = {b4 = 1.0 : f64, b8 = 1.0 : f64}}
           ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%i : tensor<1x2xf32>) -> tensor<1x2xf32>
    return %y : tensor<1x2xf32>
  }
}

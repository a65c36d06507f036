// Every kind of violation --qlp-verify-integer-only reports.
//
// RUN: quant-opt %s --qlp-verify-integer-only -split-input-file -verify-diagnostics

func.func @float_op(%a: tensor<4xi32>) -> tensor<4xi32> {
  %c = arith.constant dense<1.5> : tensor<4xf32>
  // expected-error @-1 {{'arith.constant' op has result #0 of float type 'tensor<4xf32>'; an integer-only program has no float values}}
  %d = arith.addf %c, %c : tensor<4xf32>
  return %a : tensor<4xi32>
}

// -----

func.func @sitofp(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'arith.sitofp' op converts 'tensor<4xi32>' to 'tensor<4xf32>'; an integer-only program has no integer<->float casts}}
  %f = arith.sitofp %a : tensor<4xi32> to tensor<4xf32>
  return %a : tensor<4xi32>
}

// -----

func.func @fptosi(%a: f32) -> i32 {
  // expected-error @-1 {{'func.func' op argument #0 has float type 'f32'; an integer-only program has no float values}}
  %i = arith.fptosi %a : f32 to i32
  return %i : i32
}

// -----

func.func @divsi(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'arith.divsi' op is an integer division; an integer-only program uses only integer multiply, add and shift}}
  %q = arith.divsi %a, %b : tensor<4xi32>
  return %q : tensor<4xi32>
}

// -----

func.func @remui(%a: i32, %b: i32) -> i32 {
  // expected-error @+1 {{'arith.remui' op is an integer division}}
  %r = arith.remui %a, %b : i32
  return %r : i32
}

// -----

func.func @tosa_intdiv(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'tosa.intdiv' op is an integer division}}
  %q = tosa.intdiv %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %q : tensor<4xi32>
}

// -----

func.func @dcast(%a: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'quant.dcast' op converts 'tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>' to 'tensor<4xf32>'}}
  %f = quant.dcast %a : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  return %a : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @float_result(%a: tensor<4xi8>) -> tensor<4xf32> {
  // expected-error @-1 {{'func.func' op result #0 has float type 'tensor<4xf32>'}}
  %f = tosa.cast %a : (tensor<4xi8>) -> tensor<4xf32>
  return %f : tensor<4xf32>
}

// -----

func.func @tosa_cast(%a: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'tosa.cast' op converts 'tensor<4xi8>' to 'tensor<4xbf16>'}}
  %f = tosa.cast %a : (tensor<4xi8>) -> tensor<4xbf16>
  return %a : tensor<4xi8>
}

// -----

// Ops nested in regions are checked too.
func.func @float_in_loop(%n: index) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (i32) {
    // expected-error @+1 {{'arith.sitofp' op converts 'i32' to 'f32'}}
    %f = arith.sitofp %acc : i32 to f32
    %j = arith.fptosi %f : f32 to i32
    scf.yield %j : i32
  }
  return %r : i32
}

// -----

// Only the first violation is reported.
func.func @first_only(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'arith.divui' op is an integer division}}
  %q = arith.divui %a, %b : tensor<4xi32>
  %f = arith.uitofp %q : tensor<4xi32> to tensor<4xf32>
  return %q : tensor<4xi32>
}

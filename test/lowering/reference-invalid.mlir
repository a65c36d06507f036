// RUN: quant-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(qlp-lower-to-reference)'

// A quantized argument that something other than quant.scast reads cannot
// become its storage type.
func.func @boundary_arg_used_by_dcast(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf32> {
  // expected-error @+1 {{'quant.dcast' op uses a quantized function argument of type 'tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>', which qlp-lower-to-reference converts to its storage type; only quant.scast, func.return and func.call may use it}}
  %f = quant.dcast %x : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  return %f : tensor<4xf32>
}

// -----

func.func @boundary_result_from_qcast(%f: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{'quant.qcast' op produces a quantized value of type 'tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>' that crosses a function boundary; qlp-lower-to-reference expects it to come from quant.scast of the storage integers}}
  %q = quant.qcast %f : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  // expected-note @+1 {{used here}}
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @boundary_cast_also_used_inside(%x: tensor<4xi8>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  %q = quant.scast %x : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{'quant.dcast' op uses a quantized boundary value}}
  %f = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

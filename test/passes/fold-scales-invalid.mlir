// RUN: quant-opt %s --split-input-file --qlp-fold-scales --verify-diagnostics

// A ratio of 2^40 needs a negative shift.
func.func @ratio_too_large(%acc: tensor<4xi32>) -> tensor<4xi8> {
  %0 = quant.scast %acc : tensor<4xi32> to tensor<4x!quant.uniform<i32:f32, 1099511627776.0>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i32:f32, 1099511627776.0>> to tensor<4xf32>
  // expected-error @below {{cannot fold the scale ratio into a dyadic rescale: dyadic scale 1099511627776 is too large}}
  %2 = quant.qcast %1 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  %3 = quant.scast %2 : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xi8>
  return %3 : tensor<4xi8>
}

// -----

// A ratio below 2^-63 rounds to a zero multiplier.
func.func @ratio_too_small(%acc: tensor<4xi32>) -> tensor<4xi8> {
  %0 = quant.scast %acc : tensor<4xi32> to tensor<4x!quant.uniform<i32:f32, 1.0e-30>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i32:f32, 1.0e-30>> to tensor<4xf32>
  // expected-error @below {{cannot fold the scale ratio into a dyadic rescale}}
  %2 = quant.qcast %1 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  %3 = quant.scast %2 : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xi8>
  return %3 : tensor<4xi8>
}

// -----

// Quantizing a float input is not a scale chain between integers.
func.func @float_source(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @below {{ends a scale chain that qlp-fold-scales does not recognize}}
  %0 = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  %1 = quant.scast %0 : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xi8>
  return %1 : tensor<4xi8>
}

// -----

func.func @dangling_dequantize(%x: tensor<4xi8>) -> tensor<4xf32> {
  %0 = quant.scast %x : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  // expected-error @below {{is not part of a scale chain that ends in a quant.qcast}}
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

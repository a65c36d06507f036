// tosa.rescale in every rounding mode TOSA defines exactly, per channel
// along the innermost dimension, from i32 and from i8 with a zero point.
// Column j of %x uses (multiplier, shift) = (1610612736, 40), (1518500250,
// 33), (1073741824, 31), (1431655765, 20); int8-tosa-exec.py draws each
// column's values inside the TOSA specification's valid range for its
// shift (|x| < 2^(shift-1), result within i32), including its ends and the
// values whose product lies exactly halfway between two results.
func.func @rescales(%x: tensor<32x4xi32>, %b: tensor<32x4xi8>)
    -> (tensor<32x4xi32>, tensor<32x4xi32>, tensor<32x4xi8>, tensor<32x4xi32>) {
  %m = "tosa.const"() {values = dense<[1610612736, 1518500250, 1073741824, 1431655765]> : tensor<4xi32>} : () -> tensor<4xi32>
  %s = "tosa.const"() {values = dense<[40, 33, 31, 20]> : tensor<4xi8>} : () -> tensor<4xi8>
  %zp32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %zp8 = "tosa.const"() {values = dense<-7> : tensor<1xi8>} : () -> tensor<1xi8>
  %single = tosa.rescale %x, %m, %s, %zp32, %zp32 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true}
      : (tensor<32x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi32>) -> tensor<32x4xi32>
  %double = tosa.rescale %x, %m, %s, %zp32, %zp32 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true}
      : (tensor<32x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi32>) -> tensor<32x4xi32>
  %narrow = tosa.rescale %x, %m, %s, %zp32, %zp8 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true}
      : (tensor<32x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<32x4xi8>
  // i8 with an input zero point, widened with a 16-bit multiplier
  // (scale32 = false): 0.75 = 24576 * 2^-15.
  %m16 = "tosa.const"() {values = dense<24576> : tensor<1xi16>} : () -> tensor<1xi16>
  %s16 = "tosa.const"() {values = dense<15> : tensor<1xi8>} : () -> tensor<1xi8>
  %zpb = "tosa.const"() {values = dense<-128> : tensor<1xi8>} : () -> tensor<1xi8>
  %widened = tosa.rescale %b, %m16, %s16, %zpb, %zp32 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = false}
      : (tensor<32x4xi8>, tensor<1xi16>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<32x4xi32>
  return %single, %double, %narrow, %widened : tensor<32x4xi32>, tensor<32x4xi32>, tensor<32x4xi8>, tensor<32x4xi32>
}

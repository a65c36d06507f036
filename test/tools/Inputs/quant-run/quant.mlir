// Functions with !quant.uniform types at the boundary, for
// quant-run-quant.test. Their bodies reinterpret the storage with
// quant.scast and compute on plain integers.

!qin = !quant.uniform<i8:f32, 5.000000e-01:3>
!qout = !quant.uniform<i8:f32, 2.500000e-01:-2>

// Re-expresses x (scale 0.5, zp 3) at scale 0.25, zp -2:
// q_out = 2 * (q_in - 3) - 2 = 2 * q_in - 8, in wrapping i8 arithmetic.
func.func @requant(%x: tensor<2x6x!qin>) -> tensor<2x6x!qout> {
  %q = quant.scast %x : tensor<2x6x!qin> to tensor<2x6xi8>
  %two = arith.constant dense<2> : tensor<2x6xi8>
  %eight = arith.constant dense<8> : tensor<2x6xi8>
  %d = arith.muli %q, %two : tensor<2x6xi8>
  %r = arith.subi %d, %eight : tensor<2x6xi8>
  %y = quant.scast %r : tensor<2x6xi8> to tensor<2x6x!qout>
  return %y : tensor<2x6x!qout>
}

!qaxis = !quant.uniform<u8:f32:1, {5.000000e-01:128, 2.500000e-01:0}>

// Per-axis, unsigned storage: passes the stored values through.
func.func @per_axis(%x: tensor<3x2x!qaxis>) -> tensor<3x2x!qaxis> {
  return %x : tensor<3x2x!qaxis>
}

!narrow = !quant.uniform<i8<-127:127>:f32, 1.000000e+00>

// A narrow storage range.
func.func @narrow(%x: tensor<4x!narrow>) -> tensor<4x!narrow> {
  return %x : tensor<4x!narrow>
}

// A sub-byte storage type has no .npy dtype.
func.func @sub_byte(%x: tensor<4x!quant.uniform<i4:f32, 1.0>>) -> tensor<4x!quant.uniform<i4:f32, 1.0>> {
  return %x : tensor<4x!quant.uniform<i4:f32, 1.0>>
}

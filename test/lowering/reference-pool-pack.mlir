// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-lower-to-reference)' | FileCheck %s

// max_pool2d: padding with the type's minimum, a maxsi window reduction
// whose window trip counts come from a shape-only [KH, KW] operand.

// CHECK-DAG:   #[[$WIN_IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d4, d2 * 2 + d5, d3)>
// CHECK-DAG:   #[[$WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG:   #[[$WIN_OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @max_pool
// CHECK-SAME:    (%[[X:.*]]: tensor<1x16x16x8xi8>)
// CHECK:         %[[MIN:.*]] = arith.constant -128 : i8
// CHECK:         %[[P:.*]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:           tensor.yield %[[MIN]] : i8
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%{{.*}} : i8)
// CHECK:         %[[SHAPE:.*]] = tensor.empty() : tensor<3x3xi8>
// CHECK:         linalg.generic {indexing_maps = [#[[$WIN_IN]], #[[$WIN]], #[[$WIN_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME:        ins(%[[P]], %[[SHAPE]] : tensor<1x18x18x8xi8>, tensor<3x3xi8>) outs(%[[INIT]] : tensor<1x8x8x8xi8>)
// CHECK:         ^bb0(%[[V:.*]]: i8, %{{.*}}: i8, %[[ACC:.*]]: i8):
// CHECK:           %[[M:.*]] = arith.maxsi %[[ACC]], %[[V]] : i8
// CHECK:           linalg.yield %[[M]] : i8
func.func @max_pool(%x: tensor<1x16x16x8xi8>) -> tensor<1x8x8x8xi8> {
  %y = qlp.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1]
      : tensor<1x16x16x8xi8> -> tensor<1x8x8x8xi8>
  return %y : tensor<1x8x8x8xi8>
}

// -----

// avg_pool2d: pad with input_zp, sum x - input_zp in i32, then count the
// in-bounds window positions from linalg.index and apply TOSA's reciprocal.

// CHECK-LABEL: func.func @avg_pool
// CHECK:         %[[ZP:.*]] = arith.constant 3 : i16
// CHECK:         %[[P:.*]] = tensor.pad %{{.*}} low[0, 1, 0, 0] high[0, 0, 1, 0]
// CHECK:           tensor.yield %[[ZP]] : i16
// CHECK:         %[[SUM:.*]] = linalg.generic
// CHECK-SAME:        ins(%[[P]], %{{.*}} : tensor<1x9x9x4xi16>, tensor<2x2xi8>) outs(%{{.*}} : tensor<1x8x8x4xi32>)
// CHECK:           arith.extsi %{{.*}} : i16 to i32
// CHECK:           arith.subi
// CHECK:           arith.addi
// CHECK:         linalg.generic
// CHECK-SAME:        ins(%[[SUM]] : tensor<1x8x8x4xi32>) outs(%{{.*}} : tensor<1x8x8x4xi16>)
// CHECK:           linalg.index 1 : index
// CHECK:           arith.minsi
// CHECK:           %[[ROWS:.*]] = arith.subi
// CHECK:           linalg.index 2 : index
// CHECK:           arith.minsi
// CHECK:           %[[COLS:.*]] = arith.subi
// CHECK:           %[[COUNT:.*]] = arith.muli %[[ROWS]], %[[COLS]] : index
// CHECK:           %[[C64:.*]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK:           %[[CLZ:.*]] = math.ctlz %{{.*}} : i32
// CHECK:           arith.constant 1073741825 : i64
// CHECK:           %[[MUL:.*]] = arith.divsi %{{.*}}, %[[C64]] : i64
// CHECK:           arith.muli %{{.*}}, %[[MUL]] : i64
// CHECK:           arith.shrsi
// CHECK:           arith.constant -7 : i64
// CHECK:           arith.trunci %{{.*}} : i64 to i16
func.func @avg_pool(%x: tensor<1x8x8x4xi16>) -> tensor<1x8x8x4xi16> {
  %y = qlp.avg_pool2d %x zp 3 kernel [2, 2] padding [1, 0, 0, 1] output_zp -7
      : tensor<1x8x8x4xi16> -> tensor<1x8x8x4xi16>
  return %y : tensor<1x8x8x4xi16>
}

// -----

// pack: zero-pad the axis to whole words, then OR each field in at
// f * bits, reducing over the field index.

// CHECK-DAG:   #[[$PIN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1 * 2 + d2)>
// CHECK-DAG:   #[[$FIELD:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG:   #[[$POUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @pack_i4
// CHECK:         %[[Z:.*]] = arith.constant 0 : i4
// CHECK:         %[[P:.*]] = tensor.pad %{{.*}} low[0, 0] high[0, 1]
// CHECK:           tensor.yield %[[Z]] : i4
// CHECK:         } : tensor<64x99xi4> to tensor<64x100xi4>
// CHECK:         linalg.generic {indexing_maps = [#[[$PIN]], #[[$FIELD]], #[[$POUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK:         ^bb0(%[[V:.*]]: i4, %{{.*}}: i8, %[[W:.*]]: i8):
// CHECK:           %[[F:.*]] = arith.extui %[[V]] : i4 to i8
// CHECK:           %[[IDX:.*]] = linalg.index 2 : index
// CHECK:           %[[BITS:.*]] = arith.constant 4 : i8
// CHECK:           %[[I8:.*]] = arith.index_cast %[[IDX]] : index to i8
// CHECK:           %[[OFF:.*]] = arith.muli %[[I8]], %[[BITS]] : i8
// CHECK:           %[[SH:.*]] = arith.shli %[[F]], %[[OFF]] : i8
// CHECK:           %[[OR:.*]] = arith.ori %[[W]], %[[SH]] : i8
// CHECK:           linalg.yield %[[OR]] : i8
func.func @pack_i4(%w: tensor<64x99xi4>) -> tensor<64x50xi8> {
  %p = qlp.pack %w axis 1 : tensor<64x99xi4> -> tensor<64x50xi8>
  return %p : tensor<64x50xi8>
}

// -----

// unpack: value j reads word j floordiv F and truncates the shifted word.

// CHECK-DAG:   #[[$UIN:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32)>
// CHECK-LABEL: func.func @unpack_binary
// CHECK-SAME:    -> tensor<16x100xi1>
// CHECK:         linalg.generic {indexing_maps = [#[[$UIN]], #{{.*}}]
// CHECK:           %[[J:.*]] = linalg.index 1 : index
// CHECK:           %[[C32:.*]] = arith.constant 32 : index
// CHECK:           %[[F:.*]] = arith.remui %[[J]], %[[C32]] : index
// CHECK:           %[[SH:.*]] = arith.shrui
// CHECK:           %[[BIT:.*]] = arith.trunci %[[SH]] : i32 to i1
// CHECK:           linalg.yield %[[BIT]] : i1
func.func @unpack_binary(%p: tensor<16x4xi32>) -> tensor<16x100x!qlp.binary> {
  %w = qlp.unpack %p axis 1 : tensor<16x4xi32> -> tensor<16x100x!qlp.binary>
  return %w : tensor<16x100x!qlp.binary>
}

// -----

// CHECK-DAG:   #[[$UIN0:.*]] = affine_map<(d0, d1) -> (d0 floordiv 4, d1)>
// CHECK-LABEL: func.func @unpack_i2_axis0
// CHECK:         linalg.generic {indexing_maps = [#[[$UIN0]], #{{.*}}]
// CHECK:           arith.trunci %{{.*}} : i8 to i2
func.func @unpack_i2_axis0(%p: tensor<3x5xi8>) -> tensor<9x5xi2> {
  %w = qlp.unpack %p axis 0 : tensor<3x5xi8> -> tensor<9x5xi2>
  return %w : tensor<9x5xi2>
}

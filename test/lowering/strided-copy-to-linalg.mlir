// RUN: quant-opt %s --qlp-strided-copy-to-linalg | FileCheck %s

// Copies from or into a strided view become linalg.copy (loops, or a GPU
// kernel, instead of the memrefCopy runtime call); contiguous copies stay.

// CHECK-LABEL: func.func @copies
// CHECK-SAME: (%[[A:.*]]: memref<4x8xi8>, %[[B:.*]]: memref<2x4xi8>, %[[C:.*]]: memref<4x8xi8>)
// CHECK: %[[VIEW:.*]] = memref.subview %[[A]][1, 2] [2, 4] [1, 1]
// CHECK: linalg.copy ins(%[[VIEW]] : memref<2x4xi8, strided<[8, 1], offset: 10>>) outs(%[[B]] : memref<2x4xi8>)
// CHECK: linalg.copy ins(%[[B]] : memref<2x4xi8>) outs(%[[VIEW]] : memref<2x4xi8, strided<[8, 1], offset: 10>>)
// CHECK: memref.copy %[[A]], %[[C]] : memref<4x8xi8> to memref<4x8xi8>
// CHECK-NOT: memref.copy
func.func @copies(%a: memref<4x8xi8>, %b: memref<2x4xi8>, %c: memref<4x8xi8>) {
  %view = memref.subview %a[1, 2] [2, 4] [1, 1] : memref<4x8xi8> to memref<2x4xi8, strided<[8, 1], offset: 10>>
  memref.copy %view, %b : memref<2x4xi8, strided<[8, 1], offset: 10>> to memref<2x4xi8>
  memref.copy %b, %view : memref<2x4xi8> to memref<2x4xi8, strided<[8, 1], offset: 10>>
  memref.copy %a, %c : memref<4x8xi8> to memref<4x8xi8>
  return
}

// Nested regions too: the pass runs on any op.
// CHECK-LABEL: func.func @in_loop
// CHECK: scf.for
// CHECK: linalg.copy
func.func @in_loop(%a: memref<4x8xi8>, %b: memref<2x4xi8>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %view = memref.subview %a[%i, 0] [2, 4] [1, 2] : memref<4x8xi8> to memref<2x4xi8, strided<[8, 2], offset: ?>>
    memref.copy %view, %b : memref<2x4xi8, strided<[8, 2], offset: ?>> to memref<2x4xi8>
  }
  return
}

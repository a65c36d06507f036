// RUN: quant-opt %s --qlp-gpu-record-inputs --buffer-results-to-out-params=modify-public-functions | FileCheck %s

// The argument count of each public function with a body is recorded before
// buffer-results-to-out-params appends the out-params, so that the placement
// knows that %arg2 is an output. Private functions and declarations get no
// attribute: their arguments are never copied.

// CHECK-LABEL: func.func @public
// CHECK-SAME:    (%{{.*}}: memref<4xi8>, %{{.*}}: i32, %{{.*}}: memref<4xi8>)
// CHECK-SAME:    attributes {qlp.num_inputs = 2 : i64}
// CHECK-LABEL: func.func private @private
// CHECK-NOT:     qlp.num_inputs
// CHECK-LABEL: func.func private @external
// CHECK-NOT:     qlp.num_inputs
func.func @public(%x: memref<4xi8>, %n: i32) -> memref<4xi8> {
  %y = memref.alloc() : memref<4xi8>
  memref.copy %x, %y : memref<4xi8> to memref<4xi8>
  return %y : memref<4xi8>
}
func.func private @private(%x: memref<4xi8>) -> memref<4xi8> {
  return %x : memref<4xi8>
}
func.func private @external(memref<4xi8>)

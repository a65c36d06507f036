// RUN: quant-opt %s --qlp-prepare-c-interface --split-input-file | FileCheck %s

// A public function gets the C interface; its tensor arguments become
// read-only for bufferization (the caller's buffers), other arguments are
// untouched, and qlp.* metadata is dropped from arguments and results.

// CHECK-LABEL: func.func @model
// CHECK-SAME: (%{{.*}}: tensor<4xi8> {bufferization.writable = false}, %{{.*}}: i32, %{{.*}}: memref<4xi8>) -> (tensor<4xi8> {other.keep})
// CHECK-SAME: attributes {llvm.emit_c_interface}
func.func @model(%x: tensor<4xi8> {qlp.range = [-1.0, 1.0], qlp.name = "x"}, %n: i32, %m: memref<4xi8>)
    -> (tensor<4xi8> {qlp.name = "y", other.keep}) {
  return %x : tensor<4xi8>
}

// -----

// An explicit annotation by the producer of the IR wins.

// CHECK-LABEL: func.func @writable
// CHECK-SAME: (%{{.*}}: tensor<4xi8> {bufferization.writable = true})
func.func @writable(%x: tensor<4xi8> {bufferization.writable = true}) -> tensor<4xi8> {
  return %x : tensor<4xi8>
}

// -----

// Private functions and declarations keep their signatures (callers in the
// module pass their own buffers), but lose qlp.* metadata too.

// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%{{.*}}: tensor<4xi8>) -> tensor<4xi8> {
// CHECK-LABEL: func.func private @external
// CHECK-SAME: (tensor<4xi8>)
// CHECK-NOT: llvm.emit_c_interface
// CHECK-NOT: qlp.
func.func private @helper(%x: tensor<4xi8> {qlp.name = "x"}) -> tensor<4xi8> {
  return %x : tensor<4xi8>
}
func.func private @external(tensor<4xi8> {qlp.name = "x"})

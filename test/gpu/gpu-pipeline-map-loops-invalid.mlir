// RUN: quant-opt %s --split-input-file --verify-diagnostics --qlp-gpu-map-loops
// RUN: not quant-opt %s --split-input-file --qlp-gpu-map-loops=block-size=0 2>&1 | FileCheck %s --check-prefix=SIZE
// RUN: not quant-opt %s --split-input-file --qlp-gpu-map-loops=block-size=2048 2>&1 | FileCheck %s --check-prefix=SIZE

// SIZE: error: qlp-gpu-map-loops: block-size must be in [1, 1024], got {{0|2048}}{{$}}

// The mapping runs on buffers: a linalg op on tensors has no memory to give
// the kernel.
func.func @on_tensors(%x: tensor<8xi8>) -> tensor<8xi8> {
  %e = tensor.empty() : tensor<8xi8>
  // expected-error @below {{'linalg.copy' op must be bufferized before it is mapped to a GPU kernel}}
  %y = linalg.copy ins(%x : tensor<8xi8>) outs(%e : tensor<8xi8>) -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

// No linalg lowering makes an scf.parallel with reductions; one written by
// hand is not mapped silently to racing threads.
func.func @reduction(%x: memref<8xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0 : i32
  // expected-error @below {{'scf.parallel' op with reductions cannot be mapped to a GPU kernel by qlp-gpu-map-loops}}
  %sum = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%zero) -> i32 {
    %v = memref.load %x[%i] : memref<8xi32>
    scf.reduce (%v : i32) {
    ^bb0(%a: i32, %b: i32):
      %s = arith.addi %a, %b : i32
      scf.reduce.return %s : i32
    }
  }
  return %sum : i32
}

// RUN: quant-opt %s --split-input-file --qlp-gpu-place-buffers | FileCheck %s

// Allocations a kernel uses become gpu.alloc/gpu.dealloc (also when freed
// through the base buffer of a view, as the ownership-based deallocation
// does); inputs are copied to the device at entry, out-params (from
// qlp.num_inputs on) back to the host before returning; a buffer no kernel
// uses stays on the host; qlp.num_inputs is consumed.

// CHECK-LABEL: func.func @block
// CHECK-SAME:    (%[[X:.*]]: memref<4x8xi8>, %[[OUT:.*]]: memref<32xi8>)
// CHECK-NOT:     qlp.num_inputs
// CHECK:         %[[DOUT:.*]] = gpu.alloc () : memref<32xi8>
// CHECK-NOT:     gpu.memcpy %[[DOUT]], %[[OUT]]
// CHECK:         %[[DX:.*]] = gpu.alloc () : memref<4x8xi8>
// CHECK-NEXT:    gpu.memcpy %[[DX]], %[[X]] : memref<4x8xi8>, memref<4x8xi8>
// CHECK:         %[[HOST:.*]] = memref.alloca() : memref<2xindex>
// CHECK:         memref.store %{{.*}}, %[[HOST]]
// CHECK:         %[[TMP:.*]] = gpu.alloc () : memref<32xi8>
// CHECK:         %[[FLAT:.*]] = memref.collapse_shape %[[DX]]
// CHECK:         gpu.launch_func @k::@add {{.*}} args(%[[FLAT]] : memref<32xi8>, %[[TMP]] : memref<32xi8>)
// CHECK:         gpu.launch_func @k::@add {{.*}} args(%[[TMP]] : memref<32xi8>, %[[DOUT]] : memref<32xi8>)
// CHECK:         %[[BASE:.*]], %{{.*}}, %{{.*}}, %{{.*}} = memref.extract_strided_metadata %[[TMP]]
// CHECK:         gpu.dealloc %[[BASE]] : memref<i8>
// CHECK:         memref.load %[[HOST]]
// CHECK:         gpu.dealloc %[[DX]] : memref<4x8xi8>
// CHECK-NEXT:    gpu.memcpy %[[OUT]], %[[DOUT]] : memref<32xi8>, memref<32xi8>
// CHECK-NEXT:    gpu.dealloc %[[DOUT]] : memref<32xi8>
// CHECK-NEXT:    return
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @add(%a: memref<32xi8>, %b: memref<32xi8>) kernel { gpu.return }
  }
  func.func @block(%x: memref<4x8xi8>, %out: memref<32xi8>) -> index
      attributes {qlp.num_inputs = 1 : i64} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %host = memref.alloca() : memref<2xindex>
    memref.store %c1, %host[%c0] : memref<2xindex>
    %tmp = memref.alloc() : memref<32xi8>
    %flat = memref.collapse_shape %x [[0, 1]] : memref<4x8xi8> into memref<32xi8>
    gpu.launch_func @k::@add blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%flat : memref<32xi8>, %tmp : memref<32xi8>)
    gpu.launch_func @k::@add blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%tmp : memref<32xi8>, %out : memref<32xi8>)
    %base, %off, %size, %stride = memref.extract_strided_metadata %tmp : memref<32xi8> -> memref<i8>, index, index, index
    memref.dealloc %base : memref<i8>
    %r = memref.load %host[%c0] : memref<2xindex>
    return %r : index
  }
}

// -----

// Constant globals a kernel reads are copied to the device once per call, at
// the function entry, and freed at every return; host reads keep using the
// host global. memref.copy between device and host buffers becomes
// gpu.memcpy (the driver infers the direction), with a cast when only the
// static shapes differ. Without qlp.num_inputs an argument is both copied in
// and out.

// CHECK-LABEL: func.func @globals
// CHECK-SAME:    (%[[IO:.*]]: memref<?xi32>, %[[C:.*]]: i1)
// CHECK-DAG:     %[[G:.*]] = memref.get_global @weights : memref<4xi32>
// CHECK-DAG:     %[[DG:.*]] = gpu.alloc () : memref<4xi32>
// CHECK-DAG:     gpu.memcpy %[[DG]], %[[G]] : memref<4xi32>, memref<4xi32>
// CHECK-DAG:     %[[DIM:.*]] = memref.dim %[[IO]], %{{.*}} : memref<?xi32>
// CHECK-DAG:     %[[DIO:.*]] = gpu.alloc (%[[DIM]]) : memref<?xi32>
// CHECK-DAG:     gpu.memcpy %[[DIO]], %[[IO]] : memref<?xi32>, memref<?xi32>
// CHECK:         %[[HG:.*]] = memref.get_global @weights : memref<4xi32>
// CHECK:         memref.load %[[HG]]
// CHECK:         gpu.launch_func @k::@use {{.*}} args(%[[DG]] : memref<4xi32>, %[[DIO]] : memref<?xi32>)
// CHECK:         %[[CAST:.*]] = memref.cast %[[DG]] : memref<4xi32> to memref<?xi32>
// CHECK-NEXT:    gpu.memcpy %[[DIO]], %[[CAST]] : memref<?xi32>, memref<?xi32>
// CHECK:         cf.cond_br %[[C]], ^[[B1:.*]], ^[[B2:.*]]
// CHECK:       ^[[B1]]:
// CHECK-NEXT:    gpu.dealloc %[[DG]]
// CHECK-NEXT:    gpu.memcpy %[[IO]], %[[DIO]]
// CHECK-NEXT:    gpu.dealloc %[[DIO]]
// CHECK-NEXT:    return
// CHECK:       ^[[B2]]:
// CHECK-NEXT:    gpu.dealloc %[[DG]]
// CHECK-NEXT:    gpu.memcpy %[[IO]], %[[DIO]]
// CHECK-NEXT:    gpu.dealloc %[[DIO]]
// CHECK-NEXT:    return
module attributes {gpu.container_module} {
  memref.global "private" constant @weights : memref<4xi32> = dense<[1, 2, 3, 4]>
  gpu.module @k {
    gpu.func @use(%w: memref<4xi32>, %io: memref<?xi32>) kernel { gpu.return }
  }
  func.func @globals(%io: memref<?xi32>, %c: i1) -> i32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %g = memref.get_global @weights : memref<4xi32>
    %first = memref.load %g[%c0] : memref<4xi32>
    gpu.launch_func @k::@use blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%g : memref<4xi32>, %io : memref<?xi32>)
    %dyn = memref.cast %g : memref<4xi32> to memref<?xi32>
    memref.copy %dyn, %io : memref<?xi32> to memref<?xi32>
    cf.cond_br %c, ^a, ^b
  ^a:
    return %first : i32
  ^b:
    return %first : i32
  }
}

// -----

// A private function's buffer argument that a kernel uses is a device
// buffer its callers provide: the caller's allocation moves to the device
// and the callee gets no copies. A copy between two host buffers stays.

// CHECK-LABEL: func.func private @layer
// CHECK-SAME:    (%[[A:.*]]: memref<8xi8>)
// CHECK-NOT:     gpu.alloc
// CHECK-NOT:     gpu.memcpy
// CHECK:         gpu.launch_func @k::@fill {{.*}} args(%[[A]] : memref<8xi8>)
// CHECK-NEXT:    return
// CHECK-LABEL: func.func @main
// CHECK:         %[[D:.*]] = gpu.alloc () : memref<8xi8>
// CHECK:         call @layer(%[[D]])
// CHECK:         %[[H1:.*]] = memref.alloc() : memref<8xi8>
// CHECK:         %[[H2:.*]] = memref.alloc() : memref<8xi8>
// CHECK:         memref.copy %[[H1]], %[[H2]]
// CHECK:         gpu.dealloc %[[D]]
// CHECK:         memref.dealloc %[[H1]]
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<8xi8>) kernel { gpu.return }
  }
  func.func private @layer(%a: memref<8xi8>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xi8>)
    return
  }
  func.func @main() {
    %a = memref.alloc() : memref<8xi8>
    func.call @layer(%a) : (memref<8xi8>) -> ()
    %h1 = memref.alloc() : memref<8xi8>
    %h2 = memref.alloc() : memref<8xi8>
    memref.copy %h1, %h2 : memref<8xi8> to memref<8xi8>
    memref.dealloc %a : memref<8xi8>
    memref.dealloc %h1 : memref<8xi8>
    memref.dealloc %h2 : memref<8xi8>
    return
  }
}

// RUN: quant-opt %s --split-input-file --verify-diagnostics --qlp-gpu-place-buffers

// A host op that reads or writes a buffer a GPU kernel uses is an error that
// names the op, with a note at the buffer: the buffer lives in GPU memory
// after the placement, and executing the op would crash or read garbage.

module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<16xi32>) kernel { gpu.return }
  }
  func.func @host_load(%i: index) -> i32 {
    %c1 = arith.constant 1 : index
    // expected-note @below {{this buffer is in GPU memory because a GPU kernel uses it}}
    %a = memref.alloc() : memref<16xi32>
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<16xi32>)
    // expected-error @below {{'memref.load' op accesses a buffer in GPU memory on the host; only GPU kernels and gpu.memcpy may read or write it (operand #0)}}
    %v = memref.load %a[%i] : memref<16xi32>
    memref.dealloc %a : memref<16xi32>
    return %v : i32
  }
}

// -----

// Through a view: the store writes the same device buffer.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<4x4xi32>) kernel { gpu.return }
  }
  func.func @host_store_view(%x: i32) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    // expected-note @below {{this buffer is in GPU memory because a GPU kernel uses it}}
    %a = memref.alloc() : memref<16xi32>
    %v = memref.expand_shape %a [[0, 1]] output_shape [4, 4] : memref<16xi32> into memref<4x4xi32>
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%v : memref<4x4xi32>)
    %s = memref.subview %a[4] [4] [1] : memref<16xi32> to memref<4xi32, strided<[1], offset: 4>>
    // expected-error @below {{'memref.store' op accesses a buffer in GPU memory on the host}}
    memref.store %x, %s[%c0] : memref<4xi32, strided<[1], offset: 4>>
    memref.dealloc %a : memref<16xi32>
    return
  }
}

// -----

// A linalg op left on the host (not mapped to a kernel) touches the device
// copy of the argument.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<8xi8>) kernel { gpu.return }
  }
  // expected-note @below {{this buffer is in GPU memory because a GPU kernel uses it}}
  func.func @host_linalg(%a: memref<8xi8>, %b: memref<8xi8>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xi8>)
    // expected-error @below {{'linalg.copy' op accesses a buffer in GPU memory on the host}}
    linalg.copy ins(%a : memref<8xi8>) outs(%b : memref<8xi8>)
    return
  }
}

// -----

// An external function would read the device buffer on the host.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<8xi8>) kernel { gpu.return }
  }
  func.func private @print(memref<8xi8>)
  func.func @external_call() {
    %c1 = arith.constant 1 : index
    // expected-note @below {{this buffer is in GPU memory because a GPU kernel uses it}}
    %a = memref.alloc() : memref<8xi8>
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xi8>)
    // expected-error @below {{'func.call' op passes a buffer in GPU memory to an external function, which would access it on the host (operand #0)}}
    func.call @print(%a) : (memref<8xi8>) -> ()
    memref.dealloc %a : memref<8xi8>
    return
  }
}

// -----

// A public function of the module that reads its argument on the host
// cannot take a device buffer.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<8xi8>) kernel { gpu.return }
  }
  func.func @reader(%a: memref<8xi8>) -> i8 {
    %c0 = arith.constant 0 : index
    %v = memref.load %a[%c0] : memref<8xi8>
    return %v : i8
  }
  func.func @caller() -> i8 {
    %c1 = arith.constant 1 : index
    // expected-note @below {{this buffer is in GPU memory because a GPU kernel uses it}}
    %a = memref.alloc() : memref<8xi8>
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xi8>)
    // expected-error @below {{'func.call' op passes a buffer in GPU memory to a function that uses that argument on the host (operand #0)}}
    %v = func.call @reader(%a) : (memref<8xi8>) -> i8
    memref.dealloc %a : memref<8xi8>
    return %v : i8
  }
}

// -----

// memref.alloca cannot move to the GPU.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<8xi8>) kernel { gpu.return }
  }
  func.func @alloca() {
    %c1 = arith.constant 1 : index
    // expected-error @below {{'memref.alloca' op produces a buffer that a GPU kernel uses, but it cannot be placed in GPU memory (only memref.alloc, memref.get_global of a constant and function arguments can)}}
    %a = memref.alloca() : memref<8xi8>
    // expected-note @below {{used on the GPU here}}
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xi8>)
    return
  }
}

// -----

// Writes of a kernel to a copy of a mutable global would be lost.
module attributes {gpu.container_module} {
  memref.global "private" @state : memref<8xi8> = dense<0>
  gpu.module @k {
    gpu.func @fill(%a: memref<8xi8>) kernel { gpu.return }
  }
  func.func @mutable_global() {
    %c1 = arith.constant 1 : index
    // expected-error @below {{'memref.get_global' op reads the mutable global @state in a GPU kernel; only constant globals are copied to the GPU (writes to the copy would be lost)}}
    %g = memref.get_global @state : memref<8xi8>
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%g : memref<8xi8>)
    return
  }
}

// -----

// A buffer that flows through a loop-carried value has no single allocation
// to move.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<8xi8>) kernel { gpu.return }
  }
  func.func @loop_carried(%a: memref<8xi8>, %b: memref<8xi8>, %n: index) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%cur = %a) -> (memref<8xi8>) {
      // expected-error @below {{'gpu.launch_func' op uses a buffer that is a block argument of 'scf.for', which cannot be placed in GPU memory}}
      gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%cur : memref<8xi8>)
      scf.yield %b : memref<8xi8>
    }
    return
  }
}

// -----

// A strided copy of a device buffer on the host should have become a copy
// kernel before the placement.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<4x4xi8>) kernel { gpu.return }
  }
  func.func @strided_copy(%out: memref<4x2xi8>) {
    %c1 = arith.constant 1 : index
    %a = memref.alloc() : memref<4x4xi8>
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4x4xi8>)
    %s = memref.subview %a[0, 0] [4, 2] [1, 1] : memref<4x4xi8> to memref<4x2xi8, strided<[4, 1]>>
    // expected-error @below {{'memref.copy' op copies a buffer in GPU memory with a non-identity layout on the host; it should have become a copy kernel (qlp-strided-copy-to-linalg before qlp-gpu-map-loops)}}
    memref.copy %s, %out : memref<4x2xi8, strided<[4, 1]>> to memref<4x2xi8>
    memref.dealloc %a : memref<4x4xi8>
    return
  }
}

// -----

// A private function whose buffer argument a kernel uses can only be
// called directly.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @fill(%a: memref<8xi8>) kernel { gpu.return }
  }
  func.func private @callee(%a: memref<8xi8>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xi8>)
    return
  }
  func.func @indirect(%a: memref<8xi8>) {
    // expected-error @below {{'func.constant' op refers to @callee, whose buffer argument #0 a GPU kernel uses; only direct calls can pass it a device buffer}}
    %f = func.constant @callee : (memref<8xi8>) -> ()
    func.call_indirect %f(%a) : (memref<8xi8>) -> ()
    return
  }
}

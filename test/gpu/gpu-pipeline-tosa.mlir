// RUN: quant-opt %s --qlp-gpu-pipeline="chip=sm_90 kernels=false to-llvm=false" | FileCheck %s --check-prefix=MEM
// RUN: quant-opt %s --qlp-gpu-pipeline="chip=sm_90 kernels=false to-llvm=false" | sed -n '/func.func @tosa_block/,/^  }/p' | FileCheck %s --check-prefix=HOST
// RUN: quant-opt %s --qlp-gpu-pipeline="chip=sm_90 kernels=false" | FileCheck %s --check-prefix=LLVM

// An int8 TOSA file runs as is: two rescales to i32, an add, a per-channel
// DOUBLE_ROUND rescale back to i8 (its multipliers and shifts become
// constant globals), a clamp, max pooling and a concatenation (two strided
// copies into halves of the result).

// MEM-LABEL: func.func @tosa_block
// MEM-SAME:    (%[[X:.*]]: memref<1x8x8x4xi8>, %[[Y:.*]]: memref<1x8x8x4xi8>, %[[OUT:.*]]: memref<1x4x4x8xi8>)
// The per-channel constants are copied to the device once per call.
// MEM-DAG:     %[[DOUT:.*]] = gpu.alloc () : memref<1x4x4x8xi8>
// MEM-DAG:     %[[G0:.*]] = memref.get_global @{{.*}} : memref<4xi64>
// MEM-DAG:     gpu.memcpy %{{.*}}, %[[G0]] : memref<4xi64>, memref<4xi64>
// MEM-DAG:     %[[G1:.*]] = memref.get_global @{{.*}} : memref<4xi64>
// MEM-DAG:     gpu.memcpy %{{.*}}, %[[G1]] : memref<4xi64>, memref<4xi64>
// MEM-DAG:     gpu.memcpy %[[DX:.*]], %[[X]] : memref<1x8x8x4xi8>, memref<1x8x8x4xi8>
// MEM-DAG:     gpu.memcpy %[[DY:.*]], %[[Y]] : memref<1x8x8x4xi8>, memref<1x8x8x4xi8>
// MEM:         gpu.launch_func @{{.*}} args({{.*}}, %[[DX]] : memref<1x8x8x4xi8>, %[[XA:.*]] : memref<1x8x8x4xi32>)
// MEM:         gpu.launch_func @{{.*}} args({{.*}}, %[[DY]] : memref<1x8x8x4xi8>, %[[YA:.*]] : memref<1x8x8x4xi32>)
// MEM:         gpu.launch_func @{{.*}} args({{.*}}, %[[XA]] : memref<1x8x8x4xi32>, %[[YA]] : memref<1x8x8x4xi32>, %[[SUM:.*]] : memref<1x8x8x4xi32>)
// MEM:         gpu.launch_func @{{.*}} args({{.*}}, %[[SUM]] : memref<1x8x8x4xi32>, %{{.*}} : memref<4xi64>, %{{.*}} : memref<4xi64>, %[[R:.*]] : memref<1x8x8x4xi8>)
// MEM:         gpu.launch_func @{{.*}} args({{.*}}, %[[P:.*]] : memref<1x4x4x4xi8>)
// MEM:         gpu.launch_func @{{.*}} args({{.*}}, %{{.*}} : memref<1x8x8x4xi8>, %{{.*}} : memref<2x2xi8>, %[[P]] : memref<1x4x4x4xi8>)
// The concatenation: copy kernels into strided views of the device result.
// MEM:         %[[LO:.*]] = memref.subview %[[DOUT]][0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1]
// MEM:         gpu.launch_func @{{.*}} args({{.*}}, %[[P]] : memref<1x4x4x4xi8>, %[[LO]] : memref<1x4x4x4xi8, strided<[128, 32, 8, 1]>>)
// MEM:         %[[HI:.*]] = memref.subview %[[DOUT]][0, 0, 0, 4] [1, 4, 4, 4] [1, 1, 1, 1]
// MEM:         gpu.launch_func @{{.*}} args({{.*}}, %[[P]] : memref<1x4x4x4xi8>, %[[HI]] : memref<1x4x4x4xi8, strided<[128, 32, 8, 1], offset: 4>>)
// MEM:         gpu.memcpy %[[OUT]], %[[DOUT]]
// MEM:         return
// MEM-COUNT-8: gpu.module

// HOST:       func.func @tosa_block
// HOST-NOT:   {{memref\.(alloc|load|store|copy|dealloc)|linalg\.|scf\.|affine\.|tosa\.|gpu\.launch }}
// HOST:       return

// LLVM-LABEL: llvm.func @tosa_block(
// LLVM-COUNT-8: gpu.launch_func <%{{.*}} : !llvm.ptr>
// LLVM:       llvm.call @mgpuStreamSynchronize
// LLVM-COUNT-8: gpu.binary @{{.*}}#nvvm.target<chip = "sm_90", features = "+ptx80">{{.*}}.target sm_90
// LLVM-NOT:   gpu.binary

func.func @tosa_block(%x: tensor<1x8x8x4xi8>, %y: tensor<1x8x8x4xi8>) -> tensor<1x4x4x8xi8> {
  %zp8 = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %zp0_8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %zp32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %mc = "tosa.const"() {values = dense<[1073741824, 1518500250, 1073741824, 2147483647]> : tensor<4xi32>} : () -> tensor<4xi32>
  %sc = "tosa.const"() {values = dense<[31, 32, 33, 38]> : tensor<4xi8>} : () -> tensor<4xi8>
  %xa = tosa.rescale %x, %m, %s, %zp8, %zp32 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x8x8x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x8x8x4xi32>
  %ya = tosa.rescale %y, %m, %s, %zp0_8, %zp32 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x8x8x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x8x8x4xi32>
  %sum = tosa.add %xa, %ya : (tensor<1x8x8x4xi32>, tensor<1x8x8x4xi32>) -> tensor<1x8x8x4xi32>
  %r = tosa.rescale %sum, %mc, %sc, %zp32, %zp8 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true} : (tensor<1x8x8x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x8x4xi8>
  %c = tosa.clamp %r {min_val = -3 : i8, max_val = 127 : i8} : (tensor<1x8x8x4xi8>) -> tensor<1x8x8x4xi8>
  %p = tosa.max_pool2d %c {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi8>
  %cat = tosa.concat %p, %p {axis = 3 : i32} : (tensor<1x4x4x4xi8>, tensor<1x4x4x4xi8>) -> tensor<1x4x4x8xi8>
  return %cat : tensor<1x4x4x8xi8>
}

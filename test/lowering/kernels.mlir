// RUN: quant-opt %s --qlp-lower-to-kernels --split-input-file | FileCheck %s

// A layer with constant int4 weights, its rescale and its clamp become one
// kernel call: the plan is a 64-byte aligned constant, the activations are
// read in place, the narrow result is written to a fresh buffer.

// CHECK: memref.global "private" constant @__qlp_kernel_plan_0 : memref<[[SIZE:[0-9]+]]xi8> = dense<"0x514C504B{{[0-9A-F]*}}"> {alignment = 64 : i64}
// CHECK: func.func private @qlp_rt_gemm(!llvm.ptr, !llvm.ptr, i64, i64, !llvm.ptr, i64) -> i32
// CHECK-LABEL: func.func @fused
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xi8>) -> tensor<?x16xi8>
// CHECK-NOT: qlp.
// CHECK: %[[PLAN:.*]] = memref.get_global @__qlp_kernel_plan_0 : memref<[[SIZE]]xi8>
// CHECK: %[[A:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<?x64xi8> to memref<?x64xi8>
// CHECK: %[[M:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[C:.*]] = memref.alloc(%[[M]]) {alignment = 64 : i64} : memref<?x16xi8>
// CHECK: memref.extract_aligned_pointer_as_index %[[PLAN]]
// CHECK: memref.extract_aligned_pointer_as_index %[[A]]
// CHECK: memref.extract_aligned_pointer_as_index %[[C]]
// CHECK: %[[S:.*]] = call @qlp_rt_gemm(%{{.*}}, %{{.*}}, %{{.*}}, %c64_i64, %{{.*}}, %c16_i64)
// CHECK: %[[OK:.*]] = arith.cmpi eq, %[[S]], %c0_i32
// CHECK: cf.assert %[[OK]], "qlp_rt_gemm rejected its arguments"
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[C]] restrict writable : memref<?x16xi8> to tensor<?x16xi8>
// CHECK-NOT: qlp.
// CHECK: return %[[R]]
func.func @fused(%x: tensor<?x64xi8>) -> tensor<?x16xi8> {
  %w = arith.constant dense<-3> : tensor<64x16xi4>
  %y = qlp.matmul %x lhs_zp -128, %w bias dense<7> : tensor<16xi32>
      : tensor<?x64xi8>, tensor<64x16xi4> -> tensor<?x16xi32>
  %z = qlp.rescale %y scale <[1073741824], [36]> output_zp 5
      rounding double_round : tensor<?x16xi32> -> tensor<?x16xi8>
  %c = qlp.clamp %z [0, 100] : tensor<?x16xi8>
  return %c : tensor<?x16xi8>
}

// -----

// A rescale with a second user is not fused: the kernel stores the i32
// accumulators and the rescale stays for the reference lowering.

// CHECK-LABEL: func.func @shared_accumulator
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<4x8xi32>
// CHECK: call @qlp_rt_gemm
// CHECK: %[[ACC:.*]] = bufferization.to_tensor {{.*}} : memref<4x8xi32> to tensor<4x8xi32>
// CHECK: qlp.rescale %[[ACC]]
// CHECK: return %[[ACC]], %{{.*}}
func.func @shared_accumulator(%x: tensor<4x32xi8>) -> (tensor<4x8xi32>, tensor<4x8xi8>) {
  %w = arith.constant dense<1> : tensor<32x8xi8>
  %y = qlp.matmul %x, %w : tensor<4x32xi8>, tensor<32x8xi8> -> tensor<4x8xi32>
  %z = qlp.rescale %y scale <[1073741824], [31]> rounding single_round
      : tensor<4x8xi32> -> tensor<4x8xi8>
  return %y, %z : tensor<4x8xi32>, tensor<4x8xi8>
}

// -----

// A per-channel scale along the rows cannot be applied per output column:
// the kernel stops at the accumulators.

// CHECK-LABEL: func.func @row_scale
// CHECK: call @qlp_rt_gemm
// CHECK: qlp.rescale
func.func @row_scale(%x: tensor<2x32xi8>) -> tensor<2x8xi8> {
  %w = arith.constant dense<1> : tensor<32x8xi8>
  %y = qlp.matmul %x, %w : tensor<2x32xi8>, tensor<32x8xi8> -> tensor<2x8xi32>
  %z = qlp.rescale %y scale <[1073741824, 1073741824], [31, 32], axis = 0>
      rounding single_round : tensor<2x8xi32> -> tensor<2x8xi8>
  return %z : tensor<2x8xi8>
}

// -----

// Weights computed at run time, batches of more than one and grouped
// convolutions have no kernel: they keep their qlp ops.

// CHECK-LABEL: func.func @no_kernel
// CHECK-NOT: call
// CHECK: qlp.matmul
// CHECK: qlp.matmul
// CHECK: qlp.conv2d
func.func @no_kernel(%x: tensor<4x32xi8>, %v: tensor<32x8xi8>,
                     %b: tensor<2x4x32xi8>, %i: tensor<1x6x6x4xi8>)
    -> (tensor<4x8xi32>, tensor<2x4x8xi32>, tensor<1x4x4x4xi32>) {
  %y = qlp.matmul %x, %v : tensor<4x32xi8>, tensor<32x8xi8> -> tensor<4x8xi32>
  %w = arith.constant dense<1> : tensor<2x32x8xi8>
  %z = qlp.matmul %b, %w : tensor<2x4x32xi8>, tensor<2x32x8xi8> -> tensor<2x4x8xi32>
  %d = arith.constant dense<1> : tensor<3x3x1x4xi8>
  %c = qlp.conv2d %i, %d layout hwcf groups 4
      : tensor<1x6x6x4xi8>, tensor<3x3x1x4xi8> -> tensor<1x4x4x4xi32>
  return %y, %z, %c : tensor<4x8xi32>, tensor<2x4x8xi32>, tensor<1x4x4x4xi32>
}

// -----

// TOSA-style batched matmul with a batch of one reads its rows from
// dimension 1.

// CHECK-LABEL: func.func @batch_of_one
// CHECK: %[[M:.*]] = tensor.dim %{{.*}}, %c1 : tensor<1x?x32xi8>
// CHECK: memref.alloc(%[[M]]) {alignment = 64 : i64} : memref<1x?x8xi32>
// CHECK: %[[ROWS:.*]] = tensor.dim %{{.*}}, %c1
// CHECK: %[[ROWS64:.*]] = arith.index_cast %[[ROWS]] : index to i64
// CHECK: call @qlp_rt_gemm(%{{.*}}, %{{.*}}, %[[ROWS64]], %c32_i64, %{{.*}}, %c8_i64)
func.func @batch_of_one(%x: tensor<1x?x32xi8>) -> tensor<1x?x8xi32> {
  %w = arith.constant dense<1> : tensor<1x32x8xi8>
  %y = qlp.matmul %x, %w : tensor<1x?x32xi8>, tensor<1x32x8xi8> -> tensor<1x?x8xi32>
  return %y : tensor<1x?x8xi32>
}

// -----

// Convolutions call qlp_rt_conv2d with the batch size; fhwc weights are
// transposed into the plan at compile time.

// CHECK: func.func private @qlp_rt_conv2d(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr) -> i32
// CHECK-LABEL: func.func @conv
// CHECK: memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x4x4x8xi16>
// CHECK: %[[D:.*]] = tensor.dim %{{.*}}, %c0{{.*}} : tensor<?x8x8x3xi8>
// CHECK-NEXT: %[[N:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK-NEXT: call @qlp_rt_conv2d(%{{.*}}, %{{.*}}, %[[N]], %{{.*}}) : (!llvm.ptr, !llvm.ptr, i64, !llvm.ptr) -> i32
// CHECK-NOT: qlp.
func.func @conv(%x: tensor<?x8x8x3xi8>) -> tensor<?x4x4x8xi16> {
  %w = arith.constant dense<2> : tensor<8x3x3x3xi8>
  %y = qlp.conv2d %x zp 3, %w layout fhwc strides [2, 2] padding [1, 0, 1, 0]
      : tensor<?x8x8x3xi8>, tensor<8x3x3x3xi8> -> tensor<?x4x4x8xi32>
  %z = qlp.rescale %y scale <[1073741824], [33]> rounding tflite
      : tensor<?x4x4x8xi32> -> tensor<?x4x4x8xi16>
  return %z : tensor<?x4x4x8xi16>
}

// -----

// Binary layers read their activations in the storage type, i1, through a
// cast that the reference lowering folds away; packed binary weights are
// unpacked at compile time.

// CHECK-LABEL: func.func @binary
// CHECK: %[[B:.*]] = qlp.binarize
// CHECK: %[[I1:.*]] = builtin.unrealized_conversion_cast %[[B]] : tensor<2x64x!qlp.binary> to tensor<2x64xi1> {qlp.storage_view}
// CHECK: bufferization.to_buffer %[[I1]] read_only : tensor<2x64xi1> to memref<2x64xi1>
// CHECK: call @qlp_rt_gemm
// CHECK-NOT: qlp.unpack
// CHECK-NOT: qlp.binary_matmul
func.func @binary(%x: tensor<2x64xi8>) -> tensor<2x8xi32> {
  %b = qlp.binarize %x threshold 0 : tensor<2x64xi8> -> tensor<2x64x!qlp.binary>
  %words = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8], [-1, -2, -3, -4, -5, -6, -7, -8]]> : tensor<2x8xi32>
  %w = qlp.unpack %words axis 0 : tensor<2x8xi32> -> tensor<64x8x!qlp.binary>
  %y = qlp.binary_matmul %b, %w : tensor<2x64x!qlp.binary>, tensor<64x8x!qlp.binary> -> tensor<2x8xi32>
  return %y : tensor<2x8xi32>
}

// -----

// A binary layer's per-channel bias, the i32 tosa.add of a constant that
// qlp-quantize writes between the layer and its requantization, fuses into
// the kernel call with the rescale and the clamp. The bias is the plan's
// col_offset array, right after the 64-byte aligned header: 1000000,
// -1000000, 7, -7, 0, 1, 2, 3 as little-endian int32.

// CHECK: memref.global "private" constant @__qlp_kernel_plan_0 : memref<{{[0-9]+}}xi8> = dense<"0x514C504B{{([0-9A-F][0-9A-F])*}}40420F00C0BDF0FF07000000F9FFFFFF00000000010000000200000003000000{{[0-9A-F]*}}">
// CHECK-LABEL: func.func @binary_conv_bias
// CHECK-NOT: tosa.add
// CHECK-NOT: 1000000
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<1x4x4x8xi8>
// CHECK: call @qlp_rt_conv2d
// CHECK: %[[R:.*]] = bufferization.to_tensor {{.*}} : memref<1x4x4x8xi8> to tensor<1x4x4x8xi8>
// CHECK-NOT: tosa.add
// CHECK-NOT: qlp.
// CHECK: return %[[R]]
func.func @binary_conv_bias(%x: tensor<1x4x4x16xi8>) -> tensor<1x4x4x8xi8> {
  %b = qlp.binarize %x threshold 0 : tensor<1x4x4x16xi8> -> tensor<1x4x4x16x!qlp.binary>
  %words = arith.constant dense<[[[[5]]], [[[-3]]], [[[7]]], [[[0]]], [[[1]]], [[[-1]]], [[[99]]], [[[12345]]]]> : tensor<8x1x1x1xi32>
  %w = qlp.unpack %words axis 3 : tensor<8x1x1x1xi32> -> tensor<8x1x1x16x!qlp.binary>
  %acc = qlp.binary_conv2d %b, %w layout fhwc
      : tensor<1x4x4x16x!qlp.binary>, tensor<8x1x1x16x!qlp.binary> -> tensor<1x4x4x8xi32>
  %bias = arith.constant dense<[[[[1000000, -1000000, 7, -7, 0, 1, 2, 3]]]]> : tensor<1x1x1x8xi32>
  %sum = tosa.add %acc, %bias : (tensor<1x4x4x8xi32>, tensor<1x1x1x8xi32>) -> tensor<1x4x4x8xi32>
  %y = qlp.rescale %sum scale <[1073741824], [40]> rounding single_round
      : tensor<1x4x4x8xi32> -> tensor<1x4x4x8xi8>
  %c = qlp.clamp %y [0, 127] : tensor<1x4x4x8xi8>
  return %c : tensor<1x4x4x8xi8>
}

// -----

// The bias may be the add's first operand, and one value (every dimension
// 1) stands for all channels; a binary matmul fuses the same way. The bias
// 2^31 - 1 - K (K = 64) is the largest the kernels take.

// CHECK-LABEL: func.func @binary_matmul_bias
// CHECK: call @qlp_rt_gemm
// CHECK: bufferization.to_tensor {{.*}} : memref<2x8xi8> to tensor<2x8xi8>
// CHECK-NOT: tosa.add
// CHECK-NOT: qlp.
func.func @binary_matmul_bias(%x: tensor<2x64xi8>) -> tensor<2x8xi8> {
  %b = qlp.binarize %x threshold 0 : tensor<2x64xi8> -> tensor<2x64x!qlp.binary>
  %words = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8], [-1, -2, -3, -4, -5, -6, -7, -8]]> : tensor<2x8xi32>
  %w = qlp.unpack %words axis 0 : tensor<2x8xi32> -> tensor<64x8x!qlp.binary>
  %acc = qlp.binary_matmul %b, %w : tensor<2x64x!qlp.binary>, tensor<64x8x!qlp.binary> -> tensor<2x8xi32>
  %bias = arith.constant dense<2147483583> : tensor<1x1xi32>
  %sum = tosa.add %bias, %acc : (tensor<1x1xi32>, tensor<2x8xi32>) -> tensor<2x8xi32>
  %y = qlp.rescale %sum scale <[1073741824], [55]> rounding double_round
      : tensor<2x8xi32> -> tensor<2x8xi8>
  return %y : tensor<2x8xi8>
}

// -----

// What does not fuse keeps the reference lowering after an i32 kernel call:
// a bias past 2^31 - 1 - K (the kernel's accumulator could leave int32) and
// a bias computed at run time. The integer layers carry their bias as an
// attribute, so their tosa.add never fuses. A sum with a second user still
// takes the add into the kernel, which stores acc + bias as i32; the
// rescale of it then stays.

// CHECK-LABEL: func.func @binary_bias_not_fused
// CHECK: call @qlp_rt_gemm
// CHECK: %[[A0:.*]] = bufferization.to_tensor {{.*}} : memref<2x8xi32> to tensor<2x8xi32>
// CHECK: %[[S0:.*]] = tosa.add %[[A0]], %{{.*}}
// CHECK: %[[Y0:.*]] = qlp.rescale %[[S0]]
// CHECK-NOT: tosa.add
// CHECK: call @qlp_rt_gemm
// CHECK: %[[A1:.*]] = bufferization.to_tensor {{.*}} : memref<2x8xi32> to tensor<2x8xi32>
// CHECK-NOT: tosa.add
// CHECK: %[[Y1:.*]] = qlp.rescale %[[A1]]
// CHECK: call @qlp_rt_gemm
// CHECK: %[[A2:.*]] = bufferization.to_tensor {{.*}} : memref<2x8xi32> to tensor<2x8xi32>
// CHECK: %[[S2:.*]] = tosa.add %[[A2]], %{{.*}}
// CHECK: %[[Y2:.*]] = qlp.rescale %[[S2]]
// CHECK: call @qlp_rt_gemm
// CHECK: %[[A3:.*]] = bufferization.to_tensor {{.*}} : memref<2x8xi32> to tensor<2x8xi32>
// CHECK: %[[S3:.*]] = tosa.add %[[A3]], %{{.*}}
// CHECK: %[[Y3:.*]] = qlp.rescale %[[S3]]
// CHECK: return %[[Y0]], %[[Y1]], %[[A1]], %[[Y2]], %[[Y3]]
func.func @binary_bias_not_fused(%x: tensor<2x64xi8>, %v: tensor<1x8xi32>)
    -> (tensor<2x8xi8>, tensor<2x8xi8>, tensor<2x8xi32>, tensor<2x8xi8>, tensor<2x8xi8>) {
  %b = qlp.binarize %x threshold 0 : tensor<2x64xi8> -> tensor<2x64x!qlp.binary>
  %words = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8], [-1, -2, -3, -4, -5, -6, -7, -8]]> : tensor<2x8xi32>
  %w = qlp.unpack %words axis 0 : tensor<2x8xi32> -> tensor<64x8x!qlp.binary>
  %big = arith.constant dense<[[0, 0, 0, -2147483584, 0, 0, 0, 0]]> : tensor<1x8xi32>
  %acc0 = qlp.binary_matmul %b, %w : tensor<2x64x!qlp.binary>, tensor<64x8x!qlp.binary> -> tensor<2x8xi32>
  %sum0 = tosa.add %acc0, %big : (tensor<2x8xi32>, tensor<1x8xi32>) -> tensor<2x8xi32>
  %y0 = qlp.rescale %sum0 scale <[1073741824], [55]> rounding single_round
      : tensor<2x8xi32> -> tensor<2x8xi8>
  %small = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8]]> : tensor<1x8xi32>
  %acc1 = qlp.binary_matmul %b, %w : tensor<2x64x!qlp.binary>, tensor<64x8x!qlp.binary> -> tensor<2x8xi32>
  %sum1 = tosa.add %acc1, %small : (tensor<2x8xi32>, tensor<1x8xi32>) -> tensor<2x8xi32>
  %y1 = qlp.rescale %sum1 scale <[1073741824], [31]> rounding single_round
      : tensor<2x8xi32> -> tensor<2x8xi8>
  %acc2 = qlp.binary_matmul %b, %w : tensor<2x64x!qlp.binary>, tensor<64x8x!qlp.binary> -> tensor<2x8xi32>
  %sum2 = tosa.add %acc2, %v : (tensor<2x8xi32>, tensor<1x8xi32>) -> tensor<2x8xi32>
  %y2 = qlp.rescale %sum2 scale <[1073741824], [31]> rounding single_round
      : tensor<2x8xi32> -> tensor<2x8xi8>
  %i = arith.constant dense<1> : tensor<64x8xi8>
  %acc3 = qlp.matmul %x, %i : tensor<2x64xi8>, tensor<64x8xi8> -> tensor<2x8xi32>
  %sum3 = tosa.add %acc3, %small : (tensor<2x8xi32>, tensor<1x8xi32>) -> tensor<2x8xi32>
  %y3 = qlp.rescale %sum3 scale <[1073741824], [31]> rounding single_round
      : tensor<2x8xi32> -> tensor<2x8xi8>
  return %y0, %y1, %sum1, %y2, %y3 : tensor<2x8xi8>, tensor<2x8xi8>, tensor<2x8xi32>, tensor<2x8xi8>, tensor<2x8xi8>
}

// -----

// A result that leaves dynamic a size the layer fixes (the columns, a
// convolution's output size and channels) cannot take it from the input,
// whose sizes the kernel call copies: such layers keep the reference
// lowering, which computes every size. A dynamic row count is the input's
// and still makes a kernel call.

// CHECK-LABEL: func.func @dynamic_result_sizes
// CHECK-NOT: call @qlp_rt
// CHECK: qlp.matmul
// CHECK-NOT: call @qlp_rt
// CHECK: qlp.conv2d
// CHECK-NOT: call @qlp_rt
// CHECK: qlp.rescale
// CHECK: call @qlp_rt_gemm
// CHECK: return
func.func @dynamic_result_sizes(%x: tensor<4x32xi8>, %y: tensor<1x9x9x8xi8>, %r: tensor<?x32xi8>)
    -> (tensor<?x?xi32>, tensor<1x?x?x?xi32>, tensor<4x?xi8>, tensor<?x8xi32>) {
  %w = arith.constant dense<1> : tensor<32x8xi8>
  %a = qlp.matmul %x, %w : tensor<4x32xi8>, tensor<32x8xi8> -> tensor<?x?xi32>
  %k = arith.constant dense<2> : tensor<16x3x3x8xi8>
  %c = qlp.conv2d %y, %k layout fhwc strides [2, 2] padding [1, 1, 1, 1]
      : tensor<1x9x9x8xi8>, tensor<16x3x3x8xi8> -> tensor<1x?x?x?xi32>
  %m = qlp.matmul %x, %w : tensor<4x32xi8>, tensor<32x8xi8> -> tensor<4x8xi32>
  %q = qlp.rescale %m scale <[1073741824], [31]> rounding single_round
      : tensor<4x8xi32> -> tensor<4x?xi8>
  %d = qlp.matmul %r, %w : tensor<?x32xi8>, tensor<32x8xi8> -> tensor<?x8xi32>
  return %a, %c, %q, %d : tensor<?x?xi32>, tensor<1x?x?x?xi32>, tensor<4x?xi8>, tensor<?x8xi32>
}

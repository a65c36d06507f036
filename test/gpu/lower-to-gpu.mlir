// RUN: quant-opt %s --qlp-lower-to-gpu=chip=sm_75 --split-input-file | FileCheck %s --check-prefixes=CHECK,SM75
// RUN: quant-opt %s --qlp-lower-to-gpu=chip=sm_80 --split-input-file | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: quant-opt %s --qlp-lower-to-gpu=chip=sm_89 --split-input-file | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: quant-opt %s --qlp-lower-to-gpu=chip=sm_90 --split-input-file | FileCheck %s --check-prefixes=CHECK,SM90

// An int4 x int4 layer with a weight zero point and a per-channel rescale.
// The host program stages the activations (packed nibbles and row sums,
// needed for the weight zero point) and launches the GEMM on the packed
// weights; the narrow result comes back as a tensor. On sm_75 it runs on
// mma.sync m8n8k32 s4 with plain loads, on sm_80-sm_89 on m16n8k64 s4 fed
// by cp.async, and on sm_90, which has no int4 tensor cores, on m16n8k32 s8
// with the weights unpacked to int8 in registers (W4A8), the activations
// staged as int8. The packed weights, per-column constants and scales are
// globals of the kernel module (loaded into device memory with it), read by
// the GEMM kernel itself: the host passes only activations and results.

// CHECK: module attributes {gpu.container_module}
// CHECK-NOT: memref.global
// CHECK-LABEL: func.func @a4w4
// CHECK-SAME: (%[[X:.*]]: tensor<200x96xi4>) -> tensor<200x40xi8>
// CHECK: %[[A:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<200x96xi4> to memref<200x96xi4>
// SM75: %[[STAGED:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x16xi32>
// SM80: %[[STAGED:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x16xi32>
// SM90: %[[STAGED:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x32xi32>
// CHECK: %[[SUMS:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?xi32>
// CHECK: gpu.launch_func @qlp_kernels::@qlp_stage_0 blocks in ({{.*}}) threads in (%c256, %c1, %c1) args(%[[A]] : memref<200x96xi4>, %[[STAGED]] : {{.*}}, %[[SUMS]] : memref<?xi32>)
// CHECK: %[[C:.*]] = memref.alloc() {{.*}} : memref<200x40xi8>
// CHECK: %[[CAST:.*]] = memref.cast %[[C]] : memref<200x40xi8> to memref<?x40xi8>
// CHECK: gpu.launch_func @qlp_kernels::@qlp_gemm_0 blocks in (%c1{{.*}}, %{{.*}}, %c1) threads in (%c256{{.*}}, %c1, %c1) args(%[[STAGED]] : {{.*}}, %[[SUMS]] : memref<?xi32>, %[[CAST]] : memref<?x40xi8>)
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[C]] restrict writable
// CHECK-NOT: qlp.
// CHECK: return %[[R]]

// CHECK: gpu.module @qlp_kernels
// CHECK-NEXT: memref.global "private" constant @__qlp_gpu_0_weights : memref<128x16xi32> = dense<"0xDDDDDDDD
// CHECK-NEXT: memref.global "private" constant @__qlp_gpu_0_columns : memref<128xi32>
// CHECK-NEXT: memref.global "private" constant @__qlp_gpu_0_multipliers : memref<40xi32> = dense<[1073741824, 1073740824,
// CHECK-NEXT: memref.global "private" constant @__qlp_gpu_0_shifts : memref<40xi32> = dense<[20, 21, 22, 23, 24, 20,
// CHECK: gpu.func @qlp_stage_0(%{{.*}}: memref<200x96xi4>, %{{.*}}: memref<?x{{16|32}}xi32>, %{{.*}}: memref<?xi32>) kernel
// CHECK: gpu.shuffle xor
// CHECK: gpu.func @qlp_gemm_0(%{{.*}}: memref<?x{{16|32}}xi32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?x40xi8>)
// SM75-SAME: workgroup(%{{.*}} : memref<1x128x16xi32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x128x16xi32, #gpu.address_space<workgroup>>)
// SM80-SAME: workgroup(%{{.*}} : memref<2x128x16xi32, #gpu.address_space<workgroup>>, %{{.*}} : memref<2x128x16xi32, #gpu.address_space<workgroup>>)
// SM90-SAME: workgroup(%{{.*}} : memref<2x128x16xi32, #gpu.address_space<workgroup>>, %{{.*}} : memref<2x128x8xi32, #gpu.address_space<workgroup>>)
// CHECK-NEXT: memref.get_global @__qlp_gpu_0_weights : memref<128x16xi32>
// CHECK-NEXT: memref.get_global @__qlp_gpu_0_columns : memref<128xi32>
// CHECK-NEXT: memref.get_global @__qlp_gpu_0_multipliers : memref<40xi32>
// CHECK-NEXT: memref.get_global @__qlp_gpu_0_shifts : memref<40xi32>
// SM75-NOT: nvgpu.device_async_copy
// SM75: vector.load
// SM80: nvgpu.device_async_copy {{.*}}, 4 {bypassL1}
// SM80: nvvm.cp.async.commit.group
// SM80: nvvm.cp.async.wait.group 0
// SM90: nvgpu.device_async_copy
// CHECK: nvgpu.ldmatrix {{.*}} {numTiles = {{[124]}} : i32, transpose = false}
// SM90: arith.constant 134744072 : i32
// SM75: nvvm.mma.sync A[%{{.*}}] B[%{{.*}}] C[%{{.*}}, %{{.*}}] {{.*}}multiplicandAPtxType = #nvvm.mma_type<s4>, multiplicandBPtxType = #nvvm.mma_type<s4>, shape = #nvvm.shape<m = 8, n = 8, k = 32>
// SM80: nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<s4>, multiplicandBPtxType = #nvvm.mma_type<s4>, shape = #nvvm.shape<m = 16, n = 8, k = 64>
// SM90: nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<s8>, multiplicandBPtxType = #nvvm.mma_type<s8>, shape = #nvvm.shape<m = 16, n = 8, k = 32>
// SM80-NOT: shape = #nvvm.shape<m = 16, n = 8, k = 32>
// CHECK: gpu.return
func.func @a4w4(%x: tensor<200x96xi4>) -> tensor<200x40xi8> {
  %w = arith.constant dense<-3> : tensor<96x40xi4>
  %y = qlp.matmul %x lhs_zp 2, %w rhs_zp 1 : tensor<200x96xi4>, tensor<96x40xi4> -> tensor<200x40xi32>
  %z = qlp.rescale %y scale <[1073741824, 1073740824, 1073739824, 1073738824, 1073737824, 1073736824, 1073735824, 1073734824, 1073733824, 1073732824, 1073731824, 1073730824, 1073729824, 1073728824, 1073727824, 1073726824, 1073725824, 1073724824, 1073723824, 1073722824, 1073721824, 1073720824, 1073719824, 1073718824, 1073717824, 1073716824, 1073715824, 1073714824, 1073713824, 1073712824, 1073711824, 1073710824, 1073709824, 1073708824, 1073707824, 1073706824, 1073705824, 1073704824, 1073703824, 1073702824], [20, 21, 22, 23, 24, 20, 21, 22, 23, 24, 20, 21, 22, 23, 24, 20, 21, 22, 23, 24, 20, 21, 22, 23, 24, 20, 21, 22, 23, 24, 20, 21, 22, 23, 24, 20, 21, 22, 23, 24], axis = 1> rounding tflite : tensor<200x40xi32> -> tensor<200x40xi8>
  return %z : tensor<200x40xi8>
}

// -----

// int8 x int8 with few rows (TOSA's batch-1 matmul): narrow blocks of 16 x
// 32 with two warps and, from sm_80, a 4-stage cp.async pipeline; no row
// sums without a weight zero point. The i32 result is stored directly.

// CHECK-LABEL: func.func @a8w8_gemv
// CHECK: memref.alloc() {{.*}} : memref<1x3x33xi32>
// CHECK: memref.collapse_shape {{.*}} {{\[\[}}0, 1], [2]] : memref<1x3x33xi32> into memref<3x33xi32>
// CHECK: gpu.launch_func @qlp_kernels::@qlp_gemm_0 blocks in (%c2, %{{.*}}, %c1{{.*}}) threads in (%c64, %c1{{.*}}, %c1{{.*}})
// CHECK: gpu.func @qlp_gemm_0(%{{.*}}: memref<?x{{[0-9]+}}xi32>, %{{.*}}: memref<?x33xi32>)
// SM75-SAME: workgroup(%{{.*}} : memref<1x16x16xi32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x32x16xi32, #gpu.address_space<workgroup>>)
// SM80-SAME: workgroup(%{{.*}} : memref<4x16x16xi32, #gpu.address_space<workgroup>>, %{{.*}} : memref<4x32x16xi32, #gpu.address_space<workgroup>>)
// CHECK-NEXT: memref.get_global @__qlp_gpu_0_weights : memref<64x{{[0-9]+}}xi32>
// CHECK-NEXT: memref.get_global @__qlp_gpu_0_columns : memref<64xi32>
// SM75: shape = #nvvm.shape<m = 8, n = 8, k = 16>
// SM80: nvvm.cp.async.wait.group 2
// SM80: shape = #nvvm.shape<m = 16, n = 8, k = 32>
func.func @a8w8_gemv(%x: tensor<1x3x70xi8>) -> tensor<1x3x33xi32> {
  %w = arith.constant dense<5> : tensor<1x70x33xi8>
  %y = qlp.matmul %x lhs_zp -128, %w bias dense<3> : tensor<33xi32> : tensor<1x3x70xi8>, tensor<1x70x33xi8> -> tensor<1x3x33xi32>
  return %y : tensor<1x3x33xi32>
}

// -----

// A convolution stages its im2col rows (the input zero point in the
// padding) and runs the same GEMM kernel on [N * OH * OW][F].

// CHECK-LABEL: func.func @conv
// CHECK: gpu.launch_func @qlp_kernels::@qlp_stage_0 {{.*}} args(%{{.*}} : memref<2x9x9x5xi8>, %{{.*}} : memref<?x16xi32>)
// CHECK: memref.collapse_shape {{.*}} : memref<2x5x5x12xi8> into memref<50x12xi8>
// CHECK: gpu.launch_func @qlp_kernels::@qlp_gemm_0
// CHECK: gpu.func @qlp_stage_0(%{{.*}}: memref<2x9x9x5xi8>
// CHECK: arith.constant 3 : i32
// CHECK: gpu.func @qlp_gemm_0
func.func @conv(%x: tensor<2x9x9x5xi8>) -> tensor<2x5x5x12xi8> {
  %w = arith.constant dense<7> : tensor<12x3x3x5xi8>
  %y = qlp.conv2d %x zp 3, %w layout fhwc strides [2, 2] padding [1, 1, 1, 1] : tensor<2x9x9x5xi8>, tensor<12x3x3x5xi8> -> tensor<2x5x5x12xi32>
  %z = qlp.rescale %y scale <[1073741824], [30]> rounding single_round : tensor<2x5x5x12xi32> -> tensor<2x5x5x12xi8>
  return %z : tensor<2x5x5x12xi8>
}

// -----

// A binary convolution: its activations through their i1 storage view, 32
// per staged word (the pad value -1 as bit 1), and xor + popc on 16 x 16
// thread blocks.

// CHECK-LABEL: func.func @binary_conv
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : tensor<1x6x6x40x!qlp.binary> to tensor<1x6x6x40xi1> {{{qlp.storage_view}}}
// CHECK: gpu.launch_func @qlp_kernels::@qlp_stage_0 {{.*}} args(%{{.*}} : memref<1x6x6x40xi1>, %{{.*}} : memref<?x12xi32>)
// CHECK: gpu.launch_func @qlp_kernels::@qlp_gemm_0 blocks in (%c1{{.*}}, %{{.*}}, %c1) threads in (%c16{{.*}}, %c16{{.*}}, %c1)
// CHECK-NOT: qlp.binary_conv2d
// CHECK: gpu.func @qlp_gemm_0
// CHECK: llvm.intr.ctpop
// CHECK-NOT: nvvm.mma.sync
func.func @binary_conv(%x: tensor<1x6x6x40xi8>) -> tensor<1x6x6x8xi8> {
  %b = qlp.binarize %x threshold 0 : tensor<1x6x6x40xi8> -> tensor<1x6x6x40x!qlp.binary>
  %words = arith.constant dense<12345> : tensor<8x3x3x2xi32>
  %wb = qlp.unpack %words axis 3 : tensor<8x3x3x2xi32> -> tensor<8x3x3x40x!qlp.binary>
  %acc = qlp.binary_conv2d %b, %wb layout fhwc padding [1, 1, 1, 1] pad_value -1
      : tensor<1x6x6x40x!qlp.binary>, tensor<8x3x3x40x!qlp.binary> -> tensor<1x6x6x8xi32>
  %y = qlp.rescale %acc scale <[1073741824], [33]> rounding single_round : tensor<1x6x6x8xi32> -> tensor<1x6x6x8xi8>
  return %y : tensor<1x6x6x8xi8>
}

// -----

// A grouped convolution and a layer whose weights are not constant keep
// the reference lowering.

// CHECK-LABEL: func.func @not_lowered
// CHECK: qlp.conv2d
// CHECK: qlp.matmul
// CHECK-NOT: gpu.launch_func
func.func @not_lowered(%x: tensor<1x4x4x8xi8>, %a: tensor<4x8xi8>, %b: tensor<8x4xi8>) -> (tensor<1x4x4x8xi32>, tensor<4x4xi32>) {
  %w = arith.constant dense<1> : tensor<3x3x4x8xi8>
  %y = qlp.conv2d %x zp 0, %w layout hwcf padding [1, 1, 1, 1] groups 2 : tensor<1x4x4x8xi8>, tensor<3x3x4x8xi8> -> tensor<1x4x4x8xi32>
  %z = qlp.matmul %a, %b : tensor<4x8xi8>, tensor<8x4xi8> -> tensor<4x4xi32>
  return %y, %z : tensor<1x4x4x8xi32>, tensor<4x4xi32>
}

// -----

// Results that leave dynamic a size the layer fixes (a matmul's columns, a
// convolution's channels) keep the reference lowering: the kernel's output
// takes its dynamic sizes from the input.

// CHECK-LABEL: func.func @dynamic_result_sizes
// CHECK: qlp.matmul
// CHECK: qlp.conv2d
// CHECK-NOT: gpu.launch_func
func.func @dynamic_result_sizes(%x: tensor<16x64xi8>, %y: tensor<1x8x8x64xi8>) -> (tensor<16x?xi32>, tensor<1x8x8x?xi32>) {
  %w = arith.constant dense<1> : tensor<64x32xi8>
  %a = qlp.matmul %x, %w : tensor<16x64xi8>, tensor<64x32xi8> -> tensor<16x?xi32>
  %k = arith.constant dense<1> : tensor<32x1x1x64xi8>
  %c = qlp.conv2d %y, %k layout fhwc : tensor<1x8x8x64xi8>, tensor<32x1x1x64xi8> -> tensor<1x8x8x?xi32>
  return %a, %c : tensor<16x?xi32>, tensor<1x8x8x?xi32>
}

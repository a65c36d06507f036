// quant-translate --qlp-emit-ptx on the GPU pipeline's output for each chip:
// the PTX of every gpu.binary after a line naming it and its chip, and in it
// the tensor-core instructions the chip's kernels are built on. One layer of
// each operand kind: int4 x int4 (qlp_gemm_0), int8 x int8 (qlp_gemm_1),
// W4A8 (qlp_gemm_2) and binary (qlp_gemm_3); the elementwise program around
// them (the slice, binarize) is the generic kernel @layers_kernel.
//
// RUN: quant-opt %s --qlp-gpu-pipeline=chip=sm_75 | quant-translate --qlp-emit-ptx | FileCheck %s --check-prefixes=CHECK,SM75
// RUN: quant-opt %s --qlp-gpu-pipeline=chip=sm_80 | quant-translate --qlp-emit-ptx | FileCheck %s --check-prefixes=CHECK,SM80 -DCHIP=sm_80
// RUN: quant-opt %s --qlp-gpu-pipeline=chip=sm_86 | quant-translate --qlp-emit-ptx | FileCheck %s --check-prefixes=CHECK,SM80 -DCHIP=sm_86
// RUN: quant-opt %s --qlp-gpu-pipeline=chip=sm_89 | quant-translate --qlp-emit-ptx | FileCheck %s --check-prefixes=CHECK,SM80 -DCHIP=sm_89
// RUN: quant-opt %s --qlp-gpu-pipeline=chip=sm_90 | quant-translate --qlp-emit-ptx | FileCheck %s --check-prefixes=CHECK,SM90

// SM75:       // gpu.binary @layers_kernel, sm_75
// SM80:       // gpu.binary @layers_kernel, [[CHIP]]
// SM90:       // gpu.binary @layers_kernel, sm_90
// CHECK-NEXT: //
// CHECK:      .version 8.0
// SM75-NEXT:  .target sm_75
// SM80-NEXT:  .target [[CHIP]]
// SM90-NEXT:  .target sm_90
// CHECK:      .visible .entry layers_kernel(
// SM75:       // gpu.binary @qlp_kernels, sm_75
// SM80:       // gpu.binary @qlp_kernels, [[CHIP]]
// SM90:       // gpu.binary @qlp_kernels, sm_90

// int4 x int4: sm_75 m8n8k32, sm_80-89 m16n8k64 (fed by cp.async), sm_90
// (no int4 tensor cores) m16n8k32 s8 on activations staged as int8.
// CHECK-LABEL: .visible .entry qlp_gemm_0(
// SM75-NOT:    cp.async
// SM80:        cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// SM80:        cp.async.commit_group;
// SM90:        cp.async.commit_group;
// CHECK:       ldmatrix.sync.aligned.m8n8.x{{[124]}}.shared.b16
// SM75:        mma.sync.aligned.m8n8k32.row.col.s32.s4.s4.s32
// SM80:        mma.sync.aligned.m16n8k64.row.col.s32.s4.s4.s32
// SM90:        mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// SM75-NOT:    mma.sync.aligned.m16n8k
// SM80-NOT:    mma.sync.aligned.m16n8k32
// SM90-NOT:    .s4.s4

// int8 x int8.
// CHECK-LABEL: .visible .entry qlp_gemm_1(
// SM75:        mma.sync.aligned.m8n8k16.row.col.s32.s8.s8.s32
// SM80:        mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// SM90:        mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32

// W4A8: the packed int4 weights are sign-extended to int8 in registers
// (b | (b & 0x08080808) * 0x1E) on every chip, then int8 mma.
// CHECK-LABEL: .visible .entry qlp_gemm_2(
// CHECK:       and.b32 {{.*}}, 134744072;
// CHECK-NEXT:  mul.lo.s32 {{.*}}, 30;
// SM75:        mma.sync.aligned.m8n8k16.row.col.s32.s8.s8.s32
// SM80:        mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// SM90:        mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32

// Binary: xor and popc on 32-bit words, no tensor cores.
// CHECK-LABEL: .visible .entry qlp_gemm_3(
// CHECK-NOT:   mma.sync
// CHECK:       xor.b32
// CHECK:       popc.b32
// CHECK-NOT:   mma.sync
// CHECK-NOT:   // gpu.binary

func.func @layers(%x: tensor<20x96xi4>, %y: tensor<20x96xi8>)
    -> (tensor<20x40xi32>, tensor<20x40xi32>, tensor<20x40xi32>, tensor<20x24xi32>) {
  %w4 = arith.constant dense<-3> : tensor<96x40xi4>
  %w8 = arith.constant dense<5> : tensor<96x40xi8>
  %words = arith.constant dense<12345> : tensor<2x24xi32>
  %wb = qlp.unpack %words axis 0 : tensor<2x24xi32> -> tensor<64x24x!qlp.binary>
  %a4w4 = qlp.matmul %x lhs_zp 0, %w4 rhs_zp 0 : tensor<20x96xi4>, tensor<96x40xi4> -> tensor<20x40xi32>
  %a8w8 = qlp.matmul %y lhs_zp 0, %w8 rhs_zp 0 : tensor<20x96xi8>, tensor<96x40xi8> -> tensor<20x40xi32>
  %a8w4 = qlp.matmul %y lhs_zp 0, %w4 rhs_zp 0 : tensor<20x96xi8>, tensor<96x40xi4> -> tensor<20x40xi32>
  %s = tensor.extract_slice %y[0, 0] [20, 64] [1, 1] : tensor<20x96xi8> to tensor<20x64xi8>
  %b = qlp.binarize %s threshold 0 : tensor<20x64xi8> -> tensor<20x64x!qlp.binary>
  %bin = qlp.binary_matmul %b, %wb : tensor<20x64x!qlp.binary>, tensor<64x24x!qlp.binary> -> tensor<20x24xi32>
  return %a4w4, %a8w8, %a8w4, %bin : tensor<20x40xi32>, tensor<20x40xi32>, tensor<20x40xi32>, tensor<20x24xi32>
}

// RUN: quant-opt %s --qlp-gpu-pipeline="kernels=false to-llvm=false" | FileCheck %s --check-prefix=MEM
// RUN: quant-opt %s --qlp-gpu-pipeline="kernels=false to-llvm=false" | sed -n '/func.func @block/,/^  }/p' | FileCheck %s --check-prefix=HOST
// RUN: quant-opt %s --qlp-gpu-pipeline="kernels=false" | FileCheck %s --check-prefix=LLVM
// RUN: quant-opt %s --qlp-gpu-pipeline="chip=sm_90 kernels=false" | FileCheck %s --check-prefix=SM90

// A residual block without matmul/conv in qlp IR: rescale, add, clamp and
// max pooling on static shapes. With kernels=false every op goes through the
// generic mapping, so each one becomes an outlined kernel launched on
// device buffers.

// With to-llvm=false the program stops on memrefs: the host function only
// allocates device buffers, copies the inputs in, launches one kernel per op
// (plus the pooling's fill) and copies the result out.
// MEM:       module attributes {gpu.container_module}
// MEM-LABEL: func.func @block
// MEM-SAME:    (%[[ACC:.*]]: memref<1x8x8x16xi32>, %[[RES:.*]]: memref<1x8x8x16xi8>, %[[OUT:.*]]: memref<1x4x4x16xi8>)
// MEM-SAME:    attributes {llvm.emit_c_interface}
// MEM-NOT:     qlp.num_inputs
// MEM-DAG:     %[[DOUT:.*]] = gpu.alloc () : memref<1x4x4x16xi8>
// MEM-DAG:     %[[DRES:.*]] = gpu.alloc () : memref<1x8x8x16xi8>
// MEM-DAG:     gpu.memcpy %[[DRES]], %[[RES]] : memref<1x8x8x16xi8>, memref<1x8x8x16xi8>
// MEM-DAG:     %[[DACC:.*]] = gpu.alloc () : memref<1x8x8x16xi32>
// MEM-DAG:     gpu.memcpy %[[DACC]], %[[ACC]] : memref<1x8x8x16xi32>, memref<1x8x8x16xi32>
// MEM:         %[[R:.*]] = gpu.alloc () : memref<1x8x8x16xi8>
// MEM:         gpu.launch_func @[[RESCALE:.*]]::@{{.*}} blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1) args({{.*}}, %[[DACC]] : memref<1x8x8x16xi32>, %[[R]] : memref<1x8x8x16xi8>)
// MEM:         %[[S:.*]] = gpu.alloc () : memref<1x8x8x16xi8>
// MEM:         gpu.launch_func @[[ADD:.*]]::@{{.*}} args({{.*}}, %[[R]] : memref<1x8x8x16xi8>, %[[DRES]] : memref<1x8x8x16xi8>, %[[S]] : memref<1x8x8x16xi8>)
// MEM:         %[[C:.*]] = gpu.alloc () : memref<1x8x8x16xi8>
// MEM:         gpu.launch_func @[[CLAMP:.*]]::@{{.*}} args({{.*}}, %[[S]] : memref<1x8x8x16xi8>, %[[C]] : memref<1x8x8x16xi8>)
// MEM:         gpu.launch_func @[[FILL:.*]]::@{{.*}} args({{.*}}, %[[DOUT]] : memref<1x4x4x16xi8>)
// MEM:         gpu.launch_func @[[POOL:.*]]::@{{.*}} args({{.*}}, %[[C]] : memref<1x8x8x16xi8>, %{{.*}} : memref<2x2xi8>, %[[DOUT]] : memref<1x4x4x16xi8>)
// MEM-NOT:     gpu.launch_func
// MEM:         gpu.dealloc %[[R]]
// MEM:         gpu.memcpy %[[OUT]], %[[DOUT]] : memref<1x4x4x16xi8>, memref<1x4x4x16xi8>
// MEM-NEXT:    gpu.dealloc %[[DOUT]]
// MEM-NEXT:    return
// Nothing else runs on the host: no loops, no linalg, no host allocation
// and no access to a buffer outside a kernel or gpu.memcpy.
// HOST:       func.func @block
// HOST-NOT:   {{memref\.(alloc|load|store|copy|dealloc)|linalg\.|scf\.|affine\.|gpu\.launch }}
// HOST:       return

// The kernels: one thread per element, the rescale computing in i64.
// MEM:       gpu.module @[[RESCALE]]
// MEM:         gpu.func @{{.*}}(%{{.*}}) kernel
// MEM:           gpu.block_id x
// MEM:           gpu.thread_id x
// MEM:           memref.load %{{.*}} : memref<1x8x8x16xi32>
// MEM:           arith.extsi %{{.*}} : i32 to i64
// MEM:           arith.trunci %{{.*}} : i64 to i8
// MEM:           memref.store
// MEM:       gpu.module @[[ADD]]
// MEM:       gpu.module @[[CLAMP]]
// MEM:       gpu.module @[[FILL]]
// MEM:       gpu.module @[[POOL]]
// MEM:           scf.for
// MEM:             scf.for
// MEM:               arith.maxsi

// The whole pipeline: each kernel module becomes a gpu.binary with PTX for
// sm_80 (PTX ISA 8.0), and the host calls the GPU runtime on one stream.
// LLVM:       module attributes {gpu.container_module}
// LLVM-NOT:   func.func
// LLVM-NOT:   gpu.alloc
// LLVM-NOT:   gpu.memcpy
// LLVM-NOT:   unrealized_conversion_cast
// LLVM-LABEL: llvm.func @block(
// LLVM:         %[[STREAM:.*]] = llvm.call @mgpuStreamCreate()
// LLVM:         llvm.call @mgpuMemAlloc({{.*}}, %[[STREAM]], {{.*}})
// LLVM:         llvm.call @mgpuMemcpy({{.*}}, %[[STREAM]])
// LLVM:         gpu.launch_func <%[[STREAM]] : !llvm.ptr> @[[K0:.*]]::@{{.*}} blocks in
// LLVM-COUNT-4: gpu.launch_func <%[[STREAM]] : !llvm.ptr>
// LLVM:         llvm.call @mgpuMemFree({{.*}}, %[[STREAM]])
// LLVM:         llvm.call @mgpuMemcpy(%{{.*}}, %{{.*}}, %{{.*}}, %[[STREAM]])
// LLVM:         llvm.call @mgpuStreamSynchronize(%[[STREAM]])
// LLVM-NEXT:    llvm.call @mgpuStreamDestroy(%[[STREAM]])
// LLVM-NEXT:    llvm.return
// LLVM-LABEL: llvm.func @_mlir_ciface_block
// LLVM:       gpu.binary @[[K0]] [#gpu.object<#nvvm.target<chip = "sm_80", features = "+ptx80">, {{.*}}assembly = "{{.*}}.version 8.0{{.*}}.target sm_80{{.*}}.entry
// LLVM-COUNT-4: gpu.binary @{{.*}}.target sm_80

// SM90:       gpu.binary @{{.*}}#nvvm.target<chip = "sm_90", features = "+ptx80">{{.*}}.target sm_90
// SM90-NOT:   sm_80

func.func @block(%acc: tensor<1x8x8x16xi32>, %res: tensor<1x8x8x16xi8>) -> tensor<1x4x4x16xi8> {
  %r = qlp.rescale %acc zp 0 scale <[1073741824], [35]> output_zp 0
      rounding single_round : tensor<1x8x8x16xi32> -> tensor<1x8x8x16xi8>
  %s = qlp.add %r zp 0 scale <[1073741824], [30]>, %res scale <[1518500250], [31]>
      output_zp 0 rounding single_round
      : tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8> -> tensor<1x8x8x16xi8>
  %c = qlp.clamp %s [0, 127] : tensor<1x8x8x16xi8>
  %p = qlp.max_pool2d %c kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0]
      : tensor<1x8x8x16xi8> -> tensor<1x4x4x16xi8>
  return %p : tensor<1x4x4x16xi8>
}

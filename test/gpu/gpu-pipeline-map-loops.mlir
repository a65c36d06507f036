// RUN: quant-opt %s --split-input-file --qlp-gpu-map-loops | FileCheck %s
// RUN: quant-opt %s --split-input-file --qlp-gpu-map-loops=block-size=128 --convert-parallel-loops-to-gpu --canonicalize | FileCheck %s --check-prefix=LAUNCH

// A 4-D elementwise op becomes one scf.parallel over all 4 x 8 x 8 x 16
// elements (collapsed, so that no dimension is left sequential and
// consecutive threads read consecutive channels), tiled by the block size
// with a guard instead of min/max bounds, the tile loop mapped to block x
// and the intra-tile loop to thread x: 4096 / 128 = 32 blocks of 128
// threads.

// CHECK-LABEL: func.func @elementwise
// CHECK:         %[[N:.*]] = arith.muli %{{.*}}, %c16{{.*}} : index
// CHECK:         %[[B256:.*]] = arith.muli %{{.*}}, %c256 : index
// CHECK:         scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[N]]) step (%[[B256]])
// CHECK:           scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[B256]])
// CHECK:             %[[I:.*]] = arith.addi %[[T]], %[[B]]
// CHECK:             %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[N]]
// CHECK:             scf.if %{{.*}}
// CHECK:               arith.remsi %[[I]]
// CHECK:               memref.load
// CHECK:               arith.maxsi
// CHECK:               memref.store
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NOT:     linalg.
// LAUNCH-LABEL: func.func @elementwise
// LAUNCH-DAG:     %[[C32:.*]] = arith.constant 32 : index
// LAUNCH-DAG:     %[[C128:.*]] = arith.constant 128 : index
// LAUNCH:         gpu.launch blocks({{.*}}) in ({{.*}} = %[[C32]], {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %[[C128]], {{.*}} = %c1, {{.*}} = %c1)
// LAUNCH-NOT:     scf.parallel
func.func @elementwise(%x: memref<4x8x8x16xi8>, %y: memref<4x8x8x16xi8>) {
  %c0 = arith.constant 0 : i8
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<4x8x8x16xi8>) outs(%y : memref<4x8x8x16xi8>) {
  ^bb0(%a: i8, %b: i8):
    %m = arith.maxsi %a, %c0 : i8
    linalg.yield %m : i8
  }
  return
}

// -----

// Reductions after the parallel dimensions stay sequential loops in each
// thread: one thread per row.

// CHECK-LABEL: func.func @matvec
// CHECK:         scf.parallel
// CHECK:           scf.parallel
// CHECK:             scf.if
// CHECK:               scf.for
// CHECK:                 arith.muli
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x
// LAUNCH-LABEL: func.func @matvec
// LAUNCH:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128,
// LAUNCH:           %[[ROW:.*]] = arith.cmpi ult, %{{.*}}, %c64
// LAUNCH:           scf.if %[[ROW]]
// LAUNCH:             scf.for %{{.*}} = %c0 to %c32 step %c1
func.func @matvec(%a: memref<64x32xi32>, %x: memref<32xi32>, %y: memref<64xi32>) {
  linalg.matvec ins(%a, %x : memref<64x32xi32>, memref<32xi32>) outs(%y : memref<64xi32>)
  return
}

// -----

// A full reduction (and a rank-0 op) has no parallel dimension: one thread
// computes it in a one-iteration loop.

// CHECK-LABEL: func.func @full_reduction
// CHECK:         scf.parallel
// CHECK:           scf.parallel
// CHECK:             %[[ONE:.*]] = arith.cmpi ult, %{{.*}}, %c1 : index
// CHECK:             %[[GUARD:.*]] = arith.andi %{{.*}}, %[[ONE]]
// CHECK:             scf.if %[[GUARD]]
// CHECK:               scf.for %{{.*}} = %{{.*}} to %c128
// CHECK:                 arith.addi
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK:         scf.parallel
// CHECK:           scf.parallel
// CHECK:             memref.store %{{.*}}, %{{.*}}[] : memref<i32>
// LAUNCH-LABEL: func.func @full_reduction
// LAUNCH:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1)
// LAUNCH:           scf.for %{{.*}} = %c0 to %c128 step %c1
// LAUNCH:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1)
// LAUNCH:           memref.store %{{.*}}, %{{.*}}[] : memref<i32>
func.func @full_reduction(%x: memref<128xi32>, %s: memref<i32>) {
  linalg.reduce ins(%x : memref<128xi32>) outs(%s : memref<i32>) dimensions = [0]
    (%in: i32, %acc: i32) {
      %sum = arith.addi %in, %acc : i32
      linalg.yield %sum : i32
    }
  %c7 = arith.constant 7 : i32
  linalg.fill ins(%c7 : i32) outs(%s : memref<i32>)
  return
}

// -----

// Dynamic bounds: the kernel only runs when the loop has iterations (CUDA
// rejects an empty grid); an empty static loop disappears.

// CHECK-LABEL: func.func @dynamic
// CHECK:         %[[DIM:.*]] = memref.dim
// CHECK:         %[[ROWS:.*]] = arith.cmpi slt, %{{.*}}, %[[DIM]] : index
// CHECK:         %[[COLS:.*]] = arith.cmpi slt, %{{.*}}, %c16{{.*}} : index
// CHECK:         %[[NONEMPTY:.*]] = arith.andi %[[ROWS]], %[[COLS]] : i1
// CHECK:         scf.if %[[NONEMPTY]] {
// CHECK:           scf.parallel
// CHECK:             scf.parallel
// CHECK-LABEL: func.func @empty
// CHECK-NOT:     scf.parallel
// CHECK:         return
// LAUNCH-LABEL: func.func @dynamic
// LAUNCH:         scf.if
// LAUNCH-NEXT:      arith.muli
// LAUNCH:           gpu.launch
func.func @dynamic(%x: memref<?x16xi8>) {
  %c1 = arith.constant 1 : i8
  linalg.fill ins(%c1 : i8) outs(%x : memref<?x16xi8>)
  return
}
func.func @empty(%x: memref<0x16xi8>) {
  %c1 = arith.constant 1 : i8
  linalg.fill ins(%c1 : i8) outs(%x : memref<0x16xi8>)
  return
}

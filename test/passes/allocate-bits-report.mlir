// Three budgets at once, the JSON and text reports, and the Pareto frontier
// of qlp-allocate-bits; optimum worked out by hand.
//
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 size=200 latency=4.5 bops=8000 report=%t.json})' | FileCheck %s
// RUN: FileCheck %s --input-file=%t.json --check-prefix=JSON
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 size=200 latency=4.5 bops=8000 report=-})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=TEXT
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=4,8 latency=4.5 bops=8000 pareto=3 pareto-budget=size pareto-out=%t.pareto})' -o /dev/null
// RUN: FileCheck %s --input-file=%t.pareto.json --check-prefix=PARETO
// RUN: FileCheck %s --input-file=%t.pareto.svg --check-prefix=SVG

// Three linalg.matmul layers (act-bits=0, so BOPs = MACs * b * b):
//   layer  weights  MACs  bytes 8/4  BOPs 8/4     latency 8/4  omega 8/4
//   a      64       64    64 / 32    4096 / 1024  2 / 1        1 / 8
//   b      128      128   128 / 64   8192 / 2048  3 / 1        1 / 3
//   c      64       64    64 / 32    4096 / 1024  2 / 1        0.5 * (2 / 5)
// size=200 alone gives (8, 4, 8) (see allocate-bits.mlir), but its latency
// is 5 > 4.5. Within all three budgets: (8, 4, 4) = 160 bytes, latency 4,
// 7168 BOPs, omega 1 + 3 + 2.5 = 6.5; (4, 4, 8) has omega 12; (4, 8, 4)
// has latency 5; (8, 8, 4) has 224 bytes. So (8, 4, 4), objective 6.5.

// CHECK-LABEL: func.func @three_budgets
// CHECK:         qlp.bits = 8 : i64, qlp.latency = {{.*}}, qlp.name = "a"
// CHECK:         qlp.bits = 4 : i64, qlp.latency = {{.*}}, qlp.name = "b"
// CHECK:         qlp.bits = 4 : i64, qlp.hessian_trace = {{.*}}, qlp.name = "c"

// llvm::json prints object keys sorted.
// JSON:      "budgets": {
// JSON-NEXT:   "bops": {
// JSON-NEXT:     "limit": 8000,
// JSON-NEXT:     "used": 7168
// JSON-NEXT:   },
// JSON-NEXT:   "latency": {
// JSON-NEXT:     "limit": 4.5,
// JSON-NEXT:     "used": 4
// JSON-NEXT:   },
// JSON-NEXT:   "size_bytes": {
// JSON-NEXT:     "limit": 200,
// JSON-NEXT:     "used": 160
// JSON-NEXT:   }
// JSON-NEXT: },
// JSON:      "layers": [
// JSON:        "bits": 8,
// JSON:        "bops": 4096,
// JSON:        "hessian_trace": 1,
// JSON-NEXT:   "hessian_trace_default": true,
// JSON-NEXT:   "latency": 2,
// JSON-NEXT:   "macs": 64,
// JSON-NEXT:   "name": "a",
// JSON-NEXT:   "omega": 1,
// JSON-NEXT:   "omega_source": "qlp.perturbation",
// JSON-NEXT:   "op": "linalg.matmul",
// JSON-NEXT:   "params": 64,
// JSON-NEXT:   "pinned": false,
// JSON-NEXT:   "size_bytes": 64,
// JSON:        "bits": 4,
// JSON:        "name": "b",
// JSON-NEXT:   "omega": 3,
// JSON:        "params": 128,
// JSON:        "bits": 4,
// JSON:        "hessian_trace": 0.5,
// JSON-NEXT:   "hessian_trace_default": false,
// JSON:        "name": "c",
// JSON-NEXT:   "omega": 2.5,
// JSON:      "notes": [
// JSON-NEXT:   "layer 'a' has no qlp.hessian_trace; 1.0 was used",
// JSON-NEXT:   "layer 'b' has no qlp.hessian_trace; 1.0 was used"
// JSON-NEXT: ],
// JSON-NEXT: "objective": 6.5,
// JSON-NEXT: "optimal": true,
// JSON-NEXT: "solve_seconds": {{[0-9.e-]+}},
// JSON-NEXT: "solver": "CBC {{.*}}",
// JSON-NEXT: "status": "optimal",
// JSON-NEXT: "totals": {
// JSON-NEXT:   "bops": 7168,
// JSON-NEXT:   "latency": 4,
// JSON-NEXT:   "size_bytes": 160
// JSON-NEXT: }

// TEXT:      qlp-allocate-bits: 3 layers, objective 6.5, proven optimal ({{.*}} s)
// TEXT-NEXT:   layer params  bits  act         omega       choices
// TEXT-NEXT:   a         64     8    8             1           4,8
// TEXT-NEXT:   b        128     4    4             3           4,8
// TEXT-NEXT:   c         64     4    4           2.5           4,8
// TEXT-NEXT:   totals: size 160 bytes, 7168 BOPs, latency 4
// TEXT-NEXT:   size budget of 200 bytes: used 160 bytes
// TEXT-NEXT:   bops budget of 8000 BOPs: used 7168 BOPs
// TEXT-NEXT:   latency budget of 4.5: used 4
// TEXT-NEXT:   note: layer 'a' has no qlp.hessian_trace; 1.0 was used

// Pareto over size with the latency and BOPs budgets in force: the smallest
// size they allow is all 4 bits (128 bytes, omega 13.5); without a size
// budget the optimum is (8, 4, 4) at 160 bytes. Three points: 128, 144
// (still only all 4 bits fits) and 160.
// PARETO:      "budget": "size",
// PARETO:      "layers": [
// PARETO-NEXT:   "a",
// PARETO-NEXT:   "b",
// PARETO-NEXT:   "c"
// PARETO-NEXT: ],
// PARETO:      "bits": [
// PARETO-NEXT:   4,
// PARETO-NEXT:   4,
// PARETO-NEXT:   4
// PARETO-NEXT: ],
// PARETO-NEXT: "budget": 128,
// PARETO-NEXT: "objective": 13.5,
// PARETO-NEXT: "optimal": true,
// PARETO-NEXT: "used": 128
// PARETO:      "budget": 144,
// PARETO-NEXT: "objective": 13.5,
// PARETO:      "bits": [
// PARETO-NEXT:   8,
// PARETO-NEXT:   4,
// PARETO-NEXT:   4
// PARETO-NEXT: ],
// PARETO-NEXT: "budget": 160,
// PARETO-NEXT: "objective": 6.5,
// PARETO-NEXT: "optimal": true,
// PARETO-NEXT: "used": 160
// PARETO:      "unit": "bytes"

// SVG:      <svg xmlns="http://www.w3.org/2000/svg"
// SVG:      objective vs. size budget (3 points)
// SVG:      size budget (bytes)</text>
// SVG:      objective: sum of hessian_trace * ||Q_b(W) - W||^2</text>
// SVG:      <polyline
// SVG-COUNT-3: <circle
// SVG:      </svg>
func.func @three_budgets(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
  %wa = arith.constant dense<0.5> : tensor<8x8xf32>
  %wb = arith.constant dense<0.5> : tensor<8x16xf32>
  %wc = arith.constant dense<0.5> : tensor<16x4xf32>
  %i8 = tensor.empty() : tensor<1x8xf32>
  %i16 = tensor.empty() : tensor<1x16xf32>
  %i4 = tensor.empty() : tensor<1x4xf32>
  %a = linalg.matmul {qlp.name = "a", qlp.latency = {b4 = 1.0 : f64, b8 = 2.0 : f64}, qlp.perturbation = {b4 = 8.0 : f64, b8 = 1.0 : f64}}
         ins(%x, %wa : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i8 : tensor<1x8xf32>) -> tensor<1x8xf32>
  %b = linalg.matmul {qlp.name = "b", qlp.latency = {b4 = 1.0 : f64, b8 = 3.0 : f64}, qlp.perturbation = {b4 = 3.0 : f64, b8 = 1.0 : f64}}
         ins(%a, %wb : tensor<1x8xf32>, tensor<8x16xf32>) outs(%i16 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %c = linalg.matmul {qlp.name = "c", qlp.hessian_trace = 0.5 : f64, qlp.latency = {b4 = 1.0 : f64, b8 = 2.0 : f64}, qlp.perturbation = {b4 = 5.0 : f64, b8 = 2.0 : f64}}
         ins(%b, %wc : tensor<1x16xf32>, tensor<16x4xf32>) outs(%i4 : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %c : tensor<1x4xf32>
}

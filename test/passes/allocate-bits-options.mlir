// Invalid options of qlp-allocate-bits: one RUN line per option, each an
// error at the module.
//
// RUN: not quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=3,8})' 2>&1 | FileCheck %s --check-prefix=CHOICES
// RUN: not quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=8,8})' 2>&1 | FileCheck %s --check-prefix=REPEAT
// RUN: not quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{size=100 size-frac=0.5})' 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{bops-frac=1.5})' 2>&1 | FileCheck %s --check-prefix=FRAC
// RUN: not quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{act-bits=3})' 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: not quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{pareto=3 pareto-budget=area})' 2>&1 | FileCheck %s --check-prefix=PARETO
// RUN: not quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{report=%t/no/such/dir/r.json})' 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: not quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{size=0 size-frac=-1})' 2>&1 | FileCheck %s --check-prefix=ZERO

// CHOICES: error: option 'choices' must list distinct widths from {1, 2, 4, 8}, got [3, 8]
// REPEAT: error: option 'choices' must list distinct widths from {1, 2, 4, 8}, got [8, 8]
// BOTH: error: options 'size' and 'size-frac' both set a size budget; give one
// FRAC: error: 'bops-frac' must be in [0, 1], got 1.5
// ACT: error: option 'act-bits' must be 0, 1, 2, 4 or 8, got 3
// PARETO: error: option 'pareto-budget' must be size, bops or latency, got 'area'
// REPORT: error: cannot write the bit-allocation report '{{.*}}r.json'
// ZERO: error: size budget of 0 bytes cannot be met: the smallest size under the other constraints is 32 bytes
// No layer is changed when the pass fails.
// ZERO-NOT: qlp.bits
func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %w = arith.constant dense<0.5> : tensor<8x8xf32>
  %i = tensor.empty() : tensor<1x8xf32>
  %y = linalg.matmul {qlp.name = "fc"}
         ins(%x, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

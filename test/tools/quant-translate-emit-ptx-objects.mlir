// RUN: quant-translate --qlp-emit-ptx %s | FileCheck %s --match-full-lines

// Every object of every binary, in order, each after its line; a final
// newline is added where the PTX has none.
// CHECK:      // gpu.binary @two, sm_86
// CHECK-NEXT: .version 8.0
// CHECK-NEXT: .target sm_86
// CHECK-NEXT: // gpu.binary @two, sm_90
// CHECK-NEXT: .version 8.0
// CHECK-NEXT: .target sm_90
// CHECK-NEXT: // gpu.binary @one, sm_75
// CHECK-NEXT: .target sm_75
// CHECK-EMPTY:
gpu.binary @two [#gpu.object<#nvvm.target<chip = "sm_86">, assembly = ".version 8.0\n.target sm_86\n">,
                 #gpu.object<#nvvm.target<chip = "sm_90">, assembly = ".version 8.0\n.target sm_90">]
gpu.binary @one [#gpu.object<#nvvm.target<chip = "sm_75">, assembly = ".target sm_75\n">]

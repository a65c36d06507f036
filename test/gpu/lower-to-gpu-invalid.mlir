// RUN: quant-opt %s --qlp-lower-to-gpu=chip=sm_70 --verify-diagnostics

// expected-error @below {{qlp-lower-to-gpu: unknown chip 'sm_70'; expected sm_75, sm_80, sm_86, sm_89 or sm_90}}
module {
  func.func @f() {
    return
  }
}

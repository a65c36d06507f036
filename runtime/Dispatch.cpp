//===- Dispatch.cpp - ISA selection and the GEMM entry point ------*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Run-time selection of the kernel family, and qlp_rt_gemm.
//
// Detection. QLP_RT_ISA_AVX512 is supported when cpuid reports every feature
// the AVX-512 kernels are compiled for (QLP_AVX512_TARGET: AVX-512 F, BW, VL,
// DQ, CD, VNNI and VPOPCNTDQ, plus BMI2 and POPCNT) and the OS saves the
// opmask and zmm state (XCR0 bits 1, 2, 5, 6 and 7, read with xgetbv after
// checking OSXSAVE). Requiring VPOPCNTDQ for all kernels, not only the binary
// one, follows the enum's definition in qlp_kernels.h and the single target
// attribute every kernel carries: a CPU with VNNI but without VPOPCNTDQ
// (Cascade Lake) runs the generic path.
//
// QLP_RT_ISA_AMX is QLP_RT_ISA_AVX512 plus AMX-TILE and AMX-INT8 (cpuid
// leaf 7 EDX bits 24 and 25), the tile configuration and tile data state
// enabled in XCR0 (bits 17 and 18), and, on Linux, the kernel's permission to
// use the tile data state: since Linux 5.16 a process must request it with
// arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) before its first tile
// instruction, which otherwise faults. The request is made once, during the
// first AMX detection, and covers every thread of the process; if it fails
// (an older kernel, a seccomp filter, a signal stack too small for the tile
// state) AMX counts as unsupported. Other operating systems report AMX as
// unsupported.
//
// Bin plans run gemmBinAMX under QLP_RT_ISA_AMX when the host also has
// AVX512-VBMI (the kernel's weight expansion uses vpermt2b; every AMX CPU so
// far has it), else gemmBinAVX512. gemmBinAMX itself hands calls with few
// rows to gemmBinAVX512.
//===----------------------------------------------------------------------===//

#include "runtime/Dispatch.h"
#include "runtime/PlanValidation.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace qlp::rt;

namespace {

/// -1: not selected yet; otherwise a qlp_rt_isa value.
int selectedIsa = -1;
/// -1: AMX not detected yet; otherwise whether the host (and OS) runs it.
int amxSupported = -1;

bool hostHasAVX512() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
    return false;
  const bool osxsave = ecx & (1u << 27);
  const bool popcnt = ecx & (1u << 23);
  if (!osxsave || !popcnt)
    return false;
  // XCR0: SSE (1), AVX (2), opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7) state
  // enabled by the OS. Read with raw xgetbv: the intrinsic needs the xsave
  // target, which the baseline build does not have.
  unsigned xcr0Lo, xcr0Hi;
  __asm__ volatile("xgetbv" : "=a"(xcr0Lo), "=d"(xcr0Hi) : "c"(0));
  (void)xcr0Hi;
  const unsigned zmmState = (1u << 1) | (1u << 2) | (1u << 5) | (1u << 6) |
                            (1u << 7);
  if ((xcr0Lo & zmmState) != zmmState)
    return false;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
    return false;
  const unsigned ebxNeeded = (1u << 8) |  // BMI2
                             (1u << 16) | // AVX512F
                             (1u << 17) | // AVX512DQ
                             (1u << 28) | // AVX512CD
                             (1u << 30) | // AVX512BW
                             (1u << 31);  // AVX512VL
  const unsigned ecxNeeded = (1u << 11) | // AVX512_VNNI
                             (1u << 14);  // AVX512_VPOPCNTDQ
  return (ebx & ebxNeeded) == ebxNeeded && (ecx & ecxNeeded) == ecxNeeded;
#else
  return false;
#endif
}

/// AMX-TILE and AMX-INT8 in cpuid, the tile state in XCR0 and the Linux
/// permission to use it (requested here), on top of hostHasAVX512().
bool detectAMX() {
#if defined(__linux__) && defined(__x86_64__)
  if (!hostHasAVX512())
    return false;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
    return false;
  const unsigned edxNeeded = (1u << 24) | // AMX-TILE
                             (1u << 25);  // AMX-INT8
  if ((edx & edxNeeded) != edxNeeded)
    return false;
  // XCR0: XTILECFG (17) and XTILEDATA (18). OSXSAVE was checked by
  // hostHasAVX512.
  unsigned xcr0Lo, xcr0Hi;
  __asm__ volatile("xgetbv" : "=a"(xcr0Lo), "=d"(xcr0Hi) : "c"(0));
  (void)xcr0Hi;
  const unsigned tileState = (1u << 17) | (1u << 18);
  if ((xcr0Lo & tileState) != tileState)
    return false;
  // arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA); the constants are
  // spelled out because <asm/prctl.h> of older kernels lacks them.
  constexpr long kArchReqXcompPerm = 0x1023;
  constexpr long kXFeatureXTileData = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXFeatureXTileData) == 0;
#else
  return false;
#endif
}

/// AVX512-VBMI (cpuid leaf 7 ECX bit 1); asked only once AMX is selected, so
/// the OS state checks of hostHasAVX512 have passed.
bool hostHasVBMI() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
    return false;
  return ecx & (1u << 1);
#else
  return false;
#endif
}

bool hostHasAMX() {
  int known = __atomic_load_n(&amxSupported, __ATOMIC_RELAXED);
  if (known < 0) {
    known = detectAMX() ? 1 : 0;
    __atomic_store_n(&amxSupported, known, __ATOMIC_RELAXED);
  }
  return known == 1;
}

/// The best ISA the host supports, lowered (never raised) by QLP_RT_ISA.
int detectIsa() {
  const char *env = std::getenv("QLP_RT_ISA");
  if (env && std::strcmp(env, "generic") == 0)
    return QLP_RT_ISA_GENERIC;
  if (!hostHasAVX512())
    return QLP_RT_ISA_GENERIC;
  // "avx512" caps the choice at AVX-512 without asking for the tile state.
  if (env && std::strcmp(env, "avx512") == 0)
    return QLP_RT_ISA_AVX512;
  return hostHasAMX() ? QLP_RT_ISA_AMX : QLP_RT_ISA_AVX512;
}

} // namespace

GemmKernel qlp::rt::selectGemmKernel(const PlanHeader *plan) {
  const qlp_rt_isa isa = qlp_rt_selected_isa();
  if (isa == QLP_RT_ISA_AVX512 || isa == QLP_RT_ISA_AMX) {
    switch (plan->format) {
    case WeightFormat::S8:
      return isa == QLP_RT_ISA_AMX ? gemmS8AMX : gemmS8AVX512;
    case WeightFormat::U4:
      return gemmU4AVX512;
    case WeightFormat::Bin:
      return isa == QLP_RT_ISA_AMX && hostHasVBMI() ? gemmBinAMX
                                                    : gemmBinAVX512;
    }
  }
  return gemmGeneric;
}

extern "C" qlp_rt_isa qlp_rt_selected_isa(void) {
  int isa = __atomic_load_n(&selectedIsa, __ATOMIC_RELAXED);
  if (isa < 0) {
    isa = detectIsa();
    __atomic_store_n(&selectedIsa, isa, __ATOMIC_RELAXED);
  }
  return static_cast<qlp_rt_isa>(isa);
}

extern "C" int qlp_rt_isa_supported(qlp_rt_isa isa) {
  switch (isa) {
  case QLP_RT_ISA_GENERIC:
    return 1;
  case QLP_RT_ISA_AVX512:
    return hostHasAVX512() ? 1 : 0;
  case QLP_RT_ISA_AMX:
    return hostHasAMX() ? 1 : 0;
  }
  return 0;
}

extern "C" qlp_rt_status qlp_rt_set_isa(qlp_rt_isa isa) {
  if (!qlp_rt_isa_supported(isa))
    return QLP_RT_INVALID_ARGUMENT;
  __atomic_store_n(&selectedIsa, static_cast<int>(isa), __ATOMIC_RELAXED);
  return QLP_RT_OK;
}

extern "C" const char *qlp_rt_isa_name(qlp_rt_isa isa) {
  switch (isa) {
  case QLP_RT_ISA_GENERIC:
    return "generic";
  case QLP_RT_ISA_AVX512:
    return "avx512";
  case QLP_RT_ISA_AMX:
    return "amx";
  }
  return "unknown";
}

extern "C" qlp_rt_status qlp_rt_gemm(const void *plan, const void *a,
                                     int64_t m, int64_t lda, void *c,
                                     int64_t ldc) {
  const PlanHeader *header = validatePlan(plan, PlanKind::Gemm);
  if (!header || m < 0)
    return QLP_RT_INVALID_ARGUMENT;
  if (m == 0)
    return QLP_RT_OK;
  if (!a || !c || lda < header->k || ldc < header->n)
    return QLP_RT_INVALID_ARGUMENT;
  // The last row must be addressable: (m - 1) * ld + width elements, in
  // bytes, fit int64_t.
  int64_t aEnd, cEnd;
  if (__builtin_mul_overflow(m - 1, lda, &aEnd) ||
      __builtin_add_overflow(aEnd, header->k, &aEnd) ||
      __builtin_mul_overflow(m - 1, ldc, &cEnd) ||
      __builtin_add_overflow(cEnd, header->n, &cEnd) ||
      __builtin_mul_overflow(cEnd, int64_t(header->out_bytes), &cEnd))
    return QLP_RT_INVALID_ARGUMENT;
  selectGemmKernel(header)(header, static_cast<const uint8_t *>(a), m, lda, c,
                           ldc);
  return QLP_RT_OK;
}

//===- cpu_kernels.cpp - quant-lp CPU kernels vs oneDNN and OpenBLAS ------===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Measures quant-lp's CPU kernels (runtime/qlp_kernels.h) against the
// libraries a user would otherwise call, on one core, and prints a Markdown
// report on stdout (progress goes to stderr):
//
//   1. int8 GEMM, M = N = K in {256, 512, 1024, 2048}, against oneDNN's
//      u8s8s32 and s8s8s32 matmul;
//   2. W4A8 GEMV/GEMM, M in {1, 16}, N = K = 4096, against quant-lp's own
//      int8 kernel and oneDNN's u8s8s32 matmul on the same values;
//   3. binary GEMM, M = N = 1024, K = 4096, against OpenBLAS sgemm on the
//      same +-1 values;
//
// together with this core's peak of the instruction each kernel family is
// built on (vpdpbusd, vfmadd231ps, vpxorq + vpopcntq + vpaddq, and AMX
// tdpbusd where the CPU has it), measured by small register-only loops
// before and after the kernels (the best repetition of either).
//
//   qlp-bench-cpu-kernels [--quick] [--min-time=S] [--isa=generic|avx512|amx]
//                         [--onednn=vnni|default|both] [--clock=cpu|wall]
//                         [--seed=N]
//
// Methodology
// -----------
// - One thread everywhere. The program re-executes itself once with
//   OMP_NUM_THREADS=1 (oneDNN's OpenMP runtime), OPENBLAS_NUM_THREADS=1 and,
//   on AVX-512 hosts that did not choose otherwise, OPENBLAS_CORETYPE=
//   SkylakeX: OpenBLAS and libgomp read these in their load-time
//   constructors, before main() could set them. OpenBLAS 0.3.21 predates
//   Sapphire Rapids: depending on the model number the CPU (or hypervisor)
//   reports, it may fall back to its Haswell (AVX2) kernels, which run at
//   about 60% of the SkylakeX ones here.
// - The same values for everyone: each library reads the same buffers, or a
//   byte-wise re-encoding of the same values (oneDNN's u8 activations x are
//   quant-lp's int8 bytes x - 128 with a_zp = -128; OpenBLAS gets the +-1
//   floats of quant-lp's binary bytes).
// - Each row times quant-lp and its peer in alternation, one repetition of
//   each in turn, so that both see the same load on the machine (quant-lp's
//   figure is therefore measured anew for every row). Both warm up, then
//   the medians of their repetitions are taken once each side has had
//   --min-time seconds (default 0.3) and at least 5 (3 for very slow calls)
//   repetitions; each repetition starts with one untimed call (the peer's
//   call in between evicted the operands from the caches), and fast calls
//   are batched so that one repetition lasts at least 2 ms. The clock is the process's CPU time by
//   default (--clock=wall for wall-clock time): every library runs on the
//   calling thread, so the two agree on an idle machine, and CPU time does
//   not charge a kernel for the time other processes held the core.
// - Every timed result is checked once: quant-lp's int32 outputs (no
//   rescale) against a scalar reference (in full up to 512^3 and for W4A8,
//   on 4096 sampled entries otherwise; binary against the xor/popcount
//   formula on sampled entries), and every peer's output against quant-lp's
//   bit for bit (oneDNN's s32 is exact; sgemm on +-1 values is exact in
//   fp32 because every partial sum is an integer below 2^24).
// - oneDNN gets its fastest configuration: a matmul primitive created for
//   the exact shape, weights in format_tag::any reordered once outside the
//   timing. oneDNN's choice of ISA is global and fixed at its first use, so
//   each ISA setting runs in a forked child process: one capped at
//   avx512_core_vnni (the instruction set quant-lp's kernels use), one with
//   oneDNN's default (AMX on Sapphire Rapids). Children run one after the
//   other, never concurrently with another measurement.
//
// GOP/s is 2*M*N*K / seconds for every kind, binary included (one binary
// multiply-accumulate counts as two operations, like an int8 or fp32 one).
//
//===----------------------------------------------------------------------===//

#include "runtime/qlp_kernels.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cmath>
#include <cpuid.h>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <memory>
#include <random>
#include <string>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tuple>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

//===----------------------------------------------------------------------===//
// Utilities
//===----------------------------------------------------------------------===//

[[noreturn]] void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::fprintf(stderr, "qlp-bench-cpu-kernels: error: ");
  std::vfprintf(stderr, fmt, args);
  std::fprintf(stderr, "\n");
  va_end(args);
  std::exit(1);
}

void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::fprintf(stderr, "[bench] ");
  std::vfprintf(stderr, fmt, args);
  std::fprintf(stderr, "\n");
  va_end(args);
}

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};
/// A 64-byte aligned array: every library reads cache-line-aligned buffers.
template <typename T> using Buffer = std::unique_ptr<T[], FreeDeleter>;

template <typename T> Buffer<T> allocate(size_t count) {
  size_t bytes = std::max<size_t>(count, 1) * sizeof(T);
  bytes = (bytes + 63) / 64 * 64;
  void *p = std::aligned_alloc(64, bytes);
  if (!p)
    fatal("out of memory allocating %zu bytes", bytes);
  std::memset(p, 0, bytes);
  return Buffer<T>(static_cast<T *>(p));
}

/// The clock every measurement reads: the process's CPU time (default) or
/// wall-clock time. All timed work runs on the calling thread (the report
/// checks that each process has one thread), so on an idle machine the two
/// agree; on a shared one CPU time leaves out the periods in which other
/// processes held the core, which wall time would charge to whichever
/// kernel happened to be running.
clockid_t gClock = CLOCK_PROCESS_CPUTIME_ID;

double now() {
  timespec ts;
  clock_gettime(gClock, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum class Statistic { Median, Min };

double statistic(std::vector<double> &samples, Statistic stat) {
  if (stat == Statistic::Min)
    return *std::min_element(samples.begin(), samples.end());
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2,
                   samples.end());
  return samples[samples.size() / 2];
}

/// Repetitions of one timed call: warm-up, then samples of `inner` calls
/// each, where `inner` makes a sample last at least 2 ms so that clock
/// resolution and loop overhead do not show.
template <typename F> struct Repeater {
  F &run;
  double perCall = 0;
  int64_t inner = 1;
  std::vector<double> samples;

  explicit Repeater(F &run, double minTime) : run(run) {
    double warmTime = std::min(0.1, std::max(minTime / 3, 0.01));
    double start = now();
    int64_t warm = 0;
    do {
      run();
      ++warm;
    } while (warm < 2 || now() - start < warmTime);
    perCall = (now() - start) / warm;
    inner = std::max<int64_t>(1, (int64_t)std::ceil(2e-3 / perCall));
  }

  /// One untimed call first: in an alternating measurement the peer's call
  /// just ran and evicted this kernel's operands from the caches, and every
  /// library is measured warm, as it runs inside a model.
  void sample() {
    run();
    double t0 = now();
    for (int64_t i = 0; i < inner; ++i)
      run();
    samples.push_back((now() - t0) / inner);
  }
};

/// At least 5 samples, or 3 for calls slower than a fifth of minTime.
size_t minSamples(double perCall, double minTime) {
  return perCall * 5 > minTime ? 3 : 5;
}

/// Seconds per call of `run`: warm-up, then samples until `minTime` has
/// passed and minSamples were taken; returns their median (kernels) or
/// minimum (peak loops: other processes can only slow a loop down, and the
/// peak is the hardware's).
template <typename F>
double measureSeconds(F &&run, double minTime,
                      Statistic stat = Statistic::Median) {
  Repeater<F> r(run, minTime);
  size_t least = minSamples(r.perCall, minTime);
  double start = now();
  while (r.samples.size() < least ||
         (now() - start < minTime && r.samples.size() < 100000))
    r.sample();
  return statistic(r.samples, stat);
}

/// Median seconds per call of `runA` and of `runB`, sampled in alternation
/// (one sample of each in turn, each side getting about `minTime`), so that
/// both see the same load on the machine and their ratio stays meaningful
/// while other processes come and go.
template <typename FA, typename FB>
std::pair<double, double> measurePair(FA &&runA, FB &&runB, double minTime) {
  Repeater<FA> a(runA, minTime);
  Repeater<FB> b(runB, minTime);
  size_t least =
      std::max(minSamples(a.perCall, minTime), minSamples(b.perCall, minTime));
  double start = now();
  while (a.samples.size() < least ||
         (now() - start < 2 * minTime && a.samples.size() < 100000)) {
    a.sample();
    b.sample();
  }
  return {statistic(a.samples, Statistic::Median),
          statistic(b.samples, Statistic::Median)};
}

double gops(double ops, double seconds) {
  return seconds > 0 ? ops / seconds * 1e-9 : 0;
}

/// Number of threads of this process (entries of /proc/self/task).
int threadCount() {
  DIR *dir = opendir("/proc/self/task");
  if (!dir)
    return -1;
  int count = 0;
  while (struct dirent *entry = readdir(dir))
    if (entry->d_name[0] != '.')
      ++count;
  closedir(dir);
  return count;
}

std::string readFirstLine(const char *path) {
  std::string line;
  if (FILE *f = std::fopen(path, "r")) {
    char buf[256];
    if (std::fgets(buf, sizeof(buf), f))
      line = buf;
    std::fclose(f);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == ' '))
    line.pop_back();
  return line;
}

/// The value of `key` in the first processor's /proc/cpuinfo entry.
std::string cpuinfoField(const char *key) {
  std::string value;
  FILE *f = std::fopen("/proc/cpuinfo", "r");
  if (!f)
    return value;
  char line[8192];
  size_t keyLen = std::strlen(key);
  while (std::fgets(line, sizeof(line), f)) {
    if (std::strncmp(line, key, keyLen) != 0)
      continue;
    const char *colon = std::strchr(line, ':');
    if (!colon)
      continue;
    const char *rest = line + keyLen;
    while (*rest == ' ' || *rest == '\t')
      ++rest;
    if (rest != colon)
      continue; // A longer key with the same prefix.
    value = colon + 1;
    break;
  }
  std::fclose(f);
  while (!value.empty() && (value.front() == ' '))
    value.erase(value.begin());
  while (!value.empty() && (value.back() == '\n' || value.back() == ' '))
    value.pop_back();
  return value;
}

//===----------------------------------------------------------------------===//
// CPU features and peak loops
//===----------------------------------------------------------------------===//

struct CpuFeatures {
  bool avx512 = false;    ///< F + BW + VL, enabled by the OS.
  bool vnni = false;      ///< AVX512_VNNI.
  bool vpopcntdq = false; ///< AVX512_VPOPCNTDQ.
  bool amxInt8 = false;   ///< AMX-TILE + AMX-INT8, and the kernel granted it.
};

CpuFeatures detectFeatures() {
  CpuFeatures f;
  __builtin_cpu_init();
  f.avx512 = __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl");
  f.vnni = f.avx512 && __builtin_cpu_supports("avx512vnni");
  f.vpopcntdq = f.avx512 && __builtin_cpu_supports("avx512vpopcntdq");
  unsigned eax, ebx, ecx, edx;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (edx & (1u << 24)) &&
      (edx & (1u << 25))) {
    // Linux hands out the 8 KB tile state only on request
    // (ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA); oneDNN asks the same way.
    constexpr long kArchReqXcompPerm = 0x1023;
    constexpr long kXfeatureXtiledata = 18;
    f.amxInt8 =
        syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  }
  return f;
}

#define QLP_BENCH_AVX512                                                       \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,"                \
                        "avx512vpopcntdq"),                                    \
                 noinline))

// clang-format off
// The peak loops use only registers: 12 independent accumulators hide the
// ~4-5 cycle latencies behind the 2-per-cycle (vpdpbusd, FMA) or 1-per-cycle
// (vpopcntq) throughputs. Two copies of the 12 per iteration keep the loop
// branch off the critical path. Inputs are zero: no denormal can slow the
// FMA loop, and integer units do not care.
#define QLP_ZERO(r) "vpxord %%zmm" #r ", %%zmm" #r ", %%zmm" #r "\n\t"
#define QLP_VNNI(r) "vpdpbusd %%zmm13, %%zmm12, %%zmm" #r "\n\t"
#define QLP_FMA(r) "vfmadd231ps %%zmm13, %%zmm12, %%zmm" #r "\n\t"
#define QLP_BIN(acc, tmp)                                                      \
  "vpxorq %%zmm25, %%zmm24, %%zmm" #tmp "\n\t"                                 \
  "vpopcntq %%zmm" #tmp ", %%zmm" #tmp "\n\t"                                  \
  "vpaddq %%zmm" #tmp ", %%zmm" #acc ", %%zmm" #acc "\n\t"
#define QLP_TWELVE(M)                                                          \
  M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)

constexpr int64_t kPeakInstrPerIter = 24;

QLP_BENCH_AVX512 void vnniLoop(int64_t iters) {
  asm volatile(QLP_TWELVE(QLP_ZERO) QLP_ZERO(12) QLP_ZERO(13)
               "1:\n\t" QLP_TWELVE(QLP_VNNI) QLP_TWELVE(QLP_VNNI)
               "dec %[n]\n\t"
               "jnz 1b\n\t"
               "vzeroupper\n\t"
               : [n] "+r"(iters)
               :
               : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                 "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13");
}

QLP_BENCH_AVX512 void fmaLoop(int64_t iters) {
  asm volatile(QLP_TWELVE(QLP_ZERO) QLP_ZERO(12) QLP_ZERO(13)
               "1:\n\t" QLP_TWELVE(QLP_FMA) QLP_TWELVE(QLP_FMA)
               "dec %[n]\n\t"
               "jnz 1b\n\t"
               "vzeroupper\n\t"
               : [n] "+r"(iters)
               :
               : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                 "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13");
}

// 12 chains of xor -> popcount -> add, each with its own temporary.
#define QLP_BIN_ALL                                                            \
  QLP_BIN(0, 12) QLP_BIN(1, 13) QLP_BIN(2, 14) QLP_BIN(3, 15) QLP_BIN(4, 16)   \
  QLP_BIN(5, 17) QLP_BIN(6, 18) QLP_BIN(7, 19) QLP_BIN(8, 20) QLP_BIN(9, 21)   \
  QLP_BIN(10, 22) QLP_BIN(11, 23)

QLP_BENCH_AVX512 void binaryLoop(int64_t iters) {
  asm volatile(QLP_TWELVE(QLP_ZERO) QLP_ZERO(24) QLP_ZERO(25)
               "1:\n\t" QLP_BIN_ALL QLP_BIN_ALL
               "dec %[n]\n\t"
               "jnz 1b\n\t"
               "vzeroupper\n\t"
               : [n] "+r"(iters)
               :
               : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                 "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
                 "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20",
                 "xmm21", "xmm22", "xmm23", "xmm24", "xmm25");
}

/// The AMX tile configuration (palette 1): tiles 0-5 are 16 rows x 64 bytes.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t startRow = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {64, 64, 64, 64, 64, 64};
  uint8_t rows[16] = {16, 16, 16, 16, 16, 16};
};

// Four independent tdpbusd accumulators (tmm0-3) over the sources tmm4 and
// tmm5; one tdpbusd is 16 x 16 x 64 = 16384 multiply-accumulates.
#define QLP_TDP(r) "tdpbusd %%tmm5, %%tmm4, %%tmm" #r "\n\t"
constexpr int64_t kAmxInstrPerIter = 8;

__attribute__((noinline)) void amxLoop(int64_t iters) {
  static const TileConfig config;
  asm volatile("ldtilecfg %[cfg]\n\t"
               "tilezero %%tmm0\n\t"
               "tilezero %%tmm1\n\t"
               "tilezero %%tmm2\n\t"
               "tilezero %%tmm3\n\t"
               "tilezero %%tmm4\n\t"
               "tilezero %%tmm5\n\t"
               "1:\n\t" QLP_TDP(0) QLP_TDP(1) QLP_TDP(2) QLP_TDP(3) QLP_TDP(0)
                   QLP_TDP(1) QLP_TDP(2) QLP_TDP(3)
               "dec %[n]\n\t"
               "jnz 1b\n\t"
               "tilerelease\n\t"
               : [n] "+r"(iters)
               : [cfg] "m"(config)
               : "cc", "memory");
}

// clang-format on

/// GOP/s of `loop`, which performs `opsPerIter` operations per iteration.
double measurePeak(void (*loop)(int64_t), double opsPerIter, double minTime) {
  // Size one call to about 20 ms so that call overhead does not count.
  int64_t iters = 1000;
  for (;;) {
    double t0 = now();
    loop(iters);
    double t = now() - t0;
    if (t > 0.02 || iters > (INT64_C(1) << 40))
      break;
    iters *= t < 0.002 ? 10 : 2;
  }
  double seconds =
      measureSeconds([&] { loop(iters); }, minTime, Statistic::Min);
  return gops(opsPerIter * iters, seconds);
}

struct Peaks {
  double int8 = 0;   ///< vpdpbusd zmm: 64 u8 x s8 products, 128 ops.
  double fp32 = 0;   ///< vfmadd231ps zmm: 16 FMAs, 32 ops.
  double binary = 0; ///< xor+popcnt+add over 512 bits: 1024 ops.
  double amx = 0;    ///< tdpbusd: 16384 products, 32768 ops.
};

Peaks measurePeaks(const CpuFeatures &cpu, double minTime) {
  Peaks p;
  if (cpu.vnni)
    p.int8 = measurePeak(vnniLoop, kPeakInstrPerIter * 128.0, minTime);
  if (cpu.avx512)
    p.fp32 = measurePeak(fmaLoop, kPeakInstrPerIter * 32.0, minTime);
  if (cpu.vpopcntdq)
    p.binary = measurePeak(binaryLoop, kPeakInstrPerIter * 1024.0, minTime);
  if (cpu.amxInt8)
    p.amx = measurePeak(amxLoop, kAmxInstrPerIter * 32768.0, minTime);
  return p;
}

//===----------------------------------------------------------------------===//
// Data and scalar references
//===----------------------------------------------------------------------===//

/// Fills `n` bytes with uniform random bytes.
void fillBytes(std::mt19937_64 &rng, uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t r = rng();
    std::memcpy(p + i, &r, std::min<size_t>(8, n - i));
  }
}

/// Uniform int4 values in [-8, 7], one per byte.
void fillInt4(std::mt19937_64 &rng, int8_t *p, size_t n) {
  fillBytes(rng, reinterpret_cast<uint8_t *>(p), n);
  for (size_t i = 0; i < n; ++i)
    p[i] = static_cast<int8_t>((p[i] & 15) - 8);
}

/// Exact sum_k (a[m][k] - aZp) * b[k][n] of int8 data (b_zp = 0 throughout
/// this program: oneDNN's fastest int8 matmul has symmetric weights).
int64_t refDot(const int8_t *a, const int8_t *b, int64_t k, int64_t n,
               int64_t col, int32_t aZp) {
  int64_t acc = 0;
  for (int64_t i = 0; i < k; ++i)
    acc += (int64_t)(a[i] - aZp) * b[i * n + col];
  return acc;
}

/// Full scalar reference C[m][n] for small problems (i-k-j order; exact in
/// int32 for the sizes used here, which the caller checks).
void refGemm(const int8_t *a, const int8_t *b, int64_t m, int64_t n, int64_t k,
             int32_t aZp, int32_t *c) {
  for (int64_t i = 0; i < m; ++i) {
    int32_t *row = c + i * n;
    std::fill(row, row + n, 0);
    for (int64_t kk = 0; kk < k; ++kk) {
      int32_t av = a[i * k + kk] - aZp;
      const int8_t *brow = b + kk * n;
      for (int64_t j = 0; j < n; ++j)
        row[j] += av * brow[j];
    }
  }
}

struct Check {
  bool ok = true;
  std::string what; ///< How it was checked, or where it failed.

  void fail(const std::string &message) {
    if (ok)
      what = message;
    ok = false;
  }
};

/// Compares quant-lp's int32 output against the scalar reference: in full
/// when m*n*k <= `fullLimit`, on `samples` random entries otherwise.
Check checkInt8(const int8_t *a, const int8_t *b, int64_t m, int64_t n,
                int64_t k, int32_t aZp, const int32_t *c, uint64_t seed,
                double fullLimit = 512.0 * 512 * 512) {
  Check check;
  if ((double)m * n * k <= fullLimit) {
    auto ref = allocate<int32_t>(m * n);
    refGemm(a, b, m, n, k, aZp, ref.get());
    for (int64_t i = 0; i < m * n; ++i)
      if (c[i] != ref[i]) {
        check.fail("C[" + std::to_string(i / n) + "][" + std::to_string(i % n) +
                   "] = " + std::to_string(c[i]) + ", scalar reference " +
                   std::to_string(ref[i]));
        break;
      }
    check.what = check.ok ? "all entries vs scalar" : check.what;
    return check;
  }
  std::mt19937_64 rng(seed);
  const int samples = 4096;
  for (int s = 0; s < samples && check.ok; ++s) {
    int64_t i = rng() % m, j = rng() % n;
    int64_t want = refDot(a + i * k, b, k, n, j, aZp);
    if (c[i * n + j] != want)
      check.fail("C[" + std::to_string(i) + "][" + std::to_string(j) +
                 "] = " + std::to_string(c[i * n + j]) + ", scalar reference " +
                 std::to_string(want));
  }
  if (check.ok)
    check.what = std::to_string(samples) + " sampled entries vs scalar";
  return check;
}

/// Number of entries where `got` differs from `want`, and the first.
int64_t countMismatches(const int32_t *got, const int32_t *want, int64_t count,
                        int64_t *first) {
  int64_t bad = 0;
  *first = -1;
  for (int64_t i = 0; i < count; ++i)
    if (got[i] != want[i]) {
      if (bad++ == 0)
        *first = i;
    }
  return bad;
}

//===----------------------------------------------------------------------===//
// quant-lp
//===----------------------------------------------------------------------===//

const int32_t kUnitMultiplier = 1;
const int32_t kZeroShift = 0;

/// A GEMM description storing the exact int32 accumulators (has_rescale = 0),
/// so every result can be compared bit for bit with oneDNN's s32 and the
/// scalar reference. The rescale fields hold valid values although unused.
qlp_rt_gemm_desc int32Desc(int64_t k, int64_t n, int32_t aBits, int32_t bBits,
                           int32_t aZp, const int8_t *b) {
  qlp_rt_gemm_desc d;
  std::memset(&d, 0, sizeof(d));
  d.k = k;
  d.n = n;
  d.a_bits = aBits;
  d.b_bits = bBits;
  d.a_zp = aZp;
  d.b_zp = 0;
  d.b = b;
  d.bias = nullptr;
  d.has_rescale = 0;
  d.rounding = 0;
  d.rescale_input_zp = 0;
  d.output_zp = 0;
  d.clamp_min = INT32_MIN;
  d.clamp_max = INT32_MAX;
  d.out_bytes = 4;
  d.num_scales = 1;
  d.multipliers = &kUnitMultiplier;
  d.shifts = &kZeroShift;
  return d;
}

struct Plan {
  Buffer<uint8_t> blob;
  int64_t size = 0;
};

Plan buildPlan(const qlp_rt_gemm_desc &desc, const char *what) {
  Plan plan;
  qlp_rt_status status = qlp_rt_gemm_plan_size(&desc, &plan.size);
  if (status != QLP_RT_OK)
    fatal("qlp_rt_gemm_plan_size(%s): %s", what, qlp_rt_status_string(status));
  static_assert(QLP_RT_PLAN_ALIGNMENT <= 64, "Buffer alignment is 64");
  plan.blob = allocate<uint8_t>(plan.size);
  status = qlp_rt_gemm_plan_init(&desc, plan.blob.get(), plan.size);
  if (status != QLP_RT_OK)
    fatal("qlp_rt_gemm_plan_init(%s): %s", what, qlp_rt_status_string(status));
  return plan;
}

/// Runs qlp_rt_gemm once (the untimed run whose result is checked).
void runQlp(const Plan &plan, const void *a, int64_t m, int64_t k, int32_t *c,
            int64_t n, const char *what) {
  qlp_rt_status status = qlp_rt_gemm(plan.blob.get(), a, m, k, c, n);
  if (status != QLP_RT_OK)
    fatal("qlp_rt_gemm(%s): %s", what, qlp_rt_status_string(status));
}

//===----------------------------------------------------------------------===//
// oneDNN (in forked children, one per ISA setting)
//===----------------------------------------------------------------------===//

struct DnnlJob {
  int64_t m, n, k;
  bool srcU8;
  const void *a;
  const int8_t *b;
  const int32_t *expected; ///< quant-lp's checked output.
  /// The quant-lp plan and activations timed in alternation with oneDNN.
  const Plan *qlpPlan;
  const void *qlpA;
};

struct DnnlOutcome {
  double seconds = 0, qlpSeconds = 0;
  int64_t mismatches = -1; ///< -1: not run.
  int64_t firstMismatch = -1;
  int64_t qlpMismatches = 0; ///< quant-lp's timed output vs its checked one.
  char impl[64] = "";
  char error[192] = "";
};

struct DnnlRunHeader {
  int32_t skipped = 0; ///< The effective ISA equals the one to skip.
  int32_t isa = 0;     ///< dnnl_get_effective_cpu_isa() in the child.
  int32_t threads = 0; ///< Threads of the child after its runs.
  char capStatus[64] = "";
};

struct DnnlRun {
  bool ran = false;
  DnnlRunHeader header;
  std::vector<DnnlOutcome> outcomes;
  std::string failure;
};

const char *dnnlIsaName(int isa) {
  switch (isa) {
  case dnnl_cpu_isa_sse41:
    return "sse41";
  case dnnl_cpu_isa_avx:
    return "avx";
  case dnnl_cpu_isa_avx2:
    return "avx2";
  case dnnl_cpu_isa_avx2_vnni:
    return "avx2_vnni";
  case dnnl_cpu_isa_avx512_core:
    return "avx512_core";
  case dnnl_cpu_isa_avx512_core_vnni:
    return "avx512_core_vnni";
  case dnnl_cpu_isa_avx512_core_bf16:
    return "avx512_core_bf16";
  case dnnl_cpu_isa_avx512_core_amx:
    return "avx512_core_amx";
  default:
    return "other";
  }
}

void runDnnlJob(const DnnlJob &job, dnnl::engine &eng, dnnl::stream &strm,
                double minTime, DnnlOutcome &out) {
  using namespace dnnl;
  using dt = memory::data_type;
  using tag = memory::format_tag;
  memory::desc aMd({job.m, job.k}, job.srcU8 ? dt::u8 : dt::s8, tag::ab);
  memory::desc bUserMd({job.k, job.n}, dt::s8, tag::ab);
  memory::desc bAnyMd({job.k, job.n}, dt::s8, tag::any);
  memory::desc cMd({job.m, job.n}, dt::s32, tag::ab);
  matmul::primitive_desc pd(matmul::desc(aMd, bAnyMd, cMd), eng);
  std::snprintf(out.impl, sizeof(out.impl), "%s", pd.impl_info_str());

  // Pre-pack the weights into the layout the kernel wants, once.
  memory bUser(bUserMd, eng, const_cast<int8_t *>(job.b));
  memory bPacked(pd.weights_desc(), eng);
  reorder(bUser, bPacked).execute(strm, bUser, bPacked);
  strm.wait();

  Buffer<int32_t> c = allocate<int32_t>(job.m * job.n);
  memory aMem(aMd, eng, const_cast<void *>(job.a));
  memory cMem(cMd, eng, c.get());
  matmul prim(pd);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, aMem}, {DNNL_ARG_WEIGHTS, bPacked}, {DNNL_ARG_DST, cMem}};
  Buffer<int32_t> qlpC = allocate<int32_t>(job.m * job.n);
  auto runQlpJob = [&] {
    (void)qlp_rt_gemm(job.qlpPlan->blob.get(), job.qlpA, job.m, job.k,
                      qlpC.get(), job.n);
  };
  auto runDnnl = [&] {
    prim.execute(strm, args);
    strm.wait();
  };
  std::tie(out.qlpSeconds, out.seconds) =
      measurePair(runQlpJob, runDnnl, minTime);
  out.mismatches =
      countMismatches(c.get(), job.expected, job.m * job.n, &out.firstMismatch);
  int64_t first;
  out.qlpMismatches =
      countMismatches(qlpC.get(), job.expected, job.m * job.n, &first);
}

bool writeAll(int fd, const void *data, size_t size) {
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t w = write(fd, p, size);
    if (w <= 0)
      return false;
    p += w;
    size -= (size_t)w;
  }
  return true;
}

bool readAll(int fd, void *data, size_t size) {
  char *p = static_cast<char *>(data);
  while (size > 0) {
    ssize_t r = read(fd, p, size);
    if (r <= 0)
      return false;
    p += r;
    size -= (size_t)r;
  }
  return true;
}

/// Runs `jobs` through oneDNN in a child process whose oneDNN is capped at
/// `cap` (oneDNN fixes its ISA at first use, once per process). The child
/// skips the work if its effective ISA equals `skipIsa`.
DnnlRun runDnnlChild(dnnl_cpu_isa_t cap, const std::vector<DnnlJob> &jobs,
                     double minTime, int skipIsa) {
  DnnlRun run;
  int fds[2];
  if (pipe(fds) != 0) {
    run.failure = "pipe() failed";
    return run;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    run.failure = "fork() failed";
    close(fds[0]);
    close(fds[1]);
    return run;
  }
  if (pid == 0) {
    close(fds[0]);
    DnnlRunHeader header;
    std::vector<DnnlOutcome> outcomes(jobs.size());
    dnnl_status_t st = dnnl_set_max_cpu_isa(cap);
    std::snprintf(header.capStatus, sizeof(header.capStatus), "%s",
                  st == dnnl_success ? "ok" : "dnnl_set_max_cpu_isa failed");
    header.isa = (int32_t)dnnl_get_effective_cpu_isa();
    if (header.isa == skipIsa) {
      header.skipped = 1;
    } else {
      try {
        dnnl::engine eng(dnnl::engine::kind::cpu, 0);
        dnnl::stream strm(eng);
        for (size_t i = 0; i < jobs.size(); ++i) {
          progress("oneDNN (%s) %s %" PRId64 "x%" PRId64 "x%" PRId64,
                   dnnlIsaName(header.isa),
                   jobs[i].srcU8 ? "u8s8s32" : "s8s8s32", jobs[i].m, jobs[i].n,
                   jobs[i].k);
          try {
            runDnnlJob(jobs[i], eng, strm, minTime, outcomes[i]);
          } catch (const dnnl::error &e) {
            std::snprintf(outcomes[i].error, sizeof(outcomes[i].error),
                          "%s (status %d)", e.what(), (int)e.status);
          }
        }
      } catch (const dnnl::error &e) {
        for (DnnlOutcome &o : outcomes)
          std::snprintf(o.error, sizeof(o.error), "engine: %s", e.what());
      }
    }
    header.threads = threadCount();
    bool ok = writeAll(fds[1], &header, sizeof(header)) &&
              writeAll(fds[1], outcomes.data(),
                       outcomes.size() * sizeof(DnnlOutcome));
    close(fds[1]);
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  run.outcomes.resize(jobs.size());
  bool ok = readAll(fds[0], &run.header, sizeof(run.header)) &&
            readAll(fds[0], run.outcomes.data(),
                    run.outcomes.size() * sizeof(DnnlOutcome));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    run.failure = "the oneDNN child process failed (status " +
                  std::to_string(status) + ")";
    run.outcomes.assign(jobs.size(), DnnlOutcome());
    return run;
  }
  run.ran = !run.header.skipped;
  return run;
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

struct Row {
  std::string kernel, shape;
  double qlpGops = 0;
  std::string peer;
  double peerGops = 0;
  double qlpPeak = 0, peerPeak = 0; ///< Peaks the percentages refer to.
  /// Whether a percentage refers to the AMX tdpbusd peak (marked in the
  /// table, since the int8 rows mix both peaks).
  bool qlpPeakAmx = false, peerPeakAmx = false;
  std::string check;
};

std::string fmtGops(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), v >= 100 ? "%.0f" : "%.1f", v);
  return buf;
}

std::string fmtPercent(double v, double peak) {
  if (peak <= 0 || v <= 0)
    return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.0f%%", 100.0 * v / peak);
  return buf;
}

std::string shapeString(int64_t m, int64_t n, int64_t k) {
  return std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
}

std::string dnnlCheck(const DnnlOutcome &o, int64_t count, int64_t n) {
  if (o.error[0])
    return std::string("oneDNN error: ") + o.error;
  if (o.mismatches < 0)
    return "not run";
  if (o.qlpMismatches)
    return "quant-lp's timed output differs from its checked one";
  if (o.mismatches == 0)
    return "bit-exact";
  return "MISMATCH: " + std::to_string(o.mismatches) + " of " +
         std::to_string(count) + ", first at [" +
         std::to_string(o.firstMismatch / n) + "][" +
         std::to_string(o.firstMismatch % n) + "]";
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

struct Options {
  bool quick = false;
  double minTime = 0.3;
  bool minTimeGiven = false;
  int isa = -1; ///< -1: the runtime's own choice.
  bool dnnlVnni = true, dnnlDefault = true;
  bool wallClock = false;
  uint64_t seed = 1;
};

void usage(FILE *out) {
  std::fprintf(
      out,
      "usage: qlp-bench-cpu-kernels [--quick] [--min-time=S]\n"
      "                             [--isa=generic|avx512|amx]\n"
      "                             [--onednn=vnni|default|both]\n"
      "                             [--clock=cpu|wall] [--seed=N]\n"
      "  --quick        small shapes and short timings (a smoke run)\n"
      "  --min-time=S   seconds of repetitions per measurement (default "
      "0.3;\n"
      "                 0.02 with --quick)\n"
      "  --isa=I        force quant-lp's kernel family (default: the "
      "runtime's\n"
      "                 choice for this CPU)\n"
      "  --onednn=W     oneDNN capped at avx512_core_vnni, at its default "
      "ISA\n"
      "                 (AMX where available), or both (default)\n"
      "  --clock=C      time with the process's CPU time (cpu, default) or "
      "the\n"
      "                 wall clock (wall)\n"
      "  --seed=N       seed of the random data (default 1)\n");
}

Options parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *prefix) -> const char * {
      size_t len = std::strlen(prefix);
      return arg.compare(0, len, prefix) == 0 ? argv[i] + len : nullptr;
    };
    if (arg == "--quick") {
      o.quick = true;
    } else if (const char *v = value("--min-time=")) {
      char *end;
      o.minTime = std::strtod(v, &end);
      if (*v == 0 || *end || !(o.minTime >= 0) || o.minTime > 3600)
        fatal("--min-time expects seconds in [0, 3600], got '%s'", v);
      o.minTimeGiven = true;
    } else if (const char *v = value("--isa=")) {
      if (!std::strcmp(v, "generic"))
        o.isa = QLP_RT_ISA_GENERIC;
      else if (!std::strcmp(v, "avx512"))
        o.isa = QLP_RT_ISA_AVX512;
      else if (!std::strcmp(v, "amx"))
        o.isa = QLP_RT_ISA_AMX;
      else
        fatal("--isa expects generic, avx512 or amx, got '%s'", v);
    } else if (const char *v = value("--onednn=")) {
      if (!std::strcmp(v, "vnni"))
        o.dnnlDefault = false;
      else if (!std::strcmp(v, "default"))
        o.dnnlVnni = false;
      else if (std::strcmp(v, "both"))
        fatal("--onednn expects vnni, default or both, got '%s'", v);
    } else if (const char *v = value("--clock=")) {
      if (!std::strcmp(v, "wall"))
        o.wallClock = true;
      else if (std::strcmp(v, "cpu"))
        fatal("--clock expects cpu or wall, got '%s'", v);
    } else if (const char *v = value("--seed=")) {
      char *end;
      o.seed = std::strtoull(v, &end, 10);
      if (*v == 0 || *end)
        fatal("--seed expects an unsigned integer, got '%s'", v);
    } else if (arg == "--help" || arg == "-h") {
      usage(stdout);
      std::exit(0);
    } else {
      usage(stderr);
      fatal("unknown argument '%s'", argv[i]);
    }
  }
  if (o.quick && !o.minTimeGiven)
    o.minTime = 0.02;
  return o;
}

/// OpenBLAS and libgomp read their environment in constructors that run
/// before main(); set it and re-execute this program once so that they see
/// it. Returns a note on what was set, for the report.
std::string setUpEnvironment(char **argv, const CpuFeatures &cpu) {
  const char *marker = "QLP_BENCH_CPU_KERNELS_ENV";
  if (!getenv(marker)) {
    setenv("OMP_NUM_THREADS", "1", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    // Only on AVX-512 hosts: SkylakeX kernels would fault elsewhere. An
    // explicit choice in the environment wins.
    if (cpu.avx512)
      setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
    setenv(marker, "1", 1);
    execv("/proc/self/exe", argv);
    progress("warning: re-executing /proc/self/exe failed (%s); thread "
             "counts and OPENBLAS_CORETYPE may not apply",
             std::strerror(errno));
  }
  const char *coretype = getenv("OPENBLAS_CORETYPE");
  return std::string("OMP_NUM_THREADS=") +
         (getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "unset") +
         " OPENBLAS_NUM_THREADS=" +
         (getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS")
                                         : "unset") +
         " OPENBLAS_CORETYPE=" + (coretype ? coretype : "unset");
}

std::string commandLine(int argc, char **argv) {
  std::string cmd = "qlp-bench-cpu-kernels";
  for (int i = 1; i < argc; ++i)
    cmd += std::string(" ") + argv[i];
  return cmd;
}

} // namespace

int main(int argc, char **argv) {
  CpuFeatures cpu = detectFeatures();
  Options opt = parseOptions(argc, argv);
  if (opt.wallClock)
    gClock = CLOCK_MONOTONIC;
  std::string envNote = setUpEnvironment(argv, cpu);
  openblas_set_num_threads(1);

  if (opt.isa >= 0) {
    qlp_rt_isa isa = static_cast<qlp_rt_isa>(opt.isa);
    if (qlp_rt_set_isa(isa) != QLP_RT_OK)
      fatal("this CPU cannot run quant-lp's %s kernels", qlp_rt_isa_name(isa));
  }
  const char *qlpIsa = qlp_rt_isa_name(qlp_rt_selected_isa());
  const bool qlpAmx = qlp_rt_selected_isa() == QLP_RT_ISA_AMX;
  const double minTime = opt.minTime;

  // Shapes.
  std::vector<int64_t> int8Sizes =
      opt.quick ? std::vector<int64_t>{128, 256}
                : std::vector<int64_t>{256, 512, 1024, 2048};
  const int64_t w4N = opt.quick ? 1024 : 4096, w4K = w4N;
  const std::vector<int64_t> w4Ms = {1, 16};
  const int64_t binM = opt.quick ? 256 : 1024, binN = binM;
  const int64_t binK = opt.quick ? 1024 : 4096;

  std::mt19937_64 rng(opt.seed);

  progress("measuring peaks");
  Peaks peaks = measurePeaks(cpu, std::max(minTime, 0.05));

  //--- int8 GEMM ----------------------------------------------------------//
  // quant-lp reads the int8 bytes A; the u8 rows use a_zp = -128 on the same
  // bytes, i.e. the values A + 128, which oneDNN reads as u8 bytes A ^ 0x80.
  struct Int8Case {
    int64_t n;
    Buffer<int8_t> a, b;
    Buffer<uint8_t> aU8;
    Buffer<int32_t> cS8, cU8;
    Plan planS8, planU8; ///< Kept for the timing beside oneDNN.
    Check checkS8, checkU8;
  };
  std::vector<Int8Case> int8Cases;
  for (int64_t n : int8Sizes) {
    Int8Case c;
    c.n = n;
    c.a = allocate<int8_t>(n * n);
    c.b = allocate<int8_t>(n * n);
    c.aU8 = allocate<uint8_t>(n * n);
    c.cS8 = allocate<int32_t>(n * n);
    c.cU8 = allocate<int32_t>(n * n);
    fillBytes(rng, reinterpret_cast<uint8_t *>(c.a.get()), n * n);
    fillBytes(rng, reinterpret_cast<uint8_t *>(c.b.get()), n * n);
    for (int64_t i = 0; i < n * n; ++i)
      c.aU8[i] = static_cast<uint8_t>(c.a[i]) ^ 0x80;
    c.planS8 = buildPlan(int32Desc(n, n, 8, 8, 0, c.b.get()), "int8");
    c.planU8 = buildPlan(int32Desc(n, n, 8, 8, -128, c.b.get()), "int8 zp");
    progress("quant-lp int8 %" PRId64 "^3: checking", n);
    runQlp(c.planS8, c.a.get(), n, n, c.cS8.get(), n, "int8");
    runQlp(c.planU8, c.a.get(), n, n, c.cU8.get(), n, "int8 zp");
    c.checkS8 =
        checkInt8(c.a.get(), c.b.get(), n, n, n, 0, c.cS8.get(), opt.seed + n);
    c.checkU8 = checkInt8(c.a.get(), c.b.get(), n, n, n, -128, c.cU8.get(),
                          opt.seed + n + 1);
    int8Cases.push_back(std::move(c));
  }

  //--- W4A8 ---------------------------------------------------------------//
  // The same int4-range weights go to quant-lp's W4A8 plan (b_bits = 4), its
  // int8 plan (b_bits = 8) and oneDNN; activations as for the u8 rows.
  struct W4Case {
    int64_t m;
    Buffer<int8_t> a;
    Buffer<uint8_t> aU8;
    Buffer<int32_t> c4, c8;
    double qlp4 = 0, qlp8 = 0;
    bool timedSame = true; ///< The timed outputs equal the checked ones.
    Check check4, check8;
  };
  Buffer<int8_t> w4B = allocate<int8_t>(w4K * w4N);
  fillInt4(rng, w4B.get(), w4K * w4N);
  std::vector<W4Case> w4Cases;
  Plan w4Plan = buildPlan(int32Desc(w4K, w4N, 8, 4, -128, w4B.get()), "W4A8");
  Plan w8Plan = buildPlan(int32Desc(w4K, w4N, 8, 8, -128, w4B.get()), "W8A8");
  {
    for (int64_t m : w4Ms) {
      W4Case c;
      c.m = m;
      c.a = allocate<int8_t>(m * w4K);
      c.aU8 = allocate<uint8_t>(m * w4K);
      c.c4 = allocate<int32_t>(m * w4N);
      c.c8 = allocate<int32_t>(m * w4N);
      fillBytes(rng, reinterpret_cast<uint8_t *>(c.a.get()), m * w4K);
      for (int64_t i = 0; i < m * w4K; ++i)
        c.aU8[i] = static_cast<uint8_t>(c.a[i]) ^ 0x80;
      progress("quant-lp W4A8 vs int8, M=%" PRId64, m);
      runQlp(w4Plan, c.a.get(), m, w4K, c.c4.get(), w4N, "W4A8");
      runQlp(w8Plan, c.a.get(), m, w4K, c.c8.get(), w4N, "W8A8");
      // Timed into scratch outputs; the checked ones stay as computed.
      Buffer<int32_t> scratch4 = allocate<int32_t>(m * w4N);
      Buffer<int32_t> scratch8 = allocate<int32_t>(m * w4N);
      std::tie(c.qlp4, c.qlp8) = measurePair(
          [&] {
            (void)qlp_rt_gemm(w4Plan.blob.get(), c.a.get(), m, w4K,
                              scratch4.get(), w4N);
          },
          [&] {
            (void)qlp_rt_gemm(w8Plan.blob.get(), c.a.get(), m, w4K,
                              scratch8.get(), w4N);
          },
          minTime);
      size_t bytes = m * w4N * sizeof(int32_t);
      c.timedSame = !std::memcmp(scratch4.get(), c.c4.get(), bytes) &&
                    !std::memcmp(scratch8.get(), c.c8.get(), bytes);
      // In full: at most 16 x 4096 x 4096 products.
      c.check4 = checkInt8(c.a.get(), w4B.get(), m, w4N, w4K, -128, c.c4.get(),
                           opt.seed + 7, 1e12);
      c.check8 = checkInt8(c.a.get(), w4B.get(), m, w4N, w4K, -128, c.c8.get(),
                           opt.seed + 8, 1e12);
      w4Cases.push_back(std::move(c));
    }
  }

  //--- Binary -------------------------------------------------------------//
  // Activation byte bit 0 = 1 encodes -1; weights are +-1 int8.
  Buffer<uint8_t> binA = allocate<uint8_t>(binM * binK);
  Buffer<int8_t> binB = allocate<int8_t>(binK * binN);
  Buffer<int32_t> binC = allocate<int32_t>(binM * binN);
  fillBytes(rng, binA.get(), binM * binK);
  for (int64_t i = 0; i < binM * binK; ++i)
    binA[i] &= 1;
  fillBytes(rng, reinterpret_cast<uint8_t *>(binB.get()), binK * binN);
  for (int64_t i = 0; i < binK * binN; ++i)
    binB[i] = (binB[i] & 1) ? -1 : 1;
  Check binCheck;
  Plan binPlan =
      buildPlan(int32Desc(binK, binN, 1, 1, 0, binB.get()), "binary");
  {
    progress("quant-lp binary %" PRId64 "x%" PRId64 "x%" PRId64 ": checking",
             binM, binN, binK);
    runQlp(binPlan, binA.get(), binM, binK, binC.get(), binN, "binary");
    // The popcount formula on sampled entries: pack row m of A and column n
    // of B into 64-bit words (bit = 1 for -1) and take K - 2 * popcount(xor).
    std::mt19937_64 srng(opt.seed + 11);
    int64_t words = (binK + 63) / 64;
    std::vector<uint64_t> ra(words), cb(words);
    const int samples = 4096;
    for (int s = 0; s < samples && binCheck.ok; ++s) {
      int64_t i = srng() % binM, j = srng() % binN;
      std::fill(ra.begin(), ra.end(), 0);
      std::fill(cb.begin(), cb.end(), 0);
      for (int64_t kk = 0; kk < binK; ++kk) {
        ra[kk / 64] |= (uint64_t)(binA[i * binK + kk] & 1) << (kk % 64);
        cb[kk / 64] |= (uint64_t)(binB[kk * binN + j] < 0) << (kk % 64);
      }
      int64_t pop = 0;
      for (int64_t w = 0; w < words; ++w)
        pop += __builtin_popcountll(ra[w] ^ cb[w]);
      int64_t want = binK - 2 * pop;
      if (binC[i * binN + j] != want)
        binCheck.fail("C[" + std::to_string(i) + "][" + std::to_string(j) +
                      "] = " + std::to_string(binC[i * binN + j]) +
                      ", popcount formula " + std::to_string(want));
    }
    if (binCheck.ok)
      binCheck.what = std::to_string(samples) + " sampled entries vs popcount";
  }

  //--- oneDNN -------------------------------------------------------------//
  std::vector<DnnlJob> jobs;
  for (const Int8Case &c : int8Cases) {
    jobs.push_back({c.n, c.n, c.n, true, c.aU8.get(), c.b.get(), c.cU8.get(),
                    &c.planU8, c.a.get()});
    jobs.push_back({c.n, c.n, c.n, false, c.a.get(), c.b.get(), c.cS8.get(),
                    &c.planS8, c.a.get()});
  }
  size_t w4JobBase = jobs.size();
  for (const W4Case &c : w4Cases)
    jobs.push_back({c.m, w4N, w4K, true, c.aU8.get(), w4B.get(), c.c4.get(),
                    &w4Plan, c.a.get()});

  std::vector<std::pair<std::string, DnnlRun>> dnnlRuns;
  int vnniIsa = -1;
  if (opt.dnnlVnni) {
    progress("oneDNN capped at avx512_core_vnni");
    DnnlRun r = runDnnlChild(dnnl_cpu_isa_avx512_core_vnni, jobs, minTime, -1);
    vnniIsa = r.header.isa;
    dnnlRuns.emplace_back("vnni", std::move(r));
  }
  if (opt.dnnlDefault) {
    progress("oneDNN at its default ISA");
    // Skipped when the default is what the capped run already measured.
    DnnlRun r = runDnnlChild(dnnl_cpu_isa_all, jobs, minTime, vnniIsa);
    dnnlRuns.emplace_back("default", std::move(r));
  }

  //--- OpenBLAS -----------------------------------------------------------//
  Buffer<float> fa = allocate<float>(binM * binK);
  Buffer<float> fb = allocate<float>(binK * binN);
  Buffer<float> fc = allocate<float>(binM * binN);
  for (int64_t i = 0; i < binM * binK; ++i)
    fa[i] = (binA[i] & 1) ? -1.0f : 1.0f;
  for (int64_t i = 0; i < binK * binN; ++i)
    fb[i] = binB[i];
  progress("OpenBLAS sgemm %" PRId64 "x%" PRId64 "x%" PRId64, binM, binN, binK);
  Buffer<int32_t> binScratch = allocate<int32_t>(binM * binN);
  double qlpBin, blasSeconds;
  std::tie(qlpBin, blasSeconds) = measurePair(
      [&] {
        (void)qlp_rt_gemm(binPlan.blob.get(), binA.get(), binM, binK,
                          binScratch.get(), binN);
      },
      [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)binM,
                    (int)binN, (int)binK, 1.0f, fa.get(), (int)binK, fb.get(),
                    (int)binN, 0.0f, fc.get(), (int)binN);
      },
      minTime);
  std::string blasCheck = "bit-exact";
  if (std::memcmp(binScratch.get(), binC.get(), binM * binN * sizeof(int32_t)))
    blasCheck = "quant-lp's timed output differs from its checked one";
  for (int64_t i = 0; i < binM * binN && blasCheck == "bit-exact"; ++i)
    if (fc[i] != (float)binC[i]) {
      blasCheck = "MISMATCH at [" + std::to_string(i / binN) + "][" +
                  std::to_string(i % binN) + "]: sgemm " +
                  std::to_string(fc[i]) + ", quant-lp " +
                  std::to_string(binC[i]);
      break;
    }
  int parentThreads = threadCount();

  // Peaks once more: the better of two measurements that bracket the
  // kernels, so that a burst of load on the machine at the start does not
  // make every percentage look better than it is.
  progress("measuring peaks again");
  Peaks after = measurePeaks(cpu, std::max(minTime, 0.05));
  peaks.int8 = std::max(peaks.int8, after.int8);
  peaks.fp32 = std::max(peaks.fp32, after.fp32);
  peaks.binary = std::max(peaks.binary, after.binary);
  peaks.amx = std::max(peaks.amx, after.amx);

  //--- Rows ---------------------------------------------------------------//
  // Which of quant-lp's int8 kernels runs for M rows, and the peak of its
  // instruction: with AMX selected, gemmS8AMX runs tdpbusd from M = 8
  // (runtime/GemmS8AMX.cpp's kMinRows) and hands smaller M to the AVX-512
  // VNNI kernel. The W4A8 kernel is vpdpbusd under every AVX-512 ISA.
  auto int8KernelName = [&](int64_t m) -> std::string {
    if (qlpAmx)
      return m >= 8 ? "AMX tdpbusd" : "AVX-512 vpdpbusd (AMX dispatch, M < 8)";
    return std::string(qlpIsa) + (std::string(qlpIsa) == "avx512"
                                      ? " vpdpbusd"
                                      : "");
  };
  auto int8KernelPeak = [&](int64_t m) {
    return qlpAmx && m >= 8 && peaks.amx > 0 ? peaks.amx : peaks.int8;
  };
  std::vector<Row> rows;
  auto qlpCheck = [](const Check &c) {
    return c.ok ? std::string() : "quant-lp WRONG (" + c.what + ")";
  };
  auto combine = [](const std::string &qlp, const std::string &peer) {
    return qlp.empty() ? peer : qlp + "; " + peer;
  };
  for (size_t ci = 0; ci < int8Cases.size(); ++ci) {
    const Int8Case &c = int8Cases[ci];
    double ops = 2.0 * c.n * c.n * c.n;
    for (int u8 = 1; u8 >= 0; --u8) {
      size_t job = 2 * ci + (u8 ? 0 : 1);
      for (auto &[label, run] : dnnlRuns) {
        if (!run.ran && run.failure.empty())
          continue;
        const DnnlOutcome &o = run.outcomes[job];
        Row r;
        r.kernel = u8 ? "int8 GEMM, u8s8s32" : "int8 GEMM, s8s8s32";
        r.shape = shapeString(c.n, c.n, c.n);
        r.qlpGops = gops(ops, o.qlpSeconds);
        r.peer = std::string("oneDNN ") +
                 (o.impl[0] ? o.impl : dnnlIsaName(run.header.isa));
        r.peerGops = gops(ops, o.seconds);
        r.qlpPeak = int8KernelPeak(c.n);
        r.qlpPeakAmx = r.qlpPeak != peaks.int8;
        r.peerPeak =
            run.header.isa == dnnl_cpu_isa_avx512_core_amx && peaks.amx > 0
                ? peaks.amx
                : peaks.int8;
        r.peerPeakAmx = r.peerPeak != peaks.int8;
        r.check = combine(qlpCheck(u8 ? c.checkU8 : c.checkS8),
                          run.failure.empty() ? dnnlCheck(o, c.n * c.n, c.n)
                                              : run.failure);
        rows.push_back(r);
      }
    }
  }
  for (size_t ci = 0; ci < w4Cases.size(); ++ci) {
    const W4Case &c = w4Cases[ci];
    double ops = 2.0 * c.m * w4N * w4K;
    const char *kernel = c.m == 1 ? "W4A8 GEMV" : "W4A8 GEMM";
    std::string qlpWrong = qlpCheck(c.check4);
    Row own;
    own.kernel = kernel;
    own.shape = shapeString(c.m, w4N, w4K);
    own.qlpGops = gops(ops, c.qlp4);
    own.peer = std::string("quant-lp int8, ") + int8KernelName(c.m);
    own.peerGops = gops(ops, c.qlp8);
    own.qlpPeak = peaks.int8;
    own.peerPeak = int8KernelPeak(c.m);
    own.peerPeakAmx = own.peerPeak != peaks.int8;
    int64_t first;
    int64_t bad = countMismatches(c.c4.get(), c.c8.get(), c.m * w4N, &first);
    std::string peerCheck =
        !c.check8.ok   ? "quant-lp int8 WRONG (" + c.check8.what + ")"
        : !c.timedSame ? "timed outputs differ from the checked ones"
        : bad          ? "MISMATCH: " + std::to_string(bad) + " entries"
                       : "bit-exact";
    own.check = combine(qlpWrong, peerCheck);
    rows.push_back(own);
    for (auto &[label, run] : dnnlRuns) {
      if (!run.ran && run.failure.empty())
        continue;
      const DnnlOutcome &o = run.outcomes[w4JobBase + ci];
      Row r;
      r.kernel = kernel;
      r.shape = own.shape;
      r.qlpGops = gops(ops, o.qlpSeconds);
      r.peer = std::string("oneDNN u8s8s32 ") +
               (o.impl[0] ? o.impl : dnnlIsaName(run.header.isa));
      r.peerGops = gops(ops, o.seconds);
      r.qlpPeak = peaks.int8;
      r.peerPeak =
          run.header.isa == dnnl_cpu_isa_avx512_core_amx && peaks.amx > 0
              ? peaks.amx
              : peaks.int8;
      r.peerPeakAmx = r.peerPeak != peaks.int8;
      r.check =
          combine(qlpWrong, run.failure.empty() ? dnnlCheck(o, c.m * w4N, w4N)
                                                : run.failure);
      rows.push_back(r);
    }
  }
  {
    double ops = 2.0 * binM * binN * binK;
    // With AMX selected, Bin plans run gemmBinAMX (tdpbssd on +-1 bytes)
    // for M >= 256 (runtime/KernelPlan.h's kBinAMXMinRows) when the host
    // also has AVX512-VBMI, and the xor+popcount kernel otherwise. tdpbssd
    // has tdpbusd's throughput, so the AMX row uses the tdpbusd peak.
    const bool binAmx = qlpAmx && binM >= 256 && peaks.amx > 0 &&
                        __builtin_cpu_supports("avx512vbmi");
    Row r;
    r.kernel = binAmx ? "binary GEMM (AMX tdpbssd)" : "binary GEMM";
    r.shape = shapeString(binM, binN, binK);
    r.qlpGops = gops(ops, qlpBin);
    r.peer = std::string("OpenBLAS sgemm (") + openblas_get_corename() + ")";
    r.peerGops = gops(ops, blasSeconds);
    r.qlpPeak = binAmx ? peaks.amx : peaks.binary;
    r.qlpPeakAmx = binAmx;
    r.peerPeak = peaks.fp32;
    r.check = combine(qlpCheck(binCheck), blasCheck);
    rows.push_back(r);
  }

  //--- Print --------------------------------------------------------------//
  const dnnl_version_t *dv = dnnl_version();
  std::string model = cpuinfoField("model name");
  std::printf("## quant-lp CPU kernels vs oneDNN and OpenBLAS\n\n");
  std::printf("- Command: `%s`\n", commandLine(argc, argv).c_str());
  std::printf("- CPU: %s (family %s, model %s, stepping %s); "
              "AVX-512 %s, VNNI %s, VPOPCNTDQ %s, AMX-INT8 %s\n",
              model.c_str(), cpuinfoField("cpu family").c_str(),
              cpuinfoField("model").c_str(), cpuinfoField("stepping").c_str(),
              cpu.avx512 ? "yes" : "no", cpu.vnni ? "yes" : "no",
              cpu.vpopcntdq ? "yes" : "no", cpu.amxInt8 ? "yes" : "no");
  std::printf(
      "- Caches: L1d %s, L2 %s, L3 %s\n",
      readFirstLine("/sys/devices/system/cpu/cpu0/cache/index0/size").c_str(),
      readFirstLine("/sys/devices/system/cpu/cpu0/cache/index2/size").c_str(),
      readFirstLine("/sys/devices/system/cpu/cpu0/cache/index3/size").c_str());
  std::printf("- quant-lp kernels: %s%s\n", qlpIsa,
              opt.isa >= 0 ? " (forced by --isa)" : " (runtime dispatch)");
  std::printf("- oneDNN %d.%d.%d (%s), matmul with weights in format any, "
              "reordered once; ISA",
              dv->major, dv->minor, dv->patch,
              DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP ? "OpenMP" : "other");
  const char *sep = ": ";
  for (auto &[label, run] : dnnlRuns) {
    std::printf("%s", sep);
    sep = "; ";
    const char *what =
        label == "vnni" ? "capped at avx512_core_vnni" : "default";
    if (!run.failure.empty())
      std::printf("%s: failed (%s)", what, run.failure.c_str());
    else if (run.header.skipped)
      std::printf("%s: same as capped, not rerun", what);
    else
      std::printf("%s -> %s (%d thread%s)", what, dnnlIsaName(run.header.isa),
                  run.header.threads, run.header.threads == 1 ? "" : "s");
  }
  std::printf("\n");
  std::printf("- OpenBLAS: %s; core %s; %d thread(s)\n", openblas_get_config(),
              openblas_get_corename(), openblas_get_num_threads());
  std::printf("- Environment (set by re-exec): %s; threads in the main "
              "process: %d\n",
              envNote.c_str(), parentThreads);
  std::printf("- Timing: one thread, warm-up, then the median of repetitions "
              "over >= %.3g s of %s per measurement; seed %" PRIu64 "\n\n",
              minTime, opt.wallClock ? "wall-clock time" : "process CPU time",
              opt.seed);

  std::printf("### Peaks of this core (register-only loops)\n\n");
  std::printf("| Loop | GOP/s |\n|---|---:|\n");
  auto peakRow = [](const char *name, double v) {
    std::printf("| %s | %s |\n", name, v > 0 ? fmtGops(v).c_str() : "n/a");
  };
  peakRow("int8: `vpdpbusd` zmm, 12 accumulators (128 op each)", peaks.int8);
  peakRow("fp32: `vfmadd231ps` zmm, 12 accumulators (32 op each)", peaks.fp32);
  peakRow("binary: `vpxorq`+`vpopcntq`+`vpaddq` zmm, 12 chains (1024 op "
          "each)",
          peaks.binary);
  peakRow("AMX int8: `tdpbusd`, 4 accumulator tiles (32768 op each)",
          peaks.amx);

  std::printf("\n### Results\n\n");
  std::printf("| Kernel | MxNxK | quant-lp GOP/s | Peer | Peer GOP/s | "
              "quant-lp / peer | quant-lp %% of peak | Peer %% of peak | "
              "Check |\n");
  std::printf("|---|---|---:|---|---:|---:|---:|---:|---|\n");
  auto pct = [](double v, double peak, bool amx) {
    std::string s = fmtPercent(v, peak);
    return amx && s != "-" ? s + " of tdpbusd" : s;
  };
  for (const Row &r : rows) {
    char ratio[32] = "-";
    if (r.peerGops > 0 && r.qlpGops > 0)
      std::snprintf(ratio, sizeof(ratio), "%.2fx", r.qlpGops / r.peerGops);
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                r.kernel.c_str(), r.shape.c_str(), fmtGops(r.qlpGops).c_str(),
                r.peer.c_str(),
                r.peerGops > 0 ? fmtGops(r.peerGops).c_str() : "-", ratio,
                pct(r.qlpGops, r.qlpPeak, r.qlpPeakAmx).c_str(),
                pct(r.peerGops, r.peerPeak, r.peerPeakAmx).c_str(),
                r.check.c_str());
  }
  std::printf(
      "\nPeaks: quant-lp's W4A8 kernel, its AVX-512 int8 kernel and oneDNN's "
      "VNNI kernels against the vpdpbusd peak; quant-lp's AMX int8 kernel "
      "(used from M = 8 when the ISA is amx%s) and oneDNN's AMX kernels "
      "against the tdpbusd peak; quant-lp's binary kernel against the xor+popcount peak "
      "(the tdpbusd peak when it runs AMX tdpbssd: ISA amx and M >= 256) and "
      "sgemm against the FMA peak. Checks: quant-lp's int32 output against a "
      "scalar reference (in full for the int8 rows up to 512^3, on 4096 "
      "sampled entries above; in full for W4A8; binary: 4096 sampled entries "
      "against the popcount formula), then every peer's output against "
      "quant-lp's, bit for bit. A percentage marked \"of tdpbusd\" refers "
      "to the AMX tdpbusd peak, any other to the peak named above for its "
      "kernel.\n",
      qlpAmx ? ", as in this run" : "; not in this run");

  bool allOk = true;
  for (const Row &r : rows)
    if (r.check != "bit-exact")
      allOk = false;
  return allOk ? 0 : 2;
}

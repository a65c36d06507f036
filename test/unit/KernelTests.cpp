//===- KernelTests.cpp - qlp_kernels.h against scalar references ---------===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Tests the kernel plans and kernels of runtime/qlp_kernels.h:
//
//   * Plan validation: every malformed field of a GEMM or convolution
//     description gets the documented status and leaves *size alone; short,
//     misaligned and out-of-range-weight builds fail; corrupted plans (each
//     header field, misaligned copies, the wrong kind) and bad run arguments
//     are rejected by qlp_rt_gemm / qlp_rt_conv2d without writing anything.
//   * Plan layout: the packed weights and the expanded epilogue arrays are
//     decoded here from the layout KernelPlan.h documents and compared with
//     the weights and scales they came from.
//   * Bit-exactness: randomized GEMMs for each weight format (S8 with a_bits
//     8/4/2, U4 with b_bits 4/2 and a_bits 8/4/2, Bin; each with and
//     without a per-column bias) and randomized convolutions are compared with a straightforward scalar reference
//     written here: int64 dot products of the unpacked values, then
//     mlir::qlp::rescale (dialect/Dyadic.h, the definition of qlp.rescale) as
//     the epilogue oracle. Each family runs once on the generic path, once
//     on AVX-512 and once with AMX selected (each skipped where the host
//     lacks it; with AMX, S8 plans with at least 8 rows and Bin plans with at
//     least kBinAMXMinRows rows run the tile kernels, U4 and shorter calls
//     the AVX-512 kernels; the Bin random, large and extreme families under
//     AMX draw enough rows to reach gemmBinAMX). Outputs
//     are surrounded by guard bytes, and the row-stride gaps must stay
//     untouched.
//
// Every randomized family draws a fresh seed from std::random_device and
// prints it with its case count ("S8 avx512: 400 cases equal, seed 123");
// QLP_KERNEL_TEST_SEED=<n> in the environment replays a run. Failure messages
// name the seed, the case number and the case's parameters.
//
//===----------------------------------------------------------------------===//

#include "runtime/KernelPlan.h"
#include "runtime/qlp_kernels.h"

#include "dialect/Dyadic.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Rng = std::mt19937_64;

/// The selection before any test changes it: detection (and QLP_RT_ISA) run
/// during static initialization, whatever order the tests run in.
const qlp_rt_isa kInitialIsa = qlp_rt_selected_isa();

constexpr uint8_t kGuard = 0xA5;
constexpr size_t kGuardBytes = 64;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// A QLP_RT_PLAN_ALIGNMENT-aligned buffer, optionally at an extra byte offset
/// (to build misaligned plans).
class AlignedBuffer {
public:
  explicit AlignedBuffer(int64_t size, size_t misalign = 0)
      : storage(static_cast<size_t>(size) + misalign + QLP_RT_PLAN_ALIGNMENT,
                0) {
    auto address = reinterpret_cast<uintptr_t>(storage.data());
    size_t pad = (QLP_RT_PLAN_ALIGNMENT - address % QLP_RT_PLAN_ALIGNMENT) %
                 QLP_RT_PLAN_ALIGNMENT;
    ptr = storage.data() + pad + misalign;
  }
  uint8_t *data() { return ptr; }
  const uint8_t *data() const { return ptr; }

private:
  std::vector<uint8_t> storage;
  uint8_t *ptr;
};

/// An output buffer of `size` bytes filled with kGuard and followed by guard
/// bytes.
struct GuardedOutput {
  explicit GuardedOutput(size_t size)
      : size(size), bytes(size + kGuardBytes, kGuard) {}
  uint8_t *data() { return bytes.data(); }
  bool untouched() const {
    return std::all_of(bytes.begin(), bytes.end(),
                       [](uint8_t b) { return b == kGuard; });
  }
  bool guardIntact() const {
    return std::all_of(bytes.begin() + static_cast<ptrdiff_t>(size),
                       bytes.end(), [](uint8_t b) { return b == kGuard; });
  }
  size_t size;
  std::vector<uint8_t> bytes;
};

/// The seed of one randomized family: QLP_KERNEL_TEST_SEED if set, else a
/// fresh one.
uint64_t familySeed() {
  if (const char *env = std::getenv("QLP_KERNEL_TEST_SEED"))
    return std::strtoull(env, nullptr, 0);
  std::random_device device;
  return (uint64_t(device()) << 32) ^ device();
}

int64_t uniform(Rng &rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

bool chance(Rng &rng, int percent) { return uniform(rng, 0, 99) < percent; }

int64_t minOf(int bits) { return -(int64_t(1) << (bits - 1)); }
int64_t maxOf(int bits) { return (int64_t(1) << (bits - 1)) - 1; }

/// A value of a signed `bits`-wide type, biased toward the range's ends.
int32_t pickInRange(Rng &rng, int bits) {
  switch (uniform(rng, 0, 5)) {
  case 0:
    return static_cast<int32_t>(minOf(bits));
  case 1:
    return static_cast<int32_t>(maxOf(bits));
  default:
    return static_cast<int32_t>(uniform(rng, minOf(bits), maxOf(bits)));
  }
}

/// A dimension: often tiny or 1, often one off a multiple of a vector or
/// tile width, otherwise uniform.
int64_t pickDim(Rng &rng, int64_t maxTypical, int64_t maxLarge) {
  static const int64_t kMultiples[] = {4, 8, 16, 32, 64, 128};
  switch (uniform(rng, 0, 9)) {
  case 0:
    return 1;
  case 1:
    return uniform(rng, 1, 8);
  case 2:
  case 3: {
    int64_t multiple = kMultiples[uniform(rng, 0, 5)];
    int64_t value = multiple * uniform(rng, 1, 4) + uniform(rng, -1, 1);
    return std::clamp<int64_t>(value, 1, maxLarge);
  }
  case 4:
    return uniform(rng, 1, maxLarge);
  default:
    return uniform(rng, 1, maxTypical);
  }
}

/// The value the kernels must read from an activation byte (qlp_kernels.h,
/// "Element storage"), written independently of the runtime's helper.
int64_t activationOf(uint8_t byte, int bits) {
  if (bits == 1)
    return (byte & 1) ? -1 : 1;
  int64_t field = byte & ((1 << bits) - 1);
  return field >= (int64_t(1) << (bits - 1)) ? field - (int64_t(1) << bits)
                                              : field;
}

int64_t loadElement(const uint8_t *p, int outBytes) {
  switch (outBytes) {
  case 1:
    return static_cast<int8_t>(*p);
  case 2: {
    int16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  default: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  }
}

//===----------------------------------------------------------------------===//
// GEMM cases
//===----------------------------------------------------------------------===//

enum class Path { S8, U4, Bin };

const char *pathName(Path path) {
  switch (path) {
  case Path::S8:
    return "S8";
  case Path::U4:
    return "U4";
  case Path::Bin:
    return "Bin";
  }
  return "?";
}

/// One GEMM layer with its data; `desc` points into the vectors.
struct GemmCase {
  int64_t m = 0, lda = 0, ldc = 0;
  qlp_rt_gemm_desc desc{};
  std::vector<int8_t> b;
  std::vector<int32_t> bias, multipliers, shifts;
  std::vector<uint8_t> a;

  GemmCase() = default;
  GemmCase(const GemmCase &) = delete;

  void fixPointers() {
    desc.b = b.data();
    desc.bias = bias.empty() ? nullptr : bias.data();
    desc.multipliers = multipliers.empty() ? nullptr : multipliers.data();
    desc.shifts = shifts.empty() ? nullptr : shifts.data();
  }

  std::string describe() const {
    std::ostringstream os;
    os << "m=" << m << " k=" << desc.k << " n=" << desc.n << " lda=" << lda
       << " ldc=" << ldc << " a_bits=" << desc.a_bits
       << " b_bits=" << desc.b_bits << " a_zp=" << desc.a_zp
       << " b_zp=" << desc.b_zp << " bias=" << (desc.bias ? "yes" : "no")
       << " rescale=" << desc.has_rescale;
    if (desc.has_rescale)
      os << " rounding=" << desc.rounding
         << " in_zp=" << desc.rescale_input_zp
         << " out_zp=" << desc.output_zp << " clamp=[" << desc.clamp_min
         << ", " << desc.clamp_max << "] out_bytes=" << desc.out_bytes
         << " scales=" << desc.num_scales << " m0=" << multipliers[0]
         << " s0=" << shifts[0];
    return os.str();
  }
};

/// Fills the epilogue of `c` with a random rescale (or none).
void randomEpilogue(Rng &rng, qlp_rt_gemm_desc &d, GemmCase &c) {
  d.has_rescale = chance(rng, 70) ? 1 : 0;
  if (!d.has_rescale) {
    d.out_bytes = 4;
    // Garbage in the ignored fields must not matter.
    d.rounding = static_cast<int32_t>(uniform(rng, -5, 5));
    d.clamp_min = 7;
    d.clamp_max = -7;
    d.num_scales = 0;
    return;
  }
  d.rounding = static_cast<int32_t>(uniform(rng, 0, 2));
  static const int32_t kOutBytes[] = {1, 2, 4};
  d.out_bytes = kOutBytes[uniform(rng, 0, 2)];
  const int outBits = d.out_bytes * 8;
  if (chance(rng, 50)) {
    d.clamp_min = static_cast<int32_t>(minOf(outBits));
    d.clamp_max = static_cast<int32_t>(maxOf(outBits));
  } else {
    int64_t x = uniform(rng, minOf(outBits), maxOf(outBits));
    int64_t y = uniform(rng, minOf(outBits), maxOf(outBits));
    d.clamp_min = static_cast<int32_t>(std::min(x, y));
    d.clamp_max = static_cast<int32_t>(std::max(x, y));
  }
  d.output_zp = chance(rng, 80) ? pickInRange(rng, outBits)
                                : static_cast<int32_t>(uniform(
                                      rng, INT32_MIN, INT32_MAX));
  switch (uniform(rng, 0, 5)) {
  case 0:
    d.rescale_input_zp = chance(rng, 50) ? INT32_MIN : INT32_MAX;
    break;
  case 1:
    d.rescale_input_zp = static_cast<int32_t>(uniform(rng, INT32_MIN, INT32_MAX));
    break;
  case 2:
    d.rescale_input_zp = 0;
    break;
  default:
    d.rescale_input_zp = static_cast<int32_t>(uniform(rng, -1000, 1000));
    break;
  }
  d.num_scales = chance(rng, 50) ? 1 : d.n;
  c.multipliers.resize(static_cast<size_t>(d.num_scales));
  c.shifts.resize(static_cast<size_t>(d.num_scales));
  for (int64_t i = 0; i < d.num_scales; ++i) {
    switch (uniform(rng, 0, 7)) {
    case 0:
      c.multipliers[i] = 1;
      break;
    case 1:
      c.multipliers[i] = INT32_MAX;
      break;
    case 2:
      c.multipliers[i] = static_cast<int32_t>(uniform(rng, 1, INT32_MAX));
      break;
    default:
      c.multipliers[i] =
          static_cast<int32_t>(uniform(rng, int64_t(1) << 30, INT32_MAX));
      break;
    }
    switch (uniform(rng, 0, 9)) {
    case 0:
      c.shifts[i] = 0;
      break;
    case 1:
      c.shifts[i] = 62;
      break;
    case 2:
    case 3:
      c.shifts[i] = static_cast<int32_t>(uniform(rng, 0, 62));
      break;
    default:
      // Shifts that keep typical results inside the output range, so that
      // the rounding, not the clamp, decides most outputs.
      c.shifts[i] = static_cast<int32_t>(uniform(rng, 28, 50));
      break;
    }
  }
}

/// A random layer for `path`, with M rows of activations. The exact
/// accumulator stays within int32: K <= 6000 and |bias| <= 2^29 for the
/// integer formats; a binary bias reaches 2^31 - 1 - 20000, the most a
/// binary plan accepts (|bias| + K <= 2^31 - 1) for every K the families
/// use (the convolutions' K goes up to 20000).
///
/// With minRows > 0, M is drawn from [minRows, minRows + 64] (to reach a
/// kernel that only takes calls of at least minRows rows) and N is cut so
/// that the scalar reference stays quick (M * N * K <= 3e7).
void randomGemm(Rng &rng, Path path, GemmCase &c, int64_t minRows = 0) {
  qlp_rt_gemm_desc &d = c.desc;
  d = qlp_rt_gemm_desc{};
  static const int32_t kIntBits[] = {8, 4, 2};
  switch (path) {
  case Path::S8:
    d.a_bits = kIntBits[uniform(rng, 0, 2)];
    d.b_bits = 8;
    break;
  case Path::U4:
    d.a_bits = kIntBits[uniform(rng, 0, 2)];
    d.b_bits = chance(rng, 60) ? 4 : 2;
    break;
  case Path::Bin:
    d.a_bits = d.b_bits = 1;
    break;
  }
  d.k = chance(rng, 3) ? uniform(rng, 2000, 6000) : pickDim(rng, 300, 1500);
  d.n = pickDim(rng, 100, 300);
  c.m = chance(rng, 30) ? 1 : pickDim(rng, 12, 40);
  if (minRows > 0) {
    c.m = uniform(rng, minRows, minRows + 64);
    d.n = std::max<int64_t>(
        1, std::min<int64_t>(d.n, 30000000 / (c.m * d.k)));
  }
  c.lda = d.k + (chance(rng, 25) ? uniform(rng, 1, 70) : 0);
  c.ldc = d.n + (chance(rng, 25) ? uniform(rng, 1, 20) : 0);

  const bool binary = path == Path::Bin;
  if (!binary) {
    d.a_zp = pickInRange(rng, d.a_bits);
    // Symmetric weights (b_zp = 0, the usual per-channel quantization) in
    // a third of the cases: with int32 output the AMX int8 kernel then
    // stores full tiles straight into C.
    d.b_zp = chance(rng, 33) ? 0 : pickInRange(rng, d.b_bits);
  }
  // Weights: uniform, or (to reach the largest accumulators) all at one end.
  c.b.resize(static_cast<size_t>(d.k * d.n));
  const int weightMode = static_cast<int>(uniform(rng, 0, 9));
  for (int8_t &w : c.b) {
    if (binary)
      w = chance(rng, 50) ? 1 : -1;
    else if (weightMode == 0)
      w = static_cast<int8_t>(minOf(d.b_bits));
    else if (weightMode == 1)
      w = static_cast<int8_t>(maxOf(d.b_bits));
    else
      w = static_cast<int8_t>(uniform(rng, minOf(d.b_bits), maxOf(d.b_bits)));
  }
  // Activations: random bytes (the bits above a_bits are noise the kernels
  // must ignore), or bytes holding one end of the range.
  c.a.resize(static_cast<size_t>((c.m - 1) * c.lda + d.k));
  const int activationMode = static_cast<int>(uniform(rng, 0, 9));
  for (uint8_t &x : c.a) {
    if (activationMode == 0 && !binary)
      x = static_cast<uint8_t>(minOf(d.a_bits));
    else if (activationMode == 1 && !binary)
      x = static_cast<uint8_t>(maxOf(d.a_bits));
    else
      x = static_cast<uint8_t>(uniform(rng, 0, 255));
  }
  if (chance(rng, 60)) {
    const int64_t wide = binary ? INT32_MAX - 20000 : int64_t(1) << 29;
    c.bias.resize(static_cast<size_t>(d.n));
    for (int32_t &v : c.bias) {
      if (binary && chance(rng, 5))
        v = static_cast<int32_t>(chance(rng, 50) ? wide : -wide);
      else
        v = static_cast<int32_t>(chance(rng, 20) ? uniform(rng, -wide, wide)
                                                 : uniform(rng, -5000, 5000));
    }
  }
  randomEpilogue(rng, d, c);
  c.fixPointers();
}

/// The exact accumulator of qlp.matmul / qlp.binary_matmul.
int64_t referenceAcc(const qlp_rt_gemm_desc &d, const uint8_t *aRow,
                     int64_t col) {
  int64_t acc = d.bias ? d.bias[col] : 0;
  for (int64_t k = 0; k < d.k; ++k) {
    int64_t a = activationOf(aRow[k], d.a_bits);
    int64_t b = d.b[k * d.n + col];
    acc += (a - d.a_zp) * (b - d.b_zp);
  }
  return acc;
}

/// The stored value of one output element: the accumulator, or
/// mlir::qlp::rescale of it (the op's definition).
int64_t referenceOutput(const qlp_rt_gemm_desc &d, int64_t acc, int64_t col) {
  EXPECT_GE(acc, INT32_MIN);
  EXPECT_LE(acc, INT32_MAX);
  if (!d.has_rescale)
    return acc;
  int64_t index = d.num_scales == 1 ? 0 : col;
  mlir::qlp::DyadicScale scale{d.multipliers[index], d.shifts[index]};
  return mlir::qlp::rescale(acc, d.rescale_input_zp, scale, d.output_zp,
                            d.clamp_min, d.clamp_max,
                            static_cast<mlir::qlp::DyadicRounding>(d.rounding));
}

/// Builds the plan of `desc`; fails the test on a non-OK status.
std::unique_ptr<AlignedBuffer> buildGemmPlan(const qlp_rt_gemm_desc &desc) {
  int64_t size = -1;
  EXPECT_EQ(qlp_rt_gemm_plan_size(&desc, &size), QLP_RT_OK);
  if (size <= 0)
    return nullptr;
  auto plan = std::make_unique<AlignedBuffer>(size);
  EXPECT_EQ(qlp_rt_gemm_plan_init(&desc, plan->data(), size), QLP_RT_OK);
  return plan;
}

/// Runs one case and compares every element and every untouched byte.
/// Returns false (after reporting) on a mismatch.
bool checkGemmCase(GemmCase &c, const std::string &where) {
  const qlp_rt_gemm_desc &d = c.desc;
  auto plan = buildGemmPlan(d);
  if (!plan)
    return false;
  const size_t outBytes = static_cast<size_t>(d.out_bytes);
  GuardedOutput out(static_cast<size_t>((c.m - 1) * c.ldc + d.n) * outBytes);
  if (qlp_rt_gemm(plan->data(), c.a.data(), c.m, c.lda, out.data(), c.ldc) !=
      QLP_RT_OK) {
    ADD_FAILURE() << where << ": qlp_rt_gemm failed; " << c.describe();
    return false;
  }
  for (int64_t row = 0; row < c.m; ++row) {
    const uint8_t *aRow = c.a.data() + row * c.lda;
    const uint8_t *cRow = out.data() + row * c.ldc * outBytes;
    for (int64_t col = 0; col < d.n; ++col) {
      int64_t expected = referenceOutput(d, referenceAcc(d, aRow, col), col);
      int64_t actual = loadElement(cRow + col * outBytes, d.out_bytes);
      if (expected != actual) {
        ADD_FAILURE() << where << ": C[" << row << "][" << col
                      << "] = " << actual << ", expected " << expected
                      << " (acc " << referenceAcc(d, aRow, col) << "); "
                      << c.describe();
        return false;
      }
    }
    // The gap between rows (ldc > n) must not be written.
    if (row + 1 < c.m)
      for (size_t i = static_cast<size_t>(d.n) * outBytes;
           i < static_cast<size_t>(c.ldc) * outBytes; ++i)
        if (cRow[i] != kGuard) {
          ADD_FAILURE() << where << ": wrote the row gap after row " << row
                        << "; " << c.describe();
          return false;
        }
  }
  if (!out.guardIntact()) {
    ADD_FAILURE() << where << ": wrote past the output; " << c.describe();
    return false;
  }
  return true;
}

/// Selects `isa` for a test, or skips it where the host lacks it.
#define SELECT_ISA_OR_SKIP(isa)                                                \
  do {                                                                         \
    if (!qlp_rt_isa_supported(isa))                                            \
      GTEST_SKIP() << "host cannot run " << qlp_rt_isa_name(isa);              \
    ASSERT_EQ(qlp_rt_set_isa(isa), QLP_RT_OK);                                 \
    ASSERT_EQ(qlp_rt_selected_isa(), isa);                                     \
  } while (0)

constexpr int kGemmCases = 400;

void runGemmFamily(Path path, qlp_rt_isa isa) {
  const uint64_t seed = familySeed();
  Rng rng(seed);
  int passed = 0;
  // gemmBinAMX takes only calls of at least kBinAMXMinRows rows: a quarter
  // of the binary cases under AMX have that many.
  const bool binAMX = path == Path::Bin && isa == QLP_RT_ISA_AMX;
  for (int i = 0; i < kGemmCases; ++i) {
    GemmCase c;
    randomGemm(rng, path, c,
               binAMX && i % 4 == 0 ? qlp::rt::kBinAMXMinRows : 0);
    std::ostringstream where;
    where << pathName(path) << " " << qlp_rt_isa_name(isa) << " seed " << seed
          << " case " << i;
    if (!checkGemmCase(c, where.str()))
      break;
    ++passed;
  }
  std::printf("%s %s: %d cases equal, seed %llu\n", pathName(path),
              qlp_rt_isa_name(isa), passed,
              static_cast<unsigned long long>(seed));
  EXPECT_EQ(passed, kGemmCases);
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
}

TEST(KernelGemmExact, S8Generic) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_GENERIC);
  runGemmFamily(Path::S8, QLP_RT_ISA_GENERIC);
}
TEST(KernelGemmExact, S8AVX512) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AVX512);
  runGemmFamily(Path::S8, QLP_RT_ISA_AVX512);
}
TEST(KernelGemmExact, U4Generic) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_GENERIC);
  runGemmFamily(Path::U4, QLP_RT_ISA_GENERIC);
}
TEST(KernelGemmExact, U4AVX512) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AVX512);
  runGemmFamily(Path::U4, QLP_RT_ISA_AVX512);
}
TEST(KernelGemmExact, BinGeneric) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_GENERIC);
  runGemmFamily(Path::Bin, QLP_RT_ISA_GENERIC);
}
TEST(KernelGemmExact, BinAVX512) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AVX512);
  runGemmFamily(Path::Bin, QLP_RT_ISA_AVX512);
}
TEST(KernelGemmExact, S8AMX) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AMX);
  runGemmFamily(Path::S8, QLP_RT_ISA_AMX);
}
TEST(KernelGemmExact, U4AMX) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AMX);
  runGemmFamily(Path::U4, QLP_RT_ISA_AMX);
}
TEST(KernelGemmExact, BinAMX) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AMX);
  runGemmFamily(Path::Bin, QLP_RT_ISA_AMX);
}

/// Fewer, larger cases: enough rows and K that the fast kernels' blocking of
/// A (row blocks of up to a megabyte) and B is crossed, with N kept small so
/// the scalar reference stays quick (at most ~5e7 multiply-adds per case).
constexpr int kLargeCases = 12;

void runLargeGemmFamily(Path path, qlp_rt_isa isa) {
  const uint64_t seed = familySeed();
  Rng rng(seed);
  int passed = 0;
  for (int i = 0; i < kLargeCases; ++i) {
    GemmCase c;
    randomGemm(rng, path, c);
    qlp_rt_gemm_desc &d = c.desc;
    // Re-draw the shape, then the data for it.
    // Under AMX, binary calls below kBinAMXMinRows rows go to AVX-512.
    const int64_t minRows = path == Path::Bin && isa == QLP_RT_ISA_AMX
                                ? qlp::rt::kBinAMXMinRows
                                : 100;
    const int64_t m = uniform(rng, minRows, minRows + 300);
    const int64_t k = uniform(rng, 1000, 6000);
    const int64_t n = std::max<int64_t>(
        1, std::min<int64_t>(uniform(rng, 1, 200), 50000000 / (m * k)));
    d.k = k;
    d.n = n;
    c.m = m;
    c.lda = k + (chance(rng, 30) ? uniform(rng, 1, 9) : 0);
    c.ldc = n;
    c.b.resize(static_cast<size_t>(k * n));
    for (int8_t &w : c.b)
      w = path == Path::Bin ? (chance(rng, 50) ? 1 : -1)
                            : static_cast<int8_t>(uniform(
                                  rng, minOf(d.b_bits), maxOf(d.b_bits)));
    c.a.resize(static_cast<size_t>((m - 1) * c.lda + k));
    for (uint8_t &x : c.a)
      x = static_cast<uint8_t>(uniform(rng, 0, 255));
    if (!c.bias.empty())
      c.bias.resize(static_cast<size_t>(n), -77);
    if (d.has_rescale && d.num_scales != 1) {
      d.num_scales = n;
      c.multipliers.resize(static_cast<size_t>(n), (1 << 30) + 99);
      c.shifts.resize(static_cast<size_t>(n), 37);
    }
    c.fixPointers();
    std::ostringstream where;
    where << "large " << pathName(path) << " " << qlp_rt_isa_name(isa)
          << " seed " << seed << " case " << i;
    if (!checkGemmCase(c, where.str()))
      break;
    ++passed;
  }
  std::printf("large %s %s: %d cases equal, seed %llu\n", pathName(path),
              qlp_rt_isa_name(isa), passed,
              static_cast<unsigned long long>(seed));
  EXPECT_EQ(passed, kLargeCases);
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
}

TEST(KernelGemmExact, LargeGeneric) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_GENERIC);
  for (Path path : {Path::S8, Path::U4, Path::Bin})
    runLargeGemmFamily(path, QLP_RT_ISA_GENERIC);
}
TEST(KernelGemmExact, LargeAVX512) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AVX512);
  for (Path path : {Path::S8, Path::U4, Path::Bin})
    runLargeGemmFamily(path, QLP_RT_ISA_AVX512);
}
TEST(KernelGemmExact, LargeAMX) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AMX);
  for (Path path : {Path::S8, Path::U4, Path::Bin})
    runLargeGemmFamily(path, QLP_RT_ISA_AMX);
}

/// Hand-picked extremes the random families reach only by chance: the
/// largest accumulators, zero points and weights at their range ends, shift
/// 0 with multiplier 2^31 - 1 (results near 2^62 that must saturate), and
/// shift 62 with rescale_input_zp at the int32 ends.
void runGemmExtremes(qlp_rt_isa isa) {
  // Five rows keep the scalar reference quick; the AMX kernel takes calls
  // of 8 rows or more (fewer go to AVX-512), so it gets 18: one full 16-row
  // tile and a 2-row remainder tile.
  const int64_t rows = isa == QLP_RT_ISA_AMX ? 18 : 5;
  // The binary AMX kernel takes calls of kBinAMXMinRows rows or more (fewer
  // go to AVX-512): one more than that, with a 16-row tile of 1 valid row.
  const int64_t binRows =
      isa == QLP_RT_ISA_AMX ? qlp::rt::kBinAMXMinRows + 17 : rows;
  struct Config {
    Path path;
    int32_t aBits, bBits, aZp, bZp;
    int8_t weight;
    uint8_t activation;
    /// Bin only: 0 for no bias, else the sign of a bias of magnitude
    /// 2^31 - 1 - K - n (column n), which puts column 0's accumulator at
    /// +-(2^31 - 1), the end of the range a binary plan accepts.
    int32_t binBiasSign;
  };
  // Each config makes every term (a - a_zp) * (b - b_zp) of column 0 the
  // largest product its widths allow (e.g. -255 * 255 for int8; +-1 for
  // binary, where activation bit 1 is -1).
  const Config configs[] = {
      {Path::S8, 8, 8, 127, -128, 127, 0x80, 0},
      {Path::S8, 8, 8, -128, 127, -128, 0x7f, 0},
      {Path::S8, 4, 8, 7, -128, 127, 0x08, 0},
      {Path::S8, 2, 8, -2, 127, -128, 0x01, 0},
      {Path::U4, 8, 4, 127, -8, 7, 0x80, 0},
      {Path::U4, 8, 4, -128, 7, -8, 0x7f, 0},
      {Path::U4, 4, 4, -8, 7, -8, 0xf7, 0},
      {Path::U4, 2, 2, 1, -2, 1, 0xfe, 0},
      {Path::U4, 8, 2, 127, 1, -2, 0x80, 0},
      {Path::Bin, 1, 1, 0, 0, -1, 0xff, 0},
      {Path::Bin, 1, 1, 0, 0, 1, 0xfe, 0},
      // acc = K + bias = 2^31 - 1 and -K - bias = -(2^31 - 1) in column 0.
      {Path::Bin, 1, 1, 0, 0, -1, 0xff, 1},
      {Path::Bin, 1, 1, 0, 0, 1, 0xff, -1},
  };
  struct Scale {
    int32_t multiplier, shift, inputZp;
  };
  const Scale scales[] = {{INT32_MAX, 0, 0},         {INT32_MAX, 0, INT32_MIN},
                          {1, 62, INT32_MAX},        {INT32_MAX, 62, INT32_MIN},
                          {(1 << 30) + 1, 31, 0},    {(1 << 30) + 7, 32, -3},
                          {1 << 30, 33, INT32_MAX}};
  int count = 0;
  for (const Config &config : configs) {
    for (int64_t k : {int64_t(1), int64_t(63), int64_t(64), int64_t(65),
                      int64_t(4097)}) {
      for (int scaleIndex = -1; scaleIndex < int(std::size(scales));
           ++scaleIndex) {
        for (int32_t rounding = 0; rounding < 3; ++rounding) {
          if (scaleIndex < 0 && rounding > 0)
            continue;
          GemmCase c;
          qlp_rt_gemm_desc &d = c.desc;
          d.k = k;
          d.n = 67;
          d.a_bits = config.aBits;
          d.b_bits = config.bBits;
          d.a_zp = config.aZp;
          d.b_zp = config.bZp;
          c.m = config.path == Path::Bin ? binRows : rows;
          c.lda = k;
          c.ldc = d.n;
          c.b.assign(static_cast<size_t>(k * d.n), config.weight);
          // Column 1 alternates, so not every column saturates.
          for (int64_t row = 0; row < k; row += 2)
            c.b[row * d.n + 1] = config.path == Path::Bin ? 1 : 0;
          c.a.assign(static_cast<size_t>(c.m * k), config.activation);
          if (config.path != Path::Bin) {
            c.bias.assign(static_cast<size_t>(d.n), 0);
          } else if (config.binBiasSign != 0) {
            c.bias.resize(static_cast<size_t>(d.n));
            for (int64_t col = 0; col < d.n; ++col)
              c.bias[col] = static_cast<int32_t>(config.binBiasSign *
                                                 (INT32_MAX - k - col));
          }
          if (scaleIndex < 0) {
            d.out_bytes = 4;
          } else {
            d.has_rescale = 1;
            d.rounding = rounding;
            d.rescale_input_zp = scales[scaleIndex].inputZp;
            d.output_zp = -5;
            d.out_bytes = 1 << (count % 3);
            d.clamp_min = static_cast<int32_t>(minOf(d.out_bytes * 8));
            d.clamp_max = static_cast<int32_t>(maxOf(d.out_bytes * 8));
            d.num_scales = 1;
            c.multipliers = {scales[scaleIndex].multiplier};
            c.shifts = {scales[scaleIndex].shift};
          }
          c.fixPointers();
          std::ostringstream where;
          where << "extremes " << qlp_rt_isa_name(isa) << " case " << count;
          ASSERT_TRUE(checkGemmCase(c, where.str()));
          ++count;
        }
      }
    }
  }
  std::printf("extremes %s: %d cases equal\n", qlp_rt_isa_name(isa), count);
}

TEST(KernelGemmExact, ExtremesGeneric) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_GENERIC);
  runGemmExtremes(QLP_RT_ISA_GENERIC);
}
TEST(KernelGemmExact, ExtremesAVX512) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AVX512);
  runGemmExtremes(QLP_RT_ISA_AVX512);
}
TEST(KernelGemmExact, ExtremesAMX) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AMX);
  runGemmExtremes(QLP_RT_ISA_AMX);
}

//===----------------------------------------------------------------------===//
// Convolution cases
//===----------------------------------------------------------------------===//

struct ConvCase {
  GemmCase gemm; // gemm.desc is the GEMM part; gemm.a is unused.
  qlp_rt_conv2d_desc desc{};
  int64_t batch = 1, outH = 0, outW = 0;
  std::vector<uint8_t> input;

  std::string describe() const {
    std::ostringstream os;
    os << "batch=" << batch << " in=" << desc.in_h << "x" << desc.in_w << "x"
       << desc.in_c << " kernel=" << desc.kh << "x" << desc.kw
       << " stride=" << desc.stride_h << "," << desc.stride_w
       << " dil=" << desc.dil_h << "," << desc.dil_w << " pad=["
       << desc.pad[0] << "," << desc.pad[1] << "," << desc.pad[2] << ","
       << desc.pad[3] << "] pad_value=" << desc.pad_value << " filters="
       << desc.gemm.n << " out=" << outH << "x" << outW << "; "
       << gemm.describe();
    return os.str();
  }
};

int64_t outExtent(int64_t in, int64_t padBefore, int64_t padAfter,
                  int64_t kernel, int64_t stride, int64_t dilation) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t padded = in + padBefore + padAfter;
  return padded < span ? 0 : (padded - span) / stride + 1;
}

/// A random convolution for `path`; large channel counts now and then, to
/// reach the heap-allocated gather buffer and rows longer than one block.
void randomConv(Rng &rng, Path path, ConvCase &c) {
  qlp_rt_conv2d_desc &d = c.desc;
  do {
    d = qlp_rt_conv2d_desc{};
    const bool pointwise = chance(rng, 15);
    d.kh = pointwise ? 1 : uniform(rng, 1, 4);
    d.kw = pointwise ? 1 : uniform(rng, 1, 4);
    d.in_h = uniform(rng, 1, 12);
    d.in_w = uniform(rng, 1, 12);
    d.in_c = chance(rng, 5) ? uniform(rng, 600, 3000) : pickDim(rng, 20, 70);
    d.stride_h = uniform(rng, 1, 3);
    d.stride_w = uniform(rng, 1, 3);
    d.dil_h = chance(rng, 70) ? 1 : uniform(rng, 2, 3);
    d.dil_w = chance(rng, 70) ? 1 : uniform(rng, 2, 3);
    for (int64_t &p : d.pad)
      p = pointwise || chance(rng, 40) ? 0 : uniform(rng, 0, 3);
    c.outH = outExtent(d.in_h, d.pad[0], d.pad[1], d.kh, d.stride_h, d.dil_h);
    c.outW = outExtent(d.in_w, d.pad[2], d.pad[3], d.kw, d.stride_w, d.dil_w);
  } while (c.outH < 1 || c.outW < 1 || d.kh * d.kw * d.in_c > 20000);
  c.batch = uniform(rng, 1, 3);

  // The GEMM part: a random layer, with K forced to the convolution's.
  GemmCase &g = c.gemm;
  randomGemm(rng, path, g);
  qlp_rt_gemm_desc &gd = g.desc;
  gd.k = d.kh * d.kw * d.in_c;
  gd.n = pickDim(rng, 40, 130);
  g.b.resize(static_cast<size_t>(gd.k * gd.n));
  for (int8_t &w : g.b)
    w = path == Path::Bin ? (chance(rng, 50) ? 1 : -1)
                          : static_cast<int8_t>(uniform(
                                rng, minOf(gd.b_bits), maxOf(gd.b_bits)));
  if (!g.bias.empty())
    g.bias.resize(static_cast<size_t>(gd.n), 17);
  if (gd.has_rescale && gd.num_scales != 1) {
    gd.num_scales = gd.n;
    g.multipliers.resize(static_cast<size_t>(gd.n), (1 << 30) + 12345);
    g.shifts.resize(static_cast<size_t>(gd.n), 36);
  }
  // Keep the scalar reference fast: at most ~2e7 multiply-adds per case.
  const int64_t perFilter = c.outH * c.outW * gd.k;
  if (c.batch * perFilter * gd.n > 20000000) {
    c.batch = 1;
    gd.n = std::max<int64_t>(1, std::min<int64_t>(gd.n, 20000000 / perFilter));
    g.b.resize(static_cast<size_t>(gd.k * gd.n));
    if (gd.has_rescale && gd.num_scales != 1)
      gd.num_scales = gd.n;
  }
  g.fixPointers();
  d.gemm = gd;
  d.pad_value = path == Path::Bin ? (chance(rng, 50) ? 1 : -1) : gd.a_zp;

  c.input.resize(static_cast<size_t>(c.batch * d.in_h * d.in_w * d.in_c));
  for (uint8_t &x : c.input)
    x = static_cast<uint8_t>(uniform(rng, 0, 255));
}

/// Direct convolution: the exact accumulator of output (image, oh, ow, f),
/// with padding taps reading pad_value (which the integer case sets to a_zp,
/// so they contribute zero).
int64_t referenceConvAcc(const ConvCase &c, int64_t image, int64_t oh,
                         int64_t ow, int64_t f) {
  const qlp_rt_conv2d_desc &d = c.desc;
  const qlp_rt_gemm_desc &g = d.gemm;
  int64_t acc = g.bias ? g.bias[f] : 0;
  for (int64_t i = 0; i < d.kh; ++i) {
    for (int64_t j = 0; j < d.kw; ++j) {
      int64_t ih = oh * d.stride_h - d.pad[0] + i * d.dil_h;
      int64_t iw = ow * d.stride_w - d.pad[2] + j * d.dil_w;
      bool inside = ih >= 0 && ih < d.in_h && iw >= 0 && iw < d.in_w;
      for (int64_t ch = 0; ch < d.in_c; ++ch) {
        int64_t a =
            inside ? activationOf(c.input[static_cast<size_t>(
                                      ((image * d.in_h + ih) * d.in_w + iw) *
                                          d.in_c +
                                      ch)],
                                  g.a_bits)
                   : d.pad_value;
        int64_t b = g.b[((i * d.kw + j) * d.in_c + ch) * g.n + f];
        acc += (a - g.a_zp) * (b - g.b_zp);
      }
    }
  }
  return acc;
}

bool checkConvCase(ConvCase &c, const std::string &where) {
  const qlp_rt_conv2d_desc &d = c.desc;
  int64_t size = -1;
  if (qlp_rt_conv2d_plan_size(&d, &size) != QLP_RT_OK) {
    ADD_FAILURE() << where << ": plan_size failed; " << c.describe();
    return false;
  }
  AlignedBuffer plan(size);
  if (qlp_rt_conv2d_plan_init(&d, plan.data(), size) != QLP_RT_OK) {
    ADD_FAILURE() << where << ": plan_init failed; " << c.describe();
    return false;
  }
  EXPECT_EQ(qlp_rt_conv2d_out_h(plan.data()), c.outH);
  EXPECT_EQ(qlp_rt_conv2d_out_w(plan.data()), c.outW);
  const int64_t n = d.gemm.n;
  const int outBytes = d.gemm.out_bytes;
  GuardedOutput out(
      static_cast<size_t>(c.batch * c.outH * c.outW * n * outBytes));
  if (qlp_rt_conv2d(plan.data(), c.input.data(), c.batch, out.data()) !=
      QLP_RT_OK) {
    ADD_FAILURE() << where << ": qlp_rt_conv2d failed; " << c.describe();
    return false;
  }
  const uint8_t *p = out.data();
  for (int64_t image = 0; image < c.batch; ++image)
    for (int64_t oh = 0; oh < c.outH; ++oh)
      for (int64_t ow = 0; ow < c.outW; ++ow)
        for (int64_t f = 0; f < n; ++f, p += outBytes) {
          int64_t acc = referenceConvAcc(c, image, oh, ow, f);
          int64_t expected = referenceOutput(d.gemm, acc, f);
          int64_t actual = loadElement(p, outBytes);
          if (expected != actual) {
            ADD_FAILURE() << where << ": out[" << image << "][" << oh << "]["
                          << ow << "][" << f << "] = " << actual
                          << ", expected " << expected << " (acc " << acc
                          << "); " << c.describe();
            return false;
          }
        }
  if (!out.guardIntact()) {
    ADD_FAILURE() << where << ": wrote past the output; " << c.describe();
    return false;
  }
  return true;
}

constexpr int kConvCases = 200;

void runConvFamily(Path path, qlp_rt_isa isa) {
  const uint64_t seed = familySeed();
  Rng rng(seed);
  int passed = 0;
  for (int i = 0; i < kConvCases; ++i) {
    ConvCase c;
    randomConv(rng, path, c);
    std::ostringstream where;
    where << "conv2d " << pathName(path) << " " << qlp_rt_isa_name(isa)
          << " seed " << seed << " case " << i;
    if (!checkConvCase(c, where.str()))
      break;
    ++passed;
  }
  std::printf("conv2d %s %s: %d cases equal, seed %llu\n", pathName(path),
              qlp_rt_isa_name(isa), passed,
              static_cast<unsigned long long>(seed));
  EXPECT_EQ(passed, kConvCases);
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
}

TEST(KernelConvExact, S8Generic) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_GENERIC);
  runConvFamily(Path::S8, QLP_RT_ISA_GENERIC);
}
TEST(KernelConvExact, S8AVX512) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AVX512);
  runConvFamily(Path::S8, QLP_RT_ISA_AVX512);
}
TEST(KernelConvExact, U4Generic) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_GENERIC);
  runConvFamily(Path::U4, QLP_RT_ISA_GENERIC);
}
TEST(KernelConvExact, U4AVX512) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AVX512);
  runConvFamily(Path::U4, QLP_RT_ISA_AVX512);
}
TEST(KernelConvExact, BinGeneric) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_GENERIC);
  runConvFamily(Path::Bin, QLP_RT_ISA_GENERIC);
}
TEST(KernelConvExact, BinAVX512) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AVX512);
  runConvFamily(Path::Bin, QLP_RT_ISA_AVX512);
}
TEST(KernelConvExact, S8AMX) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AMX);
  runConvFamily(Path::S8, QLP_RT_ISA_AMX);
}
TEST(KernelConvExact, U4AMX) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AMX);
  runConvFamily(Path::U4, QLP_RT_ISA_AMX);
}
TEST(KernelConvExact, BinAMX) {
  SELECT_ISA_OR_SKIP(QLP_RT_ISA_AMX);
  runConvFamily(Path::Bin, QLP_RT_ISA_AMX);
}

//===----------------------------------------------------------------------===//
// Plan layout (white box: decodes the plan with KernelPlan.h's layout)
//===----------------------------------------------------------------------===//

/// Decodes the weight of (k, n) from a plan's packed array by the layout
/// that KernelPlan.h documents; padding positions must decode to 0.
int32_t decodePackedWeight(const qlp::rt::PlanHeader *h, int64_t k,
                           int64_t n) {
  const auto *bytes = reinterpret_cast<const uint8_t *>(h) + h->b_off;
  switch (h->format) {
  case qlp::rt::WeightFormat::S8: {
    int64_t panel = n / 64, j = n % 64, q = k / 4, i = k % 4;
    return static_cast<int8_t>(bytes[panel * h->kp * 64 + q * 256 + 4 * j + i]);
  }
  case qlp::rt::WeightFormat::U4: {
    int64_t panel = n / 64, j = n % 64, t = k / 8, r = k % 8;
    uint8_t byte = bytes[panel * h->kp * 32 + t * 256 + 4 * j + r % 4];
    // Stored biased by 8; the padding nibble 0 decodes to -8 here, so the
    // caller compares the raw nibble for padding.
    return ((r < 4 ? byte : byte >> 4) & 0xF);
  }
  case qlp::rt::WeightFormat::Bin: {
    int64_t panel = n / 32, j = n % 32, w = k / 64;
    uint64_t word;
    std::memcpy(&word,
                bytes + 8 * (panel * (h->kp / 64) * 32 + w * 32 + j), 8);
    return static_cast<int32_t>((word >> (k % 64)) & 1);
  }
  }
  return 0;
}

TEST(KernelPlanLayout, PackedWeightsAndEpilogueArrays) {
  const uint64_t seed = familySeed();
  Rng rng(seed);
  int checked = 0;
  for (Path path : {Path::S8, Path::U4, Path::Bin}) {
    for (int i = 0; i < 30; ++i) {
      GemmCase c;
      randomGemm(rng, path, c);
      const qlp_rt_gemm_desc &d = c.desc;
      auto plan = buildGemmPlan(d);
      ASSERT_TRUE(plan) << c.describe();
      const auto *h = reinterpret_cast<const qlp::rt::PlanHeader *>(plan->data());
      SCOPED_TRACE("seed " + std::to_string(seed) + " " + pathName(path) +
                   " case " + std::to_string(i) + ": " + c.describe());
      const int64_t nr = path == Path::Bin ? 32 : 64;
      const int64_t kMultiple = path == Path::S8 ? 4 : path == Path::U4 ? 8 : 64;
      ASSERT_EQ(h->magic, qlp::rt::kPlanMagic);
      ASSERT_EQ(h->version, qlp::rt::kPlanVersion);
      ASSERT_EQ(h->kind, qlp::rt::PlanKind::Gemm);
      ASSERT_EQ(static_cast<int>(h->format), static_cast<int>(path));
      ASSERT_EQ(h->np, (d.n + nr - 1) / nr * nr);
      ASSERT_EQ(h->kp, (d.k + kMultiple - 1) / kMultiple * kMultiple);
      for (int64_t off : {h->col_offset_off, h->multiplier_off, h->shift_off,
                          h->shift_m1_off, h->round_c_off, h->b_off})
        ASSERT_EQ(off % 64, 0);
      ASSERT_EQ(h->row_coeff, path == Path::S8   ? -d.b_zp
                              : path == Path::U4 ? -(8 + d.b_zp)
                                                 : 0);
      // Packed weights, padding included.
      for (int64_t k = 0; k < h->kp; ++k) {
        for (int64_t n = 0; n < h->np; ++n) {
          int32_t stored = decodePackedWeight(h, k, n);
          bool inside = k < d.k && n < d.n;
          int32_t weight = inside ? c.b[k * d.n + n] : 0;
          int32_t expected = path == Path::S8   ? weight
                             : path == Path::U4 ? (inside ? weight + 8 : 0)
                                                : (weight == -1 ? 1 : 0);
          ASSERT_EQ(stored, expected) << "k=" << k << " n=" << n;
        }
      }
      // col_offset: bias - coeff * colsum + K * a_zp * (zp term), mod 2^32;
      // the bias alone for Bin.
      const auto *colOffset = qlp::rt::planArray<int32_t>(h, h->col_offset_off);
      for (int64_t n = 0; n < d.n; ++n) {
        int64_t colSum = 0;
        for (int64_t k = 0; k < d.k; ++k)
          colSum += c.b[k * d.n + n] + (path == Path::U4 ? 8 : 0);
        int64_t bias = d.bias ? d.bias[n] : 0;
        int64_t expected =
            path == Path::S8
                ? bias - (128 + d.a_zp) * colSum + d.k * d.a_zp * d.b_zp
            : path == Path::U4
                ? bias - d.a_zp * colSum + d.k * d.a_zp * (8 + d.b_zp)
                : bias;
        ASSERT_EQ(colOffset[n], static_cast<int32_t>(static_cast<uint32_t>(
                                    static_cast<uint64_t>(expected))))
            << "n=" << n;
      }
      // Expanded scales; padding columns multiplier 1, shift 0.
      const auto *mult = qlp::rt::planArray<int32_t>(h, h->multiplier_off);
      const auto *shift = qlp::rt::planArray<int32_t>(h, h->shift_off);
      const auto *shiftM1 = qlp::rt::planArray<int32_t>(h, h->shift_m1_off);
      const auto *roundC = qlp::rt::planArray<int32_t>(h, h->round_c_off);
      for (int64_t n = 0; n < h->np; ++n) {
        int32_t m = 1, s = 0;
        if (d.has_rescale && n < d.n) {
          m = c.multipliers[d.num_scales == 1 ? 0 : n];
          s = c.shifts[d.num_scales == 1 ? 0 : n];
        }
        ASSERT_EQ(mult[n], m) << "n=" << n;
        ASSERT_EQ(shift[n], s) << "n=" << n;
        ASSERT_EQ(shiftM1[n], s == 0 ? 64 : s - 1) << "n=" << n;
        bool doubleRound = d.has_rescale && (d.rounding == 1 || d.rounding == 2);
        ASSERT_EQ(roundC[n], doubleRound && s > 31 ? (1 << 30) : 0)
            << "n=" << n;
      }
      ++checked;
    }
  }
  std::printf("plan layout: %d plans decoded, seed %llu\n", checked,
              static_cast<unsigned long long>(seed));
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

/// A small valid S8 layer with a per-column rescale, the base that the
/// validation tests break one field at a time.
struct ValidLayer {
  std::vector<int8_t> b;
  std::vector<int32_t> bias, multipliers, shifts;
  qlp_rt_gemm_desc desc{};

  explicit ValidLayer(int32_t aBits = 8, int32_t bBits = 8, int64_t k = 10,
                      int64_t n = 5)
      : b(static_cast<size_t>(k * n), bBits == 1 ? 1 : 0),
        bias(static_cast<size_t>(n), 3), multipliers(static_cast<size_t>(n),
                                                     1 << 30),
        shifts(static_cast<size_t>(n), 33) {
    desc.k = k;
    desc.n = n;
    desc.a_bits = aBits;
    desc.b_bits = bBits;
    desc.b = b.data();
    desc.bias = bBits == 1 ? nullptr : bias.data();
    desc.has_rescale = 1;
    desc.rounding = 1;
    desc.out_bytes = 1;
    desc.clamp_min = -128;
    desc.clamp_max = 127;
    desc.num_scales = n;
    desc.multipliers = multipliers.data();
    desc.shifts = shifts.data();
  }
};

/// plan_size of a desc that must be rejected: the status, and *size left
/// alone.
qlp_rt_status sizeStatus(const qlp_rt_gemm_desc &desc) {
  int64_t size = -12345;
  qlp_rt_status status = qlp_rt_gemm_plan_size(&desc, &size);
  if (status != QLP_RT_OK) {
    EXPECT_EQ(size, -12345) << "plan_size wrote *size on failure";
  }
  return status;
}

/// As sizeStatus, also checking that plan_init agrees on a large buffer.
void expectRejected(const qlp_rt_gemm_desc &desc, const char *what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(sizeStatus(desc), QLP_RT_INVALID_ARGUMENT);
  AlignedBuffer plan(1 << 16);
  EXPECT_EQ(qlp_rt_gemm_plan_init(&desc, plan.data(), 1 << 16),
            QLP_RT_INVALID_ARGUMENT);
}

TEST(KernelValidation, ValidBaseIsAccepted) {
  for (auto [aBits, bBits] : {std::pair{8, 8}, {4, 8}, {2, 8}, {8, 4},
                              {4, 4}, {2, 4}, {8, 2}, {4, 2}, {2, 2}, {1, 1}}) {
    ValidLayer layer(aBits, bBits);
    int64_t size = 0;
    EXPECT_EQ(qlp_rt_gemm_plan_size(&layer.desc, &size), QLP_RT_OK)
        << aBits << "x" << bBits;
    EXPECT_GT(size, 0);
    EXPECT_EQ(size % QLP_RT_PLAN_ALIGNMENT, 0);
  }
}

TEST(KernelValidation, MalformedGemmDesc) {
  EXPECT_EQ(qlp_rt_gemm_plan_size(nullptr, nullptr), QLP_RT_INVALID_ARGUMENT);
  {
    ValidLayer l;
    EXPECT_EQ(qlp_rt_gemm_plan_size(&l.desc, nullptr), QLP_RT_INVALID_ARGUMENT);
    int64_t size = -1;
    EXPECT_EQ(qlp_rt_gemm_plan_size(nullptr, &size), QLP_RT_INVALID_ARGUMENT);
    EXPECT_EQ(size, -1);
    AlignedBuffer plan(4096);
    EXPECT_EQ(qlp_rt_gemm_plan_init(nullptr, plan.data(), 4096),
              QLP_RT_INVALID_ARGUMENT);
  }
  // One broken field at a time.
  struct Mutation {
    const char *what;
    int32_t aBits, bBits;
    void (*apply)(ValidLayer &);
  };
  const Mutation mutations[] = {
      {"k = 0", 8, 8, [](ValidLayer &l) { l.desc.k = 0; }},
      {"k < 0", 8, 8, [](ValidLayer &l) { l.desc.k = -3; }},
      {"k = 2^31", 8, 8, [](ValidLayer &l) { l.desc.k = int64_t(1) << 31; }},
      {"n = 0", 8, 8, [](ValidLayer &l) { l.desc.n = 0; }},
      {"n < 0", 8, 8, [](ValidLayer &l) { l.desc.n = -1; }},
      {"plan size overflows", 8, 8,
       [](ValidLayer &l) {
         l.desc.k = (int64_t(1) << 31) - 1;
         l.desc.n = int64_t(1) << 40;
         l.desc.num_scales = 1;
       }},
      {"n overflows rounding", 8, 8,
       [](ValidLayer &l) {
         l.desc.n = INT64_MAX;
         l.desc.num_scales = 1;
       }},
      {"a_bits = 3", 8, 8, [](ValidLayer &l) { l.desc.a_bits = 3; }},
      {"a_bits = 16", 8, 8, [](ValidLayer &l) { l.desc.a_bits = 16; }},
      {"a_bits = 0", 8, 8, [](ValidLayer &l) { l.desc.a_bits = 0; }},
      {"b_bits = 3", 8, 8, [](ValidLayer &l) { l.desc.b_bits = 3; }},
      {"b_bits = 32", 8, 8, [](ValidLayer &l) { l.desc.b_bits = 32; }},
      {"binary activations, int8 weights", 8, 8,
       [](ValidLayer &l) { l.desc.a_bits = 1; }},
      {"int8 activations, binary weights", 8, 8,
       [](ValidLayer &l) {
         l.desc.b_bits = 1;
         l.desc.bias = nullptr;
       }},
      {"a_zp = 128", 8, 8, [](ValidLayer &l) { l.desc.a_zp = 128; }},
      {"a_zp = -129", 8, 8, [](ValidLayer &l) { l.desc.a_zp = -129; }},
      {"i4 a_zp = 8", 4, 8, [](ValidLayer &l) { l.desc.a_zp = 8; }},
      {"i4 a_zp = -9", 4, 4, [](ValidLayer &l) { l.desc.a_zp = -9; }},
      {"i2 a_zp = 2", 2, 8, [](ValidLayer &l) { l.desc.a_zp = 2; }},
      {"i2 a_zp = -3", 2, 2, [](ValidLayer &l) { l.desc.a_zp = -3; }},
      {"b_zp = 128", 8, 8, [](ValidLayer &l) { l.desc.b_zp = 128; }},
      {"i4 b_zp = 8", 8, 4, [](ValidLayer &l) { l.desc.b_zp = 8; }},
      {"i4 b_zp = -9", 8, 4, [](ValidLayer &l) { l.desc.b_zp = -9; }},
      {"i2 b_zp = 2", 8, 2, [](ValidLayer &l) { l.desc.b_zp = 2; }},
      {"i2 b_zp = -3", 8, 2, [](ValidLayer &l) { l.desc.b_zp = -3; }},
      {"binary a_zp", 1, 1, [](ValidLayer &l) { l.desc.a_zp = 1; }},
      {"binary b_zp", 1, 1, [](ValidLayer &l) { l.desc.b_zp = -1; }},
      // A binary plan takes a bias only if |bias| + K <= 2^31 - 1 (K = 10).
      {"binary bias 2^31 - 10", 1, 1,
       [](ValidLayer &l) {
         l.bias[4] = INT32_MAX - 9;
         l.desc.bias = l.bias.data();
       }},
      {"binary bias -(2^31 - 10)", 1, 1,
       [](ValidLayer &l) {
         l.bias[0] = -(INT32_MAX - 9);
         l.desc.bias = l.bias.data();
       }},
      {"binary bias INT32_MIN", 1, 1,
       [](ValidLayer &l) {
         l.bias[2] = INT32_MIN;
         l.desc.bias = l.bias.data();
       }},
      {"b null", 8, 8, [](ValidLayer &l) { l.desc.b = nullptr; }},
      {"has_rescale = 2", 8, 8, [](ValidLayer &l) { l.desc.has_rescale = 2; }},
      {"has_rescale = -1", 8, 8,
       [](ValidLayer &l) { l.desc.has_rescale = -1; }},
      {"rounding = 3", 8, 8, [](ValidLayer &l) { l.desc.rounding = 3; }},
      {"rounding = -1", 8, 8, [](ValidLayer &l) { l.desc.rounding = -1; }},
      {"out_bytes = 3", 8, 8, [](ValidLayer &l) { l.desc.out_bytes = 3; }},
      {"out_bytes = 8", 8, 8, [](ValidLayer &l) { l.desc.out_bytes = 8; }},
      {"out_bytes = 0", 8, 8, [](ValidLayer &l) { l.desc.out_bytes = 0; }},
      {"out_bytes = 1 without rescale", 8, 8,
       [](ValidLayer &l) { l.desc.has_rescale = 0; }},
      {"out_bytes = 2 without rescale", 8, 8,
       [](ValidLayer &l) {
         l.desc.has_rescale = 0;
         l.desc.out_bytes = 2;
       }},
      {"clamp_min > clamp_max", 8, 8,
       [](ValidLayer &l) {
         l.desc.clamp_min = 5;
         l.desc.clamp_max = 4;
       }},
      {"clamp_max above int8", 8, 8,
       [](ValidLayer &l) { l.desc.clamp_max = 128; }},
      {"clamp_min below int8", 8, 8,
       [](ValidLayer &l) { l.desc.clamp_min = -129; }},
      {"clamp_max above int16", 8, 8,
       [](ValidLayer &l) {
         l.desc.out_bytes = 2;
         l.desc.clamp_max = 32768;
       }},
      {"clamp_min below int16", 8, 8,
       [](ValidLayer &l) {
         l.desc.out_bytes = 2;
         l.desc.clamp_min = -32769;
       }},
      {"num_scales = 0", 8, 8, [](ValidLayer &l) { l.desc.num_scales = 0; }},
      {"num_scales = 2 (n = 5)", 8, 8,
       [](ValidLayer &l) { l.desc.num_scales = 2; }},
      {"num_scales = n + 1", 8, 8,
       [](ValidLayer &l) { l.desc.num_scales = 6; }},
      {"multipliers null", 8, 8,
       [](ValidLayer &l) { l.desc.multipliers = nullptr; }},
      {"shifts null", 8, 8, [](ValidLayer &l) { l.desc.shifts = nullptr; }},
      {"multiplier 0", 8, 8, [](ValidLayer &l) { l.multipliers[4] = 0; }},
      {"multiplier < 0", 8, 8,
       [](ValidLayer &l) { l.multipliers[2] = INT32_MIN; }},
      {"shift -1", 8, 8, [](ValidLayer &l) { l.shifts[0] = -1; }},
      {"shift 63", 8, 8, [](ValidLayer &l) { l.shifts[3] = 63; }},
      {"per-tensor shift 63", 8, 8,
       [](ValidLayer &l) {
         l.desc.num_scales = 1;
         l.shifts[0] = 63;
       }},
  };
  for (const Mutation &mutation : mutations) {
    ValidLayer layer(mutation.aBits, mutation.bBits);
    ASSERT_EQ(sizeStatus(layer.desc), QLP_RT_OK) << mutation.what;
    mutation.apply(layer);
    expectRejected(layer.desc, mutation.what);
  }

  // Without a rescale, the rescale fields are ignored (even garbage).
  ValidLayer noRescale;
  noRescale.desc.has_rescale = 0;
  noRescale.desc.out_bytes = 4;
  noRescale.desc.rounding = 9;
  noRescale.desc.num_scales = -4;
  noRescale.desc.multipliers = nullptr;
  noRescale.desc.shifts = nullptr;
  noRescale.desc.clamp_min = 1;
  noRescale.desc.clamp_max = 0;
  EXPECT_EQ(sizeStatus(noRescale.desc), QLP_RT_OK);
  // A binary bias at the bound, |bias| + K = 2^31 - 1, is valid.
  ValidLayer binaryBias(1, 1);
  binaryBias.bias = {INT32_MAX - 10, -(INT32_MAX - 10), 0, 1, -1};
  binaryBias.desc.bias = binaryBias.bias.data();
  EXPECT_EQ(sizeStatus(binaryBias.desc), QLP_RT_OK);
  // Any int32 rescale zero points are valid.
  ValidLayer zps;
  zps.desc.rescale_input_zp = INT32_MIN;
  zps.desc.output_zp = INT32_MAX;
  EXPECT_EQ(sizeStatus(zps.desc), QLP_RT_OK);
}

TEST(KernelValidation, PlanInitBuffersAndWeights) {
  ValidLayer layer;
  int64_t size = 0;
  ASSERT_EQ(qlp_rt_gemm_plan_size(&layer.desc, &size), QLP_RT_OK);
  {
    AlignedBuffer plan(size);
    EXPECT_EQ(qlp_rt_gemm_plan_init(&layer.desc, plan.data(), size - 1),
              QLP_RT_INVALID_ARGUMENT);
    EXPECT_EQ(qlp_rt_gemm_plan_init(&layer.desc, nullptr, size),
              QLP_RT_INVALID_ARGUMENT);
    EXPECT_EQ(qlp_rt_gemm_plan_init(&layer.desc, plan.data(), size),
              QLP_RT_OK);
  }
  for (size_t misalign : {1u, 8u, 32u}) {
    AlignedBuffer plan(size, misalign);
    EXPECT_EQ(qlp_rt_gemm_plan_init(&layer.desc, plan.data(), size),
              QLP_RT_INVALID_ARGUMENT)
        << "misaligned by " << misalign;
  }
  // A larger buffer is fine.
  {
    AlignedBuffer plan(size + 100);
    EXPECT_EQ(qlp_rt_gemm_plan_init(&layer.desc, plan.data(), size + 100),
              QLP_RT_OK);
  }
  // Weights outside the b_bits range.
  struct BadWeight {
    int32_t aBits, bBits;
    int8_t value;
  };
  for (BadWeight bad : {BadWeight{8, 4, 8}, BadWeight{8, 4, -9},
                        BadWeight{4, 4, 127}, BadWeight{8, 2, 2},
                        BadWeight{2, 2, -3}, BadWeight{1, 1, 0},
                        BadWeight{1, 1, 2}, BadWeight{1, 1, -128}}) {
    ValidLayer l(bad.aBits, bad.bBits);
    l.b[l.b.size() - 1] = bad.value;
    int64_t s = 0;
    ASSERT_EQ(qlp_rt_gemm_plan_size(&l.desc, &s), QLP_RT_OK);
    AlignedBuffer plan(s);
    EXPECT_EQ(qlp_rt_gemm_plan_init(&l.desc, plan.data(), s),
              QLP_RT_INVALID_VALUE)
        << bad.bBits << "-bit weight " << int(bad.value);
  }
}

TEST(KernelValidation, CorruptedPlansAreRejected) {
  ValidLayer layer(8, 8, 70, 33);
  int64_t size = 0;
  ASSERT_EQ(qlp_rt_gemm_plan_size(&layer.desc, &size), QLP_RT_OK);
  AlignedBuffer good(size);
  ASSERT_EQ(qlp_rt_gemm_plan_init(&layer.desc, good.data(), size), QLP_RT_OK);
  const int64_t m = 3, k = layer.desc.k, n = layer.desc.n;
  std::vector<uint8_t> a(static_cast<size_t>(m * k), 1);

  auto runsOk = [&](const void *plan) {
    GuardedOutput out(static_cast<size_t>(m * n));
    qlp_rt_status status = qlp_rt_gemm(plan, a.data(), m, k, out.data(), n);
    if (status != QLP_RT_OK) {
      EXPECT_TRUE(out.untouched()) << "a rejected call wrote the output";
    }
    return status == QLP_RT_OK;
  };
  ASSERT_TRUE(runsOk(good.data()));

  using qlp::rt::PlanHeader;
  struct Corruption {
    const char *what;
    void (*apply)(PlanHeader &);
  };
  const Corruption corruptions[] = {
      {"magic", [](PlanHeader &h) { h.magic ^= 1; }},
      {"version", [](PlanHeader &h) { h.version += 1; }},
      {"kind", [](PlanHeader &h) { h.kind = qlp::rt::PlanKind::Conv2D; }},
      {"kind out of enum",
       [](PlanHeader &h) { h.kind = static_cast<qlp::rt::PlanKind>(7); }},
      {"format", [](PlanHeader &h) { h.format = qlp::rt::WeightFormat::U4; }},
      {"format out of enum",
       [](PlanHeader &h) { h.format = static_cast<qlp::rt::WeightFormat>(9); }},
      {"size", [](PlanHeader &h) { h.size += 64; }},
      {"k", [](PlanHeader &h) { h.k += 1; }},
      {"k zero", [](PlanHeader &h) { h.k = 0; }},
      {"n", [](PlanHeader &h) { h.n = 1000; }},
      {"kp", [](PlanHeader &h) { h.kp += 4; }},
      {"np", [](PlanHeader &h) { h.np += 64; }},
      {"a_bits", [](PlanHeader &h) { h.a_bits = 1; }},
      {"b_bits", [](PlanHeader &h) { h.b_bits = 4; }},
      {"a_zp", [](PlanHeader &h) { h.a_zp = 300; }},
      {"b_zp", [](PlanHeader &h) { h.b_zp = -200; }},
      {"row_coeff", [](PlanHeader &h) { h.row_coeff += 1; }},
      {"has_rescale", [](PlanHeader &h) { h.has_rescale = 5; }},
      {"rounding", [](PlanHeader &h) { h.rounding = 3; }},
      {"out_bytes", [](PlanHeader &h) { h.out_bytes = 3; }},
      {"clamp", [](PlanHeader &h) { h.clamp_max = 1000; }},
      {"col_offset_off", [](PlanHeader &h) { h.col_offset_off += 64; }},
      {"multiplier_off", [](PlanHeader &h) { h.multiplier_off = 4; }},
      {"shift_off", [](PlanHeader &h) { h.shift_off = -64; }},
      {"shift_m1_off", [](PlanHeader &h) { h.shift_m1_off += 1 << 20; }},
      {"round_c_off", [](PlanHeader &h) { h.round_c_off -= 64; }},
      {"b_off", [](PlanHeader &h) { h.b_off += 64; }},
      {"b_bytes", [](PlanHeader &h) { h.b_bytes *= 2; }},
      {"geometry on a GEMM plan", [](PlanHeader &h) { h.in_h = 3; }},
      {"pad_value on a GEMM plan", [](PlanHeader &h) { h.pad_value = 1; }},
  };
  for (const Corruption &corruption : corruptions) {
    AlignedBuffer bad(size);
    std::memcpy(bad.data(), good.data(), static_cast<size_t>(size));
    PlanHeader header;
    std::memcpy(&header, bad.data(), sizeof(header));
    corruption.apply(header);
    std::memcpy(bad.data(), &header, sizeof(header));
    EXPECT_FALSE(runsOk(bad.data())) << corruption.what;
  }
  // A valid plan copied to a misaligned address.
  for (size_t misalign : {4u, 16u}) {
    AlignedBuffer moved(size, misalign);
    std::memcpy(moved.data(), good.data(), static_cast<size_t>(size));
    EXPECT_FALSE(runsOk(moved.data())) << "misaligned by " << misalign;
  }
  // Random garbage.
  {
    AlignedBuffer garbage(size);
    Rng rng(1);
    for (int64_t i = 0; i < size; ++i)
      garbage.data()[i] = static_cast<uint8_t>(rng());
    EXPECT_FALSE(runsOk(garbage.data()));
  }
  EXPECT_FALSE(runsOk(nullptr));
  // A copy is as good as the original (position independence).
  AlignedBuffer copy(size);
  std::memcpy(copy.data(), good.data(), static_cast<size_t>(size));
  EXPECT_TRUE(runsOk(copy.data()));
}

TEST(KernelValidation, GemmRunArguments) {
  ValidLayer layer(8, 8, 20, 9);
  int64_t size = 0;
  ASSERT_EQ(qlp_rt_gemm_plan_size(&layer.desc, &size), QLP_RT_OK);
  AlignedBuffer plan(size);
  ASSERT_EQ(qlp_rt_gemm_plan_init(&layer.desc, plan.data(), size), QLP_RT_OK);
  const int64_t k = 20, n = 9;
  std::vector<uint8_t> a(static_cast<size_t>(4 * k), 2);
  GuardedOutput out(static_cast<size_t>(4 * n));
  auto rejected = [&](const void *aPtr, int64_t m, int64_t lda, void *c,
                      int64_t ldc) {
    return qlp_rt_gemm(plan.data(), aPtr, m, lda, c, ldc) ==
               QLP_RT_INVALID_ARGUMENT &&
           out.untouched();
  };
  EXPECT_TRUE(rejected(a.data(), -1, k, out.data(), n)) << "m < 0";
  EXPECT_TRUE(rejected(nullptr, 2, k, out.data(), n)) << "a null";
  EXPECT_TRUE(rejected(a.data(), 2, k, nullptr, n)) << "c null";
  EXPECT_TRUE(rejected(a.data(), 2, k - 1, out.data(), n)) << "lda < k";
  EXPECT_TRUE(rejected(a.data(), 2, k, out.data(), n - 1)) << "ldc < n";
  EXPECT_TRUE(rejected(a.data(), 2, INT64_MAX, out.data(), n))
      << "lda overflows";
  EXPECT_TRUE(rejected(a.data(), 3, k, out.data(), INT64_MAX / 2))
      << "ldc overflows";
  // M = 0 is a no-op, with or without buffers.
  EXPECT_EQ(qlp_rt_gemm(plan.data(), nullptr, 0, 0, nullptr, 0), QLP_RT_OK);
  EXPECT_TRUE(out.untouched());
  EXPECT_EQ(qlp_rt_gemm(plan.data(), a.data(), 4, k, out.data(), n),
            QLP_RT_OK);
  EXPECT_TRUE(out.guardIntact());
}

/// A small valid integer convolution desc that the conv validation tests
/// break one field at a time.
struct ValidConv {
  ValidLayer layer;
  qlp_rt_conv2d_desc desc{};

  explicit ValidConv(int32_t bits = 8)
      : layer(bits, bits, 3 * 2 * 4, 6) {
    desc.gemm = layer.desc;
    desc.gemm.a_zp = bits == 1 ? 0 : -1;
    desc.in_h = 7;
    desc.in_w = 5;
    desc.in_c = 4;
    desc.kh = 3;
    desc.kw = 2;
    desc.stride_h = desc.stride_w = 1;
    desc.dil_h = desc.dil_w = 1;
    desc.pad[0] = 1;
    desc.pad[1] = 1;
    desc.pad[2] = 0;
    desc.pad[3] = 1;
    desc.pad_value = bits == 1 ? -1 : -1;
  }
};

TEST(KernelValidation, MalformedConvDesc) {
  {
    ValidConv valid;
    int64_t size = 0;
    ASSERT_EQ(qlp_rt_conv2d_plan_size(&valid.desc, &size), QLP_RT_OK);
    ValidConv binary(1);
    ASSERT_EQ(qlp_rt_conv2d_plan_size(&binary.desc, &size), QLP_RT_OK);
    binary.desc.pad_value = 1;
    ASSERT_EQ(qlp_rt_conv2d_plan_size(&binary.desc, &size), QLP_RT_OK);
    EXPECT_EQ(qlp_rt_conv2d_plan_size(nullptr, &size),
              QLP_RT_INVALID_ARGUMENT);
    EXPECT_EQ(qlp_rt_conv2d_plan_size(&valid.desc, nullptr),
              QLP_RT_INVALID_ARGUMENT);
  }
  struct Mutation {
    const char *what;
    int32_t bits;
    void (*apply)(qlp_rt_conv2d_desc &);
  };
  const Mutation mutations[] = {
      {"k != kh * kw * c", 8, [](qlp_rt_conv2d_desc &d) { d.gemm.k += 1; }},
      {"in_c changes K", 8, [](qlp_rt_conv2d_desc &d) { d.in_c = 5; }},
      {"in_h = 0", 8, [](qlp_rt_conv2d_desc &d) { d.in_h = 0; }},
      {"in_w < 0", 8, [](qlp_rt_conv2d_desc &d) { d.in_w = -2; }},
      {"in_c = 0", 8,
       [](qlp_rt_conv2d_desc &d) {
         d.in_c = 0;
         d.gemm.k = 0;
       }},
      {"kh = 0", 8, [](qlp_rt_conv2d_desc &d) { d.kh = 0; }},
      {"kw < 0", 8, [](qlp_rt_conv2d_desc &d) { d.kw = -2; }},
      {"stride_h = 0", 8, [](qlp_rt_conv2d_desc &d) { d.stride_h = 0; }},
      {"stride_w < 0", 8, [](qlp_rt_conv2d_desc &d) { d.stride_w = -1; }},
      {"dil_h = 0", 8, [](qlp_rt_conv2d_desc &d) { d.dil_h = 0; }},
      {"dil_w < 0", 8, [](qlp_rt_conv2d_desc &d) { d.dil_w = -3; }},
      {"pad top < 0", 8, [](qlp_rt_conv2d_desc &d) { d.pad[0] = -1; }},
      {"pad right < 0", 8, [](qlp_rt_conv2d_desc &d) { d.pad[3] = -1; }},
      {"kernel taller than padded input", 8,
       [](qlp_rt_conv2d_desc &d) {
         d.kh = 10;
         d.gemm.k = 10 * 2 * 4;
       }},
      {"dilated kernel wider than padded input", 8,
       [](qlp_rt_conv2d_desc &d) { d.dil_w = 7; }},
      {"padding overflows", 8,
       [](qlp_rt_conv2d_desc &d) { d.pad[1] = INT64_MAX; }},
      {"dilation overflows", 8,
       [](qlp_rt_conv2d_desc &d) { d.dil_h = INT64_MAX; }},
      {"K overflows", 8,
       [](qlp_rt_conv2d_desc &d) {
         d.kh = int64_t(1) << 40;
         d.kw = int64_t(1) << 40;
       }},
      {"pad_value != a_zp", 8, [](qlp_rt_conv2d_desc &d) { d.pad_value = 0; }},
      {"binary pad_value 0", 1, [](qlp_rt_conv2d_desc &d) { d.pad_value = 0; }},
      {"binary pad_value 2", 1, [](qlp_rt_conv2d_desc &d) { d.pad_value = 2; }},
      {"bad GEMM part", 8,
       [](qlp_rt_conv2d_desc &d) { d.gemm.out_bytes = 3; }},
  };
  for (const Mutation &mutation : mutations) {
    ValidConv conv(mutation.bits);
    mutation.apply(conv.desc);
    int64_t size = -7;
    EXPECT_EQ(qlp_rt_conv2d_plan_size(&conv.desc, &size),
              QLP_RT_INVALID_ARGUMENT)
        << mutation.what;
    EXPECT_EQ(size, -7) << mutation.what;
    AlignedBuffer plan(1 << 16);
    EXPECT_EQ(qlp_rt_conv2d_plan_init(&conv.desc, plan.data(), 1 << 16),
              QLP_RT_INVALID_ARGUMENT)
        << mutation.what;
  }
  // Weights out of range are values, not arguments.
  ValidConv conv(8);
  conv.layer.b[0] = 0;
  conv.desc.gemm.b_bits = 4;
  conv.desc.gemm.a_bits = 4;
  conv.layer.b[3] = 9;
  int64_t size = 0;
  ASSERT_EQ(qlp_rt_conv2d_plan_size(&conv.desc, &size), QLP_RT_OK);
  AlignedBuffer plan(size);
  EXPECT_EQ(qlp_rt_conv2d_plan_init(&conv.desc, plan.data(), size),
            QLP_RT_INVALID_VALUE);
}

TEST(KernelValidation, ConvRunArgumentsAndPlanKinds) {
  ValidConv conv;
  int64_t size = 0;
  ASSERT_EQ(qlp_rt_conv2d_plan_size(&conv.desc, &size), QLP_RT_OK);
  AlignedBuffer plan(size);
  ASSERT_EQ(qlp_rt_conv2d_plan_init(&conv.desc, plan.data(), size), QLP_RT_OK);
  // (7 + 2 - 3) / 1 + 1 = 7 rows, (5 + 1 - 2) / 1 + 1 = 5 columns.
  EXPECT_EQ(qlp_rt_conv2d_out_h(plan.data()), 7);
  EXPECT_EQ(qlp_rt_conv2d_out_w(plan.data()), 5);
  EXPECT_EQ(qlp_rt_conv2d_out_h(nullptr), -1);
  EXPECT_EQ(qlp_rt_conv2d_out_w(nullptr), -1);

  std::vector<uint8_t> input(7 * 5 * 4 * 2, 3);
  GuardedOutput out(7 * 5 * 6 * 2);
  EXPECT_EQ(qlp_rt_conv2d(plan.data(), input.data(), -1, out.data()),
            QLP_RT_INVALID_ARGUMENT);
  EXPECT_EQ(qlp_rt_conv2d(plan.data(), nullptr, 1, out.data()),
            QLP_RT_INVALID_ARGUMENT);
  EXPECT_EQ(qlp_rt_conv2d(plan.data(), input.data(), 1, nullptr),
            QLP_RT_INVALID_ARGUMENT);
  EXPECT_EQ(qlp_rt_conv2d(plan.data(), input.data(), INT64_MAX / 4,
                          out.data()),
            QLP_RT_INVALID_ARGUMENT);
  EXPECT_EQ(qlp_rt_conv2d(plan.data(), nullptr, 0, nullptr), QLP_RT_OK);
  EXPECT_TRUE(out.untouched());
  EXPECT_EQ(qlp_rt_conv2d(plan.data(), input.data(), 2, out.data()),
            QLP_RT_OK);
  EXPECT_TRUE(out.guardIntact());

  // Each entry point accepts only its own kind of plan.
  ValidLayer layer;
  int64_t gemmSize = 0;
  ASSERT_EQ(qlp_rt_gemm_plan_size(&layer.desc, &gemmSize), QLP_RT_OK);
  AlignedBuffer gemmPlan(gemmSize);
  ASSERT_EQ(qlp_rt_gemm_plan_init(&layer.desc, gemmPlan.data(), gemmSize),
            QLP_RT_OK);
  GuardedOutput small(1024);
  EXPECT_EQ(qlp_rt_conv2d(gemmPlan.data(), input.data(), 1, small.data()),
            QLP_RT_INVALID_ARGUMENT);
  EXPECT_EQ(qlp_rt_conv2d_out_h(gemmPlan.data()), -1);
  std::vector<uint8_t> a(24, 0);
  EXPECT_EQ(qlp_rt_gemm(plan.data(), a.data(), 1, 24, small.data(), 6),
            QLP_RT_INVALID_ARGUMENT);
  EXPECT_TRUE(small.untouched());

  // Corrupted geometry.
  using qlp::rt::PlanHeader;
  struct Corruption {
    const char *what;
    void (*apply)(PlanHeader &);
  };
  const Corruption corruptions[] = {
      {"out_h", [](PlanHeader &h) { h.out_h += 1; }},
      {"out_w", [](PlanHeader &h) { h.out_w = 0; }},
      {"in_c", [](PlanHeader &h) { h.in_c = 2; }},
      {"stride", [](PlanHeader &h) { h.stride_h = 0; }},
      {"pad", [](PlanHeader &h) { h.pad_left = -1; }},
      {"pad_value", [](PlanHeader &h) { h.pad_value = 5; }},
      {"kind", [](PlanHeader &h) { h.kind = qlp::rt::PlanKind::Gemm; }},
  };
  for (const Corruption &corruption : corruptions) {
    AlignedBuffer bad(size);
    std::memcpy(bad.data(), plan.data(), static_cast<size_t>(size));
    PlanHeader header;
    std::memcpy(&header, bad.data(), sizeof(header));
    corruption.apply(header);
    std::memcpy(bad.data(), &header, sizeof(header));
    GuardedOutput o(7 * 5 * 6);
    EXPECT_EQ(qlp_rt_conv2d(bad.data(), input.data(), 1, o.data()),
              QLP_RT_INVALID_ARGUMENT)
        << corruption.what;
    EXPECT_TRUE(o.untouched()) << corruption.what;
    EXPECT_EQ(qlp_rt_conv2d_out_h(bad.data()), -1) << corruption.what;
  }
}

//===----------------------------------------------------------------------===//
// ISA selection
//===----------------------------------------------------------------------===//

TEST(KernelDispatch, IsaNamesAndSelection) {
  EXPECT_STREQ(qlp_rt_isa_name(QLP_RT_ISA_GENERIC), "generic");
  EXPECT_STREQ(qlp_rt_isa_name(QLP_RT_ISA_AVX512), "avx512");
  EXPECT_STREQ(qlp_rt_isa_name(QLP_RT_ISA_AMX), "amx");
  EXPECT_STREQ(qlp_rt_isa_name(static_cast<qlp_rt_isa>(42)), "unknown");
  EXPECT_EQ(qlp_rt_isa_supported(QLP_RT_ISA_GENERIC), 1);
  EXPECT_EQ(qlp_rt_isa_supported(static_cast<qlp_rt_isa>(42)), 0);
  EXPECT_EQ(qlp_rt_isa_supported(static_cast<qlp_rt_isa>(-1)), 0);
  const bool avx512 = qlp_rt_isa_supported(QLP_RT_ISA_AVX512) == 1;
  const bool amx = qlp_rt_isa_supported(QLP_RT_ISA_AMX) == 1;
  // AMX is AVX-512 plus the tiles.
  if (amx) {
    EXPECT_TRUE(avx512);
  }

  // The first selection is the detection's (or QLP_RT_ISA's) choice: the
  // best ISA the host supports (AMX, then AVX-512, then generic), lowered,
  // never raised, by the variable.
  const qlp_rt_isa initial = kInitialIsa;
  EXPECT_EQ(qlp_rt_isa_supported(initial), 1);
  const char *env = std::getenv("QLP_RT_ISA");
  const qlp_rt_isa best = amx      ? QLP_RT_ISA_AMX
                          : avx512 ? QLP_RT_ISA_AVX512
                                   : QLP_RT_ISA_GENERIC;
  if (env && std::strcmp(env, "generic") == 0) {
    EXPECT_EQ(initial, QLP_RT_ISA_GENERIC);
  } else if (env && std::strcmp(env, "avx512") == 0) {
    EXPECT_EQ(initial, avx512 ? QLP_RT_ISA_AVX512 : QLP_RT_ISA_GENERIC);
  } else {
    EXPECT_EQ(initial, best);
  }
  std::printf("initial ISA: %s (QLP_RT_ISA=%s); avx512 %s, amx %s\n",
              qlp_rt_isa_name(initial), env ? env : "unset",
              avx512 ? "supported" : "not supported",
              amx ? "supported" : "not supported");

  EXPECT_EQ(qlp_rt_set_isa(QLP_RT_ISA_GENERIC), QLP_RT_OK);
  EXPECT_EQ(qlp_rt_set_isa(static_cast<qlp_rt_isa>(42)),
            QLP_RT_INVALID_ARGUMENT);
  EXPECT_EQ(qlp_rt_selected_isa(), QLP_RT_ISA_GENERIC);
  EXPECT_EQ(qlp_rt_set_isa(QLP_RT_ISA_GENERIC), QLP_RT_OK);
  EXPECT_EQ(qlp_rt_selected_isa(), QLP_RT_ISA_GENERIC);
  if (avx512) {
    EXPECT_EQ(qlp_rt_set_isa(QLP_RT_ISA_AVX512), QLP_RT_OK);
    EXPECT_EQ(qlp_rt_selected_isa(), QLP_RT_ISA_AVX512);
  } else {
    EXPECT_EQ(qlp_rt_set_isa(QLP_RT_ISA_AVX512), QLP_RT_INVALID_ARGUMENT);
    EXPECT_EQ(qlp_rt_selected_isa(), QLP_RT_ISA_GENERIC);
  }
  const qlp_rt_isa before = qlp_rt_selected_isa();
  if (amx) {
    EXPECT_EQ(qlp_rt_set_isa(QLP_RT_ISA_AMX), QLP_RT_OK);
    EXPECT_EQ(qlp_rt_selected_isa(), QLP_RT_ISA_AMX);
  } else {
    EXPECT_EQ(qlp_rt_set_isa(QLP_RT_ISA_AMX), QLP_RT_INVALID_ARGUMENT);
    EXPECT_EQ(qlp_rt_selected_isa(), before);
  }
  ASSERT_EQ(qlp_rt_set_isa(initial), QLP_RT_OK);
}

} // namespace

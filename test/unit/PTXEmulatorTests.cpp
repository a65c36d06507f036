//===- test/unit/PTXEmulatorTests.cpp - PTX interpreter tests -------------===//
//
// Hand-written PTX kernels checked against values computed here from the PTX
// ISA's definitions (instruction semantics, mma fragment tables, ldmatrix and
// shfl.sync rules), plus the errors the emulator must report.
//
//===----------------------------------------------------------------------===//

#include "PTXEmulator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

const char *kHeader = ".version 8.0\n.target sm_80\n.address_size 64\n\n";

struct Module {
  qlp_ptx_module *m = nullptr;
  std::string err;
  explicit Module(const std::string &body, const char *header = kHeader) {
    std::string text = std::string(header) + body;
    char buf[1024];
    m = qlp_ptx_load(text.data(), text.size(), buf, sizeof buf);
    err = buf;
  }
  ~Module() { qlp_ptx_unload(m); }
  /// Launches `name`; returns the error message ("" on success).
  std::string launch(const char *name, unsigned grid, unsigned block,
                     std::vector<void *> params, unsigned dyn = 0) {
    const void *f = qlp_ptx_function(m, name);
    if (!f)
      return "no such kernel";
    char buf[1024];
    int rc = qlp_ptx_launch(f, grid, 1, 1, block, 1, 1, dyn, params.data(),
                            buf, sizeof buf);
    if (rc == 0 && buf[0])
      return "success with a message";
    return rc ? std::string(buf) : std::string();
  }
};

#define ASSERT_LOADED(mod) ASSERT_NE((mod).m, nullptr) << (mod).err

/// Loads `.entry k(.param .u64 out)` with registers %p<3>, %r<8>, %rd<8>,
/// shared `sm[smBytes]` (16-byte aligned), %rd1 = out and %r1 = %tid.x,
/// followed by `body` and `ret`; launches it on `grid` blocks of `block`
/// threads. Returns the error ("" on success).
std::string runKernelBody(const std::string &body, unsigned grid,
                          unsigned block, uint64_t out, unsigned smBytes) {
  Module mod(".visible .entry k(.param .u64 out)\n{\n"
             "  .reg .pred %p<3>;\n  .reg .b32 %r<8>;\n  .reg .b64 %rd<8>;\n"
             "  .shared .align 16 .b8 sm[" +
             std::to_string(smBytes) +
             "];\n  ld.param.u64 %rd1, [out];\n  mov.u32 %r1, %tid.x;\n" +
             body + "  ret;\n}\n");
  EXPECT_NE(mod.m, nullptr) << mod.err;
  if (!mod.m)
    return "load failed";
  return mod.launch("k", grid, block, {&out});
}

//===----------------------------------------------------------------------===//
// Basics: parameters, global memory, control flow
//===----------------------------------------------------------------------===//

TEST(PTXEmulator, VectorAdd) {
  Module mod(R"(
.visible .entry vadd(.param .u64 .ptr .align 1 pa, .param .u64 pb,
                     .param .u64 pc, .param .u32 pn)
.maxntid 64, 1, 1
{
  .reg .pred %p<2>;
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  ld.param.u64 %rd3, [pc];
  ld.param.u32 %r1, [pn];
  cvta.to.global.u64 %rd1, %rd1;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, %tid.x;
  mad.lo.s32 %r5, %r2, %r3, %r4;
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra $L__done;
  mul.wide.u32 %rd4, %r5, 4;
  add.s64 %rd5, %rd1, %rd4;
  add.s64 %rd6, %rd2, %rd4;
  add.s64 %rd7, %rd3, %rd4;
  ld.global.u32 %r6, [%rd5];
  ld.global.nc.u32 %r7, [%rd6];
  add.s32 %r6, %r6, %r7;
  st.global.u32 [%rd7], %r6;
$L__done:
  ret;
}
)");
  ASSERT_LOADED(mod);
  const unsigned n = 200;
  std::vector<uint32_t> a(n), b(n), c(n + 8, 0xdeadbeef);
  for (unsigned i = 0; i < n; ++i) {
    a[i] = i * 2654435761u;
    b[i] = ~i;
  }
  uint64_t pa = (uintptr_t)a.data(), pb = (uintptr_t)b.data(),
           pc = (uintptr_t)c.data();
  uint32_t nn = n;
  EXPECT_EQ(mod.launch("vadd", 4, 64, {&pa, &pb, &pc, &nn}), "");
  for (unsigned i = 0; i < n; ++i)
    EXPECT_EQ(c[i], a[i] + b[i]) << i;
  for (unsigned i = n; i < n + 8; ++i)
    EXPECT_EQ(c[i], 0xdeadbeefu); // the bound check worked
  // .maxntid 64: a larger block is rejected.
  EXPECT_NE(mod.launch("vadd", 1, 128, {&pa, &pb, &pc, &nn}).find(".maxntid"),
            std::string::npos);
}

// Module-scope .global variables (constant tables the GPU lowering puts in
// its kernel modules): host memory with the initializer's elements,
// addressed by name in an address or through `mov`, and writable.
TEST(PTXEmulator, GlobalVariables) {
  Module mod(R"(
.global .align 16 .b8 bytes[10] = {1, 0, 0, 0, 255, 255, 255, 255, 128};
.visible .global .align 4 .b32 words[4] = {7, -2, 4000000000};
.global .align 8 .u64 counter;

.visible .entry k(.param .u64 out)
{
  .reg .pred %p1;
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [out];
  cvta.to.global.u64 %rd1, %rd1;
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd2, %r1, 4;
  mov.b64 %rd3, words;
  add.s64 %rd4, %rd3, %rd2;
  ld.global.nc.b32 %r2, [%rd4];
  ld.global.b32 %r3, [bytes+4];
  ld.global.u8 %r4, [bytes+8];
  ld.global.u8 %r5, [bytes+9];
  add.s64 %rd5, %rd1, %rd2;
  st.global.b32 [%rd5], %r2;
  st.global.b32 [%rd5+16], %r3;
  st.global.b32 [%rd5+32], %r4;
  st.global.b32 [%rd5+48], %r5;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra $done;
  ld.global.u64 %rd6, [counter];
  st.global.u64 [%rd1+64], %rd6;
  add.s64 %rd6, %rd6, 1;
  st.global.u64 [counter], %rd6;
$done:
  ret;
}
)");
  ASSERT_LOADED(mod);
  uint32_t out[18];
  uint64_t po = (uintptr_t)out;
  ASSERT_EQ(mod.launch("k", 1, 1, {&po}), "");
  ASSERT_EQ(mod.launch("k", 1, 4, {&po}), "");
  EXPECT_EQ(out[0], 7u);
  EXPECT_EQ(out[1], 0xfffffffeu);
  EXPECT_EQ(out[2], 4000000000u);
  EXPECT_EQ(out[3], 0u) << "elements past the initializer are zero";
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(out[4 + i], 0xffffffffu);
    EXPECT_EQ(out[8 + i], 128u);
    EXPECT_EQ(out[12 + i], 0u);
  }
  // A written variable keeps its value across launches of the module.
  ASSERT_EQ(mod.launch("k", 1, 1, {&po}), "");
  uint64_t counter;
  memcpy(&counter, out + 16, sizeof counter);
  EXPECT_EQ(counter, 2u);

  Module many(".global .b8 b[2] = {1, 2, 3};\n");
  EXPECT_EQ(many.m, nullptr);
  EXPECT_NE(many.err.find("too many initializers for 'b'"), std::string::npos)
      << many.err;
  Module real(".global .f32 x;\n");
  EXPECT_EQ(real.m, nullptr);
  EXPECT_NE(real.err.find("only integer .global variables"), std::string::npos)
      << real.err;
  Module ext(".extern .global .b32 y;\n");
  EXPECT_EQ(ext.m, nullptr);
  EXPECT_NE(ext.err.find("extern variable 'y'"), std::string::npos) << ext.err;
}

TEST(PTXEmulator, DivergentBranchesReconverge) {
  Module mod(R"(
.visible .entry k(.param .u64 out)
{
  .reg .pred %p<3>;
  .reg .b32 %r<10>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  and.b32 %r2, %r1, 1;
  setp.eq.u32 %p1, %r2, 0;
  @%p1 bra $even;
  mul.lo.s32 %r3, %r1, 3;
  bra.uni $join;
$even:
  add.s32 %r3, %r1, 100;
  setp.lt.u32 %p2, %r1, 8;
  @!%p2 bra $join;
  add.s32 %r3, %r3, 1000;
$join:
  // A full-warp shuffle: only legal once all lanes have reconverged.
  shfl.sync.idx.b32 %r4, %r3, 5, 31, -1;
  mov.u32 %r5, 0;
  mov.u32 %r6, 0;
$loop:
  setp.gt.u32 %p2, %r6, %r1;
  @%p2 bra $after;
  add.s32 %r5, %r5, %r6;
  add.s32 %r6, %r6, 1;
  bra $loop;
$after:
  shfl.sync.bfly.b32 %r7, %r5, 1, 31, -1;
  mul.wide.u32 %rd2, %r1, 16;
  add.s64 %rd3, %rd1, %rd2;
  st.global.v4.u32 [%rd3], {%r3, %r4, %r5, %r7};
  ret;
}
)");
  ASSERT_LOADED(mod);
  std::vector<uint32_t> out(64 * 4);
  uint64_t po = (uintptr_t)out.data();
  ASSERT_EQ(mod.launch("k", 1, 64, {&po}), "");
  auto r3 = [](uint32_t t) {
    return (t & 1) ? t * 3 : t + 100 + (t < 8 ? 1000 : 0);
  };
  for (uint32_t t = 0; t < 64; ++t) {
    uint32_t w = t & ~31u;
    EXPECT_EQ(out[4 * t], r3(t));
    EXPECT_EQ(out[4 * t + 1], r3(w + 5));
    EXPECT_EQ(out[4 * t + 2], t * (t + 1) / 2);
    EXPECT_EQ(out[4 * t + 3], (t ^ 1) * ((t ^ 1) + 1) / 2);
  }
}

//===----------------------------------------------------------------------===//
// Integer instructions, one at a time against C++ references
//===----------------------------------------------------------------------===//

struct AluCase {
  const char *ins; // uses %x %y %z (width w), %s (b32 = low bits of y),
                   // writes %d (width dw) or %p (dw == 1)
  unsigned w, dw;
  std::function<uint64_t(uint64_t, uint64_t, uint64_t)> ref;
};

uint64_t mk(unsigned b) { return b >= 64 ? ~0ull : (1ull << b) - 1; }
int64_t sx(uint64_t v, unsigned b) {
  return b >= 64 ? (int64_t)v : (int64_t)(v << (64 - b)) >> (64 - b);
}

std::string aluKernel(const AluCase &c) {
  std::string w = std::to_string(c.w), dw = std::to_string(c.dw);
  auto load = [&](const char *reg, int off) {
    std::string s = "  ld.global.u64 %rd9, [%rd4+" + std::to_string(off) +
                    "];\n";
    if (c.w == 64)
      s += std::string("  mov.b64 ") + reg + ", %rd9;\n";
    else
      s += std::string("  cvt.u") + w + ".u64 " + reg + ", %rd9;\n";
    return s;
  };
  std::string k = ".visible .entry alu(.param .u64 in, .param .u64 out)\n{\n"
                  "  .reg .pred %p, %q;\n  .reg .b32 %s, %r1, %r2, %r3;\n"
                  "  .reg .b64 %rd<12>;\n  .reg .b" + w + " %x, %y, %z;\n";
  if (c.dw != 1)
    k += "  .reg .b" + dw + " %d;\n";
  k += "  ld.param.u64 %rd1, [in];\n  ld.param.u64 %rd2, [out];\n"
       "  mov.u32 %r1, %tid.x;\n  mov.u32 %r3, %ctaid.x;\n"
       "  mad.lo.s32 %r1, %r3, 32, %r1;\n  mul.wide.u32 %rd3, %r1, 24;\n"
       "  add.s64 %rd4, %rd1, %rd3;\n";
  k += load("%x", 0) + load("%y", 8) + load("%z", 16);
  k += "  ld.global.u32 %s, [%rd4+8];\n";
  k += std::string("  ") + c.ins + "\n";
  if (c.dw == 1)
    k += "  selp.u64 %rd10, 1, 0, %p;\n";
  else if (c.dw == 64)
    k += "  mov.b64 %rd10, %d;\n";
  else
    k += "  cvt.u64.u" + dw + " %rd10, %d;\n";
  k += "  mul.wide.u32 %rd5, %r1, 8;\n  add.s64 %rd6, %rd2, %rd5;\n"
       "  st.global.u64 [%rd6], %rd10;\n  ret;\n}\n";
  return k;
}

std::vector<uint64_t> aluInputs(unsigned w, std::mt19937_64 &rng) {
  std::vector<uint64_t> v = {0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 65};
  uint64_t m = mk(w);
  for (uint64_t e : {m, m - 1, m >> 1, (m >> 1) + 1, (m >> 1) - 1})
    v.push_back(e);
  while (v.size() < 48)
    v.push_back(rng() & (rng() & 1 ? m : 0xff));
  for (uint64_t &x : v)
    x &= m;
  return v;
}

TEST(PTXEmulator, IntegerInstructions) {
  using u64 = uint64_t;
  std::vector<AluCase> cases = {
      {"add.s32 %d, %x, %y;", 32, 32, [](u64 a, u64 b, u64) { return a + b; }},
      {"sub.u16 %d, %x, %y;", 16, 16, [](u64 a, u64 b, u64) { return a - b; }},
      {"add.sat.s32 %d, %x, %y;", 32, 32,
       [](u64 a, u64 b, u64) {
         int64_t r = sx(a, 32) + sx(b, 32);
         return (u64)std::min<int64_t>(std::max<int64_t>(r, INT32_MIN),
                                       INT32_MAX);
       }},
      {"sub.sat.s32 %d, %x, %y;", 32, 32,
       [](u64 a, u64 b, u64) {
         int64_t r = sx(a, 32) - sx(b, 32);
         return (u64)std::min<int64_t>(std::max<int64_t>(r, INT32_MIN),
                                       INT32_MAX);
       }},
      {"mul.lo.s64 %d, %x, %y;", 64, 64, [](u64 a, u64 b, u64) { return a * b; }},
      {"mul.hi.s32 %d, %x, %y;", 32, 32,
       [](u64 a, u64 b, u64) { return (u64)((sx(a, 32) * sx(b, 32)) >> 32); }},
      {"mul.hi.u32 %d, %x, %y;", 32, 32,
       [](u64 a, u64 b, u64) { return (a * b) >> 32; }},
      {"mul.hi.u64 %d, %x, %y;", 64, 64,
       [](u64 a, u64 b, u64) {
         return (u64)(((unsigned __int128)a * b) >> 64);
       }},
      {"mul.hi.s64 %d, %x, %y;", 64, 64,
       [](u64 a, u64 b, u64) {
         return (u64)(((__int128)(int64_t)a * (int64_t)b) >> 64);
       }},
      {"mul.wide.s32 %d, %x, %y;", 32, 64,
       [](u64 a, u64 b, u64) { return (u64)(sx(a, 32) * sx(b, 32)); }},
      {"mul.wide.u16 %d, %x, %y;", 16, 32,
       [](u64 a, u64 b, u64) { return a * b; }},
      {"mad.lo.s32 %d, %x, %y, %z;", 32, 32,
       [](u64 a, u64 b, u64 c) { return a * b + c; }},
      {"mad.hi.u32 %d, %x, %y, %z;", 32, 32,
       [](u64 a, u64 b, u64 c) { return ((a * b) >> 32) + c; }},
      {"min.s32 %d, %x, %y;", 32, 32,
       [](u64 a, u64 b, u64) { return sx(a, 32) < sx(b, 32) ? a : b; }},
      {"max.u64 %d, %x, %y;", 64, 64,
       [](u64 a, u64 b, u64) { return a > b ? a : b; }},
      {"max.s16 %d, %x, %y;", 16, 16,
       [](u64 a, u64 b, u64) { return sx(a, 16) > sx(b, 16) ? a : b; }},
      {"abs.s32 %d, %x;", 32, 32,
       [](u64 a, u64, u64) { return (u64)(sx(a, 32) < 0 ? -sx(a, 32) : sx(a, 32)); }},
      {"neg.s64 %d, %x;", 64, 64, [](u64 a, u64, u64) { return 0 - a; }},
      {"and.b32 %d, %x, %y;", 32, 32, [](u64 a, u64 b, u64) { return a & b; }},
      {"or.b16 %d, %x, %y;", 16, 16, [](u64 a, u64 b, u64) { return a | b; }},
      {"xor.b64 %d, %x, %y;", 64, 64, [](u64 a, u64 b, u64) { return a ^ b; }},
      {"not.b32 %d, %x;", 32, 32, [](u64 a, u64, u64) { return ~a; }},
      {"cnot.b32 %d, %x;", 32, 32, [](u64 a, u64, u64) { return (u64)(a == 0); }},
      // Shift amounts clamp to the operand width.
      {"shl.b32 %d, %x, %s;", 32, 32,
       [](u64 a, u64 b, u64) { return (b & 0xffffffff) >= 32 ? 0 : a << b; }},
      {"shr.u64 %d, %x, %s;", 64, 64,
       [](u64 a, u64 b, u64) {
         return (b & 0xffffffff) >= 64 ? 0 : a >> (b & 0xffffffff);
       }},
      {"shr.s32 %d, %x, %s;", 32, 32,
       [](u64 a, u64 b, u64) {
         u64 s = b & 0xffffffff;
         return (u64)(sx(a, 32) >> (s >= 32 ? 31 : s));
       }},
      {"shr.s16 %d, %x, 3;", 16, 16,
       [](u64 a, u64, u64) { return (u64)(sx(a, 16) >> 3); }},
      // Funnel shifts of b:a (PTX ISA pseudo-code): .wrap takes the amount
      // modulo 32, .clamp caps it at 32.
      {"shf.l.wrap.b32 %d, %x, %y, %z;", 32, 32,
       [](u64 a, u64 b, u64 c) {
         u64 n = c & 31;
         return (b << n) | (a >> (32 - n));
       }},
      {"shf.l.clamp.b32 %d, %x, %y, %z;", 32, 32,
       [](u64 a, u64 b, u64 c) {
         u64 n = std::min<u64>(c, 32);
         return n == 32 ? a : (b << n) | (a >> (32 - n));
       }},
      {"shf.r.wrap.b32 %d, %x, %y, %z;", 32, 32,
       [](u64 a, u64 b, u64 c) {
         u64 n = c & 31;
         return n == 0 ? a : (b << (32 - n)) | (a >> n);
       }},
      {"shf.r.clamp.b32 %d, %x, %y, %z;", 32, 32,
       [](u64 a, u64 b, u64 c) {
         u64 n = std::min<u64>(c, 32);
         return n == 32 ? b : n == 0 ? a : (b << (32 - n)) | (a >> n);
       }},
      // Packed 16-bit pairs (sm_90): each half on its own.
      {"add.s16x2 %d, %x, %y;", 32, 32,
       [](u64 a, u64 b, u64) {
         return ((a + b) & 0xffff) | (((a >> 16) + (b >> 16)) & 0xffff) << 16;
       }},
      {"sub.u16x2 %d, %x, %y;", 32, 32,
       [](u64 a, u64 b, u64) {
         return ((a - b) & 0xffff) | (((a >> 16) - (b >> 16)) & 0xffff) << 16;
       }},
      {"min.s16x2 %d, %x, %y;", 32, 32,
       [](u64 a, u64 b, u64) {
         u64 lo = sx(a, 16) < sx(b, 16) ? a & 0xffff : b & 0xffff;
         u64 hi = sx(a >> 16, 16) < sx(b >> 16, 16) ? a >> 16 : b >> 16;
         return lo | (hi & 0xffff) << 16;
       }},
      {"max.u16x2 %d, %x, %y;", 32, 32,
       [](u64 a, u64 b, u64) {
         u64 lo = std::max(a & 0xffff, b & 0xffff);
         u64 hi = std::max((a >> 16) & 0xffff, (b >> 16) & 0xffff);
         return lo | hi << 16;
       }},
      {"div.s32 %d, %x, %y;", 32, 32, nullptr}, // special-cased below
      {"rem.u32 %d, %x, %y;", 32, 32, nullptr},
      {"bfe.u32 %d, %x, %y, %z;", 32, 32, nullptr},
      {"bfe.s64 %d, %x, %s, 13;", 64, 64, nullptr},
      {"bfi.b32 %d, %x, %y, %s, 9;", 32, 32, nullptr},
      {"prmt.b32 %d, %x, %y, %z;", 32, 32, nullptr},
      {"popc.b64 %r2, %x;\n  mov.b32 %d, %r2;", 64, 32,
       [](u64 a, u64, u64) { return (u64)__builtin_popcountll(a); }},
      {"clz.b32 %d, %x;", 32, 32,
       [](u64 a, u64, u64) {
         return (u64)(a ? __builtin_clzll(a) - 32 : 32);
       }},
      {"brev.b32 %d, %x;", 32, 32,
       [](u64 a, u64, u64) {
         u64 r = 0;
         for (int i = 0; i < 32; ++i)
           r |= ((a >> i) & 1) << (31 - i);
         return r;
       }},
      {"setp.lt.s32 %p, %x, %y;", 32, 1,
       [](u64 a, u64 b, u64) { return (u64)(sx(a, 32) < sx(b, 32)); }},
      {"setp.hi.u16 %p, %x, %y;", 16, 1,
       [](u64 a, u64 b, u64) { return (u64)(a > b); }},
      {"setp.ge.u64 %p, %x, %y;", 64, 1,
       [](u64 a, u64 b, u64) { return (u64)(a >= b); }},
      {"setp.ne.b64 %q, %z, 0;\n  setp.le.s64.and %p, %x, %y, !%q;", 64, 1,
       [](u64 a, u64 b, u64 c) {
         return (u64)((int64_t)a <= (int64_t)b && c == 0);
       }},
      {"setp.ne.b32 %q, %z, 0;\n  setp.eq.u32.xor %p|%q, %x, %y, %q;", 32, 1,
       [](u64 a, u64 b, u64 c) { return (u64)((a == b) != (c != 0)); }},
      {"setp.gt.s16 %p|%q, %x, %y;\n  mov.pred %p, %q;", 16, 1,
       [](u64 a, u64 b, u64) { return (u64)!(sx(a, 16) > sx(b, 16)); }},
      {"setp.lt.u32 %q, %x, %y;\n  selp.b32 %d, %x, %z, %q;", 32, 32,
       [](u64 a, u64 b, u64 c) { return a < b ? a : c; }},
      {"cvt.s8.s32 %d, %x;", 32, 32,
       [](u64 a, u64, u64) { return (u64)(int64_t)(int8_t)a; }},
      {"cvt.sat.s8.s32 %d, %x;", 32, 32,
       [](u64 a, u64, u64) {
         return (u64)std::min<int64_t>(std::max<int64_t>(sx(a, 32), -128), 127);
       }},
      {"cvt.sat.u8.s32 %d, %x;", 32, 32,
       [](u64 a, u64, u64) {
         return (u64)std::min<int64_t>(std::max<int64_t>(sx(a, 32), 0), 255);
       }},
      {"cvt.u16.u64 %d, %x;", 64, 16, [](u64 a, u64, u64) { return a; }},
      {"cvt.s64.s16 %d, %x;", 16, 64,
       [](u64 a, u64, u64) { return (u64)sx(a, 16); }},
      {"cvt.u64.u16 %d, %x;", 16, 64, [](u64 a, u64, u64) { return a; }},
      {"cvt.sat.u32.s64 %d, %x;", 64, 32,
       [](u64 a, u64, u64) {
         return (int64_t)a < 0 ? 0 : a > 0xffffffffull ? 0xffffffffull : a;
       }},
      // 128-bit addition and subtraction through the carry flag.
      {"add.cc.u64 %d, %x, %y;\n  addc.u64 %d, %z, 0;", 64, 64,
       [](u64 a, u64 b, u64 c) { return c + (a + b < a); }},
      {"sub.cc.u32 %d, %x, %y;\n  subc.cc.u32 %d, %z, 0;\n  addc.u32 %d, %d, 7;",
       32, 32,
       [](u64 a, u64 b, u64 c) {
         u64 borrow1 = a < b;
         u64 d = (c - borrow1) & 0xffffffff;
         u64 borrow2 = c < borrow1;
         return (d + 7 + borrow2) & 0xffffffff;
       }},
      {"mov.b64 %rd11, {%x, %y};\n  mov.b64 {_, %d}, %rd11;", 32, 32,
       [](u64, u64 b, u64) { return b; }},
  };
  std::mt19937_64 rng(42);
  for (const AluCase &c : cases) {
    SCOPED_TRACE(c.ins);
    Module mod(aluKernel(c));
    ASSERT_LOADED(mod);
    std::vector<uint64_t> vals = aluInputs(c.w, rng);
    std::vector<uint64_t> in;
    std::vector<uint64_t> expect;
    std::string name = c.ins;
    for (size_t i = 0; i < vals.size(); ++i)
      for (size_t j = 0; j < vals.size(); j += 3) {
        uint64_t a = vals[i], b = vals[j], z = vals[(i * 7 + j) % vals.size()];
        if (!c.ref) {
          if (name.rfind("div", 0) == 0 || name.rfind("rem", 0) == 0) {
            if (b == 0)
              continue;
            if (name.rfind("div.s32", 0) == 0) {
              if (a == 0x80000000u && b == 0xffffffffu)
                continue;
              expect.push_back((uint64_t)(sx(a, 32) / sx(b, 32)));
            } else {
              expect.push_back(a % b);
            }
          } else if (name.rfind("bfe.u32", 0) == 0) {
            unsigned pos = b & 0xff, len = z & 0xff;
            uint64_t d = 0;
            for (unsigned k = 0; k < 32; ++k)
              d |= (uint64_t)((k < len && pos + k <= 31) ? (a >> (pos + k)) & 1
                                                          : 0)
                   << k;
            expect.push_back(d);
          } else if (name.rfind("bfe.s64", 0) == 0) {
            unsigned pos = b & 0xff, len = 13;
            uint64_t sbit = (a >> std::min(pos + len - 1, 63u)) & 1;
            uint64_t d = 0;
            for (unsigned k = 0; k < 64; ++k)
              d |= ((k < len && pos + k <= 63) ? (a >> (pos + k)) & 1 : sbit)
                   << k;
            expect.push_back(d);
          } else if (name.rfind("bfi", 0) == 0) {
            unsigned pos = b & 0xff, len = 9;
            uint64_t f = b;
            for (unsigned k = 0; k < len && pos + k <= 31; ++k)
              f = (f & ~(1ull << (pos + k))) | (((a >> k) & 1) << (pos + k));
            expect.push_back(f & 0xffffffff);
          } else { // prmt
            uint64_t tmp = b << 32 | a;
            uint64_t r = 0;
            for (unsigned k = 0; k < 4; ++k) {
              unsigned ctl = (z >> (4 * k)) & 15;
              uint64_t byte = (tmp >> (8 * (ctl & 7))) & 0xff;
              if (ctl & 8)
                byte = (byte & 0x80) ? 0xff : 0;
              r |= byte << (8 * k);
            }
            expect.push_back(r);
          }
        } else {
          expect.push_back(c.ref(a, b, z) & mk(c.dw == 1 ? 64 : c.dw));
        }
        expect.back() &= mk(c.dw == 1 ? 64 : c.dw);
        in.insert(in.end(), {a, b, z});
      }
    size_t n = expect.size();
    size_t threads = (n + 31) / 32 * 32;
    in.resize(threads * 3, 0);
    std::vector<uint64_t> out(threads, 0);
    uint64_t pi = (uintptr_t)in.data(), po = (uintptr_t)out.data();
    std::string e = mod.launch("alu", (unsigned)(threads / 32), 32, {&pi, &po});
    if (e.find("division by zero") != std::string::npos) {
      // Padding threads divide 0 by 0: rerun with the padding filled.
      for (size_t t = n; t < threads; ++t)
        in[3 * t + 1] = 1;
      e = mod.launch("alu", (unsigned)(threads / 32), 32, {&pi, &po});
    }
    ASSERT_EQ(e, "");
    for (size_t t = 0; t < n; ++t)
      ASSERT_EQ(out[t], expect[t])
          << "a=" << in[3 * t] << " b=" << in[3 * t + 1]
          << " c=" << in[3 * t + 2];
  }
}

TEST(PTXEmulator, LoadStoreExtension) {
  // ld of a narrow type into a wider register sign-extends signed types and
  // zero-extends others; st chops.
  Module mod(R"(
.visible .entry k(.param .u64 in, .param .u64 out)
{
  .reg .b16 %rs<3>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [in];
  ld.param.u64 %rd2, [out];
  ld.global.s8 %r1, [%rd1];
  ld.global.u8 %r2, [%rd1];
  ld.global.b8 %rs1, [%rd1+1];
  ld.global.s16 %rd3, [%rd1+2];
  ld.global.v2.u8 {%rs2, %r3}, [%rd1+4];
  st.global.u32 [%rd2], %r1;
  st.global.u32 [%rd2+4], %r2;
  st.global.u16 [%rd2+8], %rs1;
  st.global.u64 [%rd2+16], %rd3;
  st.global.b8 [%rd2+24], %r1;
  st.global.u32 [%rd2+28], %r3;
  ret;
}
)");
  ASSERT_LOADED(mod);
  uint8_t in[8] = {0x85, 0xf0, 0x34, 0x92, 0x11, 0xe0, 0, 0};
  uint8_t out[32];
  memset(out, 0x77, sizeof out);
  uint64_t pi = (uintptr_t)in, po = (uintptr_t)out;
  ASSERT_EQ(mod.launch("k", 1, 1, {&pi, &po}), "");
  uint32_t r1, r2, r3;
  uint16_t rs1;
  uint64_t rd3;
  memcpy(&r1, out, 4);
  memcpy(&r2, out + 4, 4);
  memcpy(&rs1, out + 8, 2);
  memcpy(&rd3, out + 16, 8);
  memcpy(&r3, out + 28, 4);
  EXPECT_EQ(r1, 0xffffff85u);
  EXPECT_EQ(r2, 0x85u);
  EXPECT_EQ(rs1, 0xf0u);
  EXPECT_EQ(rd3, 0xffffffffffff9234ull);
  EXPECT_EQ(out[24], 0x85);
  EXPECT_EQ(out[25], 0x77); // st.b8 wrote one byte
  EXPECT_EQ(r3, 0xe0u);
}

//===----------------------------------------------------------------------===//
// Shared memory and barriers
//===----------------------------------------------------------------------===//

TEST(PTXEmulator, SharedMemoryAndBarrierAcrossWarps) {
  Module mod(R"(
.shared .align 4 .b8 gbuf[64];
.extern .shared .align 16 .b8 dyn[];

.visible .entry k(.param .u64 out)
{
  .reg .pred %p<2>;
  .reg .b32 %r<10>;
  .reg .b64 %rd<12>;
  .shared .align 4 .b8 buf[512];
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  mov.u64 %rd2, buf;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  mul.lo.s32 %r2, %r1, 7;
  st.shared.u32 [%rd4], %r2;
  // Dynamic shared memory, through a generic address.
  mov.u64 %rd9, dyn;
  add.s64 %rd10, %rd9, %rd3;
  cvta.shared.u64 %rd10, %rd10;
  st.u32 [%rd10], %r1;
  setp.eq.u32 %p1, %r1, 0;
  @%p1 st.shared.u32 [gbuf+60], 12345;
  bar.sync 0;
  sub.s32 %r3, 127, %r1;
  mul.wide.u32 %rd5, %r3, 4;
  add.s64 %rd6, %rd2, %rd5;
  ld.shared.u32 %r4, [%rd6];
  cvta.shared.u64 %rd7, %rd6;
  ld.u32 %r5, [%rd7];
  add.s32 %r4, %r4, %r5;
  add.s64 %rd11, %rd9, %rd5;
  ld.shared.u32 %r6, [%rd11];
  ld.shared.u32 %r7, [gbuf+60];
  add.s64 %rd8, %rd1, %rd3;
  mul.wide.u32 %rd8, %r1, 12;
  add.s64 %rd8, %rd1, %rd8;
  st.global.u32 [%rd8], %r4;
  st.global.u32 [%rd8+4], %r6;
  st.global.u32 [%rd8+8], %r7;
  ret;
}
)");
  ASSERT_LOADED(mod);
  std::vector<uint32_t> out(128 * 3);
  uint64_t po = (uintptr_t)out.data();
  ASSERT_EQ(mod.launch("k", 2, 128, {&po}, 512), "");
  for (uint32_t t = 0; t < 128; ++t) {
    EXPECT_EQ(out[3 * t], 2 * 7 * (127 - t)) << t;
    EXPECT_EQ(out[3 * t + 1], 127 - t) << t;
    EXPECT_EQ(out[3 * t + 2], 12345u) << t;
  }
  // Too little dynamic shared memory: the accesses are out of bounds.
  std::string e = mod.launch("k", 1, 128, {&po}, 256);
  EXPECT_NE(e.find("out-of-bounds shared memory"), std::string::npos) << e;
}

// Warps run one after the other between barriers, so a missing bar.sync
// would go unseen in the results; the emulator reports the race instead.
// Two warps; %p1 selects warp 0, %rd4 is an address in sm[0, 128) that both
// warps use (4 * lane), %rd5 + 256 one private to each thread (4 * tid).
TEST(PTXEmulator, SharedMemoryRacesBetweenWarps) {
  uint32_t buf[64] = {};
  uint64_t p = (uintptr_t)buf;
  auto run = [&](const std::string &body) {
    return runKernelBody(
        "  shr.u32 %r2, %r1, 5;\n  and.b32 %r3, %r1, 31;\n"
        "  setp.eq.u32 %p1, %r2, 0;\n  mov.u64 %rd3, sm;\n"
        "  mul.wide.u32 %rd2, %r3, 4;\n  add.s64 %rd4, %rd3, %rd2;\n"
        "  mul.wide.u32 %rd2, %r1, 4;\n  add.s64 %rd5, %rd3, %rd2;\n" +
            body,
        2, 64, p, 512);
  };
  auto isRace = [](const std::string &e, const char *what) {
    return e.find("shared memory race") != std::string::npos &&
           e.find(what) != std::string::npos;
  };
  // Read after write.
  std::string e = run("  @%p1 st.shared.u32 [%rd4], %r1;\n"
                      "  @!%p1 ld.shared.u32 %r4, [%rd4];\n");
  EXPECT_TRUE(isRace(e, "read by warp 1 of a byte that warp 0 wrote")) << e;
  EXPECT_EQ(run("  @%p1 st.shared.u32 [%rd4], %r1;\n  bar.sync 0;\n"
                "  @!%p1 ld.shared.u32 %r4, [%rd4];\n"),
            "");
  // Write after read, and write after write.
  e = run("  @%p1 ld.shared.u32 %r4, [%rd4];\n"
          "  @!%p1 st.shared.u32 [%rd4], %r1;\n");
  EXPECT_TRUE(isRace(e, "write by warp 1 of a byte that another warp read"))
      << e;
  e = run("  st.shared.u32 [%rd4], %r1;\n");
  EXPECT_TRUE(isRace(e, "write by warp 1 of a byte that warp 0 wrote")) << e;
  EXPECT_EQ(run("  @%p1 ld.shared.u32 %r4, [%rd4];\n  bar.sync 0;\n"
                "  @!%p1 st.shared.u32 [%rd4], %r1;\n"),
            "");
  // Reads by many warps, and each warp's own bytes, need no barrier.
  EXPECT_EQ(run("  ld.shared.u32 %r4, [%rd4];\n  ld.shared.u32 %r5, [%rd4];\n"
                "  st.shared.u32 [%rd5+256], %r1;\n"
                "  ld.shared.u32 %r4, [%rd5+256];\n  bar.sync 0;\n"
                "  @%p1 st.shared.u32 [%rd4], %r1;\n"),
            "");
  e = run("  ld.shared.u32 %r4, [%rd4];\n  bar.sync 0;\n"
          "  ld.shared.u32 %r4, [%rd4];\n  @!%p1 st.shared.u32 [%rd4], %r1;\n");
  EXPECT_TRUE(isRace(e, "write by warp 1 of a byte that other warps read"))
      << e;
  // cp.async: the copy writes when the issuing thread waits for it; others
  // need a barrier after that wait.
  e = run("  @%p1 cp.async.ca.shared.global [%rd4], [%rd1], 4;\n"
          "  @%p1 cp.async.wait_all;\n  @!%p1 ld.shared.u32 %r4, [%rd4];\n");
  EXPECT_TRUE(isRace(e, "read by warp 1 of a byte that warp 0 wrote")) << e;
  EXPECT_EQ(run("  @%p1 cp.async.ca.shared.global [%rd4], [%rd1], 4;\n"
                "  @%p1 cp.async.wait_all;\n  bar.sync 0;\n"
                "  @!%p1 ld.shared.u32 %r4, [%rd4];\n"),
            "");
  // ... and it may write at any time from its issue: a read of the target
  // by another warp before the wait is a race even across barriers.
  e = run("  @%p1 cp.async.ca.shared.global [%rd4], [%rd1], 4;\n"
          "  @%p1 cp.async.commit_group;\n  bar.sync 0;\n"
          "  @!%p1 ld.shared.u32 %r4, [%rd4];\n  bar.sync 0;\n"
          "  @%p1 cp.async.wait_group 0;\n");
  EXPECT_TRUE(isRace(e, "write by warp 0 of a byte that another warp read"))
      << e;
}

TEST(PTXEmulator, BarrierWaitsOnlyForNonExitedThreads) {
  // PTX ISA barrier.sync: the barrier waits for all non-exited threads.
  Module mod(R"(
.visible .entry k(.param .u64 out)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<8>;
  .shared .align 4 .b8 buf[256];
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  setp.ge.u32 %p1, %r1, 40;
  @%p1 bra $L__end;
  mov.u64 %rd2, buf;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  add.s32 %r2, %r1, 1;
  st.shared.u32 [%rd4], %r2;
  bar.sync 0;
  sub.s32 %r3, 39, %r1;
  mul.wide.u32 %rd5, %r3, 4;
  add.s64 %rd6, %rd2, %rd5;
  ld.shared.u32 %r4, [%rd6];
  add.s64 %rd7, %rd1, %rd3;
  st.global.u32 [%rd7], %r4;
$L__end:
  ret;
}
)");
  ASSERT_LOADED(mod);
  std::vector<uint32_t> out(64, 0);
  uint64_t po = (uintptr_t)out.data();
  ASSERT_EQ(mod.launch("k", 1, 64, {&po}), "");
  for (uint32_t t = 0; t < 64; ++t)
    EXPECT_EQ(out[t], t < 40 ? 40 - t : 0u) << t;
}

TEST(PTXEmulator, LocalMemoryPerThread) {
  Module mod(R"(
.visible .entry k(.param .u64 out)
{
  .local .align 8 .b8 __local_depot0[32];
  .reg .b64 %SP;
  .reg .b64 %SPL;
  .reg .b32 %r<6>;
  .reg .b64 %rd<6>;
  mov.u64 %SPL, __local_depot0;
  cvta.local.u64 %SP, %SPL;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  st.local.u32 [%SPL+4], %r1;
  add.u64 %rd2, %SP, 8;
  mul.lo.s32 %r2, %r1, 3;
  st.u32 [%rd2], %r2;
  ld.local.u32 %r3, [%SPL+8];
  ld.u32 %r4, [%SP+4];
  add.s32 %r5, %r3, %r4;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd1, %rd3;
  st.global.u32 [%rd4], %r5;
  ret;
}
)");
  ASSERT_LOADED(mod);
  std::vector<uint32_t> out(64, 0);
  uint64_t po = (uintptr_t)out.data();
  ASSERT_EQ(mod.launch("k", 1, 64, {&po}), "");
  for (uint32_t t = 0; t < 64; ++t)
    EXPECT_EQ(out[t], 4 * t) << t;
}

//===----------------------------------------------------------------------===//
// shfl.sync and vote.sync
//===----------------------------------------------------------------------===//

TEST(PTXEmulator, ShuffleModes) {
  // Every mode with the full warp and with 8-lane segments, against the PTX
  // ISA pseudo-code.
  const char *modes[] = {"up", "down", "bfly", "idx"};
  for (int mode = 0; mode < 4; ++mode)
    for (uint32_t c : {0x1fu, 0x181fu, 0x1807u, 0x0u, 0x1f00u})
      for (uint32_t b : {0u, 1u, 3u, 6u, 17u, 37u}) {
        std::string k = std::string(R"(
.visible .entry k(.param .u64 out, .param .u32 pb, .param .u32 pc)
{
  .reg .pred %p<2>;
  .reg .b32 %r<8>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  ld.param.u32 %r5, [pb];
  ld.param.u32 %r6, [pc];
  mov.u32 %r1, %laneid;
  mul.lo.s32 %r2, %r1, 1000;
  shfl.sync.)") + modes[mode] + R"(.b32 %r3|%p1, %r2, %r5, %r6, 0xffffffff;
  selp.u32 %r4, 1, 0, %p1;
  mul.wide.u32 %rd2, %r1, 8;
  add.s64 %rd3, %rd1, %rd2;
  st.global.v2.u32 [%rd3], {%r3, %r4};
  ret;
}
)";
        Module mod(k);
        ASSERT_LOADED(mod);
        uint32_t out[64];
        uint64_t po = (uintptr_t)out;
        ASSERT_EQ(mod.launch("k", 1, 32, {&po, &b, &c}), "");
        for (uint32_t lane = 0; lane < 32; ++lane) {
          uint32_t bval = b & 31, cval = c & 31, seg = (c >> 8) & 31;
          int32_t maxLane = (lane & seg) | (cval & ~seg), minLane = lane & seg;
          int32_t j;
          bool pval;
          switch (mode) {
          case 0: j = (int32_t)lane - (int32_t)bval; pval = j >= maxLane; break;
          case 1: j = lane + bval; pval = j <= maxLane; break;
          case 2: j = lane ^ bval; pval = j <= maxLane; break;
          default: j = minLane | (bval & ~seg); pval = j <= maxLane; break;
          }
          if (!pval)
            j = lane;
          EXPECT_EQ(out[2 * lane], (uint32_t)j * 1000)
              << modes[mode] << " b=" << b << " c=" << c << " lane " << lane;
          EXPECT_EQ(out[2 * lane + 1], (uint32_t)pval);
        }
      }
}

TEST(PTXEmulator, VoteAndActiveMask) {
  Module mod(R"(
.visible .entry k(.param .u64 out)
{
  .reg .pred %p<6>;
  .reg .b32 %r<10>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %laneid;
  and.b32 %r2, %r1, 3;
  setp.eq.u32 %p1, %r2, 1;
  vote.sync.ballot.b32 %r3, %p1, -1;
  vote.sync.any.pred %p2, %p1, -1;
  vote.sync.all.pred %p3, !%p1, -1;
  setp.lt.u32 %p4, %r1, 40;
  vote.sync.uni.pred %p5, %p4, -1;
  selp.u32 %r4, 1, 0, %p2;
  selp.u32 %r5, 1, 0, %p3;
  selp.u32 %r6, 1, 0, %p5;
  mov.u32 %r7, 0;
  setp.lt.u32 %p4, %r1, 5;
  @%p4 activemask.b32 %r7;
  mul.wide.u32 %rd2, %r1, 20;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r3;
  st.global.u32 [%rd3+4], %r4;
  st.global.u32 [%rd3+8], %r5;
  st.global.u32 [%rd3+12], %r6;
  st.global.u32 [%rd3+16], %r7;
  ret;
}
)");
  ASSERT_LOADED(mod);
  uint32_t out[32 * 5];
  uint64_t po = (uintptr_t)out;
  ASSERT_EQ(mod.launch("k", 1, 32, {&po}), "");
  for (unsigned l = 0; l < 32; ++l) {
    EXPECT_EQ(out[5 * l], 0x22222222u);
    EXPECT_EQ(out[5 * l + 1], 1u);
    EXPECT_EQ(out[5 * l + 2], 0u);
    EXPECT_EQ(out[5 * l + 3], 1u);
    // A predicated instruction still sees the whole converged warp.
    EXPECT_EQ(out[5 * l + 4], l < 5 ? 0xffffffffu : 0u);
  }
}

//===----------------------------------------------------------------------===//
// ldmatrix
//===----------------------------------------------------------------------===//

TEST(PTXEmulator, Ldmatrix) {
  // Four 8x8 b16 matrices at sm + 512*j, row r at offset 48*r (+16): rows
  // need not be contiguous. Lane l gives the address of row l%8 of matrix
  // l/8.
  Module mod(R"(
.visible .entry k(.param .u64 in, .param .u64 out)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<16>;
  .shared .align 16 .b8 sm[2048];
  ld.param.u64 %rd1, [in];
  ld.param.u64 %rd2, [out];
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd3, %r1, 64;
  add.s64 %rd4, %rd1, %rd3;
  mov.u64 %rd5, sm;
  add.s64 %rd6, %rd5, %rd3;
  ld.global.v4.u32 {%r2, %r3, %r4, %r5}, [%rd4];
  st.shared.v4.u32 [%rd6], {%r2, %r3, %r4, %r5};
  ld.global.v4.u32 {%r2, %r3, %r4, %r5}, [%rd4+16];
  st.shared.v4.u32 [%rd6+16], {%r2, %r3, %r4, %r5};
  ld.global.v4.u32 {%r2, %r3, %r4, %r5}, [%rd4+32];
  st.shared.v4.u32 [%rd6+32], {%r2, %r3, %r4, %r5};
  ld.global.v4.u32 {%r2, %r3, %r4, %r5}, [%rd4+48];
  st.shared.v4.u32 [%rd6+48], {%r2, %r3, %r4, %r5};
  bar.sync 0;
  shr.u32 %r6, %r1, 3;
  and.b32 %r7, %r1, 7;
  mul.wide.u32 %rd7, %r6, 512;
  mul.wide.u32 %rd8, %r7, 48;
  add.s64 %rd9, %rd5, %rd7;
  add.s64 %rd10, %rd9, %rd8;
  ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%r8, %r9, %r10, %r11}, [%rd10+16];
  ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%r12, %r13, %r14, %r15}, [%rd10+16];
  ldmatrix.sync.aligned.m8n8.x2.shared::cta.b16 {%r16, %r17}, [%rd10];
  cvta.shared.u64 %rd11, %rd10;
  ldmatrix.sync.aligned.m8n8.x1.trans.b16 {%r18}, [%rd11];
  mul.wide.u32 %rd12, %r1, 44;
  add.s64 %rd13, %rd2, %rd12;
  st.global.u32 [%rd13], %r8;
  st.global.u32 [%rd13+4], %r9;
  st.global.u32 [%rd13+8], %r10;
  st.global.u32 [%rd13+12], %r11;
  st.global.u32 [%rd13+16], %r12;
  st.global.u32 [%rd13+20], %r13;
  st.global.u32 [%rd13+24], %r14;
  st.global.u32 [%rd13+28], %r15;
  st.global.u32 [%rd13+32], %r16;
  st.global.u32 [%rd13+36], %r17;
  st.global.u32 [%rd13+40], %r18;
  ret;
}
)");
  ASSERT_LOADED(mod);
  std::vector<uint16_t> in(1024);
  for (unsigned i = 0; i < in.size(); ++i)
    in[i] = (uint16_t)(i * 40503u + 7);
  std::vector<uint32_t> out(32 * 11);
  uint64_t pi = (uintptr_t)in.data(), po = (uintptr_t)out.data();
  ASSERT_EQ(mod.launch("k", 1, 32, {&pi, &po}), "");
  // Element (r, c) of matrix j, with the given row start offset.
  auto M = [&](unsigned j, unsigned r, unsigned c, unsigned base) {
    return (uint32_t)in[(512 * j + 48 * r + base) / 2 + c];
  };
  for (unsigned l = 0; l < 32; ++l) {
    unsigned r = l / 4, c = 2 * (l % 4);
    for (unsigned j = 0; j < 4; ++j) {
      EXPECT_EQ(out[11 * l + j], M(j, r, c, 16) | M(j, r, c + 1, 16) << 16);
      EXPECT_EQ(out[11 * l + 4 + j], M(j, c, r, 16) | M(j, c + 1, r, 16) << 16);
    }
    for (unsigned j = 0; j < 2; ++j)
      EXPECT_EQ(out[11 * l + 8 + j], M(j, r, c, 0) | M(j, r, c + 1, 0) << 16);
    EXPECT_EQ(out[11 * l + 10], M(0, c, r, 0) | M(0, c + 1, r, 0) << 16);
  }
}

//===----------------------------------------------------------------------===//
// mma.sync against a scalar GEMM through the PTX ISA fragment tables
//===----------------------------------------------------------------------===//

/// One mma shape: fragment tables transcribed from the PTX ISA ("Matrix
/// Fragments for mma.m*n*k*"): row/col of element i of a thread's A, B and C
/// fragment as functions of groupID g and threadID_in_group t.
struct MmaCase {
  const char *ins;
  unsigned M, N, K, bits, na, nb, nc;
  bool sa, sb;
  std::function<void(unsigned g, unsigned t, unsigned i, unsigned &r,
                     unsigned &c)>
      a, b;
  int bitop = 0; // b1: 1 xor, 2 and
};

void cM16(unsigned g, unsigned t, unsigned i, unsigned &r, unsigned &c) {
  r = i < 2 ? g : g + 8;
  c = t * 2 + (i & 1);
}
void cM8(unsigned g, unsigned t, unsigned i, unsigned &r, unsigned &c) {
  r = g;
  c = t * 2 + i;
}

std::vector<MmaCase> mmaCases() {
  using U = unsigned;
  auto m16n8k32_8a = [](U g, U t, U i, U &r, U &c) {
    r = (i < 4 || (i >= 8 && i < 12)) ? g : g + 8;
    c = t * 4 + (i & 3) + (i >= 8 ? 16 : 0);
  };
  auto m16n8k32_8b = [](U g, U t, U i, U &r, U &c) {
    r = t * 4 + (i & 3) + (i >= 4 ? 16 : 0);
    c = g;
  };
  auto m16n8k64_4a = [](U g, U t, U i, U &r, U &c) {
    r = (i < 8 || (i >= 16 && i < 24)) ? g : g + 8;
    c = t * 8 + (i & 7) + (i >= 16 ? 32 : 0);
  };
  auto m16n8k64_4b = [](U g, U t, U i, U &r, U &c) {
    r = t * 8 + (i & 7) + (i >= 8 ? 32 : 0);
    c = g;
  };
  auto m8n8k16_8a = [](U g, U t, U i, U &r, U &c) { r = g; c = t * 4 + i; };
  auto m8n8k16_8b = [](U g, U t, U i, U &r, U &c) { r = t * 4 + i; c = g; };
  auto m8n8k32_4a = [](U g, U t, U i, U &r, U &c) { r = g; c = t * 8 + i; };
  auto m8n8k32_4b = [](U g, U t, U i, U &r, U &c) { r = t * 8 + i; c = g; };
  auto m16n8k16_8a = [](U g, U t, U i, U &r, U &c) {
    r = i < 4 ? g : g + 8;
    c = t * 4 + (i & 3);
  };
  auto m16n8k32_4a = [](U g, U t, U i, U &r, U &c) {
    r = i < 8 ? g : g + 8;
    c = t * 8 + (i & 7);
  };
  auto m16n8k128_1a = [](U g, U t, U i, U &r, U &c) {
    r = i < 32 ? g : g + 8;
    c = t * 32 + (i & 31);
  };
  auto k128_1b = [](U g, U t, U i, U &r, U &c) { r = t * 32 + i; c = g; };
  auto m8n8k128_1a = [](U g, U t, U i, U &r, U &c) { r = g; c = t * 32 + i; };
  return {
      {"mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32", 16, 8, 32, 8, 4, 2, 4,
       true, true, m16n8k32_8a, m16n8k32_8b},
      {"mma.sync.aligned.m16n8k32.row.col.satfinite.s32.u8.s8.s32", 16, 8, 32,
       8, 4, 2, 4, false, true, m16n8k32_8a, m16n8k32_8b},
      {"mma.sync.aligned.m16n8k64.row.col.s32.s4.s4.s32", 16, 8, 64, 4, 4, 2, 4,
       true, true, m16n8k64_4a, m16n8k64_4b},
      {"mma.sync.aligned.m16n8k64.row.col.satfinite.s32.u4.u4.s32", 16, 8, 64,
       4, 4, 2, 4, false, false, m16n8k64_4a, m16n8k64_4b},
      {"mma.sync.aligned.m8n8k16.row.col.s32.s8.u8.s32", 8, 8, 16, 8, 1, 1, 2,
       true, false, m8n8k16_8a, m8n8k16_8b},
      {"mma.sync.aligned.m8n8k32.row.col.s32.s4.s4.s32", 8, 8, 32, 4, 1, 1, 2,
       true, true, m8n8k32_4a, m8n8k32_4b},
      {"mma.sync.aligned.m16n8k16.row.col.s32.s8.s8.s32", 16, 8, 16, 8, 2, 1, 4,
       true, true, m16n8k16_8a, m8n8k16_8b},
      {"mma.sync.aligned.m16n8k32.row.col.s32.s4.u4.s32", 16, 8, 32, 4, 2, 1, 4,
       true, false, m16n8k32_4a, m8n8k32_4b},
      {"mma.sync.aligned.m16n8k128.row.col.s32.b1.b1.s32.xor.popc", 16, 8, 128,
       1, 2, 1, 4, false, false, m16n8k128_1a, k128_1b, 1},
      {"mma.sync.aligned.m16n8k128.row.col.s32.b1.b1.s32.and.popc", 16, 8, 128,
       1, 2, 1, 4, false, false, m16n8k128_1a, k128_1b, 2},
      {"mma.sync.aligned.m8n8k128.row.col.s32.b1.b1.s32.xor.popc", 8, 8, 128, 1,
       1, 1, 2, false, false, m8n8k128_1a, k128_1b, 1},
  };
}

std::string mmaKernel(const MmaCase &c) {
  auto regs = [](const char *p, unsigned n) {
    std::string s = "{";
    for (unsigned i = 0; i < n; ++i)
      s += std::string(i ? ", %" : "%") + p + std::to_string(i);
    return s + "}";
  };
  std::string k = ".visible .entry mma(.param .u64 pa, .param .u64 pb, "
                  ".param .u64 pc, .param .u64 pd)\n{\n"
                  "  .reg .b32 %a<4>, %b<2>, %c<4>, %d<4>, %t;\n"
                  "  .reg .b64 %rd<12>;\n"
                  "  ld.param.u64 %rd1, [pa];\n  ld.param.u64 %rd2, [pb];\n"
                  "  ld.param.u64 %rd3, [pc];\n  ld.param.u64 %rd4, [pd];\n"
                  "  mov.u32 %t, %tid.x;\n  mul.wide.u32 %rd5, %t, 16;\n"
                  "  add.s64 %rd6, %rd1, %rd5;\n  add.s64 %rd7, %rd2, %rd5;\n"
                  "  add.s64 %rd8, %rd3, %rd5;\n  add.s64 %rd9, %rd4, %rd5;\n";
  auto lds = [&](const char *p, const char *base, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      k += std::string("  ld.global.u32 %") + p + std::to_string(i) + ", [" +
           base + "+" + std::to_string(4 * i) + "];\n";
  };
  lds("a", "%rd6", c.na);
  lds("b", "%rd7", c.nb);
  lds("c", "%rd8", c.nc);
  k += std::string("  ") + c.ins + " " + regs("d", c.nc) + ", " +
       regs("a", c.na) + ", " + regs("b", c.nb) + ", " + regs("c", c.nc) +
       ";\n";
  for (unsigned i = 0; i < c.nc; ++i)
    k += "  st.global.u32 [%rd9+" + std::to_string(4 * i) + "], %d" +
         std::to_string(i) + ";\n";
  return k + "  ret;\n}\n";
}

TEST(PTXEmulator, MmaFragmentsAgainstScalarGemm) {
  std::mt19937 rng(7);
  for (const MmaCase &c : mmaCases()) {
    SCOPED_TRACE(c.ins);
    Module mod(mmaKernel(c));
    ASSERT_LOADED(mod);
    for (int trial = 0; trial < 4; ++trial) {
      auto elem = [&](bool sgn) {
        uint32_t v = rng() & ((1u << c.bits) - 1);
        return sgn ? (int32_t)(v << (32 - c.bits)) >> (32 - c.bits)
                   : (int32_t)v;
      };
      std::vector<int32_t> A(c.M * c.K), B(c.K * c.N), C(c.M * c.N);
      for (auto &v : A)
        v = elem(c.sa);
      for (auto &v : B)
        v = elem(c.sb);
      for (auto &v : C) {
        v = (int32_t)rng();
        if (trial == 3) // near the limits: .satfinite clamps, else wraps
          v = (v & 1) ? INT32_MAX - (v & 0xff) : INT32_MIN + (v & 0xff);
      }
      // Fragments: element i of thread l lives in register i / E at bit
      // (i % E) * bits.
      unsigned E = 32 / c.bits;
      std::vector<uint32_t> fa(32 * 4, 0), fb(32 * 4, 0), fc(32 * 4, 0),
          fd(32 * 4, 0);
      for (unsigned l = 0; l < 32; ++l) {
        unsigned g = l / 4, t = l % 4, r, col;
        for (unsigned i = 0; i < c.na * E; ++i) {
          c.a(g, t, i, r, col);
          uint32_t v = (uint32_t)A[r * c.K + col] & ((1u << c.bits) - 1);
          fa[4 * l + i / E] |= v << ((i % E) * c.bits);
        }
        for (unsigned i = 0; i < c.nb * E; ++i) {
          c.b(g, t, i, r, col);
          uint32_t v = (uint32_t)B[r * c.N + col] & ((1u << c.bits) - 1);
          fb[4 * l + i / E] |= v << ((i % E) * c.bits);
        }
        for (unsigned i = 0; i < c.nc; ++i) {
          (c.M == 16 ? cM16 : cM8)(g, t, i, r, col);
          fc[4 * l + i] = (uint32_t)C[r * c.N + col];
        }
      }
      uint64_t pa = (uintptr_t)fa.data(), pb = (uintptr_t)fb.data(),
               pc = (uintptr_t)fc.data(), pd = (uintptr_t)fd.data();
      ASSERT_EQ(mod.launch("mma", 1, 32, {&pa, &pb, &pc, &pd}), "");
      bool sat = std::string(c.ins).find("satfinite") != std::string::npos;
      for (unsigned l = 0; l < 32; ++l)
        for (unsigned i = 0; i < c.nc; ++i) {
          unsigned r, col;
          (c.M == 16 ? cM16 : cM8)(l / 4, l % 4, i, r, col);
          int64_t s = C[r * c.N + col];
          for (unsigned k = 0; k < c.K; ++k) {
            int32_t x = A[r * c.K + k], y = B[k * c.N + col];
            s += c.bitop == 1 ? (x ^ y) : c.bitop == 2 ? (x & y) : x * y;
          }
          if (sat)
            s = std::min<int64_t>(std::max<int64_t>(s, INT32_MIN), INT32_MAX);
          ASSERT_EQ(fd[4 * l + i], (uint32_t)s)
              << "lane " << l << " reg " << i << " trial " << trial;
        }
    }
  }
}

TEST(PTXEmulator, TiledGemmPerformance) {
  // A 128x128x256 s8 GEMM: 32 blocks of 4 warps, each warp computes a 16x8
  // tile with m16n8k32 over K, loading its fragments straight from global
  // memory (A row-major [128][256], B transposed [128][256]).
  Module mod(R"(
.visible .entry gemm(.param .u64 pA, .param .u64 pB, .param .u64 pC)
.maxntid 128, 1, 1
{
  .reg .pred %p<2>;
  .reg .b32 %r<40>;
  .reg .b64 %rd<20>;
  ld.param.u64 %rd1, [pA];
  ld.param.u64 %rd2, [pB];
  ld.param.u64 %rd3, [pC];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  shr.u32 %r3, %r1, 5;
  shl.b32 %r4, %r2, 2;
  add.s32 %r5, %r4, %r3;
  shr.u32 %r6, %r5, 4;
  and.b32 %r7, %r5, 15;
  and.b32 %r8, %r1, 31;
  shr.u32 %r9, %r8, 2;
  and.b32 %r10, %r8, 3;
  shl.b32 %r11, %r6, 4;
  add.s32 %r12, %r11, %r9;
  shl.b32 %r13, %r7, 3;
  add.s32 %r14, %r13, %r9;
  shl.b32 %r15, %r10, 2;
  mul.wide.u32 %rd4, %r12, 256;
  add.s64 %rd5, %rd1, %rd4;
  cvt.u64.u32 %rd6, %r15;
  add.s64 %rd7, %rd5, %rd6;
  mul.wide.u32 %rd8, %r14, 256;
  add.s64 %rd9, %rd2, %rd8;
  add.s64 %rd10, %rd9, %rd6;
  mov.b32 %r20, 0;
  mov.b32 %r21, 0;
  mov.b32 %r22, 0;
  mov.b32 %r23, 0;
  mov.u32 %r16, 0;
$L__loop:
  ld.global.u32 %r24, [%rd7];
  ld.global.u32 %r25, [%rd7+2048];
  ld.global.u32 %r26, [%rd7+16];
  ld.global.u32 %r27, [%rd7+2064];
  ld.global.u32 %r28, [%rd10];
  ld.global.u32 %r29, [%rd10+16];
  mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
      {%r20, %r21, %r22, %r23},
      {%r24, %r25, %r26, %r27},
      {%r28, %r29},
      {%r20, %r21, %r22, %r23};
  add.s64 %rd7, %rd7, 32;
  add.s64 %rd10, %rd10, 32;
  add.s32 %r16, %r16, 32;
  setp.lt.u32 %p1, %r16, 256;
  @%p1 bra $L__loop;
  mul.wide.u32 %rd11, %r12, 512;
  add.s64 %rd12, %rd3, %rd11;
  shl.b32 %r30, %r10, 1;
  add.s32 %r31, %r13, %r30;
  mul.wide.u32 %rd13, %r31, 4;
  add.s64 %rd14, %rd12, %rd13;
  st.global.v2.u32 [%rd14], {%r20, %r21};
  st.global.v2.u32 [%rd14+4096], {%r22, %r23};
  ret;
}
)");
  ASSERT_LOADED(mod);
  const int M = 128, N = 128, K = 256;
  std::mt19937 rng(3);
  std::vector<int8_t> A(M * K), Bt(N * K);
  for (auto &v : A)
    v = (int8_t)rng();
  for (auto &v : Bt)
    v = (int8_t)rng();
  std::vector<int32_t> C(M * N, 0x5a5a5a5a);
  uint64_t pa = (uintptr_t)A.data(), pb = (uintptr_t)Bt.data(),
           pc = (uintptr_t)C.data();
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(mod.launch("gemm", 32, 128, {&pa, &pb, &pc}), "");
  double secs = std::chrono::duration<double>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      int32_t s = 0;
      for (int k = 0; k < K; ++k)
        s += A[i * K + k] * Bt[j * K + k];
      ASSERT_EQ(C[i * N + j], s) << i << "," << j;
    }
  EXPECT_LT(secs, 5.0);
}

//===----------------------------------------------------------------------===//
// cp.async
//===----------------------------------------------------------------------===//

TEST(PTXEmulator, CpAsyncGroupsAndZeroFill) {
  Module mod(R"(
.visible .entry k(.param .u64 in, .param .u64 out)
{
  .reg .pred %p<2>;
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  .shared .align 16 .b8 sm[2048];
  ld.param.u64 %rd1, [in];
  ld.param.u64 %rd2, [out];
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd3, %r1, 16;
  add.s64 %rd4, %rd1, %rd3;
  mov.u64 %rd5, sm;
  add.s64 %rd6, %rd5, %rd3;
  and.b32 %r2, %r1, 15;
  add.s32 %r3, %r2, 1;
  cp.async.cg.shared.global [%rd6], [%rd4], 16, %r3;
  cp.async.commit_group;
  mul.wide.u32 %rd7, %r1, 4;
  add.s64 %rd8, %rd1, %rd7;
  add.s64 %rd9, %rd5, %rd7;
  and.b32 %r4, %r1, 1;
  setp.eq.u32 %p1, %r4, 1;
  cp.async.ca.shared::cta.global [%rd9+1024], [%rd8+1024], 4, %p1;
  cp.async.commit_group;
  // Not waited for yet: the emulator completes copies as late as allowed.
  ld.shared.u32 %r5, [%rd6];
  cp.async.wait_group 1;
  ld.shared.u32 %r6, [%rd9+1024];
  cp.async.wait_all;
  bar.sync 0;
  xor.b32 %r7, %r1, 1;
  mul.wide.u32 %rd10, %r7, 16;
  add.s64 %rd11, %rd5, %rd10;
  ld.shared.v4.u32 {%r8, %r9, %r10, %r11}, [%rd11];
  ld.shared.u32 %r12, [%rd9+1024];
  mul.wide.u32 %rd12, %r1, 32;
  add.s64 %rd13, %rd2, %rd12;
  st.global.v4.u32 [%rd13], {%r8, %r9, %r10, %r11};
  st.global.v4.u32 [%rd13+16], {%r5, %r6, %r12, %r1};
  ret;
}
)");
  ASSERT_LOADED(mod);
  std::vector<uint8_t> in(1280);
  for (unsigned i = 0; i < in.size(); ++i)
    in[i] = (uint8_t)(i * 31 + 1);
  std::vector<uint32_t> out(64 * 8);
  uint64_t pi = (uintptr_t)in.data(), po = (uintptr_t)out.data();
  ASSERT_EQ(mod.launch("k", 1, 64, {&pi, &po}), "");
  for (uint32_t t = 0; t < 64; ++t) {
    uint32_t n = t ^ 1, srcSize = (n & 15) + 1;
    uint8_t expect[16] = {};
    memcpy(expect, &in[16 * n], srcSize);
    EXPECT_EQ(memcmp(&out[8 * t], expect, 16), 0) << t;
    EXPECT_EQ(out[8 * t + 4], 0xa5a5a5a5u) << t; // before any wait
    EXPECT_EQ(out[8 * t + 5], 0xa5a5a5a5u) << t; // group 1 still pending
    uint32_t w;
    memcpy(&w, &in[1024 + 4 * t], 4);
    EXPECT_EQ(out[8 * t + 6], (t & 1) ? 0u : w) << t; // ignore-src
  }
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

std::string loadError(const std::string &body, const char *header = kHeader) {
  Module mod(body, header);
  EXPECT_EQ(mod.m, nullptr);
  return mod.err;
}

TEST(PTXEmulator, LoadErrorsNameTheLineAndInstruction) {
  std::string e = loadError(R"(.visible .entry k()
{
  .reg .f32 %f<4>;
  fma.rn.f32 %f1, %f2, %f3, %f3;
  ret;
}
)");
  EXPECT_NE(e.find("ptx line 8"), std::string::npos) << e;
  EXPECT_NE(e.find("fma.rn.f32"), std::string::npos) << e;

  e = loadError(".visible .entry k()\n{\n .reg .b32 %r<3>;\n"
                " prmt.b32.f4e %r0, %r1, %r2, %r2;\n}\n");
  EXPECT_NE(e.find("modifier '.f4e'"), std::string::npos) << e;

  e = loadError(".visible .entry k()\n{\n .reg .b32 %r<3>;\n"
                " add.s32 %r0, %r1, %r9;\n}\n");
  EXPECT_NE(e.find("%r9"), std::string::npos) << e;

  e = loadError(".visible .entry k()\n{\n .reg .b32 %r<3>;\n .reg .b64 %rd1;\n"
                " add.s64 %rd1, %r1, %r2;\n}\n");
  EXPECT_NE(e.find("32 bits wide"), std::string::npos) << e;

  e = loadError(".visible .entry k()\n{\n bra $nowhere;\n}\n");
  EXPECT_NE(e.find("unknown label"), std::string::npos) << e;

  e = loadError(".visible .func f()\n{\n ret;\n}\n");
  EXPECT_NE(e.find(".func"), std::string::npos) << e;

  // m16n8k64 does not exist on sm_75.
  e = loadError(".visible .entry k()\n{\n .reg .b32 %r<4>;\n"
                " mma.sync.aligned.m16n8k64.row.col.s32.s4.s4.s32 "
                "{%r0,%r0,%r0,%r0}, {%r1,%r1,%r1,%r1}, {%r2,%r2}, "
                "{%r3,%r3,%r3,%r3};\n}\n",
                ".version 8.0\n.target sm_75\n.address_size 64\n");
  EXPECT_NE(e.find("sm_80"), std::string::npos) << e;

  e = loadError(".visible .entry k()\n{\n .reg .b32 %r<4>;\n"
                " mma.sync.aligned.m16n8k32.col.row.s32.s8.s8.s32 "
                "{%r0,%r0,%r0,%r0}, {%r1,%r1,%r1,%r1}, {%r2,%r2}, "
                "{%r3,%r3,%r3,%r3};\n}\n");
  EXPECT_NE(e.find("mma"), std::string::npos) << e;

  e = loadError(".visible .entry k()\n{\n .reg .b32 %r<4>;\n"
                " mov.f32 %r0, 0f3F800000;\n}\n");
  EXPECT_NE(e.find("floating-point literal"), std::string::npos) << e;
}

TEST(PTXEmulator, LaunchErrors) {
  uint32_t buf[64] = {};
  uint64_t p = (uintptr_t)buf;
  auto run = [&](const std::string &body, unsigned block) {
    return runKernelBody(body, 1, block, p, 64);
  };
  std::string e = run("  st.shared.u32 [sm+64], %r1;\n", 32);
  EXPECT_NE(e.find("out-of-bounds shared memory"), std::string::npos) << e;
  EXPECT_NE(e.find("ptx line"), std::string::npos) << e;

  e = run("  mov.u64 %rd2, sm;\n  mul.wide.u32 %rd3, %r1, 4;\n"
          "  add.s64 %rd4, %rd2, %rd3;\n  ld.shared.u32 %r2, [%rd4];\n",
          32);
  EXPECT_NE(e.find("out-of-bounds"), std::string::npos) << e; // 32*4 > 64

  e = run("  mma.sync.aligned.m8n8k16.row.col.s32.s8.s8.s32 {%r2, %r3}, "
          "{%r1}, {%r1}, {%r1, %r1};\n",
          16);
  EXPECT_NE(e.find("partial warp"), std::string::npos) << e;

  e = run("  setp.lt.u32 %p1, %r1, 16;\n  @%p1 bra $skip;\n"
          "  ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%r2}, [sm];\n"
          "$skip:\n",
          32);
  EXPECT_NE(e.find("divergent"), std::string::npos) << e;

  e = run("  setp.lt.u32 %p1, %r1, 16;\n  @%p1 bra $skip;\n"
          "  bar.sync 0;\n$skip:\n  bar.sync 0;\n",
          64);
  EXPECT_NE(e.find("barrier"), std::string::npos) << e;

  e = run("  setp.lt.u32 %p1, %r1, 16;\n  @%p1 bra $skip;\n"
          "  shfl.sync.idx.b32 %r2, %r1, 0, 31, -1;\n$skip:\n",
          32);
  EXPECT_NE(e.find("membermask"), std::string::npos) << e;

  e = run("  shfl.sync.idx.b32 %r2, %r1, 0, 31, 0xffff;\n", 32);
  EXPECT_NE(e.find("not in membermask"), std::string::npos) << e;

  e = run("  setp.lt.u32 %p1, %r1, 16;\n"
          "  @%p1 shfl.sync.idx.b32 %r2, %r1, 31, 31, 0xffff;\n",
          32);
  EXPECT_NE(e.find("does not execute"), std::string::npos) << e;

  e = run("  sub.s32 %r2, %r1, 5;\n  div.u32 %r3, 7, %r2;\n", 32);
  EXPECT_NE(e.find("division by zero"), std::string::npos) << e;

  e = run("  ld.global.u32 %r2, [%rd1+2];\n", 1);
  EXPECT_NE(e.find("misaligned"), std::string::npos) << e;

  e = run("  ld.global.u32 %r2, [0];\n", 1);
  EXPECT_NE(e.find("invalid global address"), std::string::npos) << e;

  e = run("  mov.u64 %rd2, sm;\n  ld.global.u32 %r2, [%rd2];\n", 1);
  EXPECT_NE(e.find("invalid global address"), std::string::npos) << e;

  e = run("  mov.u32 %r2, 17;\n  cp.async.ca.shared.global [sm], [%rd1], 16, "
          "%r2;\n",
          1);
  EXPECT_NE(e.find("src-size"), std::string::npos) << e;

  setenv("QLP_PTX_MAX_STEPS", "100000", 1);
  e = run("$spin:\n  bra $spin;\n", 1);
  unsetenv("QLP_PTX_MAX_STEPS");
  EXPECT_NE(e.find("instruction limit"), std::string::npos) << e;
}

//===----------------------------------------------------------------------===//
// Real generated PTX
//===----------------------------------------------------------------------===//

TEST(PTXEmulator, SamplePTXFilesLoad) {
  std::string dir = QLP_PTX_SAMPLES_DIR;
  if (dir.empty())
    GTEST_SKIP() << "QLP_PTX_SAMPLES_DIR not set";
  DIR *d = opendir(dir.c_str());
  ASSERT_NE(d, nullptr) << dir;
  int count = 0;
  while (dirent *e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() < 4 || n.substr(n.size() - 4) != ".ptx")
      continue;
    std::ifstream f(dir + "/" + n);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string text = ss.str();
    char err[1024];
    qlp_ptx_module *m = qlp_ptx_load(text.data(), text.size(), err, sizeof err);
    EXPECT_NE(m, nullptr) << n << ": " << err;
    qlp_ptx_unload(m);
    ++count;
  }
  closedir(d);
  EXPECT_GT(count, 0);
}

} // namespace

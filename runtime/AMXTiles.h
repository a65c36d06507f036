//===- AMXTiles.h - AMX tile plumbing shared by the AMX kernels --*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Internal to qlp_runtime: what the AMX-INT8 kernels (GemmS8AMX.cpp,
// GemmBinAMX.cpp) share. Every tile they use is 16 rows of 64 bytes
// (palette 1 at its maximum shape); a kernel loads that configuration on
// entry and releases the tiles before returning.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_RUNTIME_AMXTILES_H
#define QLP_RUNTIME_AMXTILES_H

#include <immintrin.h>

#include <cstdint>
#include <cstring>

/// The AVX-512 target of EpilogueAVX512.h plus the AMX tile and int8
/// extensions.
#define QLP_AMX_TARGET                                                         \
  __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vl,"         \
                        "avx512dq,avx512cd,avx512vnni,avx512vpopcntdq,bmi2,"   \
                        "popcnt,prfchw")))
#define QLP_AMX_INLINE QLP_AMX_TARGET inline __attribute__((always_inline))

// Tile loads and stores with a "memory" clobber. GCC's _tile_loadd passes
// only the address to its asm, so the compiler does not know the asm reads
// the packed operands the kernels write with ordinary stores; the clobber
// keeps those stores before the load.
#define QLP_TILE_LOAD(tmm, base, stride)                                       \
  __asm__ volatile("tileloadd (%0,%1,1), %%tmm" #tmm                           \
                   :                                                           \
                   : "r"(static_cast<const void *>(base)),                     \
                     "r"(static_cast<long>(stride))                            \
                   : "memory")
#define QLP_TILE_STORE(tmm, base, stride)                                      \
  __asm__ volatile("tilestored %%tmm" #tmm ", (%0,%1,1)"                       \
                   :                                                           \
                   : "r"(static_cast<void *>(base)),                           \
                     "r"(static_cast<long>(stride))                            \
                   : "memory")
#define QLP_TILE_ZERO(tmm) __asm__ volatile("tilezero %%tmm" #tmm ::)
/// C += A (u8) x B (s8), and C += A (s8) x B (s8).
#define QLP_TILE_DPBUSD(c, a, b)                                               \
  __asm__ volatile("tdpbusd %%tmm" #b ", %%tmm" #a ", %%tmm" #c ::)
#define QLP_TILE_DPBSSD(c, a, b)                                               \
  __asm__ volatile("tdpbssd %%tmm" #b ", %%tmm" #a ", %%tmm" #c ::)

namespace qlp::rt::amx {

/// Rows of a tile, bytes of one tile row, and bytes of one tile.
constexpr int64_t kTileRows = 16;
constexpr int64_t kTileBytes = 64;
constexpr int64_t kATileBytes = kTileRows * kTileBytes;

/// ldtilecfg's 64-byte operand, palette 1.
struct alignas(64) TileConfig {
  uint8_t palette;
  uint8_t startRow;
  uint8_t reserved0[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};
static_assert(sizeof(TileConfig) == 64, "ldtilecfg reads 64 bytes");

/// Configures tmm0-7 as 16 rows of 64 bytes. The configuration is per
/// thread; the caller releases it with _tile_release().
QLP_AMX_INLINE void loadFullTileConfig() {
  TileConfig config;
  std::memset(&config, 0, sizeof(config));
  config.palette = 1;
  for (int i = 0; i < 8; ++i) {
    config.colsb[i] = kTileBytes;
    config.rows[i] = kTileRows;
  }
  _tile_loadconfig(&config);
}

} // namespace qlp::rt::amx

#endif // QLP_RUNTIME_AMXTILES_H

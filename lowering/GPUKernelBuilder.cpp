//===- GPUKernelBuilder.cpp - Tensor-core kernels for qlp layers ----------===//
//
// The kernels of qlp-lower-to-gpu (see GPUKernelBuilder.h). Register-level
// layouts follow the PTX ISA's mma.sync fragment tables:
//
//  m16n8k32 .s8 / m16n8k64 .s4 (sm_80+), per lane g = lane / 4, t = lane % 4,
//  each A/B register holding 4 bytes of one row along K:
//    A: a0 = row g, bytes [4t, 4t+4) of the step's first 16 bytes,
//       a1 = row g + 8, same bytes, a2 / a3 = rows g / g + 8, second 16 bytes
//    B: b0 = column g, bytes [4t, 4t+4) of the first 16 bytes, b1 = second
//    C: c0, c1 = row g, columns 2t, 2t + 1; c2, c3 = row g + 8
//  m8n8k16 .s8 / m8n8k32 .s4 (sm_75): one 16-byte step, a0 = row g,
//  b0 = column g, c0, c1 = row g, columns 2t, 2t + 1.
//
// ldmatrix delivers exactly these registers: it reads 8 rows of 16 bytes
// per matrix and gives lane l the 4 bytes [4 (l % 4), 4 (l % 4) + 4) of row
// l / 4. Both operands are therefore staged K-contiguous ([rows][K]): A as
// it comes, B (the weights) transposed at compile time.
//
// Shared memory rows are 64 (or 32) bytes; the 16-byte chunks of a row are
// XOR-swizzled by the row so that the 8 row addresses of one ldmatrix
// matrix, and the 16-byte cp.async stores, fall into distinct bank groups:
// no bank conflicts by construction.
//
//===----------------------------------------------------------------------===//

#include "lowering/GPUKernelBuilder.h"

#include "lowering/DyadicEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::qlp;

//===----------------------------------------------------------------------===//
// Geometry
//===----------------------------------------------------------------------===//

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Bits per staged element of A and of packed B.
static int64_t aBits(GPUOperands operands) {
  switch (operands) {
  case GPUOperands::S8S8:
  case GPUOperands::S8W4:
    return 8;
  case GPUOperands::S4S4:
    return 4;
  case GPUOperands::Binary:
    return 1;
  }
  llvm_unreachable("covered switch");
}

static int64_t bBits(GPUOperands operands) {
  return operands == GPUOperands::S8W4 ? 4 : aBits(operands);
}

/// Every integer stage holds 64 bytes of each A row.
static constexpr int64_t kStageBytesA = 64;

int64_t GPUGemmSpec::stageK() const {
  if (operands == GPUOperands::Binary)
    return 32;
  return kStageBytesA * 8 / aBits(operands);
}
int64_t GPUGemmSpec::paddedK() const { return ceilDiv(k, stageK()) * stageK(); }
int64_t GPUGemmSpec::paddedN() const { return ceilDiv(n, blockN) * blockN; }
int64_t GPUGemmSpec::aWordsPerRow() const {
  return paddedK() * aBits(operands) / 32;
}
int64_t GPUGemmSpec::bWordsPerRow() const {
  return paddedK() * bBits(operands) / 32;
}

//===----------------------------------------------------------------------===//
// Weight packing
//===----------------------------------------------------------------------===//

SmallVector<int32_t> mlir::qlp::packGPUWeights(const GPUGemmSpec &spec,
                                               ArrayRef<int8_t> weights) {
  const int64_t k = spec.k, n = spec.n, words = spec.bWordsPerRow();
  SmallVector<uint32_t> packed(spec.paddedN() * words, 0);
  auto at = [&](int64_t kk, int64_t nn) -> int32_t {
    return weights[kk * n + nn];
  };
  for (int64_t nn = 0; nn < n; ++nn) {
    uint32_t *row = packed.data() + nn * words;
    for (int64_t kk = 0; kk < k; ++kk) {
      int32_t v = at(kk, nn);
      switch (spec.operands) {
      case GPUOperands::S8S8:
        row[kk / 4] |= (uint32_t(v) & 0xFF) << (8 * (kk % 4));
        break;
      case GPUOperands::S4S4:
        row[kk / 8] |= (uint32_t(v) & 0xF) << (4 * (kk % 8));
        break;
      case GPUOperands::S8W4: {
        // Within each group of 32 values (4 words), word t holds values
        // 4t .. 4t + 3 in its low half and 16 + 4t .. 16 + 4t + 3 in its
        // high half: the two B registers of one m16n8k32 step for lane
        // t (mod 4), or of two consecutive m8n8k16 steps.
        int64_t group = kk / 32, pos = kk % 32;
        int64_t half = pos / 16, t = (pos % 16) / 4, e = pos % 4;
        row[group * 4 + t] |= (uint32_t(v) & 0xF) << (16 * half + 4 * e);
        break;
      }
      case GPUOperands::Binary:
        if (v < 0)
          row[kk / 32] |= uint32_t(1) << (kk % 32);
        break;
      }
    }
  }
  SmallVector<int32_t> result(packed.size());
  for (size_t i = 0; i < packed.size(); ++i)
    result[i] = static_cast<int32_t>(packed[i]);
  return result;
}

//===----------------------------------------------------------------------===//
// IR helpers
//===----------------------------------------------------------------------===//

namespace {
/// Index and i32 arithmetic at one insertion point.
struct Emit {
  OpBuilder &b;
  Location loc;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int64_t v) { return intConst(b, loc, b.getI32Type(), v); }
  Value add(Value l, Value r) { return arith::AddIOp::create(b, loc, l, r); }
  Value sub(Value l, Value r) { return arith::SubIOp::create(b, loc, l, r); }
  Value mul(Value l, Value r) { return arith::MulIOp::create(b, loc, l, r); }
  Value divu(Value l, Value r) {
    return arith::DivUIOp::create(b, loc, l, r);
  }
  Value remu(Value l, Value r) {
    return arith::RemUIOp::create(b, loc, l, r);
  }
  Value band(Value l, Value r) { return arith::AndIOp::create(b, loc, l, r); }
  Value bor(Value l, Value r) { return arith::OrIOp::create(b, loc, l, r); }
  Value bxor(Value l, Value r) { return arith::XOrIOp::create(b, loc, l, r); }
  Value shl(Value l, Value r) { return arith::ShLIOp::create(b, loc, l, r); }
  Value lshr(Value l, Value r) { return arith::ShRUIOp::create(b, loc, l, r); }
  Value minu(Value l, Value r) { return arith::MinUIOp::create(b, loc, l, r); }
  Value ult(Value l, Value r) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, l, r);
  }
  Value slt(Value l, Value r) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, l, r);
  }
  Value sge(Value l, Value r) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, l, r);
  }
  Value eq(Value l, Value r) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, l, r);
  }
  Value select(Value c, Value t, Value f) {
    return arith::SelectOp::create(b, loc, c, t, f);
  }
  Value toI32(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), index);
  }
  Value load(Value memref, ValueRange indices) {
    return memref::LoadOp::create(b, loc, memref, indices);
  }
  void store(Value value, Value memref, ValueRange indices) {
    memref::StoreOp::create(b, loc, value, memref, indices);
  }
  /// `then` under `cond`, yielding one value, else `otherwise`.
  Value ifElse(Value cond, Type type, function_ref<Value()> then,
               function_ref<Value()> otherwise) {
    auto op = scf::IfOp::create(b, loc, type, cond, /*withElse=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&op.getThenRegion().front());
      scf::YieldOp::create(b, loc, then());
      b.setInsertionPointToStart(&op.getElseRegion().front());
      scf::YieldOp::create(b, loc, otherwise());
    }
    return op.getResult(0);
  }
  void ifThen(Value cond, function_ref<void()> then) {
    auto op = scf::IfOp::create(b, loc, TypeRange{}, cond, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op.getThenRegion().front().getTerminator());
    then();
  }
};

MemRefType workgroupMemRef(MLIRContext *ctx, ArrayRef<int64_t> shape,
                           Type element) {
  return MemRefType::get(
      shape, element, MemRefLayoutAttrInterface{},
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup));
}

/// Creates an empty kernel `name` in `module` and positions `builder` in it.
gpu::GPUFuncOp createKernel(OpBuilder &builder, gpu::GPUModuleOp module,
                            StringRef name, TypeRange args,
                            TypeRange workgroup, int64_t threadsX,
                            int64_t threadsY = 1) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  auto type = builder.getFunctionType(args, {});
  auto func = gpu::GPUFuncOp::create(builder, module.getLoc(), name, type,
                                     workgroup, TypeRange{});
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                builder.getUnitAttr());
  func.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr(
      {static_cast<int32_t>(threadsX), static_cast<int32_t>(threadsY), 1}));
  return func;
}

/// The swizzled 16-byte chunk of `chunk` in row `row` of a shared tile
/// whose rows hold `chunks` chunks (4 or 2): 8 consecutive rows at one
/// logical chunk land in 8 distinct 16-byte bank groups.
Value swizzle(Emit &e, Value row, Value chunk, int64_t chunks) {
  if (chunks == 4)
    return e.bxor(chunk, e.band(e.divu(row, e.idx(2)), e.idx(3)));
  if (chunks == 2)
    return e.bxor(chunk, e.band(e.divu(row, e.idx(4)), e.idx(1)));
  return chunk;
}
} // namespace

//===----------------------------------------------------------------------===//
// Staging kernel
//===----------------------------------------------------------------------===//

gpu::GPUFuncOp mlir::qlp::buildGPUStageKernel(OpBuilder &builder,
                                              gpu::GPUModuleOp module,
                                              const GPUStageSpec &spec,
                                              MemRefType inputType) {
  Type i32 = builder.getI32Type();
  auto outType = MemRefType::get({ShapedType::kDynamic, spec.wordsPerRow}, i32);
  SmallVector<Type> args = {inputType, outType};
  if (spec.rowSums)
    args.push_back(MemRefType::get({ShapedType::kDynamic}, i32));
  const int64_t threads = GPUStageSpec::kRowsPerBlock * 32;
  gpu::GPUFuncOp func =
      createKernel(builder, module, spec.name, args, {}, threads);
  Location loc = func.getLoc();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&func.getBody().front());
  Emit e{builder, loc};
  Value input = func.getArgument(0), out = func.getArgument(1);

  Value tid = gpu::ThreadIdOp::create(builder, loc, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::x);
  Value lane = e.remu(tid, e.idx(32));
  Value row = e.add(e.mul(bid, e.idx(GPUStageSpec::kRowsPerBlock)),
                    e.divu(tid, e.idx(32)));

  // The number of real rows M (the staged buffer has whole tiles).
  Value rows;
  int64_t rank = inputType.getRank();
  if (spec.conv)
    rows = e.mul(memref::DimOp::create(builder, loc, input, 0),
                 e.idx(spec.outH * spec.outW));
  else
    rows = memref::DimOp::create(builder, loc, input, rank - 2);
  Value rowValid = e.ult(row, rows);

  const int64_t bits = aBits(spec.operands);
  const int64_t perWord = 32 / bits;
  const int64_t mask = bits == 32 ? -1 : (int64_t(1) << bits) - 1;

  // One element A[row][k] as i32: sign-extended for the integer operands,
  // the storage bit (1 encodes -1) for binary ones.
  auto element = [&](Value k) -> Value {
    auto widen = [&](Value v) -> Value {
      if (spec.operands == GPUOperands::Binary)
        return arith::ExtUIOp::create(builder, loc, i32, v);
      if (v.getType().getIntOrFloatBitWidth() == 32)
        return v;
      return arith::ExtSIOp::create(builder, loc, i32, v);
    };
    if (!spec.conv) {
      SmallVector<Value> indices;
      if (rank == 3)
        indices.push_back(e.idx(0));
      indices.append({row, k});
      return widen(e.load(input, indices));
    }
    // im2col: row = (n, oh, ow), k = (kh, kw, c), as in qlp.conv2d's
    // definition; outside the input the window reads the pad value.
    Value spatial = e.idx(spec.outH * spec.outW);
    Value nIdx = e.divu(row, spatial);
    Value rem = e.remu(row, spatial);
    Value oh = e.divu(rem, e.idx(spec.outW));
    Value ow = e.remu(rem, e.idx(spec.outW));
    Value khIdx = e.divu(k, e.idx(spec.kw * spec.inC));
    Value kRem = e.remu(k, e.idx(spec.kw * spec.inC));
    Value kwIdx = e.divu(kRem, e.idx(spec.inC));
    Value c = e.remu(kRem, e.idx(spec.inC));
    Value ih = e.sub(e.add(e.mul(oh, e.idx(spec.strideH)),
                           e.mul(khIdx, e.idx(spec.dilH))),
                     e.idx(spec.padTop));
    Value iw = e.sub(e.add(e.mul(ow, e.idx(spec.strideW)),
                           e.mul(kwIdx, e.idx(spec.dilW))),
                     e.idx(spec.padLeft));
    Value inside = e.band(
        e.band(e.sge(ih, e.idx(0)), e.slt(ih, e.idx(spec.inH))),
        e.band(e.sge(iw, e.idx(0)), e.slt(iw, e.idx(spec.inW))));
    return e.ifElse(
        inside, i32,
        [&] { return widen(e.load(input, {nIdx, ih, iw, c})); },
        [&] { return e.i32(spec.padValue); });
  };

  // Lane l packs words l, l + 32, ... of its row and sums its elements.
  auto loop = scf::ForOp::create(builder, loc, lane, e.idx(spec.wordsPerRow),
                                 e.idx(32), ValueRange{e.i32(0)});
  {
    OpBuilder::InsertionGuard inner(builder);
    builder.setInsertionPointToStart(loop.getBody());
    Value word = loop.getInductionVar();
    Value sum = loop.getRegionIterArgs()[0];
    Value packed = e.i32(0);
    for (int64_t j = 0; j < perWord; ++j) {
      Value k = e.add(e.mul(word, e.idx(perWord)), e.idx(j));
      Value valid = e.band(rowValid, e.ult(k, e.idx(spec.k)));
      Value v = e.ifElse(
          valid, i32, [&] { return element(k); }, [&] { return e.i32(0); });
      if (spec.rowSums)
        sum = e.add(sum, v);
      packed =
          e.bor(packed, e.shl(e.band(v, e.i32(mask)), e.i32(j * bits)));
    }
    e.store(packed, out, {row, word});
    scf::YieldOp::create(builder, loc, sum);
  }
  if (spec.rowSums) {
    Value sum = loop.getResult(0);
    for (int64_t offset = 16; offset >= 1; offset /= 2) {
      auto shuffle = gpu::ShuffleOp::create(builder, loc, sum, offset, 32,
                                            gpu::ShuffleMode::XOR);
      sum = e.add(sum, shuffle.getShuffleResult());
    }
    Value rowSums = func.getArgument(2);
    e.ifThen(e.eq(lane, e.idx(0)), [&] { e.store(sum, rowSums, {row}); });
  }
  gpu::ReturnOp::create(builder, loc);
  return func;
}

//===----------------------------------------------------------------------===//
// Epilogue
//===----------------------------------------------------------------------===//

/// Finishes accumulator `acc` of (row, col) and stores it, when both are in
/// range: exact i32 sum (wrapping adds of terms whose total fits), then the
/// dyadic rescale, clamp and narrowing of qlp.rescale.
static void emitEpilogue(Emit &e, const GPUGemmSpec &spec, Value acc,
                         Value row, Value col, Value rows, Value colTerms,
                         Value rowSums, Value multipliers, Value shifts,
                         Value out) {
  OpBuilder &b = e.b;
  Value inRange = e.band(e.ult(row, rows), e.ult(col, e.idx(spec.n)));
  e.ifThen(inRange, [&] {
    Value v = e.add(acc, e.load(colTerms, {col}));
    if (spec.useRowSums)
      v = e.add(v, e.mul(e.load(rowSums, {row}), e.i32(spec.rowCoefficient)));
    if (!spec.hasRescale) {
      e.store(v, out, {row, col});
      return;
    }
    DyadicEmitter d{b, e.loc};
    Type i64 = b.getI64Type();
    Value x = arith::ExtSIOp::create(b, e.loc, i64, v);
    Value centered = d.sub(x, d.c(spec.inputZp));
    Value m, s;
    if (spec.perChannel) {
      m = arith::ExtSIOp::create(b, e.loc, i64, e.load(multipliers, {col}));
      s = arith::ExtSIOp::create(b, e.loc, i64, e.load(shifts, {col}));
    } else {
      m = d.c(spec.multiplier);
      s = d.c(spec.shift);
    }
    Value r = d.round(centered, m, s, spec.rounding);
    e.store(d.requantize(r, spec.outputZp, spec.clampMin, spec.clampMax,
                         spec.outType),
            out, {row, col});
  });
}

//===----------------------------------------------------------------------===//
// GEMM kernels
//===----------------------------------------------------------------------===//

namespace {
/// The tensor-core GEMM kernel under construction.
class MmaKernel {
public:
  MmaKernel(OpBuilder &b, Location loc, const GPUGemmSpec &spec)
      : b(b), e{b, loc}, loc(loc), spec(spec) {
    ampere = spec.ampere;
    mTile = ampere ? 16 : 8;
    stepBytesA = ampere ? 32 : 16;
    stepsPerStage = kStageBytesA / stepBytesA;
    chunksA = kStageBytesA / 16;
    wordsB = kStageBytesA * bBits(spec.operands) / aBits(spec.operands) / 4;
    chunksB = wordsB / 4;
    warpRows = spec.blockM / spec.warpsM;
    warpCols = spec.blockN / spec.warpsN;
    mTiles = warpRows / mTile;
    nTiles = warpCols / 8;
    regsC = ampere ? 4 : 2;
  }

  void build(gpu::GPUFuncOp func);

private:
  void ldmatrix(Value tile, Value slot,
                ArrayRef<std::pair<int64_t, int64_t>> matrices, Value rowBase,
                int64_t chunks, SmallVectorImpl<Value> &regs);
  void loadStage(Value kt, Value slot, Value a, Value bw, Value rowBlock,
                 Value colBlock);
  SmallVector<Value> compute(Value slot, ValueRange acc);
  /// The two s8 registers of 4 int4 values each in one packed B word.
  std::pair<Value, Value> unpackW4(Value word);
  Value spreadNibbles(Value half);

  OpBuilder &b;
  Emit e;
  Location loc;
  const GPUGemmSpec &spec;
  bool ampere;
  int64_t mTile, stepBytesA, stepsPerStage, chunksA, wordsB, chunksB;
  int64_t warpRows, warpCols, mTiles, nTiles, regsC;
  Value tid, lane, warpRow, warpCol, sharedA, sharedB;
};
} // namespace

/// Loads matrices (row offset within the warp's rows, 16-byte chunk) of a
/// shared tile with ldmatrix (x1, x2 or x4); appends one register per
/// matrix.
void MmaKernel::ldmatrix(Value tile, Value slot,
                          ArrayRef<std::pair<int64_t, int64_t>> matrices,
                          Value rowBase, int64_t chunks,
                          SmallVectorImpl<Value> &regs) {
  int64_t count = matrices.size();
  // Lane l addresses row l % 8 of matrix (l / 8) % count.
  Value which = e.remu(e.divu(lane, e.idx(8)), e.idx(count));
  Value rowOffset = e.idx(matrices.back().first);
  Value chunk = e.idx(matrices.back().second);
  for (int64_t q = count - 2; q >= 0; --q) {
    Value isQ = e.eq(which, e.idx(q));
    rowOffset = e.select(isQ, e.idx(matrices[q].first), rowOffset);
    chunk = e.select(isQ, e.idx(matrices[q].second), chunk);
  }
  Value row = e.add(e.add(rowBase, rowOffset), e.remu(lane, e.idx(8)));
  Value word = e.mul(swizzle(e, row, chunk, chunks), e.idx(4));
  auto type = VectorType::get({count, 1}, b.getI32Type());
  Value result = nvgpu::LdMatrixOp::create(b, loc, type, tile,
                                           ValueRange{slot, row, word},
                                           /*transpose=*/false, count);
  for (int64_t q = 0; q < count; ++q)
    regs.push_back(vector::ExtractOp::create(
        b, loc, result, ArrayRef<int64_t>{q, 0}));
}

Value MmaKernel::spreadNibbles(Value half) {
  // 4 nibbles (bits 0..15) to the low nibbles of 4 bytes, then each byte
  // sign-extended from 4 bits: bit 3 of a byte times 0x1E sets its bits 4..7
  // without carrying into the next byte (8 * 0x1E = 0xF0).
  Value bytes = e.band(half, e.i32(0xF));
  bytes = e.bor(bytes, e.shl(e.band(half, e.i32(0xF0)), e.i32(4)));
  bytes = e.bor(bytes, e.shl(e.band(half, e.i32(0xF00)), e.i32(8)));
  bytes = e.bor(bytes, e.shl(e.band(half, e.i32(0xF000)), e.i32(12)));
  return e.bor(bytes, e.mul(e.band(bytes, e.i32(0x08080808)), e.i32(0x1E)));
}

std::pair<Value, Value> MmaKernel::unpackW4(Value word) {
  return {spreadNibbles(e.band(word, e.i32(0xFFFF))),
          spreadNibbles(e.lshr(word, e.i32(16)))};
}

void MmaKernel::loadStage(Value kt, Value slot, Value a, Value bw,
                          Value rowBlock, Value colBlock) {
  const int64_t threads = spec.threads();
  auto copyTile = [&](Value global, Value shared, Value firstRow,
                      int64_t rows, int64_t chunks, int64_t rowWords) {
    int64_t total = rows * chunks;
    for (int64_t first = 0; first < total; first += threads) {
      Value q = e.add(tid, e.idx(first));
      auto body = [&] {
        Value r = e.divu(q, e.idx(chunks));
        Value c = e.remu(q, e.idx(chunks));
        Value src = e.add(e.mul(kt, e.idx(rowWords)), e.mul(c, e.idx(4)));
        Value dst = e.mul(swizzle(e, r, c, chunks), e.idx(4));
        Value globalRow = e.add(firstRow, r);
        if (ampere) {
          // 16-byte copies that bypass L1 (cp.async.cg): a block reads each
          // operand tile once, so L1 would only hold it in passing; L2 keeps
          // it for the other blocks of the same rows or columns.
          nvgpu::DeviceAsyncCopyOp::create(
              b, loc, shared, ValueRange{slot, r, dst}, global,
              ValueRange{globalRow, src}, b.getIndexAttr(4),
              /*srcElements=*/Value(), /*bypassL1=*/b.getUnitAttr());
          return;
        }
        auto v4 = VectorType::get({4}, b.getI32Type());
        Value v = vector::LoadOp::create(b, loc, v4, global,
                                         ValueRange{globalRow, src});
        vector::StoreOp::create(b, loc, v, shared, ValueRange{slot, r, dst});
      };
      if (first + threads <= total)
        body();
      else
        e.ifThen(e.ult(q, e.idx(total)), body);
    }
  };
  copyTile(a, sharedA, rowBlock, spec.blockM, chunksA, kStageBytesA / 4);
  copyTile(bw, sharedB, colBlock, spec.blockN, chunksB, wordsB);
}

SmallVector<Value> MmaKernel::compute(Value slot, ValueRange acc) {
  SmallVector<Value> result(acc.begin(), acc.end());
  Type i32 = b.getI32Type();
  auto llvmStruct = LLVM::LLVMStructType::getLiteral(
      b.getContext(), SmallVector<Type>(regsC, i32));
  const bool s4 = spec.operands == GPUOperands::S4S4;
  const bool w4 = spec.operands == GPUOperands::S8W4;
  NVVM::MMATypes ptxType = s4 ? NVVM::MMATypes::s4 : NVVM::MMATypes::s8;
  int64_t mmaK = (stepBytesA * 8) / (s4 ? 4 : 8);
  for (int64_t step = 0; step < stepsPerStage; ++step) {
    // A fragments, one group of registers per m tile.
    SmallVector<SmallVector<Value>> aRegs(mTiles);
    for (int64_t i = 0; i < mTiles; ++i) {
      int64_t r = i * mTile;
      if (ampere)
        ldmatrix(sharedA, slot,
                 {{r, 2 * step}, {r + 8, 2 * step}, {r, 2 * step + 1},
                  {r + 8, 2 * step + 1}},
                 warpRow, chunksA, aRegs[i]);
      else
        ldmatrix(sharedA, slot, {{r, step}}, warpRow, chunksA, aRegs[i]);
    }
    // B fragments, one group per n tile.
    SmallVector<SmallVector<Value>> bRegs(nTiles);
    for (int64_t j = 0; j < nTiles; ++j) {
      int64_t c = j * 8;
      SmallVector<Value> words;
      if (w4) {
        // One word holds both registers of an m16n8k32 step, or the
        // registers of two m8n8k16 steps (low half first).
        int64_t chunk = ampere ? step : step / 2;
        ldmatrix(sharedB, slot, {{c, chunk}}, warpCol, chunksB, words);
        auto [lo, hi] = unpackW4(words[0]);
        if (ampere)
          bRegs[j] = {lo, hi};
        else
          bRegs[j] = {step % 2 == 0 ? lo : hi};
        continue;
      }
      if (ampere)
        ldmatrix(sharedB, slot, {{c, 2 * step}, {c, 2 * step + 1}}, warpCol,
                 chunksB, bRegs[j]);
      else
        ldmatrix(sharedB, slot, {{c, step}}, warpCol, chunksB, bRegs[j]);
    }
    for (int64_t i = 0; i < mTiles; ++i)
      for (int64_t j = 0; j < nTiles; ++j) {
        int64_t base = (i * nTiles + j) * regsC;
        ValueRange c(ArrayRef<Value>(result).slice(base, regsC));
        SmallVector<Value> cRegs(c.begin(), c.end());
        Value d = NVVM::MmaOp::create(
            b, loc, llvmStruct, aRegs[i], bRegs[j], cRegs,
            ArrayRef<int64_t>{mTile, 8, mmaK}, std::nullopt,
            NVVM::MMAIntOverflow::wrapped,
            std::array<NVVM::MMATypes, 2>{ptxType, ptxType},
            std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                           NVVM::MMALayout::col});
        for (int64_t r = 0; r < regsC; ++r)
          result[base + r] = LLVM::ExtractValueOp::create(b, loc, d, r);
      }
  }
  return result;
}

void MmaKernel::build(gpu::GPUFuncOp func) {
  b.setInsertionPointToStart(&func.getBody().front());
  Value a = func.getArgument(0), bw = func.getArgument(1),
        colTerms = func.getArgument(2);
  unsigned next = 3;
  Value rowSums = spec.useRowSums ? func.getArgument(next++) : Value();
  Value multipliers, shifts;
  if (spec.hasRescale && spec.perChannel) {
    multipliers = func.getArgument(next++);
    shifts = func.getArgument(next++);
  }
  Value out = func.getArgument(next);
  sharedA = func.getWorkgroupAttributions()[0];
  sharedB = func.getWorkgroupAttributions()[1];

  tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  lane = e.remu(tid, e.idx(32));
  Value warp = e.divu(tid, e.idx(32));
  warpRow = e.mul(e.divu(warp, e.idx(spec.warpsN)), e.idx(warpRows));
  warpCol = e.mul(e.remu(warp, e.idx(spec.warpsN)), e.idx(warpCols));
  Value colBlock = e.mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x),
                         e.idx(spec.blockN));
  Value rowBlock = e.mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::y),
                         e.idx(spec.blockM));
  const int64_t numK = spec.paddedK() / spec.stageK();
  const int64_t stages = spec.stages;

  // Prologue: stages - 1 tiles in flight (the last tile repeated when K is
  // short, so that every iteration commits exactly one group).
  if (ampere)
    for (int64_t s = 0; s + 1 < stages; ++s) {
      loadStage(e.idx(std::min(s, numK - 1)), e.idx(s), a, bw, rowBlock,
                colBlock);
      NVVM::CpAsyncCommitGroupOp::create(b, loc);
    }

  SmallVector<Value> zeros(mTiles * nTiles * regsC, e.i32(0));
  auto loop = scf::ForOp::create(b, loc, e.idx(0), e.idx(numK), e.idx(1),
                                 zeros);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    Value slot;
    if (ampere) {
      // Tile kt has landed once at most stages - 2 later groups are
      // pending; the barrier then also tells every warp that the slot
      // refilled below (read in iteration kt - 1) is free.
      NVVM::CpAsyncWaitGroupOp::create(b, loc, stages - 2);
      gpu::BarrierOp::create(b, loc);
      Value ahead = e.minu(e.add(kt, e.idx(stages - 1)), e.idx(numK - 1));
      Value aheadSlot = e.remu(e.add(kt, e.idx(stages - 1)), e.idx(stages));
      loadStage(ahead, aheadSlot, a, bw, rowBlock, colBlock);
      NVVM::CpAsyncCommitGroupOp::create(b, loc);
      slot = e.remu(kt, e.idx(stages));
    } else {
      slot = e.idx(0);
      gpu::BarrierOp::create(b, loc);
      loadStage(kt, slot, a, bw, rowBlock, colBlock);
      gpu::BarrierOp::create(b, loc);
    }
    SmallVector<Value> next = compute(slot, loop.getRegionIterArgs());
    scf::YieldOp::create(b, loc, next);
  }
  if (ampere)
    NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);

  // Epilogue on the accumulator registers.
  Value rows = memref::DimOp::create(b, loc, out, 0);
  Value group = e.divu(lane, e.idx(4)), quad = e.remu(lane, e.idx(4));
  for (int64_t i = 0; i < mTiles; ++i)
    for (int64_t j = 0; j < nTiles; ++j)
      for (int64_t r = 0; r < regsC; ++r) {
        Value row = e.add(e.add(rowBlock, warpRow),
                          e.add(e.idx(i * mTile + (r >= 2 ? 8 : 0)), group));
        Value col =
            e.add(e.add(colBlock, warpCol),
                  e.add(e.idx(j * 8 + r % 2), e.mul(quad, e.idx(2))));
        emitEpilogue(e, spec, loop.getResult((i * nTiles + j) * regsC + r),
                     row, col, rows, colTerms, rowSums, multipliers, shifts,
                     out);
      }
  gpu::ReturnOp::create(b, loc);
}

/// The binary kernel: one thread per output, xor + popc over the packed
/// words of its row and column (both cached in L1/L2; the words of one
/// warp's 16 columns are shared by its 2 rows).
static void buildBinaryKernel(OpBuilder &b, Location loc,
                              const GPUGemmSpec &spec, gpu::GPUFuncOp func) {
  Emit e{b, loc};
  b.setInsertionPointToStart(&func.getBody().front());
  Value a = func.getArgument(0), bw = func.getArgument(1),
        colTerms = func.getArgument(2);
  unsigned next = 3;
  Value multipliers, shifts;
  if (spec.hasRescale && spec.perChannel) {
    multipliers = func.getArgument(next++);
    shifts = func.getArgument(next++);
  }
  Value out = func.getArgument(next);
  Value tx = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value ty = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::y);
  Value col = e.add(e.mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x),
                          e.idx(spec.blockN)),
                    tx);
  Value row = e.add(e.mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::y),
                          e.idx(spec.blockM)),
                    ty);
  auto loop = scf::ForOp::create(b, loc, e.idx(0), e.idx(spec.aWordsPerRow()),
                                 e.idx(1), ValueRange{e.i32(0)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value w = loop.getInductionVar();
    Value x = e.bxor(e.load(a, {row, w}), e.load(bw, {col, w}));
    Value count = LLVM::CtPopOp::create(b, loc, x);
    scf::YieldOp::create(b, loc,
                         e.add(loop.getRegionIterArgs()[0], count));
  }
  // acc = bias + K - 2 * popcount; colTerms holds bias + K.
  Value acc = e.sub(e.i32(0), e.shl(loop.getResult(0), e.i32(1)));
  Value rows = memref::DimOp::create(b, loc, out, 0);
  emitEpilogue(e, spec, acc, row, col, rows, colTerms, Value(), multipliers,
               shifts, out);
  gpu::ReturnOp::create(b, loc);
}

gpu::GPUFuncOp mlir::qlp::buildGPUGemmKernel(OpBuilder &builder,
                                             gpu::GPUModuleOp module,
                                             const GPUGemmSpec &spec) {
  MLIRContext *ctx = builder.getContext();
  Type i32 = builder.getI32Type();
  int64_t dyn = ShapedType::kDynamic;
  SmallVector<Type> args = {
      MemRefType::get({dyn, spec.aWordsPerRow()}, i32),
      MemRefType::get({spec.paddedN(), spec.bWordsPerRow()}, i32),
      MemRefType::get({spec.paddedN()}, i32)};
  if (spec.useRowSums)
    args.push_back(MemRefType::get({dyn}, i32));
  if (spec.hasRescale && spec.perChannel) {
    args.push_back(MemRefType::get({spec.n}, i32));
    args.push_back(MemRefType::get({spec.n}, i32));
  }
  args.push_back(MemRefType::get({dyn, spec.n}, spec.outType));

  OpBuilder::InsertionGuard guard(builder);
  if (spec.operands == GPUOperands::Binary) {
    gpu::GPUFuncOp func = createKernel(builder, module, spec.name, args, {},
                                       spec.blockN, spec.blockM);
    buildBinaryKernel(builder, func.getLoc(), spec, func);
    return func;
  }
  int64_t wordsB = kStageBytesA * bBits(spec.operands) /
                   aBits(spec.operands) / 4;
  SmallVector<Type> workgroup = {
      workgroupMemRef(ctx, {spec.stages, spec.blockM, kStageBytesA / 4}, i32),
      workgroupMemRef(ctx, {spec.stages, spec.blockN, wordsB}, i32)};
  gpu::GPUFuncOp func = createKernel(builder, module, spec.name, args,
                                     workgroup, spec.threads());
  MmaKernel(builder, func.getLoc(), spec).build(func);
  return func;
}

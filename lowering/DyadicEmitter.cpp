//===- DyadicEmitter.cpp - Constants for the dyadic rescale emitter -------===//

#include "lowering/DyadicEmitter.h"

using namespace mlir;

Value mlir::qlp::intConst(OpBuilder &b, Location loc, Type type,
                          int64_t value) {
  APInt bits(type.getIntOrFloatBitWidth(), value, /*isSigned=*/value < 0);
  return arith::ConstantIntOp::create(b, loc, type, bits);
}

Value mlir::qlp::i64Const(OpBuilder &b, Location loc, int64_t value) {
  return intConst(b, loc, b.getI64Type(), value);
}

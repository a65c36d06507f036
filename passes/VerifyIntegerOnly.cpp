//===- VerifyIntegerOnly.cpp - Check that no float is left ------*- C++ -*-===//
//
// Implements --qlp-verify-integer-only: HAWQ-V3's integer-only contract says
// that inference uses integer multiply, add and shift only. This pass walks
// every function body and reports the first op that breaks it: a float-typed
// value, an integer<->float conversion, or an integer division.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include "llvm/ADT/TypeSwitch.h"

#define DEBUG_TYPE "qlp-verify-integer-only"

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPVERIFYINTEGERONLY
#include "passes/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;
using namespace mlir::qlp;

/// True for a float scalar type, or a shaped type (tensor, vector, memref)
/// or complex type of one. `!quant.uniform` types are not float: their
/// storage is an integer and the expressed type only documents the scale.
static bool isFloatLike(Type type) {
  Type element = getElementTypeOrSelf(type);
  if (auto complex = dyn_cast<ComplexType>(element))
    element = complex.getElementType();
  return isa<FloatType>(element);
}

/// True for the ops that divide integers. Index-typed divisions are address
/// arithmetic (tiling, packing offsets), not inference arithmetic, and are
/// allowed.
static bool isIntegerDivision(Operation *op) {
  bool divides =
      isa<arith::DivSIOp, arith::DivUIOp, arith::CeilDivSIOp,
          arith::CeilDivUIOp, arith::FloorDivSIOp, arith::RemSIOp,
          arith::RemUIOp, tosa::IntDivOp, linalg::DivOp, linalg::DivUnsignedOp>(
          op);
  if (!divides)
    return false;
  return llvm::any_of(op->getResultTypes(), [](Type type) {
    return isa<IntegerType>(getElementTypeOrSelf(type));
  });
}

/// True for the ops that convert values between representations: the
/// builtin cast interface (arith.sitofp, arith.bitcast, ...), quant.qcast,
/// quant.dcast and tosa.cast.
static bool isCastLike(Operation *op) {
  return isa<CastOpInterface, quant::QuantizeCastOp, quant::DequantizeCastOp,
             tosa::CastOp>(op);
}

/// Checks one op (not its regions). Emits the error and returns failure on
/// the first violation.
static LogicalResult verifyOp(Operation *op) {
  if (isIntegerDivision(op))
    return op->emitOpError("is an integer division; an integer-only program "
                           "uses only integer multiply, add and shift");

  // A cast whose input and output sides differ in being float converts
  // between integer (or quantized storage) and float.
  if (isCastLike(op) && op->getNumOperands() >= 1 && op->getNumResults() >= 1) {
    Type from = op->getOperand(0).getType();
    Type to = op->getResult(0).getType();
    if (isFloatLike(from) != isFloatLike(to))
      return op->emitOpError("converts ")
             << from << " to " << to
             << "; an integer-only program has no integer<->float casts";
  }

  for (OpOperand &operand : op->getOpOperands()) {
    Type type = operand.get().getType();
    if (isFloatLike(type))
      return op->emitOpError("has operand #")
             << operand.getOperandNumber() << " of float type " << type
             << "; an integer-only program has no float values";
  }
  for (OpResult result : op->getResults()) {
    Type type = result.getType();
    if (isFloatLike(type))
      return op->emitOpError("has result #")
             << result.getResultNumber() << " of float type " << type
             << "; an integer-only program has no float values";
  }
  // Block arguments of nested regions (a linalg.generic body, an scf.for
  // iteration argument) are checked where their region starts.
  for (Region &region : op->getRegions())
    for (Block &block : region)
      for (BlockArgument arg : block.getArguments())
        if (isFloatLike(arg.getType()))
          return op->emitOpError("has a region argument #")
                 << arg.getArgNumber() << " of float type " << arg.getType()
                 << "; an integer-only program has no float values";
  return success();
}

/// Checks the signature of a function with a body: the program's inputs and
/// outputs must be integer (or `!quant.uniform`) too.
static LogicalResult verifySignature(FunctionOpInterface func) {
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes()))
    if (isFloatLike(type))
      return func->emitOpError("argument #")
             << index << " has float type " << type
             << "; an integer-only program has no float values";
  for (auto [index, type] : llvm::enumerate(func.getResultTypes()))
    if (isFloatLike(type))
      return func->emitOpError("result #")
             << index << " has float type " << type
             << "; an integer-only program has no float values";
  return success();
}

namespace mlir::qlp {
namespace {
struct QLPVerifyIntegerOnlyPass
    : impl::QLPVerifyIntegerOnlyBase<QLPVerifyIntegerOnlyPass> {
  using Base::Base;

  void runOnOperation() override {
    // Pre-order, so that an op is reported before anything nested in it, and
    // stop at the first violation: later ones are usually its consequences.
    WalkResult result =
        getOperation()->walk<WalkOrder::PreOrder>([](Operation *op) {
          auto func = dyn_cast<FunctionOpInterface>(op);
          if (!func)
            return WalkResult::advance();
          // Declarations (external runtime functions) have no body to run.
          if (func.isExternal())
            return WalkResult::skip();
          if (failed(verifySignature(func)))
            return WalkResult::interrupt();
          WalkResult body = func.getFunctionBody().walk<WalkOrder::PreOrder>(
              [](Operation *inner) {
                return failed(verifyOp(inner)) ? WalkResult::interrupt()
                                               : WalkResult::advance();
              });
          return body.wasInterrupted() ? WalkResult::interrupt()
                                       : WalkResult::skip();
        });
    if (result.wasInterrupted())
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
} // namespace mlir::qlp

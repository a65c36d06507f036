//===- ReferenceLowering.h - qlp to plain linalg/arith/tensor ----*- C++
//-*-===//
//
// The reference lowering of the qlp dialect: every qlp op becomes upstream
// linalg.generic / tensor.pad / arith ops on tensors that spell out the op's
// integer formula, so that its result is the op's definition bit for bit.
// Faster lowerings are checked against it.
//
// Storage types after the lowering:
//   - tensor<... x !qlp.binary> becomes tensor<... x i1> holding the binary
//     type's bit encoding: true (1) encodes -1 and false (0) encodes +1;
//   - tensor<... x !quant.uniform<iN:...>> (and per-axis) at function
//     boundaries becomes tensor<... x iN>, its storage type; the
//     quant.scast ops that converted between the two are dropped.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_REFERENCELOWERING_H
#define QLP_LOWERING_REFERENCELOWERING_H

#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace qlp {

/// Marks an `unrealized_conversion_cast` from a binary tensor to its i1
/// storage type that a producer of qlp IR (qlp-lower-to-kernels) inserted;
/// the reference lowering's boundary conversion folds such casts away.
inline constexpr llvm::StringLiteral kStorageViewAttrName = "qlp.storage_view";

/// The type converter of the reference lowering: !qlp.binary tensors become
/// i1 tensors (1 encodes -1), quantized element types become their storage
/// integer type, and every other type is kept.
class ReferenceTypeConverter : public TypeConverter {
public:
  ReferenceTypeConverter();
};

/// Adds one pattern per qlp op, each rewriting the op into linalg, tensor and
/// arith ops on the types given by `typeConverter` (a ReferenceTypeConverter
/// or one that converts !qlp.binary the same way).
void populateQLPToReferencePatterns(const TypeConverter &typeConverter,
                                    RewritePatternSet &patterns,
                                    PatternBenefit benefit = 1);

/// Adds the patterns and legality rules that move function signatures, calls,
/// returns, structured control flow and region-free tensor ops to the
/// converted types, and that drop the quant.scast ops in `boundaryCasts`
/// (casts between a quantized function-boundary value and its storage type).
void populateQLPReferenceBoundaryConversion(
    const TypeConverter &typeConverter, RewritePatternSet &patterns,
    ConversionTarget &target, const DenseSet<Operation *> &boundaryCasts);

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_REFERENCELOWERING_H

//===- RegisterDialects.h - Dialects the quant-lp tools load ------*- C++ -*-===//
//
// The dialects quant-opt and quant-lsp-server register: qlp and the upstream
// dialects the quant-lp pipeline reads or produces. Listed explicitly, as in
// circt-opt, rather than through registerAllDialects().
//
//===----------------------------------------------------------------------===//

#ifndef QLP_TOOLS_REGISTERDIALECTS_H
#define QLP_TOOLS_REGISTERDIALECTS_H

#include "dialect/QLPDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/DialectRegistry.h"

namespace mlir::qlp {
/// Adds qlp and every upstream dialect the quant-lp tools accept to
/// `registry`.
inline void registerQuantLPToolDialects(DialectRegistry &registry) {
  registry.insert<QLPDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect,
                  gpu::GPUDialect, LLVM::LLVMDialect, linalg::LinalgDialect,
                  math::MathDialect, memref::MemRefDialect,
                  nvgpu::NVGPUDialect, NVVM::NVVMDialect, quant::QuantDialect,
                  scf::SCFDialect, tensor::TensorDialect, tosa::TosaDialect,
                  vector::VectorDialect, x86vector::X86VectorDialect>();
}
} // namespace mlir::qlp

#endif // QLP_TOOLS_REGISTERDIALECTS_H

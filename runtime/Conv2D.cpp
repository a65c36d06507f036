//===- Conv2D.cpp - Convolution plans and implicit im2col ---------*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// A convolution plan is a GEMM plan (K = kh * kw * c, N = filters, the hwcf
// weight being the row-major [K][N] matrix) of kind Conv2D whose header also
// holds the geometry. qlp_rt_conv2d runs the selected GEMM kernel on blocks
// of output pixels:
//
//   - 1x1 kernels without padding need no gather: the pixels of one output
//     row are input pixels at a fixed stride, so each output row (or, with
//     unit strides, the whole batch) is one GEMM call reading the input in
//     place, with lda = stride_w * c.
//   - Otherwise the rows of A (K activation bytes per output pixel, in
//     (kh, kw, c) order) are gathered block by block into a scratch buffer of
//     about kBlockBytes (on the stack when that is small enough, else one
//     malloc per call), and each block is one GEMM call writing its output
//     rows in place. Taps outside the input read the pad byte: the a_zp byte
//     for integer activations (so padding contributes zero), and for binary
//     ones 1 (the encoding of -1) or 0 (+1) as pad_value says.
//
//===----------------------------------------------------------------------===//

#include "runtime/Dispatch.h"
#include "runtime/PlanValidation.h"

#include <cstdlib>
#include <cstring>

using namespace qlp::rt;

namespace {

/// Target size of one block of gathered A rows.
constexpr int64_t kBlockBytes = 64 * 1024;
/// Blocks up to this size are gathered on the stack.
constexpr int64_t kStackBytes = 16 * 1024;

/// Checks the geometry of `desc` (everything but the GEMM part) and returns
/// the output extents.
bool validateGeometry(const qlp_rt_conv2d_desc *desc, int64_t *outH,
                      int64_t *outW) {
  if (desc->in_c < 1 || desc->kh < 1 || desc->kw < 1)
    return false;
  int64_t k;
  if (__builtin_mul_overflow(desc->kh, desc->kw, &k) ||
      __builtin_mul_overflow(k, desc->in_c, &k) || k != desc->gemm.k)
    return false;
  *outH = convOutputExtent(desc->in_h, desc->pad[0], desc->pad[1], desc->kh,
                           desc->stride_h, desc->dil_h);
  *outW = convOutputExtent(desc->in_w, desc->pad[2], desc->pad[3], desc->kw,
                           desc->stride_w, desc->dil_w);
  if (*outH < 1 || *outW < 1)
    return false;
  // The pad value must make padding contribute zero (integer) or be a
  // binary value.
  if (desc->gemm.a_bits == 1)
    return desc->pad_value == 1 || desc->pad_value == -1;
  return desc->pad_value == desc->gemm.a_zp;
}

qlp_rt_status validateConvDesc(const qlp_rt_conv2d_desc *desc,
                               PlanLayout *layout, int64_t *outH,
                               int64_t *outW) {
  if (!desc)
    return QLP_RT_INVALID_ARGUMENT;
  qlp_rt_status status = validateGemmDesc(&desc->gemm, layout);
  if (status != QLP_RT_OK)
    return status;
  return validateGeometry(desc, outH, outW) ? QLP_RT_OK
                                            : QLP_RT_INVALID_ARGUMENT;
}

/// Gathers the A rows of output pixels [r0, r0 + rows) (numbered across the
/// batch) into `dst`, K bytes each.
void gatherRows(const PlanHeader *h, const uint8_t *input, int64_t r0,
                int64_t rows, uint8_t padByte, uint8_t *dst) {
  const int64_t pixels = h->out_h * h->out_w;
  const int64_t c = h->in_c;
  const int64_t imageBytes = h->in_h * h->in_w * c;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t index = r0 + r;
    const int64_t image = index / pixels;
    const int64_t pixel = index % pixels;
    const int64_t oh = pixel / h->out_w, ow = pixel % h->out_w;
    const uint8_t *src = input + image * imageBytes;
    uint8_t *row = dst + r * h->k;
    for (int64_t i = 0; i < h->kh; ++i) {
      const int64_t ih = oh * h->stride_h - h->pad_top + i * h->dil_h;
      const bool rowInside = ih >= 0 && ih < h->in_h;
      for (int64_t j = 0; j < h->kw; ++j, row += c) {
        const int64_t iw = ow * h->stride_w - h->pad_left + j * h->dil_w;
        if (rowInside && iw >= 0 && iw < h->in_w)
          std::memcpy(row, src + (ih * h->in_w + iw) * c,
                      static_cast<size_t>(c));
        else
          std::memset(row, padByte, static_cast<size_t>(c));
      }
    }
  }
}

} // namespace

int64_t qlp::rt::convOutputExtent(int64_t in, int64_t padBefore,
                                  int64_t padAfter, int64_t kernel,
                                  int64_t stride, int64_t dilation) {
  if (in < 1 || padBefore < 0 || padAfter < 0 || kernel < 1 || stride < 1 ||
      dilation < 1)
    return -1;
  int64_t padded, span;
  if (__builtin_add_overflow(in, padBefore, &padded) ||
      __builtin_add_overflow(padded, padAfter, &padded) ||
      __builtin_mul_overflow(dilation, kernel - 1, &span))
    return -1;
  // span + 1 cannot overflow: padded - 1 >= span is checked first.
  if (span > padded - 1)
    return -1;
  return (padded - 1 - span) / stride + 1;
}

extern "C" qlp_rt_status
qlp_rt_conv2d_plan_size(const qlp_rt_conv2d_desc *desc, int64_t *size) {
  if (!size)
    return QLP_RT_INVALID_ARGUMENT;
  PlanLayout layout;
  int64_t outH, outW;
  qlp_rt_status status = validateConvDesc(desc, &layout, &outH, &outW);
  if (status != QLP_RT_OK)
    return status;
  *size = layout.size;
  return QLP_RT_OK;
}

extern "C" qlp_rt_status
qlp_rt_conv2d_plan_init(const qlp_rt_conv2d_desc *desc, void *plan,
                        int64_t size) {
  PlanLayout layout;
  int64_t outH, outW;
  qlp_rt_status status = validateConvDesc(desc, &layout, &outH, &outW);
  if (status != QLP_RT_OK)
    return status;
  status = buildGemmPlan(&desc->gemm, layout, PlanKind::Conv2D, plan, size);
  if (status != QLP_RT_OK)
    return status;
  // buildGemmPlan checked the alignment, so the header can be written in
  // place.
  auto *h = static_cast<PlanHeader *>(plan);
  h->in_h = desc->in_h;
  h->in_w = desc->in_w;
  h->in_c = desc->in_c;
  h->kh = desc->kh;
  h->kw = desc->kw;
  h->stride_h = desc->stride_h;
  h->stride_w = desc->stride_w;
  h->dil_h = desc->dil_h;
  h->dil_w = desc->dil_w;
  h->pad_top = desc->pad[0];
  h->pad_bottom = desc->pad[1];
  h->pad_left = desc->pad[2];
  h->pad_right = desc->pad[3];
  h->out_h = outH;
  h->out_w = outW;
  h->pad_value = desc->pad_value;
  return QLP_RT_OK;
}

extern "C" qlp_rt_status qlp_rt_conv2d(const void *plan, const void *input,
                                       int64_t batch, void *output) {
  const PlanHeader *h = validatePlan(plan, PlanKind::Conv2D);
  if (!h || batch < 0)
    return QLP_RT_INVALID_ARGUMENT;
  if (batch == 0)
    return QLP_RT_OK;
  if (!input || !output)
    return QLP_RT_INVALID_ARGUMENT;
  // Every element count and byte offset below stays within these products.
  int64_t inBytes, rowsTotal, outBytes;
  if (__builtin_mul_overflow(batch, h->in_h, &inBytes) ||
      __builtin_mul_overflow(inBytes, h->in_w, &inBytes) ||
      __builtin_mul_overflow(inBytes, h->in_c, &inBytes) ||
      __builtin_mul_overflow(batch, h->out_h, &rowsTotal) ||
      __builtin_mul_overflow(rowsTotal, h->out_w, &rowsTotal) ||
      __builtin_mul_overflow(rowsTotal, h->n, &outBytes) ||
      __builtin_mul_overflow(outBytes, int64_t(h->out_bytes), &outBytes))
    return QLP_RT_INVALID_ARGUMENT;

  const GemmKernel kernel = selectGemmKernel(h);
  const auto *in = static_cast<const uint8_t *>(input);
  auto *out = static_cast<char *>(output);
  const int64_t outRowBytes = h->n * h->out_bytes;

  // 1x1 without padding: A is the input itself, read at a pixel stride.
  if (h->kh == 1 && h->kw == 1 && h->pad_top == 0 && h->pad_bottom == 0 &&
      h->pad_left == 0 && h->pad_right == 0) {
    if (h->stride_h == 1 && h->stride_w == 1) {
      // out_h = in_h and out_w = in_w: every input pixel is one row.
      kernel(h, in, rowsTotal, h->in_c, out, h->n);
      return QLP_RT_OK;
    }
    for (int64_t image = 0; image < batch; ++image) {
      for (int64_t oh = 0; oh < h->out_h; ++oh) {
        const int64_t row = image * h->in_h + oh * h->stride_h;
        kernel(h, in + row * h->in_w * h->in_c, h->out_w,
               h->stride_w * h->in_c,
               out + (image * h->out_h + oh) * h->out_w * outRowBytes, h->n);
      }
    }
    return QLP_RT_OK;
  }

  int64_t blockRows = kBlockBytes / h->k;
  if (blockRows < 1)
    blockRows = 1;
  if (blockRows > rowsTotal)
    blockRows = rowsTotal;
  const int64_t bufferBytes = blockRows * h->k;
  alignas(64) uint8_t stackBuffer[kStackBytes];
  uint8_t *buffer = stackBuffer;
  if (bufferBytes > kStackBytes) {
    buffer = static_cast<uint8_t *>(std::malloc(static_cast<size_t>(bufferBytes)));
    // The C ABI has no out-of-memory status; nothing has been written yet.
    if (!buffer)
      return QLP_RT_INVALID_ARGUMENT;
  }
  const uint8_t padByte =
      h->a_bits == 1 ? (h->pad_value == -1 ? 1 : 0)
                     : static_cast<uint8_t>(static_cast<int8_t>(h->a_zp));
  for (int64_t r0 = 0; r0 < rowsTotal; r0 += blockRows) {
    const int64_t rows = rowsTotal - r0 < blockRows ? rowsTotal - r0 : blockRows;
    gatherRows(h, in, r0, rows, padByte, buffer);
    kernel(h, buffer, rows, h->k, out + r0 * outRowBytes, h->n);
  }
  if (buffer != stackBuffer)
    std::free(buffer);
  return QLP_RT_OK;
}

extern "C" int64_t qlp_rt_conv2d_out_h(const void *plan) {
  const PlanHeader *h = validatePlan(plan, PlanKind::Conv2D);
  return h ? h->out_h : -1;
}

extern "C" int64_t qlp_rt_conv2d_out_w(const void *plan) {
  const PlanHeader *h = validatePlan(plan, PlanKind::Conv2D);
  return h ? h->out_w : -1;
}

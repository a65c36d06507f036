// FLAGS: --canonicalize
// PackOp::fold expanded a splat constant element by element and allocated
// outer * packedLength * inner bytes unchecked: here 2^63, so the fold
// aborted with "LLVM ERROR: out of memory" (smaller huge shapes spun for
// seconds first). A fold must give up on constants it cannot materialize.
func.func @pack_huge_splat() -> tensor<4294967296x2147483648xi8> {
  %c = arith.constant dense<1> : tensor<4294967296x4294967296xi4>
  %p = qlp.pack %c axis 1 : tensor<4294967296x4294967296xi4> -> tensor<4294967296x2147483648xi8>
  return %p : tensor<4294967296x2147483648xi8>
}

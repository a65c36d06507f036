// An integer program on tensors with no qlp op, for quant-run's execution
// tests: a matmul (i8 x i8 -> i32, sign-extending), wrapping i16
// arithmetic, a comparison (i1 results), a rank-0 i64 product that wraps, and
// a slice that bufferizes to a strided copy.
func.func @main(%a: tensor<4x8xi8>, %b: tensor<8x3xi8>, %c: tensor<2x3x4xi16>,
                %d: tensor<2x3x4xi16>, %s: tensor<i64>)
    -> (tensor<4x3xi32>, tensor<2x3x4xi16>, tensor<2x3x4xi1>, tensor<i64>,
        tensor<3x4xi8>) {
  %zero = arith.constant 0 : i32
  %empty = tensor.empty() : tensor<4x3xi32>
  %init = linalg.fill ins(%zero : i32) outs(%empty : tensor<4x3xi32>) -> tensor<4x3xi32>
  %mm = linalg.matmul ins(%a, %b : tensor<4x8xi8>, tensor<8x3xi8>)
                      outs(%init : tensor<4x3xi32>) -> tensor<4x3xi32>
  %sum = arith.addi %c, %d : tensor<2x3x4xi16>
  %diff = arith.subi %sum, %c : tensor<2x3x4xi16>
  %twice = arith.muli %diff, %c : tensor<2x3x4xi16>
  %lt = arith.cmpi slt, %c, %d : tensor<2x3x4xi16>
  %sq = arith.muli %s, %s : tensor<i64>
  %slice = tensor.extract_slice %a[1, 2] [3, 4] [1, 1] : tensor<4x8xi8> to tensor<3x4xi8>
  return %mm, %twice, %lt, %sq, %slice
      : tensor<4x3xi32>, tensor<2x3x4xi16>, tensor<2x3x4xi1>, tensor<i64>, tensor<3x4xi8>
}

// Writes its argument back: the result must equal the input, and the input
// buffer must stay untouched for the next --repeat call.
func.func @negate(%x: tensor<5xi32>) -> tensor<5xi32> {
  %zero = arith.constant dense<0> : tensor<5xi32>
  %n = arith.subi %zero, %x : tensor<5xi32>
  return %n : tensor<5xi32>
}

// A dynamic dimension at the boundary is an error.
func.func @dynamic(%x: tensor<?xi32>) -> tensor<?xi32> {
  return %x : tensor<?xi32>
}

// A declaration has no body to run.
func.func private @external(tensor<4xi32>) -> tensor<4xi32>

// Seed: the generic form, attribute aliases, discardable attributes with
// strings, dense literals (decimal and hex) and an explicit module.
#per_channel = #qlp.dyadic<[1073741824, 1518500250], [31, 32], axis = 1>
#half = #qlp.dyadic<[1073741824], [31]>
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<4x2xi32>) -> tensor<4x2xi4>, sym_name = "rescale_generic"}> ({
  ^bb0(%acc: tensor<4x2xi32>):
    %0 = "qlp.rescale"(%acc) <{clamp_max = 6 : i64, clamp_min = 0 : i64, input_zp = 0 : i64, output_zp = 0 : i64, rounding = #qlp<rounding single_round>, scale = #per_channel}> {qlp.note = "per-channel \"relu6\"\n"} : (tensor<4x2xi32>) -> tensor<4x2xi4>
    "func.return"(%0) : (tensor<4x2xi4>) -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8>) -> tensor<1x8x8x16xi8>, sym_name = "add_generic"}> ({
  ^bb0(%a: tensor<1x8x8x16xi8>, %b: tensor<1x8x8x16xi8>):
    %0 = "qlp.add"(%a, %b) <{lhs_scale = #half, lhs_zp = -3 : i64, output_zp = 5 : i64, rhs_scale = #qlp.dyadic<[1518500250], [31]>, rhs_zp = 0 : i64, rounding = #qlp<rounding tflite>}> : (tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8>) -> tensor<1x8x8x16xi8>
    %1 = "qlp.clamp"(%0) <{max = 127 : i64, min = -5 : i64}> : (tensor<1x8x8x16xi8>) -> tensor<1x8x8x16xi8>
    "func.return"(%1) : (tensor<1x8x8x16xi8>) -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<1x16x16x8xi8>) -> tensor<1x8x8x32xi32>, sym_name = "conv2d_const_weight"}> ({
  ^bb0(%x: tensor<1x16x16x8xi8>):
    %w = "arith.constant"() <{value = dense<-3> : tensor<32x3x3x8xi4>}> : () -> tensor<32x3x3x8xi4>
    %0 = "qlp.conv2d"(%x, %w) <{dilations = array<i64: 1, 1>, groups = 1 : i64, input_zp = -128 : i64, layout = #qlp<layout fhwc>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, weight_zp = 0 : i64}> : (tensor<1x16x16x8xi8>, tensor<32x3x3x8xi4>) -> tensor<1x8x8x32xi32>
    "func.return"(%0) : (tensor<1x8x8x32xi32>) -> ()
  }) : () -> ()
  "func.func"() <{function_type = () -> (tensor<2x1xi8>, tensor<1x1xi32>), sym_name = "pack_generic"}> ({
    %c = "arith.constant"() <{value = dense<[[1, -2], [-8, 7]]> : tensor<2x2xi4>}> : () -> tensor<2x2xi4>
    %p = "qlp.pack"(%c) <{axis = 1 : i64}> : (tensor<2x2xi4>) -> tensor<2x1xi8>
    %h = "arith.constant"() <{value = dense<"0x0102030405060708"> : tensor<1x8xi8>}> : () -> tensor<1x8xi8>
    %b = "qlp.binarize"(%h) <{threshold = 4 : i64}> : (tensor<1x8xi8>) -> tensor<1x8x!qlp.binary>
    %q = "qlp.pack"(%b) <{axis = 1 : i64}> : (tensor<1x8x!qlp.binary>) -> tensor<1x1xi32>
    "func.return"(%p, %q) : (tensor<2x1xi8>, tensor<1x1xi32>) -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<16x256x!qlp.binary>, tensor<256x64x!qlp.binary>, tensor<1x8x8x64x!qlp.binary>, tensor<32x3x3x64x!qlp.binary>) -> (tensor<16x64xi32>, tensor<1x8x8x32xi32>), sym_name = "binary_generic"}> ({
  ^bb0(%a: tensor<16x256x!qlp.binary>, %w: tensor<256x64x!qlp.binary>, %x: tensor<1x8x8x64x!qlp.binary>, %k: tensor<32x3x3x64x!qlp.binary>):
    %0 = "qlp.binary_matmul"(%a, %w) : (tensor<16x256x!qlp.binary>, tensor<256x64x!qlp.binary>) -> tensor<16x64xi32>
    %1 = "qlp.binary_conv2d"(%x, %k) <{dilations = array<i64: 1, 1>, groups = 1 : i64, layout = #qlp<layout fhwc>, pad_value = -1 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}> : (tensor<1x8x8x64x!qlp.binary>, tensor<32x3x3x64x!qlp.binary>) -> tensor<1x8x8x32xi32>
    "func.return"(%0, %1) : (tensor<16x64xi32>, tensor<1x8x8x32xi32>) -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<1x16x16x8xi8>, tensor<64x50xi8>) -> (tensor<1x8x8x8xi8>, tensor<1x8x8x8xi8>, tensor<64x99xi4>), sym_name = "pool_unpack_generic"}> ({
  ^bb0(%x: tensor<1x16x16x8xi8>, %p: tensor<64x50xi8>):
    %0 = "qlp.max_pool2d"(%x) <{kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x16x16x8xi8>) -> tensor<1x8x8x8xi8>
    %1 = "qlp.avg_pool2d"(%x) <{input_zp = -128 : i64, kernel = array<i64: 2, 2>, output_zp = -128 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}> : (tensor<1x16x16x8xi8>) -> tensor<1x8x8x8xi8>
    %2 = "qlp.unpack"(%p) <{axis = 1 : i64}> : (tensor<64x50xi8>) -> tensor<64x99xi4>
    "func.return"(%0, %1, %2) : (tensor<1x8x8x8xi8>, tensor<1x8x8x8xi8>, tensor<64x99xi4>) -> ()
  }) : () -> ()
}) {qlp.version = "0.1"} : () -> ()

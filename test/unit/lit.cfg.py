# -*- Python -*-
# lit configuration of the quant-lp GoogleTest unit tests: every TEST in
# every *Tests binary is one lit test.

import lit.formats

config.name = "QUANT_LP-Unit"
config.suffixes = []
config.test_source_root = config.qlp_unittest_dir
config.test_exec_root = config.qlp_unittest_dir
config.test_format = lit.formats.GoogleTest(".", "Tests")

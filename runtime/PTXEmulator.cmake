#===- runtime/PTXEmulator.cmake - PTX interpreter for GPU-less testing -----===#
#
# qlp_ptx_emulator executes the PTX that the GPU pipeline generates on the
# CPU (see PTXEmulator.h). Included from test/unit/CMakeLists.txt after
# add_qlp_unittest is defined.
#
#===------------------------------------------------------------------------===#

if(NOT TARGET qlp_ptx_emulator)
  add_library(qlp_ptx_emulator STATIC
    ${PROJECT_SOURCE_DIR}/runtime/PTXEmulator.cpp)
  target_include_directories(qlp_ptx_emulator PUBLIC
    ${PROJECT_SOURCE_DIR}/runtime)
  target_compile_features(qlp_ptx_emulator PRIVATE cxx_std_17)
  target_compile_options(qlp_ptx_emulator PRIVATE -fno-exceptions -fno-rtti)
  set_target_properties(qlp_ptx_emulator PROPERTIES
    POSITION_INDEPENDENT_CODE ON)
endif()

if(COMMAND add_qlp_unittest AND NOT TARGET QLPPTXEmulatorTests)
  add_qlp_unittest(QLPPTXEmulatorTests
    ${PROJECT_SOURCE_DIR}/test/unit/PTXEmulatorTests.cpp
    LINK_LIBS qlp_ptx_emulator)
  # PTX files the parser must accept (every *.ptx in the directory; a W4A8
  # GEMM and its staging kernel from qlp-lower-to-gpu). Empty:
  # the sample test is skipped.
  set(QLP_PTX_SAMPLES_DIR "${PROJECT_SOURCE_DIR}/test/unit/Inputs/ptx" CACHE PATH
    "Directory of sample PTX files for QLPPTXEmulatorTests")
  target_compile_definitions(QLPPTXEmulatorTests PRIVATE
    QLP_PTX_SAMPLES_DIR="${QLP_PTX_SAMPLES_DIR}")
endif()

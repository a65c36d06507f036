#===- AddQuantLP.cmake - Thin wrappers around the add_mlir_* functions ----===#
#
# add_qlp_library(<name> <sources>... [DEPENDS ...] [LINK_COMPONENTS ...]
#                 [LINK_LIBS ...] [MLIR_LIBS ...])
#
# Declares one quant-lp library. MLIR_LIBS name the MLIR libraries the code
# uses; they resolve to libMLIR.so when MLIR_LINK_MLIR_DYLIB is on (the
# default) and to the static archives otherwise. The library is added to the
# QuantLP export set installed by QuantLPInstall.cmake.
#
#===----------------------------------------------------------------------===#

function(add_qlp_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK_COMPONENTS;LINK_LIBS;MLIR_LIBS" ${ARGN})
  # Not part of libMLIR.so and installed into our own export set, not MLIR's.
  add_mlir_library(${name} ${ARG_UNPARSED_ARGUMENTS}
    PARTIAL_SOURCES_INTENDED
    EXCLUDE_FROM_LIBMLIR
    DISABLE_INSTALL
    DEPENDS ${ARG_DEPENDS}
    LINK_COMPONENTS ${ARG_LINK_COMPONENTS}
    LINK_LIBS ${ARG_LINK_LIBS})
  if(ARG_MLIR_LIBS)
    mlir_target_link_libraries(${name} PUBLIC ${ARG_MLIR_LIBS})
  endif()
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}>
    $<INSTALL_INTERFACE:include/quant-lp>)
  set_property(GLOBAL APPEND PROPERTY QLP_EXPORTED_LIBS ${name})
endfunction()

# add_qlp_tool(<name> <sources>... [LINK_LIBS ...] [MLIR_LIBS ...])
function(add_qlp_tool name)
  cmake_parse_arguments(ARG "" "" "LINK_LIBS;MLIR_LIBS" ${ARGN})
  # One directory holds all the tools, one source file each.
  add_llvm_executable(${name} PARTIAL_SOURCES_INTENDED ${ARG_UNPARSED_ARGUMENTS})
  llvm_update_compile_flags(${name})
  target_link_libraries(${name} PRIVATE ${ARG_LINK_LIBS})
  if(ARG_MLIR_LIBS)
    mlir_target_link_libraries(${name} PRIVATE ${ARG_MLIR_LIBS})
  endif()
  set_property(GLOBAL APPEND PROPERTY QLP_EXPORTED_TOOLS ${name})
endfunction()

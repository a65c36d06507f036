#===- QuantLPInstall.cmake - Install tree and CMake package --------------===#
#
# `cmake --install` produces a relocatable package that embedding compilers
# use with find_package(QuantLP CONFIG): the libraries and tools as targets
# QuantLP::<name>, the public headers under include/quant-lp/ (so includes
# read "dialect/QLPOps.h" as in the source tree), the generated .inc headers
# beside them, and the ODS files for projects that extend qlp.
#
#===----------------------------------------------------------------------===#

include(CMakePackageConfigHelpers)

set(QLP_INSTALL_CMAKE_DIR lib/cmake/QuantLP)

get_property(qlp_libs GLOBAL PROPERTY QLP_EXPORTED_LIBS)
get_property(qlp_tools GLOBAL PROPERTY QLP_EXPORTED_TOOLS)

install(TARGETS ${qlp_libs} ${qlp_tools}
  EXPORT QuantLPTargets
  ARCHIVE DESTINATION lib
  LIBRARY DESTINATION lib
  RUNTIME DESTINATION bin)

foreach(layer dialect passes lowering runtime)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${layer}/
    DESTINATION include/quant-lp/${layer}
    FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
  # TableGen output lands at the same relative path in the build tree.
  install(DIRECTORY ${PROJECT_BINARY_DIR}/${layer}/
    DESTINATION include/quant-lp/${layer}
    FILES_MATCHING PATTERN "*.inc"
    PATTERN "CMakeFiles" EXCLUDE)
endforeach()

install(EXPORT QuantLPTargets
  NAMESPACE QuantLP::
  DESTINATION ${QLP_INSTALL_CMAKE_DIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/QuantLPConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/QuantLPConfig.cmake
  INSTALL_DESTINATION ${QLP_INSTALL_CMAKE_DIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/QuantLPConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/QuantLPConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/QuantLPConfigVersion.cmake
  DESTINATION ${QLP_INSTALL_CMAKE_DIR})

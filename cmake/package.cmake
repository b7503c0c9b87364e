# The installed C++ library (`cmake --install BUILD --prefix PREFIX`): the static library of every
# folder, their headers under include/ in the same folders, and a CMake package, so that a program
# builds against it with
#   find_package(twinflow CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE twinflow::twinflow)
# The folders' libraries are exported by their paths (twinflow::graph_ir, ...,
# twinflow::runtime_train), the umbrellas as twinflow::graph and twinflow::runtime, and
# twinflow::twinflow is everything a program needs. The command line and the drawings (tools/)
# are not part of it. examples/cpp/ builds against an installed copy (scripts/check-install.sh).
include(CMakePackageConfigHelpers)

# "twinflow" names the command line's executable in this project, hence another target name.
add_library(twinflow_lib INTERFACE)
target_link_libraries(twinflow_lib INTERFACE twinflow_runtime)
add_library(twinflow::twinflow ALIAS twinflow_lib)
set_target_properties(twinflow_lib PROPERTIES EXPORT_NAME twinflow)
set_target_properties(twinflow_graph PROPERTIES EXPORT_NAME graph)
set_target_properties(twinflow_runtime PROPERTIES EXPORT_NAME runtime)
install(TARGETS twinflow_lib twinflow_graph twinflow_runtime EXPORT twinflowTargets)

set(twinflow_package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/twinflow)
install(EXPORT twinflowTargets NAMESPACE twinflow:: DESTINATION ${twinflow_package_dir})
configure_package_config_file(cmake/twinflowConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/package/twinflowConfig.cmake
                              INSTALL_DESTINATION ${twinflow_package_dir})
# Before 1.0 a new minor version may change the interface.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/twinflowConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/twinflowConfig.cmake
              ${PROJECT_BINARY_DIR}/package/twinflowConfigVersion.cmake
        DESTINATION ${twinflow_package_dir})

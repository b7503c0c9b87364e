# The Python package `twinflow` (python/): the compiled module twinflow._core (the target
# twinflow_python, sources in python/bindings/) and the package's pure-Python files, put
# together in BUILD/python/twinflow so that PYTHONPATH=BUILD/python imports the package as
# built. setup.py builds the same target to install it with pip. The pytest suite
# (tests/python/) runs as the ctest entry `python`.
if(NOT TWINFLOW_PYTHON)
  return()
endif()
if(NOT pybind11_FOUND)
  message(FATAL_ERROR "TWINFLOW_PYTHON needs pybind11 and Python 3 (apt-get install "
                      "python3-pybind11 python3-dev), or -DTWINFLOW_PYTHON=OFF")
endif()

set(python_package_dir ${PROJECT_BINARY_DIR}/python/twinflow)
file(GLOB python_binding_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/python/bindings/*.cc)
# NO_EXTRAS: no link-time optimisation (minutes of linking for nothing measurable here).
pybind11_add_module(twinflow_python MODULE NO_EXTRAS ${python_binding_sources})
set_target_properties(twinflow_python PROPERTIES OUTPUT_NAME _core
                      LIBRARY_OUTPUT_DIRECTORY ${python_package_dir})
target_include_directories(twinflow_python PRIVATE ${PROJECT_SOURCE_DIR}
                           ${PROJECT_BINARY_DIR}/generated)
target_link_libraries(twinflow_python PRIVATE twinflow_cli twinflow_warnings)

# The pure-Python files beside the module, copied again whenever one changes.
file(GLOB python_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/python/twinflow/*.py)
set(python_copies)
foreach(source ${python_sources})
  get_filename_component(name ${source} NAME)
  add_custom_command(OUTPUT ${python_package_dir}/${name}
                     COMMAND ${CMAKE_COMMAND} -E copy ${source} ${python_package_dir}/${name}
                     DEPENDS ${source} VERBATIM)
  list(APPEND python_copies ${python_package_dir}/${name})
endforeach()
add_custom_target(twinflow_python_files DEPENDS ${python_copies})
add_dependencies(twinflow_python twinflow_python_files)

# The suite imports the package as built and compares it with the twinflow program. Its
# PyTorch tests need python3-torch; TWINFLOW_TORCH_TESTS=0 when cmake runs skips them, and
# keeps scripts/install-deps.sh from installing PyTorch.
add_test(NAME python
  COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider
          ${PROJECT_SOURCE_DIR}/tests/python)
set_tests_properties(python PROPERTIES TIMEOUT 600 ENVIRONMENT
  "PYTHONPATH=${PROJECT_BINARY_DIR}/python;TWINFLOW_PROGRAM=$<TARGET_FILE:twinflow>;TWINFLOW_TORCH_TESTS=$ENV{TWINFLOW_TORCH_TESTS}")
# ctest builds nothing: the module comes with the targets scripts/test.sh builds.
add_dependencies(twinflow_tests twinflow_python)

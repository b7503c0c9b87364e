# The exchange formats checked by other software (the C++ suites are in ctest's `exchange`): the
# exported ONNX towers in ONNX Runtime against `twinflow embed` (tests/onnx/onnx_runtime_test.mjs,
# node with onnxruntime-node from tests/onnx/node_modules, which scripts/install-deps.sh puts
# there), and Keras weight files written by h5py as Keras writes them, imported
# (tests/exchange/keras_h5py_test.py). Not in the sanitizer builds: they do not make the twinflow
# program, and these check the formats, not our memory accesses. TWINFLOW_ONNX_TESTS=0 in the
# environment when cmake runs leaves the ONNX Runtime test out.
if(NOT TWINFLOW_SANITIZE AND NOT TWINFLOW_TSAN)
  if(NOT "$ENV{TWINFLOW_ONNX_TESTS}" STREQUAL "0")
    find_program(TWINFLOW_NODE node REQUIRED)
    add_test(NAME onnx.runtime
      COMMAND ${TWINFLOW_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/onnx/onnx_runtime_test.mjs
              $<TARGET_FILE:twinflow> ${CMAKE_CURRENT_SOURCE_DIR}
              ${CMAKE_CURRENT_BINARY_DIR}/onnx_runtime_test)
    set_tests_properties(onnx.runtime PROPERTIES TIMEOUT 300)
  endif()
  add_test(NAME exchange.h5py
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/tests/exchange/keras_h5py_test.py
            $<TARGET_FILE:twinflow> ${CMAKE_CURRENT_BINARY_DIR}/keras_h5py_test)
  set_tests_properties(exchange.h5py PROPERTIES TIMEOUT 120)
endif()

# The libFuzzer targets of tests/fuzz/, one per reader of user files (-DTWINFLOW_FUZZ=ON with
# clang; scripts/fuzz.sh builds and runs them, docs/testing.md says how). The libraries they link
# are built with -fsanitize=fuzzer-no-link,address,undefined (CMakeLists.txt); each target adds
# libFuzzer's main. `ninja twinflow_fuzzers` builds them all and nothing else.
set(twinflow_fuzz_links_spec twinflow_graph twinflow_ops)
set(twinflow_fuzz_links_lambda twinflow_graph_lambda twinflow_autograd)
set(twinflow_fuzz_links_safetensors twinflow_runtime_io)
set(twinflow_fuzz_links_tsv twinflow_runtime_data)
set(twinflow_fuzz_links_pretrained twinflow_runtime_text)
set(twinflow_fuzz_links_model_dir twinflow_runtime_saved twinflow_runtime_optim)

add_custom_target(twinflow_fuzzers)
foreach(reader spec lambda safetensors tsv pretrained model_dir)
  add_executable(fuzz_${reader} tests/fuzz/fuzz_${reader}.cc)
  target_include_directories(fuzz_${reader} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_options(fuzz_${reader} PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_${reader} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_${reader} PRIVATE ${twinflow_fuzz_links_${reader}} twinflow_warnings)
  add_dependencies(twinflow_fuzzers fuzz_${reader})
endforeach()

# The self-contained HTML viewer of `twinflow viz -o FILE.html` (tools/viz/html_page.h): the
# library twinflow_viz_html, whose viewer CSS and JavaScript (tools/viz/assets/) are compiled in
# as string literals, its unit test suite and its headless-browser test.
set(viz_assets_dir ${CMAKE_CURRENT_SOURCE_DIR}/tools/viz/assets)
set(viz_assets_cc ${CMAKE_CURRENT_BINARY_DIR}/generated/viz_viewer_assets.cc)
set(viz_embed_script ${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed_viewer_assets.cmake)
add_custom_command(
  OUTPUT ${viz_assets_cc}
  COMMAND ${CMAKE_COMMAND} -DCSS=${viz_assets_dir}/viewer.css -DJS=${viz_assets_dir}/viewer.js
          -DOUTPUT=${viz_assets_cc} -P ${viz_embed_script}
  DEPENDS ${viz_assets_dir}/viewer.css ${viz_assets_dir}/viewer.js ${viz_embed_script}
  COMMENT "Embedding the HTML viewer's CSS and JavaScript"
  VERBATIM)

add_library(twinflow_viz_html STATIC tools/viz/html_page.cc ${viz_assets_cc})
target_include_directories(twinflow_viz_html PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(twinflow_viz_html
  PRIVATE twinflow_warnings PUBLIC twinflow_options nlohmann_json::nlohmann_json)

# Writes the viewer for a given SVG and details file: the browser test's hand-written page.
add_executable(twinflow_html_page_demo ${twinflow_programs} tools/html_page_demo_main.cc)
target_link_libraries(twinflow_html_page_demo PRIVATE twinflow_viz_html twinflow_warnings)

# The viewer in headless Chromium (tests/viz/browser_test.py). Not in the sanitizer builds:
# they check our C++, and the browser is not ours. TWINFLOW_BROWSER_TESTS=0 in the environment,
# which also keeps scripts/install-deps.sh from installing Chromium, leaves it out; otherwise a
# missing browser fails the test.
if(NOT TWINFLOW_SANITIZE AND NOT TWINFLOW_TSAN AND NOT "$ENV{TWINFLOW_BROWSER_TESTS}" STREQUAL "0")
  # Two pages: `twinflow viz` on the seed network, and a hand-written graph whose details hold
  # what no model can (a node named like a script element).
  add_test(NAME viz.browser
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/tests/viz/browser_test.py
            --out-dir ${CMAKE_CURRENT_BINARY_DIR}/viz_browser_test
            --twinflow $<TARGET_FILE:twinflow>
            --model ${CMAKE_CURRENT_SOURCE_DIR}/models/cosine_siamese.yaml
            --demo $<TARGET_FILE:twinflow_html_page_demo>
            --graph ${CMAKE_CURRENT_SOURCE_DIR}/tests/viz/browser_graph.dot
            --details ${CMAKE_CURRENT_SOURCE_DIR}/tests/viz/browser_details.json)
  set_tests_properties(viz.browser PROPERTIES TIMEOUT 120)
  # ctest builds nothing and scripts/test.sh builds twinflow_tests and twinflow: this makes the
  # test's page writer come with them.
  add_dependencies(twinflow_tests twinflow_html_page_demo)
endif()

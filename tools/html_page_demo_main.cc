// twinflow_html_page_demo TITLE SVG DETAILS_JSON OUTPUT_HTML — writes the `twinflow viz` HTML
// viewer for an SVG that Graphviz drew and a details file, without a model. The browser test
// (tests/viz/browser_test.py) uses it to test the viewer on a hand-written graph.
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "tools/viz/html_page.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: twinflow_html_page_demo TITLE SVG DETAILS_JSON OUTPUT_HTML\n";
    return 2;
  }
  try {
    const nlohmann::json details = nlohmann::json::parse(read_file(argv[3]));
    const std::string page = twinflow::viz::html_page(argv[1], read_file(argv[2]), details);
    std::ofstream out(argv[4], std::ios::binary);
    out << page;
    if (!out.flush()) throw std::runtime_error(std::string("cannot write ") + argv[4]);
  } catch (const std::exception& error) {
    std::cerr << "twinflow_html_page_demo: " << error.what() << '\n';
    return 1;
  }
  return 0;
}

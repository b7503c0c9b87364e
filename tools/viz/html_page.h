// tools/viz/html_page.h — the self-contained HTML viewer of `twinflow viz -o FILE.html`.
//
// One file that opens offline: the Graphviz SVG inlined, the viewer's CSS and JavaScript
// (tools/viz/assets/, embedded at build time) inlined, and the per-node details as JSON that the
// script reads with JSON.parse and writes into the page with textContent only. A
// Content-Security-Policy of default-src 'none' keeps the page from fetching anything.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace twinflow::viz {

// Returns the page. `svg` is Graphviz's SVG output; an XML declaration, DOCTYPE and comments
// before the <svg> element are dropped. `details` is {"nodes": {DOT node id: {"name", "op",
// "attrs", "inputs", "outputs", "params", "shared"}}}, keyed by the id in each node's <title>;
// any field may be missing. Throws std::invalid_argument when `svg` holds no <svg> element or
// holds a <script> (Graphviz never writes one).
std::string html_page(std::string_view title, std::string_view svg, const nlohmann::json& details);

// The parts of html_page, exposed for tests.
std::string_view strip_xml_prologue(std::string_view svg);
std::string escape_html(std::string_view text);
// `json` serialised so that it can sit inside <script type="application/json">: every '<'
// becomes \u003c, so no string in it can close the element or open a comment.
std::string json_for_script_element(const nlohmann::json& json);

}  // namespace twinflow::viz

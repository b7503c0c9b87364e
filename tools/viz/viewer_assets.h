// tools/viz/viewer_assets.h — the HTML viewer's stylesheet and script, tools/viz/assets/viewer.css
// and viewer.js, compiled into the binary (cmake/viz_html.cmake generates their definitions as
// raw string literals) so `twinflow viz` needs no files at run time.
#pragma once

#include <string_view>

namespace twinflow::viz {

extern const std::string_view kViewerCss;
extern const std::string_view kViewerJs;

}  // namespace twinflow::viz

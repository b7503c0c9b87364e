#include "tools/viz/html_page.h"

#include <stdexcept>

#include "tools/viz/viewer_assets.h"

namespace twinflow::viz {
namespace {

bool starts_with_svg_tag(std::string_view text) {
  if (!text.starts_with("<svg") || text.size() == 4) return false;
  const char next = text[4];
  return next == ' ' || next == '>' || next == '\n' || next == '\t' || next == '\r' || next == '/';
}

// The end of a <!DOCTYPE ...> declaration: its '>' outside quoted ids and an internal subset.
std::size_t doctype_end(std::string_view text) {
  char quote = 0;
  int brackets = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[') {
      ++brackets;
    } else if (c == ']') {
      --brackets;
    } else if (c == '>' && brackets <= 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The length of the prologue item (declaration, processing instruction, comment, whitespace) at
// the start of `text`, or npos when `text` starts with something else.
std::size_t prologue_item_length(std::string_view text) {
  const std::size_t blank = text.find_first_not_of(" \t\r\n");
  if (blank != 0) return blank;
  std::size_t end = std::string_view::npos;
  if (text.starts_with("<?")) {
    end = text.find("?>");
    if (end != std::string_view::npos) end += 2;
  } else if (text.starts_with("<!--")) {
    end = text.find("-->", 4);
    if (end != std::string_view::npos) end += 3;
  } else if (text.starts_with("<!DOCTYPE") || text.starts_with("<!doctype")) {
    end = doctype_end(text);
  }
  return end;
}

bool contains_case_insensitive(std::string_view text, std::string_view needle) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && lower(text[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

}  // namespace

std::string_view strip_xml_prologue(std::string_view svg) {
  std::string_view rest = svg;
  while (!rest.empty() && !starts_with_svg_tag(rest)) {
    const std::size_t length = prologue_item_length(rest);
    if (length == std::string_view::npos) {
      throw std::invalid_argument(
          "the SVG does not start with an <svg> element after its prologue");
    }
    rest.remove_prefix(length);
  }
  if (rest.empty()) throw std::invalid_argument("the SVG holds no <svg> element");
  const std::size_t last = rest.find_last_not_of(" \t\r\n");
  return rest.substr(0, last + 1);
}

std::string escape_html(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string json_for_script_element(const nlohmann::json& json) {
  // A name that is not valid UTF-8 is shown with U+FFFD rather than failing the whole page.
  const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    // '<' occurs in JSON only inside strings, where \u003c means the same character.
    if (c == '<') {
      escaped += "\\u003c";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string html_page(std::string_view title, std::string_view svg, const nlohmann::json& details) {
  const std::string_view drawing = strip_xml_prologue(svg);
  // Graphviz escapes every '<' of a label, so a script element can only come from elsewhere.
  if (contains_case_insensitive(drawing, "<script")) {
    throw std::invalid_argument("the SVG holds a <script> element; refusing to inline it");
  }
  const std::string safe_title = escape_html(title);
  std::string page;
  page.reserve(drawing.size() + kViewerJs.size() + kViewerCss.size() + 4096);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Nothing may be fetched: the page works from a file, offline, and leaks nothing.
  page +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>" + safe_title + "</title>\n<style>\n";
  page += kViewerCss;
  page += "</style>\n</head>\n<body>\n";
  page += "<header id=\"tf-bar\">\n<h1 id=\"tf-title\">" + safe_title + "</h1>\n";
  page +=
      "<input id=\"tf-search\" type=\"search\" placeholder=\"Search nodes (Enter: next)\" "
      "aria-label=\"Search nodes by name\" autocomplete=\"off\">\n"
      "<span id=\"tf-search-status\" aria-live=\"polite\"></span>\n"
      "<span class=\"tf-buttons\">"
      "<button id=\"tf-zoom-in\" type=\"button\" title=\"Zoom in\">+</button>"
      "<button id=\"tf-zoom-out\" type=\"button\" title=\"Zoom out\">\u2212</button>"
      "<button id=\"tf-fit\" type=\"button\" title=\"Fit the drawing\">Fit</button>"
      "</span>\n</header>\n";
  page += "<div id=\"tf-main\">\n<main id=\"tf-stage\">\n<div id=\"tf-canvas\">\n";
  page += drawing;
  page += "\n</div>\n</main>\n";
  page +=
      "<aside id=\"tf-panel\" hidden aria-live=\"polite\">"
      "<button id=\"tf-panel-close\" type=\"button\" title=\"Close\">\u00d7</button>"
      "<div id=\"tf-panel-body\"></div></aside>\n</div>\n";
  page += "<script type=\"application/json\" id=\"tf-details\">";
  page += json_for_script_element(details);
  page += "</script>\n<script>\n";
  page += kViewerJs;
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace twinflow::viz

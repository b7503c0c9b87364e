#include "tools/viz/dot_writer.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "graph/model/summary.h"
#include "tools/viz/labels.h"

namespace twinflow::viz {

namespace {

constexpr size_t kWrap = 36;
constexpr const char* kGradient = "#cb181d";
constexpr const char* kFrozen = "#d9d9d9";

std::string small(const std::string& text, int size, const char* color = "#333333") {
  return fmt::format("<font point-size=\"{}\" color=\"{}\">{}</font>", size, color,
                     html_escape(text));
}

std::string attr_text(const Attr& a) {
  if (a.key == "formula" || a.key.rfind("expr", 0) == 0 || a.key == "layers") return a.value;
  if (a.value == "true") return a.key;
  return a.key + " " + a.value;
}

std::string attr_lines(const std::vector<Attr>& attrs) {
  std::vector<std::string> lines;
  std::string plain;
  for (const Attr& a : attrs) {
    const std::string text = attr_text(a);
    if (text.size() > kWrap / 2) {
      for (const std::string& line : wrap(text, kWrap)) lines.push_back(line);
    } else {
      plain += (plain.empty() ? "" : ", ") + text;
    }
  }
  std::vector<std::string> all = wrap(plain, kWrap);
  all.insert(all.end(), lines.begin(), lines.end());
  std::string out;
  for (const std::string& line : all) out += "<br/>" + small(line, 9);
  return out;
}

std::string sharing_line(const DrawNode& n) {
  std::string text;
  if (n.shared > 1) text = fmt::format("shared ×{}", n.shared);
  if (n.params > 0)
    text += (text.empty() ? "" : " · ") + graph::with_thousands(n.params) + " params";
  if (text.empty()) return "";
  return "<br/><font point-size=\"9\"><b>" + html_escape(text) + "</b></font>";
}

std::string op_line(const DrawNode& n) {
  std::string op = n.op;
  if (n.kind == NodeKind::kGradient) op += " VJP";
  if (!n.layer.empty() && n.layer != n.name) op = n.layer + " : " + op;
  return "<br/>" + small(op, 10, "#222222");
}

std::string params_label(const DrawNode& n) {
  // A space that opens a text run after a tag becomes a <text> of its own in the SVG, whose
  // leading blank SVG drops ("embparameters"): the gap is a no-break space, which it keeps.
  std::string out = "<b>" + html_escape(n.name) + "</b>&#160;parameters";
  for (const Attr& a : n.attrs) out += "<br/>" + small(a.key + " " + a.value, 9);
  out += "<br/><font point-size=\"9\"><b>" + graph::with_thousands(n.params) + "</b></font>";
  if (n.frozen) out += "<br/>" + small("frozen: no gradient", 9, "#636363");
  return out;
}

std::string label(const DrawNode& n) {
  switch (n.kind) {
    case NodeKind::kSum:
      return "\"+\"";
    case NodeKind::kSeed:
      return "<<b>∂loss/∂loss</b><br/>" + small("= 1 (× micro-batch share)", 9) + ">";
    case NodeKind::kParams:
      return "<" + params_label(n) + ">";
    case NodeKind::kInput:
    case NodeKind::kOutput:
      return "<<b>" + html_escape(n.name) + "</b><br/>" +
             small(n.attrs.size() > 1 ? n.attrs[1].value + " " + n.attrs[0].value
                                      : n.attrs.front().value,
                   9) +
             ">";
    default:
      break;
  }
  // Inside a cluster the composite's name is its label: "pred.similarity/Cosine0" shows as
  // "Cosine0", and a name made from the op ("Cosine0") as the op alone.
  std::string name = n.name;
  if (const size_t slash = name.rfind('/'); !n.cluster.empty() && slash != std::string::npos)
    name = name.substr(slash + 1);
  const bool generated = name.rfind(n.op, 0) == 0 && n.layer.empty();
  const std::string prefix = n.kind == NodeKind::kGradient ? "∂ " : "";
  const std::string head = generated ? "<b>" + prefix + html_escape(n.op) + "</b>"
                                     : "<b>" + html_escape(prefix + name) + "</b>" + op_line(n);
  return "<" + head + attr_lines(n.attrs) + sharing_line(n) + ">";
}

std::string tooltip(const DrawNode& n) {
  std::string text = n.name + " (" + n.op + ")";
  for (const Attr& a : n.attrs) text += "\n" + a.key + ": " + a.value;
  if (n.shared > 1) text += fmt::format("\nlayer {} shared ×{}", n.layer, n.shared);
  if (!n.tooltip.empty()) text += "\n" + n.tooltip;
  return text;
}

std::string node_style(const DrawNode& n) {
  const std::string fill = n.fill.empty() ? "#ffffff" : n.fill;
  switch (n.kind) {
    case NodeKind::kInput:
      return "shape=invhouse, style=filled, fillcolor=\"#c7e9c0\", color=\"#31a354\"";
    case NodeKind::kOutput:
      return "shape=house, style=filled, fillcolor=\"#c6dbef\", color=\"#3182bd\"";
    case NodeKind::kSum:
      return "shape=circle, style=filled, fillcolor=\"#fff7bc\", color=\"#cb181d\", "
             "fixedsize=true, "
             "width=0.4, fontsize=16";
    case NodeKind::kSeed:
      return "shape=ellipse, style=filled, fillcolor=\"#fcbba1\", color=\"#cb181d\"";
    case NodeKind::kParams:
      return n.frozen ? fmt::format(
                            "shape=cylinder, style=\"filled,dashed\", fillcolor=\"{}\", "
                            "color=\"#969696\", fontcolor=\"#636363\"",
                            kFrozen)
                      : fmt::format("shape=cylinder, style=filled, fillcolor=\"{}\"", fill);
    case NodeKind::kGradient:
      return fmt::format("style=\"rounded,filled\", fillcolor=\"{}\", color=\"{}\", penwidth=1.5",
                         fill, kGradient);
    default:
      break;
  }
  if (n.is_loss)
    return "shape=octagon, style=filled, fillcolor=\"#fcbba1\", color=\"#cb181d\", penwidth=1.5";
  if (n.kind == NodeKind::kComposite)
    return fmt::format("shape=box3d, style=filled, fillcolor=\"{}\"", fill);
  return fmt::format("style=\"rounded,filled\", fillcolor=\"{}\"", fill);
}

std::string node_line(const DrawNode& n, const std::string& indent) {
  return fmt::format("{}{} [label={}, tooltip={}, {}];\n", indent, quoted(n.id), label(n),
                     quoted(tooltip(n)), node_style(n));
}

std::string edge_style(const DrawEdge& e) {
  std::string style;
  switch (e.kind) {
    case EdgeKind::kMask:
      style = "style=dashed, color=\"#969696\", fontcolor=\"#737373\"";
      break;
    case EdgeKind::kParam:
      style = "style=dashed, color=\"#737373\", arrowhead=odot";
      break;
    case EdgeKind::kGradient:
      style = fmt::format("color=\"{}\", fontcolor=\"{}\"", kGradient, kGradient);
      break;
    case EdgeKind::kNoGradient:
      style = "style=dotted, color=\"#969696\", arrowhead=tee, label=\"frozen\"";
      break;
    case EdgeKind::kData:
      break;
  }
  if (!e.color.empty())
    style += (style.empty() ? "" : ", ") + fmt::format("color={}", quoted(e.color));
  if (e.penwidth > 0)
    style += (style.empty() ? "" : ", ") + fmt::format("penwidth={:.2f}", e.penwidth);
  return style;
}

std::string edge_line(const DrawEdge& e) {
  std::vector<std::string> attrs;
  if (e.kind == EdgeKind::kMask)
    attrs.push_back("label=" + quoted("mask " + e.shape));
  else if (!e.shape.empty())
    attrs.push_back("label=" + quoted(e.shape));
  std::string tip = e.value.empty() ? "" : e.value + " " + e.shape;
  if (!e.tooltip.empty()) tip += "\n" + e.tooltip;
  if (!tip.empty()) attrs.push_back("tooltip=" + quoted(tip));
  if (const std::string style = edge_style(e); !style.empty()) attrs.push_back(style);
  return fmt::format("  {} -> {} [{}];\n", quoted(e.from), quoted(e.to), fmt::join(attrs, ", "));
}

std::string cluster_label(const DrawCluster& c) {
  std::string op = c.op;
  if (!c.layer.empty() && c.layer != c.name) op = c.layer + " : " + op;
  std::string out = "<<b>" + html_escape(c.name) + "</b>  " + small(op, 10, "#222222");
  if (c.shared > 1) out += small(fmt::format("  shared ×{}", c.shared), 10, "#000000");
  return out + ">";
}

class Writer {
 public:
  explicit Writer(const Drawing& d) : d_(d) {}

  std::string write() {
    out_ = fmt::format("digraph {} {{\n", quoted(d_.model));
    out_ += fmt::format(
        "  graph [rankdir={}, fontname=\"Helvetica\", fontsize=16, labelloc=t, "
        "label=<<b>{}</b>>, nodesep=0.3, ranksep=0.4, newrank=true];\n",
        d_.rankdir, html_escape(d_.title));
    out_ +=
        "  node [fontname=\"Helvetica\", fontsize=11, shape=box, color=\"#525252\", "
        "margin=\"0.15,0.08\"];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#525252\", arrowsize=0.7];\n";
    for (const DrawNode& n : d_.nodes) {
      if (n.cluster.empty())
        out_ += node_line(n, "  ");
      else
        write_cluster(top_of(n.cluster), "  ");
    }
    write_legend();
    for (const DrawEdge& e : d_.edges) out_ += edge_line(e);
    return out_ + "}\n";
  }

 private:
  const DrawCluster* cluster(const std::string& id) const {
    for (const DrawCluster& c : d_.clusters)
      if (c.id == id) return &c;
    return nullptr;
  }
  std::string top_of(std::string id) const {
    while (const DrawCluster* c = cluster(id)) {
      if (c->parent.empty()) return id;
      id = c->parent;
    }
    return id;
  }

  void write_cluster(const std::string& id, const std::string& indent) {
    if (!written_.insert(id).second) return;
    const DrawCluster* c = cluster(id);
    out_ += fmt::format("{}subgraph {} {{\n", indent, quoted(id));
    if (c) {
      // A shared layer's cluster is tinted with its colour (alpha 0x40), the loss's red.
      const bool loss = c->op == "expression loss";
      const std::string fill = loss ? "#fff5f0" : (c->fill.empty() ? "#fafafa" : c->fill + "40");
      out_ += fmt::format(
          "{}  graph [label={}, style=\"rounded,filled\", fillcolor=\"{}\", color=\"{}\", "
          "penwidth={}, fontsize=12, labeljust=l];\n",
          indent, cluster_label(*c), fill, loss ? "#cb181d" : "#969696", loss ? 2 : 1);
    }
    for (const DrawNode& n : d_.nodes)
      if (n.cluster == id) out_ += node_line(n, indent + "  ");
    for (const DrawCluster& child : d_.clusters)
      if (child.parent == id) write_cluster(child.id, indent + "  ");
    out_ += indent + "}\n";
  }

  void write_legend() {
    if (d_.legend.empty()) return;
    std::string rows =
        "<tr><td colspan=\"5\"><b>Layers</b></td></tr><tr><td></td><td>layer</td><td>op</td>"
        "<td>params</td><td>uses</td></tr>";
    for (const LegendEntry& e : d_.legend) {
      const std::string swatch = e.fill.empty() ? "#ffffff" : e.fill;
      rows += fmt::format(
          "<tr><td bgcolor=\"{}\" width=\"14\"></td><td align=\"left\">{}</td>"
          "<td align=\"left\">{}</td><td align=\"right\">{}</td><td>{}</td></tr>",
          e.trainable ? swatch : kFrozen, html_escape(e.layer), html_escape(e.op),
          graph::with_thousands(e.params),
          e.trainable ? fmt::format("×{}", e.uses) : fmt::format("×{} frozen", e.uses));
    }
    out_ += fmt::format(
        "  \"legend\" [shape=plaintext, margin=0, fontsize=10, label=<<table border=\"0\" "
        "cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\" color=\"#bdbdbd\">{}</table>>];\n",
        rows);
  }

  const Drawing& d_;
  std::string out_;
  std::set<std::string> written_;
};

}  // namespace

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch == '\n' ? std::string("\\n") : std::string(1, ch);
  }
  return out + "\"";
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string to_dot(const Drawing& drawing) { return Writer(drawing).write(); }

}  // namespace twinflow::viz

// The training-curves chart (tools/viz/curves.h): positions worked out here, DOT for nop2.
#include "tools/viz/curves.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "tools/viz/dot_writer.h"

namespace twinflow::viz {

namespace {

// Sizes in points. A panel's cell holds the y tick labels on the left, the plot, the x tick
// labels and "epoch" below it and its name above it.
constexpr double kPlotW = 300, kPlotH = 170;
constexpr double kLeft = 52, kRight = 22, kTop = 30, kBottom = 44;
constexpr double kCellW = kLeft + kPlotW + kRight, kCellH = kTop + kPlotH + kBottom;
constexpr double kHeader = 62;      // the title and the legend
constexpr double kCharWidth = 5.8;  // a generous average width of a 10 pt Helvetica character
constexpr int kMaxEpochTicks = 12;
constexpr const char* kTrain = "#1f77b4";
constexpr const char* kVal = "#ff7f0e";
constexpr const char* kBest = "#2ca02c";
constexpr const char* kGrid = "#e8e8e8";
constexpr const char* kText = "#333333";

constexpr std::string_view kValPrefix = "val_";

std::optional<double> value_of(const EpochRecord& r, const std::string& key) {
  for (const auto& [name, v] : r.values)
    if (name == key) return v;
  return std::nullopt;
}

// A linear map from a value range onto a range of points.
struct Scale {
  double lo, hi, from, to;
  double operator()(double v) const { return from + (v - lo) / (hi - lo) * (to - from); }
};

std::string tick_number(double v) { return fmt::format("{:.2f}", v); }

// The DOT text of the chart: nodes pinned at their positions, straight edges between them.
class Chart {
 public:
  void node(const std::string& id, double x, double y, const std::string& attrs) {
    text_ += fmt::format("  {} [pos=\"{},{}!\", {}];\n", quoted(id), tick_number(x), tick_number(y),
                         attrs);
  }
  // An invisible anchor for the ends of a line.
  void anchor(const std::string& id, double x, double y) {
    node(id, x, y, "shape=point, width=0, style=invis");
  }
  // Text whose box is `width` points wide, centred at (x, y); `justify` is "" (centred), "\\l"
  // or "\\r".
  void text(const std::string& id, double x, double y, const std::string& label, double width,
            const std::string& justify) {
    std::string q = quoted(label);
    q.insert(q.size() - 1, justify);
    node(id, x, y,
         fmt::format("shape=plaintext, fixedsize=true, margin=0, width={:.3f}, height={:.3f}, "
                     "label={}",
                     width / 72, 14.0 / 72, q));
  }
  void line(const std::string& a, const std::string& b, const std::string& attrs) {
    text_ += fmt::format("  {} -- {} [{}];\n", quoted(a), quoted(b), attrs);
  }
  // A segment between two new anchors.
  void segment(const std::string& id, double x1, double y1, double x2, double y2,
               const std::string& attrs) {
    anchor(id + "/a", x1, y1);
    anchor(id + "/b", x2, y2);
    line(id + "/a", id + "/b", attrs);
  }
  const std::string& dot() const { return text_; }

 private:
  std::string text_;
};

std::string marker(bool val, const std::string& tooltip) {
  return val ? fmt::format(
                   "shape=square, style=filled, fixedsize=true, width=0.08, label=\"\", "
                   "color=\"{}\", tooltip={}",
                   kVal, quoted(tooltip))
             : fmt::format("shape=point, width=0.08, color=\"{}\", tooltip={}", kTrain,
                           quoted(tooltip));
}

int decimals(double step) {
  return std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
}

// The value axis of one quantity: its finite values with a margin, rounded out to ticks.
std::vector<double> value_ticks(const std::vector<EpochRecord>& log, const std::string& q) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const EpochRecord& r : log)
    for (const std::string& key : {q, std::string(kValPrefix) + q})
      if (const auto v = value_of(r, key); v && std::isfinite(*v)) {
        lo = std::min(lo, *v);
        hi = std::max(hi, *v);
      }
  if (lo > hi) return nice_ticks(0, 1, 5);
  const double margin = hi > lo ? 0.05 * (hi - lo) : (lo != 0 ? 0.1 * std::abs(lo) : 0.5);
  return nice_ticks(lo - margin, hi + margin, 5);
}

struct Panel {
  std::string q;
  double x0, y0;  // the plot's bottom-left corner
  Scale x, y;
};

void draw_axes(Chart& c, const Panel& p, const std::vector<double>& yticks,
               const std::vector<int64_t>& xticks) {
  const double step = yticks.size() > 1 ? yticks[1] - yticks[0] : 1;
  for (size_t k = 0; k < yticks.size(); ++k) {
    const double y = p.y(yticks[k]);
    const std::string id = fmt::format("{}/ytick/{}", p.q, k);
    c.segment(id + "/grid", p.x0, y, p.x0 + kPlotW, y, fmt::format("color=\"{}\"", kGrid));
    c.text(id, p.x0 - 6 - (kLeft - 10) / 2, y, fmt::format("{:.{}f}", yticks[k], decimals(step)),
           kLeft - 10, "\\r");
  }
  for (size_t k = 0; k < xticks.size(); ++k) {
    const double x = p.x(static_cast<double>(xticks[k]));
    const std::string id = fmt::format("{}/xtick/{}", p.q, k);
    c.segment(id + "/grid", x, p.y0, x, p.y0 + kPlotH, fmt::format("color=\"{}\"", kGrid));
    c.text(id, x, p.y0 - 11, std::to_string(xticks[k]), 30, "");
  }
  c.node(p.q + "/frame", p.x0 + kPlotW / 2, p.y0 + kPlotH / 2,
         fmt::format("shape=box, fixedsize=true, width={:.4f}, height={:.4f}, label=\"\", "
                     "color=\"#737373\"",
                     kPlotW / 72, kPlotH / 72));
  c.text(p.q + "/xlabel", p.x0 + kPlotW / 2, p.y0 - 28, "epoch", 40, "");
  c.node(p.q + "/title", p.x0 + kPlotW / 2, p.y0 + kPlotH + 14,
         fmt::format("shape=plaintext, margin=0, width=0, height=0, fontsize=13, "
                     "label=<<b>{}</b>>",
                     html_escape(p.q)));
}

// One curve: a marker per finite value, a line between consecutive ones.
void draw_curve(Chart& c, const Panel& p, const std::vector<EpochRecord>& log, bool val) {
  const std::string key = val ? std::string(kValPrefix) + p.q : p.q;
  const std::string kind = val ? "val" : "train";
  std::string previous;
  for (const EpochRecord& r : log) {
    const auto v = value_of(r, key);
    if (!v || !std::isfinite(*v)) {
      previous.clear();  // a gap where the log holds no number
      continue;
    }
    const std::string id = fmt::format("{}/{}/{}", p.q, kind, r.epoch);
    c.node(id, p.x(static_cast<double>(r.epoch)), p.y(*v),
           marker(val, fmt::format("epoch {}: {} {:.4f}", r.epoch, key, *v)));
    if (!previous.empty())
      c.line(previous, id,
             fmt::format("color=\"{}\", penwidth=1.8{}", val ? kVal : kTrain,
                         val ? ", style=dashed" : ""));
    previous = id;
  }
}

// The quantity whose panel shows a metric of the log: val_auc and auc are both auc's.
std::string quantity_of(const std::string& metric) {
  return metric.starts_with(kValPrefix) ? metric.substr(kValPrefix.size()) : metric;
}

void draw_best(Chart& c, const Panel& p, const std::vector<EpochRecord>& log,
               const KeptEpoch& best) {
  const double x = p.x(static_cast<double>(best.epoch));
  c.anchor(p.q + "/best", x, p.y0 + kPlotH);
  c.anchor(p.q + "/best/bottom", x, p.y0);
  c.line(p.q + "/best", p.q + "/best/bottom",
         fmt::format("color=\"{}\", penwidth=1.5, style=dotted", kBest));
  if (p.q != quantity_of(best.metric)) return;
  for (const EpochRecord& r : log)
    if (r.epoch == best.epoch)
      if (const auto v = value_of(r, best.metric); v && std::isfinite(*v))
        c.node(p.q + "/best/ring", x, p.y(*v),
               fmt::format("shape=circle, fixedsize=true, width=0.2, label=\"\", penwidth=1.5, "
                           "color=\"{}\"",
                           kBest));
}

// A legend entry: a short sample of the line and its marker, then the text.
struct LegendItem {
  std::string id, line, marker, label;
  double width() const { return 34 + kCharWidth * static_cast<double>(label.size()); }
};

std::string best_text(const std::vector<EpochRecord>& log, bool has_val, const KeptEpoch& best) {
  if (best.epoch == 0 && !has_val) return "no validation data: the last epoch's weights are kept";
  for (const EpochRecord& r : log)
    if (r.epoch == best.epoch)
      if (const auto v = value_of(r, best.metric))
        return fmt::format("best epoch {} by {} ({:.4f}): {}", best.epoch, best.metric, *v,
                           best.weights_kept ? "its weights are kept"
                                             : "the last epoch's weights are kept (keep: last)");
  return fmt::format("no {} is a number: the last epoch's weights are kept", best.metric);
}

void draw_header(Chart& c, std::string_view model, const std::vector<EpochRecord>& log,
                 double width, double top, bool has_val, const KeptEpoch& best) {
  c.node("title", width / 2, top - 20,
         fmt::format("shape=plaintext, margin=0, width=0, height=0, fontsize=16, label=<<b>{}</b>"
                     ": training curves, {} epochs>",
                     html_escape(model), log.size()));
  std::vector<LegendItem> items = {{"legend/train",
                                    fmt::format("color=\"{}\", penwidth=1.8", kTrain),
                                    marker(false, "training"), "training"}};
  if (has_val)
    items.push_back({"legend/val", fmt::format("color=\"{}\", penwidth=1.8, style=dashed", kVal),
                     marker(true, "validation"), "validation"});
  items.push_back({"legend/best",
                   fmt::format("color=\"{}\", penwidth=1.5, style={}", kBest,
                               best.epoch > 0 ? "dotted" : "invis"),
                   "", best_text(log, has_val, best)});
  constexpr double kGap = 24;
  double total = -kGap;
  for (const LegendItem& item : items) total += item.width() + kGap;
  double x = width / 2 - total / 2;
  const double y = top - 46;
  for (const LegendItem& item : items) {
    c.segment(item.id + "/line", x, y, x + 28, y, item.line);
    if (!item.marker.empty()) c.node(item.id + "/marker", x + 14, y, item.marker);
    const double text_width = item.width() - 34;
    c.text(item.id, x + 34 + text_width / 2, y, item.label, text_width, "\\l");
    x += item.width() + kGap;
  }
}

// Whole epochs, every 1, 2, 5, 10, 20, ... so that at most kMaxEpochTicks + 1 are labelled.
std::vector<int64_t> epoch_ticks(int64_t first, int64_t last) {
  int64_t step = 1;
  for (int64_t mag = 1; (last - first) / step > kMaxEpochTicks; mag *= 10)
    for (int64_t f : {1, 2, 5}) {
      step = f * mag;
      if ((last - first) / step <= kMaxEpochTicks) break;
    }
  std::vector<int64_t> ticks;
  for (int64_t e = (first + step - 1) / step * step; e <= last; e += step) ticks.push_back(e);
  return ticks;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / count;
  const int e = static_cast<int>(std::floor(std::log10(raw)));
  const double f = raw / std::pow(10.0, e);
  const double digit = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  // k · digit · 10^e, divided rather than multiplied when e < 0: 7 / 10 is the double nearest
  // 0.7, 7 · 0.1 is not.
  const auto tick = [&](double k) {
    return e < 0 ? k * digit / std::pow(10.0, -e) : k * digit * std::pow(10.0, e);
  };
  const double step = tick(1);
  const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
  std::vector<double> ticks;
  for (double k = first; k <= last; ++k) ticks.push_back(tick(k));
  return ticks;
}

std::vector<std::string> panel_quantities(const std::vector<EpochRecord>& log) {
  std::vector<std::string> out = {"loss"};
  for (const EpochRecord& r : log)
    for (const auto& [name, v] : r.values) {
      if (name == "epoch" || name == "seconds") continue;
      const std::string q = name.starts_with(kValPrefix) ? name.substr(kValPrefix.size()) : name;
      if (std::find(out.begin(), out.end(), q) == out.end()) out.push_back(q);
    }
  return out;
}

KeptEpoch best_epoch(const std::vector<EpochRecord>& log) {
  double best_loss = std::numeric_limits<double>::infinity();
  KeptEpoch best;
  for (const EpochRecord& r : log)
    if (const auto v = value_of(r, best.metric); v && *v < best_loss) {
      best_loss = *v;
      best.epoch = r.epoch;
    }
  return best;
}

std::string curves_dot(std::string_view model_name, const std::vector<EpochRecord>& log,
                       const KeptEpoch& best) {
  const std::vector<std::string> quantities = panel_quantities(log);
  const size_t n = quantities.size();
  const size_t columns = n <= 3 ? n : (n == 4 ? 2 : 3);
  const size_t rows = (n + columns - 1) / columns;
  const double width = static_cast<double>(columns) * kCellW;
  const double height = kHeader + static_cast<double>(rows) * kCellH;
  const int64_t first = log.front().epoch, last = log.back().epoch;
  const double pad = first == last ? 1.0 : 0.04 * static_cast<double>(last - first);
  const std::vector<int64_t> xticks = epoch_ticks(first, last);
  bool has_val = false;
  for (const EpochRecord& r : log)
    for (const auto& [name, v] : r.values) has_val = has_val || name.starts_with(kValPrefix);

  Chart c;
  c.anchor("corner/bottom_left", 0, 0);
  c.anchor("corner/top_right", width, height);
  draw_header(c, model_name, log, width, height, has_val, best);
  for (size_t i = 0; i < n; ++i) {
    const std::string& q = quantities[i];
    const double x0 = static_cast<double>(i % columns) * kCellW + kLeft;
    const double y0 = height - kHeader - static_cast<double>(i / columns + 1) * kCellH + kBottom;
    const std::vector<double> yticks = value_ticks(log, q);
    const Panel p{
        q, x0, y0,
        Scale{static_cast<double>(first) - pad, static_cast<double>(last) + pad, x0, x0 + kPlotW},
        Scale{yticks.front(), yticks.back(), y0, y0 + kPlotH}};
    draw_axes(c, p, yticks, xticks);
    if (best.epoch > 0) draw_best(c, p, log, best);
    draw_curve(c, p, log, false);
    draw_curve(c, p, log, true);
  }
  return fmt::format(
      "graph curves {{\n"
      "  graph [splines=line, outputorder=edgesfirst, bgcolor=white, pad=0.1, "
      "fontname=\"Helvetica\"];\n"
      "  node [fontname=\"Helvetica\", fontsize=10, fontcolor=\"{}\"];\n"
      "  edge [color=\"#525252\"];\n"
      "{}}}\n",
      kText, c.dot());
}

std::string curves_dot(std::string_view model_name, const std::vector<EpochRecord>& log) {
  return curves_dot(model_name, log, best_epoch(log));
}

}  // namespace twinflow::viz

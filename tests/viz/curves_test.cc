// The training-curves chart (tools/viz/curves.h) and `twinflow plot`: points where the values
// put them, a panel per metric, the best epoch where the trainer kept it, the log's errors with
// file:line, and a PNG rendered end to end.
#include "tools/viz/curves.h"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"
#include "tools/viz/graphviz_render.h"

namespace twinflow::testing {
namespace {

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();

viz::EpochRecord epoch(int64_t e, std::vector<std::pair<std::string, double>> values) {
  return viz::EpochRecord{e, std::move(values)};
}

struct Point {
  double x, y;
};

// A node's `pos` as written for nop2: "x,y!".
Point pos_of(const viz::ParsedDot& dot, const std::string& id) {
  const auto n = dot.nodes.find(id);
  REQUIRE_MESSAGE(n != dot.nodes.end(), "no node " << id);
  const std::string pos = n->second.at("pos");
  const size_t comma = pos.find(',');
  return {std::stod(pos.substr(0, comma)), std::stod(pos.substr(comma + 1))};
}

// A tick label's text without its justification ("0.50\r" -> "0.50").
std::string tick_text(const viz::ParsedDot& dot, const std::string& id) {
  std::string label = dot.nodes.at(id).at("label");
  if (label.ends_with("\\r")) label.resize(label.size() - 2);
  return label;
}

// Four epochs of a pair model: the loss falls, the validation loss is lowest at epoch 3.
std::vector<viz::EpochRecord> four_epochs() {
  return {epoch(1, {{"loss", 0.9}, {"accuracy", 0.55}, {"val_loss", 0.8}, {"val_accuracy", 0.6}}),
          epoch(2, {{"loss", 0.7}, {"accuracy", 0.65}, {"val_loss", 0.6}, {"val_accuracy", 0.7}}),
          epoch(3, {{"loss", 0.5}, {"accuracy", 0.75}, {"val_loss", 0.55}, {"val_accuracy", 0.7}}),
          epoch(4, {{"loss", 0.4}, {"accuracy", 0.8}, {"val_loss", 0.65}, {"val_accuracy", 0.68}})};
}

}  // namespace

TEST_SUITE("viz.curves") {
  TEST_CASE("each point sits where its tick labels say its value and epoch are") {
    const viz::ParsedDot dot = viz::parse_dot(viz::curves_dot("m", four_epochs()));
    // The y axis as its first two tick labels state it: value -> y, worked out from them alone.
    const double v0 = std::stod(tick_text(dot, "loss/ytick/0"));
    const double v1 = std::stod(tick_text(dot, "loss/ytick/1"));
    const double y0 = pos_of(dot, "loss/ytick/0").y, y1 = pos_of(dot, "loss/ytick/1").y;
    REQUIRE(v1 > v0);
    CHECK(y1 > y0);  // larger values higher up
    const auto y_of = [&](double v) { return y0 + (v - v0) / (v1 - v0) * (y1 - y0); };
    const std::vector<std::pair<std::string, double>> expected = {
        {"loss/train/1", 0.9}, {"loss/train/3", 0.5}, {"loss/val/2", 0.6},
        {"loss/val/4", 0.65},  {"loss/train/4", 0.4}, {"loss/val/3", 0.55}};
    for (const auto& [id, value] : expected) {
      CAPTURE(id);
      CHECK(std::abs(pos_of(dot, id).y - y_of(value)) < 0.02);
    }
    // Every tick label up the axis is a larger value, higher up.
    for (int k = 1; dot.nodes.count("loss/ytick/" + std::to_string(k)); ++k) {
      const std::string at = "loss/ytick/" + std::to_string(k);
      const std::string below = "loss/ytick/" + std::to_string(k - 1);
      CHECK(std::stod(tick_text(dot, at)) > std::stod(tick_text(dot, below)));
      CHECK(pos_of(dot, at).y > pos_of(dot, below).y);
    }
    // The x axis: each epoch's points stand on its tick label, epochs left to right.
    for (int k = 0; k < 4; ++k) {
      const std::string tick = "loss/xtick/" + std::to_string(k);
      const std::string e = tick_text(dot, tick);
      CHECK(e == std::to_string(k + 1));
      CHECK(std::abs(pos_of(dot, "loss/train/" + e).x - pos_of(dot, tick).x) < 0.02);
      CHECK(std::abs(pos_of(dot, "accuracy/val/" + e).x -
                     pos_of(dot, "accuracy/xtick/" + std::to_string(k)).x) < 0.02);
      if (k > 0) CHECK(pos_of(dot, tick).x > pos_of(dot, "loss/xtick/" + std::to_string(k - 1)).x);
    }
    // The points stay inside their plot's frame.
    const Point frame = pos_of(dot, "loss/frame");
    const double half_w = std::stod(dot.nodes.at("loss/frame").at("width")) * 72 / 2;
    for (int e = 1; e <= 4; ++e) {
      const Point p = pos_of(dot, "loss/train/" + std::to_string(e));
      CHECK(std::abs(p.x - frame.x) < half_w);
    }
  }

  TEST_CASE("consecutive points are joined, and a null value leaves a gap") {
    std::vector<viz::EpochRecord> log = four_epochs();
    log[2].values[2].second = kNull;  // val_loss of epoch 3
    const viz::ParsedDot dot = viz::parse_dot(viz::curves_dot("m", log));
    const auto joined = [&](const std::string& a, const std::string& b) {
      for (const viz::ParsedEdge& e : dot.edges)
        if (e.tail == a && e.head == b) return true;
      return false;
    };
    CHECK(joined("loss/train/1", "loss/train/2"));
    CHECK(joined("loss/train/3", "loss/train/4"));
    CHECK(joined("loss/val/1", "loss/val/2"));
    CHECK(dot.nodes.count("loss/val/3") == 0);
    CHECK_FALSE(joined("loss/val/2", "loss/val/4"));
    CHECK(dot.edges.size() > 0);
  }

  TEST_CASE("every quantity in the log gets a panel, the loss first, in the log's order") {
    const std::vector<viz::EpochRecord> log = {
        epoch(1, {{"loss", 0.3},
                  {"triplet_accuracy", 0.6},
                  {"active_triplets", 0.9},
                  {"val_loss", 0.35},
                  {"val_triplet_accuracy", 0.5},
                  {"val_auc", 0.7},
                  {"seconds", 1.5}}),
        epoch(2, {{"loss", 0.2}, {"accuracy", 0.7}, {"seconds", 1.5}})};
    CHECK(viz::panel_quantities(log) == std::vector<std::string>{"loss", "triplet_accuracy",
                                                                 "active_triplets", "auc",
                                                                 "accuracy"});
    const viz::ParsedDot dot = viz::parse_dot(viz::curves_dot("m", log));
    for (const std::string q : {"loss", "triplet_accuracy", "active_triplets", "auc", "accuracy"})
      CHECK_MESSAGE(dot.nodes.count(q + "/frame") == 1, q);
    CHECK(dot.nodes.count("seconds/frame") == 0);
    CHECK(dot.nodes.count("epoch/frame") == 0);
    CHECK(dot.nodes.count("auc/val/1") == 1);              // a validation curve alone
    CHECK(dot.nodes.count("active_triplets/val/1") == 0);  // a training curve alone
    CHECK(dot.nodes.count("accuracy/train/2") == 1);
    // Five panels in a grid: no two frames overlap.
    std::vector<Point> frames;
    for (const std::string q : {"loss", "triplet_accuracy", "active_triplets", "auc", "accuracy"})
      frames.push_back(pos_of(dot, q + "/frame"));
    const double w = std::stod(dot.nodes.at("loss/frame").at("width")) * 72;
    const double h = std::stod(dot.nodes.at("loss/frame").at("height")) * 72;
    for (size_t i = 0; i < frames.size(); ++i)
      for (size_t j = i + 1; j < frames.size(); ++j)
        CHECK((std::abs(frames[i].x - frames[j].x) > w + 40 ||
               std::abs(frames[i].y - frames[j].y) > h + 40));
  }

  TEST_CASE("the best epoch is the first with the lowest val_loss, as the trainer keeps it") {
    CHECK(viz::best_epoch(four_epochs()).epoch == 3);
    // A later tie does not replace the best (the trainer needs a strictly lower loss); a null
    // (NaN) never is the best.
    const std::vector<viz::EpochRecord> tie = {
        epoch(1, {{"loss", 1}, {"val_loss", kNull}}), epoch(2, {{"loss", 1}, {"val_loss", 0.6}}),
        epoch(3, {{"loss", 1}, {"val_loss", 0.7}}), epoch(4, {{"loss", 1}, {"val_loss", 0.6}})};
    CHECK(viz::best_epoch(tie).epoch == 2);
    CHECK(viz::best_epoch({epoch(1, {{"loss", 1}}), epoch(2, {{"loss", 0.5}})}).epoch == 0);

    const viz::ParsedDot dot = viz::parse_dot(viz::curves_dot("m", four_epochs()));
    for (const std::string q : {"loss", "accuracy"}) {
      CAPTURE(q);
      CHECK(std::abs(pos_of(dot, q + "/best").x - pos_of(dot, q + "/val/3").x) < 0.02);
      CHECK(std::abs(pos_of(dot, q + "/best").x - pos_of(dot, q + "/val/2").x) > 10);
    }
    const Point ring = pos_of(dot, "loss/best/ring"), best = pos_of(dot, "loss/val/3");
    CHECK(std::abs(ring.x - best.x) < 0.02);
    CHECK(std::abs(ring.y - best.y) < 0.02);
    CHECK(dot.nodes.at("legend/best").at("label").find("best epoch 3 by val_loss (0.5500)") !=
          std::string::npos);

    const viz::ParsedDot no_val =
        viz::parse_dot(viz::curves_dot("m", {epoch(1, {{"loss", 1}}), epoch(2, {{"loss", 0.5}})}));
    CHECK(no_val.nodes.count("loss/best") == 0);
    CHECK(no_val.nodes.count("legend/val") == 0);
  }

  TEST_CASE("the best epoch of another monitor is marked on its metric's panel") {
    // What state.json says of a run with monitor val_accuracy and keep: last.
    const viz::KeptEpoch kept{.epoch = 2, .metric = "val_accuracy", .weights_kept = false};
    const viz::ParsedDot dot = viz::parse_dot(viz::curves_dot("m", four_epochs(), kept));
    CHECK(std::abs(pos_of(dot, "accuracy/best").x - pos_of(dot, "accuracy/val/2").x) < 0.02);
    const Point ring = pos_of(dot, "accuracy/best/ring"), best = pos_of(dot, "accuracy/val/2");
    CHECK(std::abs(ring.y - best.y) < 0.02);
    CHECK(dot.nodes.count("loss/best/ring") == 0);
    const std::string legend = dot.nodes.at("legend/best").at("label");
    CHECK_MESSAGE(legend.find("best epoch 2 by val_accuracy") != std::string::npos, legend);
    CHECK(legend.find("the last epoch's weights are kept (keep: last)") != std::string::npos);
  }

  TEST_CASE("tick values step by 1, 2 or 5 times a power of ten and cover the range") {
    // (0.93 - 0.42) / 5 = 0.102: just over 0.1, so the step is 0.2.
    CHECK(viz::nice_ticks(0.42, 0.93, 5) == std::vector<double>{0.4, 0.6, 0.8, 1.0});
    CHECK(viz::nice_ticks(0.42, 0.9, 5) == std::vector<double>{0.4, 0.5, 0.6, 0.7, 0.8, 0.9});
    const std::vector<double> t = viz::nice_ticks(0.512, 0.698, 5);
    REQUIRE(t.size() >= 2);
    CHECK(t.front() <= 0.512);
    CHECK(t.back() >= 0.698);
    CHECK(t[1] - t[0] == doctest::Approx(0.05));
    CHECK(viz::nice_ticks(3, 140, 5).front() == 0);
    CHECK(viz::nice_ticks(3, 140, 5).back() == 150);
  }

  TEST_CASE("a long run labels every 1, 2, 5, 10, ... epochs, at most 13 of them") {
    std::vector<viz::EpochRecord> log;
    for (int64_t e = 1; e <= 30; ++e)
      log.push_back(epoch(e, {{"loss", 1.0 / static_cast<double>(e)}}));
    const viz::ParsedDot dot = viz::parse_dot(viz::curves_dot("m", log));
    std::vector<std::string> labels;
    for (int k = 0; dot.nodes.count("loss/xtick/" + std::to_string(k)); ++k)
      labels.push_back(tick_text(dot, "loss/xtick/" + std::to_string(k)));
    CHECK(labels == std::vector<std::string>{"5", "10", "15", "20", "25", "30"});
    CHECK(std::abs(pos_of(dot, "loss/xtick/1").x - pos_of(dot, "loss/train/10").x) < 0.02);
  }

  TEST_CASE("plot: a malformed, missing or empty log is an error naming the file and line") {
    TempDir tmp;
    const std::string log = tmp.path("log.jsonl");
    tmp.write("log.jsonl",
              "{\"epoch\": 1, \"loss\": 0.7, \"val_loss\": 0.6, \"seconds\": 1.0}\n"
              "\n"
              "{\"epoch\": 2, \"loss\": 0.6, \"val_loss\": \n");
    CliRun r = run_twinflow({"plot", tmp.path(""), "-o", tmp.path("c.png")});
    CHECK(r.status == 1);
    CHECK_MESSAGE(r.err.find("log.jsonl:3: not a JSON object") != std::string::npos, r.err);
    CHECK_FALSE(std::filesystem::exists(tmp.path("c.png")));

    tmp.write("log.jsonl", "{\"epoch\": 1, \"loss\": \"low\"}\n");
    r = run_twinflow({"plot", tmp.path(""), "-o", tmp.path("c.png")});
    CHECK(r.status == 1);
    CHECK_MESSAGE(r.err.find("log.jsonl:1: \"loss\" is \"low\", not a number") != std::string::npos,
                  r.err);

    tmp.write("log.jsonl", "{\"loss\": 0.5}\n");
    r = run_twinflow({"plot", tmp.path(""), "-o", tmp.path("c.png")});
    CHECK_MESSAGE(r.err.find("log.jsonl:1: no \"epoch\"") != std::string::npos, r.err);

    tmp.write("log.jsonl", "\n");
    r = run_twinflow({"plot", tmp.path(""), "-o", tmp.path("c.png")});
    CHECK(r.status == 1);
    CHECK_MESSAGE(r.err.find(log + ": no epochs") != std::string::npos, r.err);

    r = run_twinflow({"plot", tmp.path("missing"), "-o", tmp.path("c.png")});
    CHECK(r.status == 1);
    CHECK_MESSAGE(r.err.find("missing/log.jsonl: cannot be read") != std::string::npos, r.err);

    r = run_twinflow({"plot", tmp.path(""), "-o", tmp.path("c.jpg")});
    CHECK(r.status == 2);
    CHECK(r.err.find(".png, .svg, .dot") != std::string::npos);
  }

  TEST_CASE("plot: a tiny model trained here, drawn as PNG, SVG and DOT") {
    TempDir tmp;
    tmp.write("train.tsv", head_of("data/pairs_train.tsv", 64));
    const std::string val = tmp.write("val.tsv", head_of("data/pairs_val.tsv", 32));
    const std::string spec = tmp.write("tiny.yaml", R"yaml(model: tiny_pairs
inputs:
  left:  {shape: [12], dtype: int32}
  right: {shape: [12], dtype: int32}
  label: {shape: [1], dtype: float32}
layers:
  emb: {op: Embedding, vocab: 3000, dim: 8, mask_zero: true}
  pool: {op: GlobalAveragePooling1D}
  similarity: {op: Lambda, args: [a, b], expr: "exp(-(1 - cosine(a, b)))"}
  head: {op: Dense, units: 1, activation: sigmoid}
graph:
  x1: pool(emb(left))
  x2: pool(emb(right))
  pred: head(similarity(x1, x2))
outputs: [pred]
loss: {op: binary_crossentropy, pred: pred, target: label}
train: {optimizer: {name: adam, lr: 0.05}, batch_size: 16, epochs: 4, seed: 3, data: train.tsv,
        metrics: [accuracy, auc]}
)yaml");
    const std::string dir = tmp.path("run");
    const CliRun train =
        run_twinflow({"train", spec, "--val", val, "--out", dir, "--quiet", "--dtype", "float64"});
    REQUIRE_MESSAGE(train.status == 0, train.err);

    CliRun r = run_twinflow({"plot", dir});  // the default: DIR/curves.png
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const std::string png = read_all(dir + "/curves.png");
    REQUIRE(png.size() > 8);
    CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    CHECK(r.out.find("4 epochs, panels loss, accuracy, auc") != std::string::npos);

    // The marked epoch is the one the trainer kept, as its state file and its output say.
    const double kept = value_after(read_all(dir + "/state.json"), "\"best_epoch\":");
    CHECK_MESSAGE(
        r.out.find("best epoch " + std::to_string(static_cast<int>(kept))) != std::string::npos,
        r.out);

    r = run_twinflow({"plot", dir, "-o", tmp.path("curves.svg")});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const std::string svg = read_all(tmp.path("curves.svg"));
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(svg.find("tiny_pairs") != std::string::npos);
    CHECK(svg.find("<title>auc/val/4</title>") != std::string::npos);

    r = run_twinflow({"plot", dir, "-o", tmp.path("curves.dot")});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(viz::parse_dot(read_all(tmp.path("curves.dot"))).nodes.count("accuracy/val/4") == 1);
  }
}

}  // namespace twinflow::testing

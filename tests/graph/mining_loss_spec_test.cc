// The in-batch mining losses in a spec: each parses into its attrs and builds one loss node
// over `pred`; bad values are reported at their place with what was expected.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "graph/model/model.h"
#include "graph/spec/spec.h"
#include "tests/graph/spec_checks.h"

namespace twinflow::graph {
namespace {

using namespace testing;

// A small triplet model whose `loss:` (line 14) is given.
std::string triplet_spec(std::string_view loss) {
  return fmt::format(
      "model: t\n"
      "inputs:\n"
      "  anchor: {{shape: [5], dtype: int32}}\n"
      "  positive: {{shape: [5], dtype: int32}}\n"
      "  negative: {{shape: [5], dtype: int32}}\n"
      "layers:\n"
      "  emb: {{op: Embedding, vocab: 20, dim: 4, mask_zero: true}}\n"
      "  lstm: {{op: LSTM, units: 4}}\n"
      "  tower: {{op: Sequential, layers: [emb, lstm]}}\n"
      "  merge: {{op: Concatenate, axis: -1}}\n"
      "graph:\n"
      "  embeddings: merge(tower(anchor), tower(positive), tower(negative))\n"
      "outputs: [embeddings]\n"
      "loss: {}\n",
      loss);
}

// The loss node of a spec that must build.
const Node& loss_node(const Model& model) {
  REQUIRE(model.loss.has_value());
  return model.graph->node(model.graph->value(*model.loss).producer);
}

Model built(std::string_view loss) {
  const ModelSpec spec = parse_ok(triplet_spec(loss));
  Diagnostics diags;
  std::optional<Model> model = build_model(spec, diags);
  INFO(diags.to_string());
  REQUIRE(model.has_value());
  return std::move(*model);
}

TEST_SUITE("graph.spec.mining_losses") {
  TEST_CASE("each mining loss parses into its attrs and builds its op") {
    {
      const Model m = built(
          "{op: batch_hard_triplet, pred: embeddings, margin: 0.3, "
          "distance: squared_euclidean, soft: true}");
      CHECK(loss_node(m).op->name == "BatchHardTriplet");
      const auto& a = std::any_cast<const BatchHardTripletAttrs&>(loss_node(m).attrs);
      CHECK(a.margin == 0.3);
      CHECK(a.distance == TripletDistance::kSquaredEuclidean);
      CHECK(a.soft);
    }
    {
      const Model m = built("{op: batch_all_triplet, pred: embeddings, distance: cosine}");
      CHECK(loss_node(m).op->name == "BatchAllTriplet");
      const auto& a = std::any_cast<const BatchTripletAttrs&>(loss_node(m).attrs);
      CHECK(a.margin == 1.0);  // the default
      CHECK(a.distance == TripletDistance::kCosine);
    }
    {
      const Model m = built("{op: semi_hard_triplet, pred: embeddings, margin: 0}");
      CHECK(loss_node(m).op->name == "SemiHardTriplet");
      const auto& a = std::any_cast<const BatchTripletAttrs&>(loss_node(m).attrs);
      CHECK(a.margin == 0.0);
      CHECK(a.distance == TripletDistance::kEuclidean);  // the default
    }
    {
      const Model m = built("{op: multiple_negatives_ranking, pred: embeddings, scale: 10}");
      CHECK(loss_node(m).op->name == "MultipleNegativesRanking");
      CHECK(std::any_cast<const MultipleNegativesRankingAttrs&>(loss_node(m).attrs).scale == 10);
    }
    {
      const Model m = built("{op: multiple_negatives_ranking, pred: embeddings}");
      CHECK(std::any_cast<const MultipleNegativesRankingAttrs&>(loss_node(m).attrs).scale == 20);
    }
  }

  TEST_CASE("bad values name the key, the range and what was found") {
    const std::string margin =
        triplet_spec("{op: batch_hard_triplet, pred: embeddings, margin: -0.5}");
    const Parsed p = parse(margin);
    CHECK(only_error(p) == "loss.margin must be a number >= 0, found -0.5");
    CHECK(has_error(p, 14, column_of(margin, 14, "-0.5"), {"margin"}));
    CHECK(only_error(parse(triplet_spec("{op: semi_hard_triplet, pred: embeddings, "
                                        "distance: euclidian}"))) ==
          "loss.distance must be one of squared_euclidean, euclidean, cosine, found 'euclidian' "
          "(did you mean 'euclidean'?)");
    CHECK(only_error(parse(triplet_spec("{op: multiple_negatives_ranking, pred: embeddings, "
                                        "scale: 0}"))) ==
          "loss.scale must be a number > 0, found 0");
    CHECK(only_error(parse(triplet_spec("{op: batch_all_triplet, pred: embeddings, soft: "
                                        "true}"))) ==
          "unknown key 'soft' in loss (batch_all_triplet)");
    CHECK(only_error(parse(triplet_spec("{op: multiple_negatives_ranking, pred: embeddings, "
                                        "margin: 1}"))) ==
          "unknown key 'margin' in loss (multiple_negatives_ranking)");
    CHECK(only_error(parse(triplet_spec("{op: batch_hard_triplets, pred: embeddings}")))
              .find("did you mean 'batch_hard_triplet'") != std::string::npos);
  }

  TEST_CASE("a pred that is not [B, 3D] is a build error at the loss") {
    std::string text = triplet_spec("{op: batch_hard_triplet, pred: embeddings}");
    const std::string three = "tower(negative))";
    text.replace(text.find(three), three.size(), "tower(negative), tower(anchor))");
    const ModelSpec spec = parse_ok(text);
    Diagnostics diags;
    CHECK_FALSE(build_model(spec, diags).has_value());
    INFO(diags.to_string());
    CHECK(diags.to_string().find("t.yaml:14:") != std::string::npos);
    CHECK(diags.to_string().find("must be a positive multiple of 3, got 16") != std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::graph

// The metrics an epoch line shows: those a spec's `train: metrics:` asks for, in its order,
// less those that do not apply.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/train/evaluation.h"

namespace twinflow::runtime {
namespace {

std::vector<std::string> names(const std::vector<std::pair<std::string, double>>& metrics) {
  std::vector<std::string> out;
  for (const auto& m : metrics) out.push_back(m.first);
  return out;
}

TEST_SUITE("runtime.summary_metrics") {
  TEST_CASE("pair models: the asked-for metrics at 0.5, in the order asked") {
    ModelRoles roles;
    roles.has_threshold = true;
    EvalResult r;
    // Scores 0.9 (1), 0.6 (0), 0.4 (1), 0.2 (0): at 0.5 one true and one false positive, one
    // false and one true negative.
    r.scores = {0.9, 0.6, 0.4, 0.2};
    r.labels = {1, 0, 1, 0};
    r.rows = 4;
    r.hits = 2;
    const std::vector<std::string> wanted = {"f1",     "auc",      "precision",
                                             "recall", "accuracy", "triplet_accuracy"};
    const auto m = summary_metrics(roles, r, wanted);
    CHECK(names(m) == std::vector<std::string>{"f1", "auc", "precision", "recall", "accuracy"});
    CHECK(m[0].second == doctest::Approx(0.5));   // precision 1/2, recall 1/2
    CHECK(m[1].second == doctest::Approx(0.75));  // 3 of the 4 positive–negative pairs ordered
    CHECK(m[2].second == doctest::Approx(0.5));
    CHECK(m[3].second == doctest::Approx(0.5));
    CHECK(m[4].second == doctest::Approx(0.5));

    CHECK(names(summary_metrics(roles, r)) == std::vector<std::string>{"accuracy", "auc"});
    roles.has_threshold = false;  // a contrastive model: a distance, no 0.5
    CHECK(names(summary_metrics(roles, r, wanted)) == std::vector<std::string>{"auc"});
  }

  TEST_CASE("triplet models: recall only where the tower outputs were kept") {
    ModelRoles roles;
    roles.family = ModelFamily::kTriplet;
    EvalResult r;
    r.rows = 2;
    r.hits = 1;
    const std::vector<std::string> wanted = {"recall_at_1", "triplet_accuracy", "auc"};
    CHECK(names(summary_metrics(roles, r, wanted)) == std::vector<std::string>{"triplet_accuracy"});
    // Two anchors at 0 and 10, their positives at 1 and 9: each is nearest its own.
    r.dim = 1;
    r.first = {0.0, 10.0};
    r.second = {1.0, 9.0};
    const auto m = summary_metrics(roles, r, wanted);
    REQUIRE(names(m) == std::vector<std::string>{"recall_at_1", "triplet_accuracy"});
    CHECK(m[0].second == 1.0);
    CHECK(m[1].second == 0.5);
    CHECK(names(summary_metrics(roles, r)) == std::vector<std::string>{"triplet_accuracy"});
  }
}

}  // namespace
}  // namespace twinflow::runtime

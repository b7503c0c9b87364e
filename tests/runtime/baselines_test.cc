// Word-counting baselines: hand-worked scores on three rows, and the demo data's numbers
// against data/baselines.py (the reference definitions).
#include "runtime/train/baselines.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "runtime/data/tsv_reader.h"

namespace twinflow::runtime {
namespace {

const std::vector<ColumnSpec> kPairColumns{
    ColumnSpec::text("left", 4), ColumnSpec::text("right", 4), ColumnSpec::label01("label")};
const std::vector<ColumnSpec> kTripletColumns{ColumnSpec::text("anchor", 4),
                                              ColumnSpec::text("positive", 4),
                                              ColumnSpec::text("negative", 4)};

ModelRoles pair_roles() {
  ModelRoles roles;
  roles.family = ModelFamily::kPair;
  roles.text_inputs = {"left", "right"};
  roles.target = "label";
  return roles;
}

ModelRoles triplet_roles() {
  ModelRoles roles;
  roles.family = ModelFamily::kTriplet;
  roles.text_inputs = {"anchor", "positive", "negative"};
  return roles;
}

double metric(const BaselineResult& r, const std::string& name) {
  for (const auto& [m, value] : r.metrics)
    if (m == name) return value;
  FAIL("no metric " << name);
  return NAN;
}

// Row 3's right side tokenizes as row 1's left ("the cat sat"), so the five distinct texts
// are: the cat sat | the cat ran | a dog | the dog barked | cat cat. N = 5; df: the 3, cat 3,
// dog 2, every other token 1. idf: w = ln(6/4) + 1 for "the" and "cat", g = ln(6/3) + 1 for
// "dog", s = ln(6/2) + 1 otherwise.
constexpr std::string_view kTrain =
    "left\tright\tlabel\n"
    "the cat sat\tthe cat ran\t1\n"
    "a dog\tthe dog barked\t0\n"
    "Cat, cat!\tThe cat sat.\t1\n";

struct HandIdf {
  double w = std::log(1.5) + 1.0;
  double g = std::log(2.0) + 1.0;
  double s = std::log(3.0) + 1.0;
};

TEST_SUITE("runtime.baselines") {
  TEST_CASE("Jaccard of three rows worked by hand, on token sets") {
    TokenIds ids;
    const Dataset d = parse_tsv(kTrain, "train.tsv", kPairColumns);
    const DataColumn &left = d.column("left"), &right = d.column("right");
    std::vector<double> got;
    for (int64_t r = 0; r < 3; ++r)
      got.push_back(
          jaccard(bag_of(ids.sequence(left.text_of(r))), bag_of(ids.sequence(right.text_of(r)))));
    CHECK(got[0] == 2.0 / 4.0);  // {the, cat} of {the, cat, sat, ran}
    CHECK(got[1] == 1.0 / 4.0);  // {dog} of {a, dog, the, barked}
    CHECK(got[2] == 1.0 / 3.0);  // "cat cat" is the set {cat}
    CHECK(ids.size() == 7);
    const TokenBag cats = bag_of(ids.sequence("cat CAT the"));
    CHECK(cats.ids.size() == 2);
    CHECK(cats.counts == std::vector<int32_t>{1, 2});  // "the" was numbered before "cat"
    CHECK(jaccard(TokenBag{}, TokenBag{}) == 0.0);
  }

  TEST_CASE("TF-IDF cosine of three rows worked by hand; equal texts count once in N") {
    TokenIds ids;
    const Dataset d = parse_tsv(kTrain, "train.tsv", kPairColumns);
    std::vector<std::vector<int32_t>> docs;
    for (const char* column : {"left", "right"})
      for (int64_t r = 0; r < 3; ++r) docs.push_back(ids.sequence(d.column(column).text_of(r)));
    const TfIdf tfidf(docs);
    const auto [w, g, s] = HandIdf{};
    const auto id = [&ids](const char* token) { return ids.sequence(token).at(0); };
    CHECK(tfidf.idf(id("the")) == doctest::Approx(w).epsilon(1e-15));
    CHECK(tfidf.idf(id("sat")) == doctest::Approx(s).epsilon(1e-15));
    CHECK(tfidf.idf(id("zebra")) == doctest::Approx(std::log(6.0) + 1.0).epsilon(1e-15));
    const auto cosine = [&](size_t a, size_t b) {
      return TfIdf::cosine(tfidf.weigh(bag_of(docs[a])), tfidf.weigh(bag_of(docs[b])));
    };
    // the cat sat · the cat ran = 2w² over (2w² + s²) for each norm.
    CHECK(cosine(0, 3) == doctest::Approx(2 * w * w / (2 * w * w + s * s)).epsilon(1e-14));
    // a dog · the dog barked = g² over √(s² + g²) √(w² + g² + s²).
    CHECK(cosine(1, 4) ==
          doctest::Approx(g * g / (std::sqrt(s * s + g * g) * std::sqrt(w * w + g * g + s * s)))
              .epsilon(1e-14));
    CHECK(tfidf.idf(id("dog")) == doctest::Approx(g).epsilon(1e-15));
    // cat cat (weight 2w) · the cat sat = 2w² over 2w √(2w² + s²).
    CHECK(cosine(2, 5) == doctest::Approx(w / std::sqrt(2 * w * w + s * s)).epsilon(1e-14));
    CHECK(TfIdf::cosine(tfidf.weigh(TokenBag{}), tfidf.weigh(bag_of(docs[0]))) == 0.0);
  }

  TEST_CASE("pair scores: ROC-AUC, and accuracy at the training data's best threshold") {
    const Dataset train = parse_tsv(kTrain, "train.tsv", kPairColumns);
    const auto [w, g, s] = HandIdf{};
    // Train Jaccard 1/2, 1/4, 1/3 (labels 1, 0, 1): the threshold is (1/4 + 1/3) / 2. Test
    // Jaccard 1/4, 0, 2/3 (labels 1, 0, 0): only row 2 is right at it.
    const Dataset test = parse_tsv(
        "left\tright\tlabel\nthe dog zebra\ta dog\t1\ncat sat\tdog ran\t0\nthe cat\tthe cat "
        "ran\t0\n",
        "test.tsv", kPairColumns);
    const BaselineReport report = word_counting_baselines(pair_roles(), test, &train);
    REQUIRE(report.results.size() == 2);
    const BaselineResult& jaccard = report.results[0];
    CHECK(jaccard.similarity == Similarity::kJaccard);
    CHECK(metric(jaccard, "ROC-AUC") == 0.5);  // the positive (1/4) beats one negative of two
    REQUIRE(jaccard.threshold.has_value());
    CHECK(*jaccard.threshold == doctest::Approx((0.25 + 1.0 / 3.0) / 2).epsilon(1e-15));
    CHECK(metric(jaccard, "accuracy") == doctest::Approx(1.0 / 3.0));
    // TF-IDF, train: 0.473 (1), 0.350 (0), 0.486 (1) (the test above), so the threshold is
    // the midpoint of the first two. Test, with "zebra" unseen (z = ln 6 + 1):
    // g²/(√(w² + g² + z²) √(s² + g²)) = 0.299 (1), 0 (0), √2 w/√(2w² + s²) = 0.688 (0): the
    // AUC is 1/2 and only row 2 is right.
    const BaselineResult& tfidf = report.results[1];
    CHECK(metric(tfidf, "ROC-AUC") == 0.5);
    const double row1 = 2 * w * w / (2 * w * w + s * s);
    const double row2 = g * g / (std::sqrt(s * s + g * g) * std::sqrt(w * w + g * g + s * s));
    REQUIRE(tfidf.threshold.has_value());
    CHECK(*tfidf.threshold == doctest::Approx((row1 + row2) / 2).epsilon(1e-14));
    CHECK(metric(tfidf, "accuracy") == doctest::Approx(1.0 / 3.0));

    const BaselineReport alone = word_counting_baselines(pair_roles(), test, nullptr);
    CHECK_FALSE(alone.has_training_data);
    CHECK(alone.results[0].metrics.size() == 1);
    CHECK_FALSE(alone.results[0].threshold.has_value());
  }

  TEST_CASE("triplet scores: ordered fraction and recall among all positives, ties against") {
    const Dataset data = parse_tsv(
        "anchor\tpositive\tnegative\n"
        "the cat sat\tthe cat ran\ta dog\n"      // 1/2 > 0: ordered
        "a dog barked\tthe dog barked\ta dog\n"  // 1/2 < 2/3
        "cat\tthe cat\tthe cat\n",               // 1/2 = 1/2: a tie is not ordered
        "triplets.tsv", kTripletColumns);
    const BaselineReport report = word_counting_baselines(triplet_roles(), data, nullptr);
    const BaselineResult& jaccard = report.results[0];
    CHECK(metric(jaccard, "ordered") == doctest::Approx(1.0 / 3.0));
    // Anchor 1 scores positive 3 ("the cat", 2/3) above its own (1/2); anchors 2 and 3 rank
    // their own first. Three candidates: recall@5 is 1.
    CHECK(metric(jaccard, "recall@1") == doctest::Approx(2.0 / 3.0));
    CHECK(metric(jaccard, "recall@5") == 1.0);
  }

  // The numbers data/baselines.py computes on the shipped demo data (README's tables to three
  // places), printed to 17 digits; the same counts of pairs give them to the last bit.
  TEST_CASE("the demo data's baselines equal data/baselines.py's") {
    const auto data = [](const char* file, const std::vector<ColumnSpec>& columns) {
      return read_tsv(std::string(TWINFLOW_SOURCE_DIR) + "/data/" + file, columns);
    };
    const Dataset train = data("pairs_train.tsv", kPairColumns);
    const Dataset test = data("pairs_test.tsv", kPairColumns);
    const BaselineReport pairs = word_counting_baselines(pair_roles(), test, &train);
    const BaselineResult &jaccard = pairs.results[0], &tfidf = pairs.results[1];
    CHECK(metric(jaccard, "ROC-AUC") == doctest::Approx(0.81261475178306619).epsilon(1e-9));
    CHECK(metric(jaccard, "accuracy") == doctest::Approx(0.73371848739495793).epsilon(1e-9));
    CHECK(*jaccard.threshold == doctest::Approx(0.48683298683298681).epsilon(1e-9));
    CHECK(metric(tfidf, "ROC-AUC") == doctest::Approx(0.780872643174917).epsilon(1e-9));
    CHECK(metric(tfidf, "accuracy") == doctest::Approx(0.7011554621848739).epsilon(1e-9));
    CHECK(*tfidf.threshold == doctest::Approx(0.56760490912120876).epsilon(1e-9));

    // The README takes the triplets' IDF from pairs_train.tsv too.
    const Dataset triplets = data("triplets_test.tsv", kTripletColumns);
    const BaselineReport ranked = word_counting_baselines(triplet_roles(), triplets, &train);
    CHECK(metric(ranked.results[0], "ordered") ==
          doctest::Approx(0.91386554621848737).epsilon(1e-9));
    CHECK(metric(ranked.results[1], "ordered") ==
          doctest::Approx(0.92647058823529416).epsilon(1e-9));
    // Each anchor's positive among the file's 952 positives (not README's retrieval file).
    CHECK(metric(ranked.results[0], "recall@1") ==
          doctest::Approx(0.96533613445378152).epsilon(1e-9));
    CHECK(metric(ranked.results[0], "recall@5") ==
          doctest::Approx(0.99579831932773111).epsilon(1e-9));
    CHECK(metric(ranked.results[1], "recall@1") ==
          doctest::Approx(0.94012605042016806).epsilon(1e-9));
    CHECK(metric(ranked.results[1], "recall@5") ==
          doctest::Approx(0.99474789915966388).epsilon(1e-9));
  }

  TEST_CASE("the lines and the verdict") {
    BaselineReport report;
    report.results = {{Similarity::kJaccard, {{"ROC-AUC", 0.8126}, {"accuracy", 0.7337}}, 0.4868},
                      {Similarity::kTfIdf, {{"ROC-AUC", 0.7809}, {"accuracy", 0.7412}}, 0.5676}};
    const std::vector<std::string> lines = baseline_lines(report);
    CHECK(lines[0] ==
          "word overlap (Jaccard): ROC-AUC 0.8126  accuracy 0.7337 (threshold 0.487 from the "
          "training data)");
    CHECK(lines[1].substr(0, 30) == "TF-IDF cosine: ROC-AUC 0.7809 ");
    const std::vector<std::pair<std::string, double>> better{{"ROC-AUC", 0.85}, {"accuracy", 0.75}};
    CHECK(verdict_line(better, report) ==
          "the model beats word counting on ROC-AUC (+0.0374 vs Jaccard) and accuracy (+0.0088 "
          "vs TF-IDF)");
    const std::vector<std::pair<std::string, double>> mixed{{"ROC-AUC", 0.85}, {"accuracy", 0.7}};
    CHECK(verdict_line(mixed, report) ==
          "the model beats word counting on ROC-AUC (+0.0374 vs Jaccard) but not on accuracy "
          "(-0.0412 vs TF-IDF)");
    const std::vector<std::pair<std::string, double>> worse{{"ROC-AUC", 0.5}, {"F1", 0.9}};
    CHECK(verdict_line(worse, report) ==
          "the model does not beat word counting on ROC-AUC (-0.3126 vs Jaccard)");
    const std::vector<std::pair<std::string, double>> unrelated{{"F1", 0.9}};
    CHECK(verdict_line(unrelated, report).empty());
  }
}

}  // namespace
}  // namespace twinflow::runtime

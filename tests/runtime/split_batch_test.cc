// A batch's dropout masks follow its rows (ops/row_random.h): split into micro-batches, the
// same step draws the same masks, so the weights after training with --accumulate 4 equal those
// with 1 up to the order in which the micro-batches' gradients are added.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "runtime/train/trainer.h"
#include "tests/runtime/overfit_run.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::runtime {
namespace {

// The largest |a − b| / max(|a|, 1e-3) over every parameter element.
double largest_relative_difference(ParameterStore<double>& a, ParameterStore<double>& b) {
  double largest = 0.0;
  for (size_t p = 0; p < a.all().size(); ++p) {
    const auto& x = a.all()[p].data.data;
    const auto& y = b.all()[p].data.data;
    for (size_t i = 0; i < x.size(); ++i)
      largest = std::max(largest, std::abs(x[i] - y[i]) / std::max(std::abs(x[i]), 1e-3));
  }
  return largest;
}

TEST_SUITE("runtime.train") {
  TEST_CASE("dropout masks follow the rows: micro-batches train as the whole batch") {
    testing::TempDir tmp;
    tmp.write("train.tsv", testing::head_of("data/pairs_train.tsv", 128));
    tmp.write("val.tsv", testing::head_of("data/pairs_val.tsv", 32));
    std::string spec(testing::kOverfitSpec);
    spec.replace(spec.find("{op: LSTM, units: 8}"), 20,
                 "{op: LSTM, units: 8, dropout: 0.3, recurrent_dropout: 0.2}");
    const graph::Model model = testing::build_spec_file(tmp.write("dropout.yaml", spec));
    TrainOptions whole, split;
    split.accumulate = 4;
    Trainer<double> a(model, whole), b(model, split);
    a.fit();
    b.fit();
    const double difference = largest_relative_difference(a.params(), b.params());
    MESSAGE("largest relative difference after 6 epochs: " << difference);
    CHECK(difference < 1e-10);
    CHECK(difference > 0.0);  // the sums are added in another order: not the same computation
  }
}

}  // namespace
}  // namespace twinflow::runtime

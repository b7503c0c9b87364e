// A trainer given its data in memory (runtime::TrainData, what the Python package's fit passes)
// trains exactly as one that reads the spec's files: as texts, with a vocabulary given, or as
// the token ids that vocabulary makes.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/data/array_dataset.h"
#include "runtime/data/input_columns.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/train/trainer.h"
#include "tests/runtime/data_checks.h"
#include "tests/runtime/overfit_run.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::runtime {
namespace {

struct OverfitFiles {
  testing::TempDir tmp;
  graph::Model model;
  std::vector<ColumnSpec> columns;
  OverfitFiles() : model(setup(tmp)), columns(input_columns(model.spec)) {}
  static graph::Model setup(testing::TempDir& tmp) {
    tmp.write("train.tsv", testing::head_of("data/pairs_train.tsv", 64));
    tmp.write("val.tsv", testing::head_of("data/pairs_val.tsv", 32));
    graph::Model m = testing::build_spec_file(tmp.write("overfit.yaml", testing::kOverfitSpec));
    m.spec.train.epochs = 2;
    return m;
  }
  Dataset read(const char* file) const { return read_tsv(tmp.path(file), columns); }
};

// The file's rows as token ids through `vocab`, given as arrays.
Dataset as_ids(const Dataset& file, const Vocabulary& vocab,
               const std::vector<ColumnSpec>& columns) {
  Dataset encoded = file;
  encoded.encode(vocab);
  std::vector<ArrayColumn> given;
  for (const DataColumn& c : encoded.columns) {
    if (c.is_text()) {
      given.push_back({c.spec.name, c.ids});
    } else {
      given.push_back(
          {c.spec.name, std::vector<double>(c.values.data.begin(), c.values.data.end())});
    }
  }
  return dataset_from_arrays(columns, given, "arrays");
}

void check_same_weights(ParameterStore<double>& a, ParameterStore<double>& b) {
  for (size_t i = 0; i < a.all().size(); ++i)
    CHECK_MESSAGE(a.all()[i].data.data == std::vector<double>(b.all()[i].data.data),
                  a.all()[i].name);
}

TEST_SUITE("runtime.train") {
  TEST_CASE("a trainer given its data trains as one that reads the spec's files") {
    const OverfitFiles f;
    Trainer<double> from_files(f.model, TrainOptions{});
    from_files.fit();

    Trainer<double> given(f.model, TrainData{f.read("train.tsv"), f.read("val.tsv"), {}},
                          TrainOptions{});
    given.fit();
    CHECK(given.vocab().tokens() == from_files.vocab().tokens());
    check_same_weights(given.params(), from_files.params());

    std::vector<std::string> notes;
    TrainObserver observer;
    observer.info = [&notes](const std::string& s) { notes.push_back(s); };
    const Vocabulary& vocab = from_files.vocab();
    Trainer<double> ids(f.model,
                        TrainData{as_ids(f.read("train.tsv"), vocab, f.columns),
                                  as_ids(f.read("val.tsv"), vocab, f.columns),
                                  {}},
                        TrainOptions{}, observer);
    ids.fit();
    CHECK(notes.at(0) == "vocabulary: none, the data are token ids");
    CHECK(testing::contains(notes.at(1), "64 training rows (token ids), 32 validation rows"));
    CHECK(ids.vocab().tokens().empty());
    check_same_weights(ids.params(), from_files.params());
  }

  TEST_CASE("a vocabulary given is the one used; ids need one to be validated on texts") {
    const OverfitFiles f;
    const Vocabulary vocab(std::vector<std::string>{"the", "and", "of"});
    Trainer<float> trainer(f.model, TrainData{f.read("train.tsv"), std::nullopt, vocab},
                           TrainOptions{});
    CHECK(trainer.vocab().tokens() == vocab.tokens());
    CHECK(trainer.train_data().column("left").ids.data.size() == 64 * 10);

    CHECK_THROWS_WITH_AS(
        Trainer<float>(f.model,
                       TrainData{as_ids(f.read("train.tsv"), vocab, f.columns), f.read("val.tsv"),
                                 std::nullopt},
                       TrainOptions{}),
        "the training data are token ids and the validation data texts, which need a "
        "vocabulary: give both as ids, or a vocabulary",
        graph::RuntimeInputError);
  }
}

}  // namespace
}  // namespace twinflow::runtime

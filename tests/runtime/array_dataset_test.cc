#include "runtime/data/array_dataset.h"

#include <doctest/doctest.h>

#include "runtime/data/batches.h"
#include "runtime/data/tsv_reader.h"
#include "tests/runtime/data_checks.h"

namespace twinflow::runtime {
namespace {

using testing::contains;
using testing::data_error_of;

const std::vector<ColumnSpec> kArrayColumns{
    ColumnSpec::text("left", 3), ColumnSpec::text("right", 3), ColumnSpec::label01("label")};

std::vector<ArrayColumn> texts_given() {
  return {{"left", std::vector<std::string>{"The cat sat.", "Dogs bark"}},
          {"right", std::vector<std::string>{"A cat was sitting.", "Cats meow"}},
          {"label", std::vector<double>{1, 0}}};
}

ops::IdTensor id_tensor(std::vector<int32_t> values) {
  ops::IdTensor t(graph::Shape{static_cast<int64_t>(values.size()) / 3, 3});
  t.data = values;
  return t;
}

std::string array_error(std::vector<ArrayColumn> given) {
  return data_error_of([&] { dataset_from_arrays(kArrayColumns, std::move(given), "fit"); }).what();
}

TEST_SUITE("runtime.data") {
  TEST_CASE("texts in memory make the dataset a TSV file of the same rows makes") {
    Dataset from_arrays = dataset_from_arrays(kArrayColumns, texts_given(), "fit");
    Dataset from_file = parse_tsv(
        "left\tright\tlabel\nThe cat sat.\tA cat was sitting.\t1\nDogs bark\tCats meow\t0\n",
        "pairs.tsv", kArrayColumns);
    CHECK(from_arrays.rows() == 2);
    CHECK(from_arrays.lines == std::vector<int64_t>{1, 2});
    CHECK(from_arrays.has_text());
    const Vocabulary vocab(std::vector<std::string>{"cat", "the", "dogs"});
    from_arrays.encode(vocab);
    from_file.encode(vocab);
    for (const char* name : {"left", "right"}) {
      CHECK(from_arrays.column(name).ids.data == from_file.column(name).ids.data);
      CHECK(from_arrays.column(name).ids.shape == graph::Shape{2, 3});
    }
    CHECK(from_arrays.column("label").values.shape == graph::Shape{2, 1});
    CHECK(from_arrays.column("label").values.data == std::vector<float>{1, 0});
  }

  TEST_CASE("token ids are kept as given: encoding and counting leave them alone") {
    Dataset d = dataset_from_arrays(kArrayColumns,
                                    {{"label", std::vector<double>{0, 1}},
                                     {"right", id_tensor({7, 8, 0, 9, 0, 0})},
                                     {"left", id_tensor({4, 5, 6, 2, 3, 0})}},
                                    "fit");
    CHECK(d.columns[0].spec.name == "left");  // in the specs' order, not the given one
    CHECK_FALSE(d.has_text());
    TokenCounts counts;
    d.count_tokens(counts);
    CHECK(counts.total() == 0);
    d.encode(Vocabulary(std::vector<std::string>{"a"}));
    CHECK(d.column("left").ids.data == std::vector<int32_t>{4, 5, 6, 2, 3, 0});
    Batch<double> batch;
    const std::vector<int64_t> rows{1};
    gather(d, rows, batch);
    CHECK(batch.column("right").ids.data == std::vector<int32_t>{9, 0, 0});
    CHECK(batch.column("label").values.data == std::vector<double>{1});
  }

  TEST_CASE("a column missing, unknown, twice or of the wrong kind is named") {
    std::vector<ArrayColumn> given = texts_given();
    given[2].name = "lable";
    CHECK(contains(array_error(given), "fit: no input is named 'lable' (did you mean 'label'?)"));
    given = texts_given();
    given.pop_back();
    CHECK(contains(array_error(given),
                   "column 'label' is missing (the columns are left, right, "
                   "label)"));
    given = texts_given();
    given.push_back(given[0]);
    CHECK(contains(array_error(given), "column 'left' is given twice"));
    given = texts_given();
    given[0].values = std::vector<double>{1, 2};
    CHECK(contains(array_error(given), "column 'left' must hold texts or token ids"));
    given = texts_given();
    given[2].values = std::vector<std::string>{"1", "0"};
    CHECK(contains(array_error(given), "column 'label' must hold labels 0 or 1"));
  }

  TEST_CASE("rows are checked as a file's, named by their index") {
    std::vector<ArrayColumn> given = texts_given();
    given[2].values = std::vector<double>{1, 0.5};
    CHECK(contains(array_error(given), "column 'label'[1]: expected a label 0 or 1, found 0.5"));
    given = texts_given();
    std::get<std::vector<std::string>>(given[1].values)[1] = "?!";
    CHECK(contains(array_error(given), "column 'right'[1]: no tokens in '?!'"));
    given = texts_given();
    std::get<std::vector<std::string>>(given[0].values)[0] = "bad \xff byte";
    CHECK(contains(array_error(given), "column 'left'[0]: invalid UTF-8"));
    given = texts_given();
    given[1].values = std::vector<std::string>{"one"};
    CHECK(contains(array_error(given), "column 'right' has 1 rows, column 'left' 2"));
    given = texts_given();
    given[0].values = id_tensor({1, 2, 3, 4, 5, 6});
    CHECK(contains(array_error(given), "every text column as texts or every one as token ids"));
    given = {{"left", id_tensor({1, -2, 3})},
             {"right", id_tensor({1, 2, 3})},
             {"label", std::vector<double>{1}}};
    CHECK(contains(array_error(given), "column 'left'[0, 1]: token id -2 is negative"));
    ops::IdTensor wide(graph::Shape{1, 4});
    given = {{"left", wide}, {"right", wide}, {"label", std::vector<double>{1}}};
    CHECK(contains(array_error(given), "column 'left': token ids must be [N, 3], found [1, 4]"));
    given = {{"left", std::vector<std::string>{}},
             {"right", std::vector<std::string>{}},
             {"label", std::vector<double>{}}};
    CHECK(contains(array_error(given), "fit: no rows"));
  }

  TEST_CASE("a real column takes any finite number") {
    const std::vector<ColumnSpec> columns{ColumnSpec::text("text", 2), ColumnSpec::real("weight")};
    const Dataset d = dataset_from_arrays(
        columns, {{"text", std::vector<std::string>{"a b"}}, {"weight", std::vector<double>{-2.5}}},
        "fit");
    CHECK(d.column("weight").values.data == std::vector<float>{-2.5f});
    const std::string error = data_error_of([&] {
                                dataset_from_arrays(columns,
                                                    {{"text", std::vector<std::string>{"a"}},
                                                     {"weight", std::vector<double>{std::nan("")}}},
                                                    "fit");
                              }).what();
    CHECK(contains(error, "column 'weight'[0]: expected a finite number, found nan"));
  }
}

}  // namespace
}  // namespace twinflow::runtime

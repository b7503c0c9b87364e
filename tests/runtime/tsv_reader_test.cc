#include "runtime/data/tsv_reader.h"

#include <doctest/doctest.h>

#include "runtime/data/input_columns.h"
#include "tests/runtime/data_checks.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::runtime {
namespace {

using testing::contains;
using testing::data_error_of;

const std::vector<ColumnSpec> kPairColumns{
    ColumnSpec::text("left", 4), ColumnSpec::text("right", 4), ColumnSpec::label01("label")};

Dataset parse(std::string_view content, const TsvOptions& options = {}) {
  return parse_tsv(content, "pairs.tsv", kPairColumns, options);
}

DataError parse_error(std::string_view content) {
  return data_error_of([&] { parse(content); });
}

TEST_SUITE("runtime.data") {
  TEST_CASE("rows are read with their source lines; CRLF, BOM and no final newline") {
    const Dataset d = parse(
        "\xEF\xBB\xBF"
        "left\tright\tlabel\r\n"
        "The cat sat.\tA cat was sitting.\t1\r\n"
        "\r\n"
        "Dogs bark\tCats meow\t0");
    REQUIRE(d.rows() == 2);
    CHECK(d.lines == std::vector<int64_t>{2, 4});
    CHECK(d.column("left").text_of(0) == "The cat sat.");
    CHECK(d.column("right").text_of(1) == "Cats meow");
    CHECK(d.column("label").values.shape == graph::Shape{2, 1});
    CHECK(d.column("label").values.data == std::vector<float>{1, 0});
    CHECK(d.skipped_rows == 0);
    CHECK_THROWS_AS(d.column("lable"), graph::RuntimeInputError);
  }

  TEST_CASE("columns may come in any order in the header") {
    const Dataset d = parse("label\tright\tleft\n1\tB b\tA a\n");
    CHECK(d.columns[0].spec.name == "left");
    CHECK(d.column("left").text_of(0) == "A a");
    CHECK(d.column("right").text_of(0) == "B b");
    CHECK(d.column("label").values.data == std::vector<float>{1});
  }

  TEST_CASE("encode maps texts through the vocabulary, padded and cut at the end") {
    Dataset d = parse("left\tright\tlabel\nthe cat\tthe dog sat on a mat\t1\n");
    TokenCounts counts;
    d.count_tokens(counts);
    CHECK(counts.total() == 8);
    CHECK(counts.counts().at("the") == 2);
    const Vocabulary v(std::vector<std::string>{"the", "cat", "sat"});
    d.encode(v);
    CHECK(d.column("left").ids.shape == graph::Shape{1, 4});
    CHECK(d.column("left").ids.data == std::vector<int32_t>{2, 3, 0, 0});
    CHECK(d.column("right").ids.data == std::vector<int32_t>{2, 1, 4, 1});
    CHECK(d.column("right").stats.cut_rows == 1);
    CHECK(d.column("right").stats.cut_tokens == 2);
    CHECK(d.column("right").stats.unknown == 2);
  }

  TEST_CASE("header errors name every unknown and missing column") {
    DataError e = parse_error("left\tright\tlable\nA\tB\t1\n");
    CHECK(e.line() == 1);
    CHECK(contains(e.detail(), "unexpected column 'lable' (did you mean 'label'?)"));
    CHECK(contains(e.detail(), "missing column 'label'"));
    CHECK(contains(e.detail(), "the columns must be left, right, label"));

    e = parse_error("id\tleft\tright\tlabel\n");
    CHECK(contains(e.detail(), "unexpected column 'id'"));
    CHECK_FALSE(contains(e.detail(), "did you mean"));
    CHECK_FALSE(contains(e.detail(), "missing"));

    e = parse_error("left\tright\n");
    CHECK(contains(e.detail(), "missing column 'label'"));

    e = parse_error("left\tleft\tright\tlabel\n");
    CHECK(contains(e.detail(), "column 'left' appears twice (fields 1 and 2)"));

    e = parse_error("left right label\n");
    CHECK(contains(e.detail(), "separated by tabs, not spaces"));

    e = parse_error("\xEF\xBB\xBFleft\xff\tright\tlabel\n");
    CHECK(e.line() == 1);
    CHECK(contains(e.detail(), "header: invalid UTF-8 at byte offset 4"));
  }

  TEST_CASE("an empty file or a header alone is an error") {
    DataError e = parse_error("");
    CHECK(e.line() == 0);
    CHECK(contains(e.what(), "pairs.tsv: empty file"));
    e = parse_error("left\tright\tlabel\n\n");
    CHECK(contains(e.detail(), "no rows after the header"));
  }

  TEST_CASE("each malformed row is an error at its line, naming the column") {
    struct Case {
      std::string row;
      std::string message;
    };
    const std::vector<Case> cases{
        {"a\tb", "expected 3 tab-separated fields (left, right, label), found 2"},
        {"a\tb\t1\textra", "found 4 (a field cannot contain a tab)"},
        {"a\tb\t2", "column 'label': expected a label 0 or 1, found '2'"},
        {"a\tb\tyes", "column 'label': expected a label 0 or 1, found 'yes'"},
        {"a\tb\t", "column 'label': expected a label 0 or 1, found ''"},
        {"a\xff\tb\t1", "column 'left': invalid UTF-8 at byte offset 1"},
        {"a\t?!\t1", "column 'right': no tokens in '?!'"},
        {"\tb\t1", "column 'left': empty text"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.row);
      const DataError e = parse_error("left\tright\tlabel\nfine\tok\t1\n" + c.row + "\n");
      CHECK(e.line() == 3);
      CHECK(contains(e.what(), "pairs.tsv:3: "));
      CHECK(contains(e.detail(), c.message));
    }
  }

  TEST_CASE("labels accept 0 and 1 in any number spelling, spaces around") {
    const Dataset d = parse("left\tright\tlabel\na\tb\t 1.0\na\tb\t0e0 \n");
    CHECK(d.column("label").values.data == std::vector<float>{1, 0});
  }

  TEST_CASE("real columns take finite numbers") {
    const std::vector<ColumnSpec> columns{ColumnSpec::text("text", 3), ColumnSpec::real("x")};
    const Dataset d = parse_tsv("text\tx\na\t0.5\nb\t -2e-3 \n", "r.tsv", columns);
    CHECK(d.column("x").values.data == std::vector<float>{0.5f, -2e-3f});
    for (const std::string bad : {"nan", "inf", "1e99", "abc", "1.5x"}) {
      CAPTURE(bad);
      const DataError e = data_error_of([&] { parse_tsv("text\tx\na\t" + bad, "r.tsv", columns); });
      CHECK(e.line() == 2);
      CHECK(contains(e.detail(), "column 'x': expected a finite number, found '" + bad + "'"));
    }
  }

  TEST_CASE("skip_bad_rows leaves bad rows out, counts them and keeps the first messages") {
    const std::string content =
        "left\tright\tlabel\n"
        "a\tb\t1\n"
        "a\tb\t7\n"
        "a\tb\n"
        "c\td\t0\n"
        "x\t...\t1\n";
    const Dataset d = parse(content, {.skip_bad_rows = true, .max_messages = 2});
    CHECK(d.rows() == 2);
    CHECK(d.lines == std::vector<int64_t>{2, 5});
    CHECK(d.column("left").text_of(1) == "c");
    CHECK(d.skipped_rows == 3);
    REQUIRE(d.skipped_messages.size() == 2);
    CHECK(contains(d.skipped_messages[0], "pairs.tsv:3: column 'label'"));
    CHECK(contains(d.skipped_messages[1], "pairs.tsv:4: expected 3"));
  }

  TEST_CASE("a file whose rows are all bad is an error even when skipping") {
    const DataError e = data_error_of(
        [] { parse("left\tright\tlabel\na\tb\t5\na\tb\t6\n", {.skip_bad_rows = true}); });
    CHECK(contains(e.detail(), "all 2 rows are malformed; the first: pairs.tsv:2:"));
  }

  TEST_CASE("read_tsv reads a file; a missing file is an error naming it") {
    testing::TempDir dir;
    const std::string path = dir.write("train.tsv", "left\tright\tlabel\nx y\tz\t0\n");
    const Dataset d = read_tsv(path, kPairColumns);
    CHECK(d.file == path);
    CHECK(d.rows() == 1);
    const DataError e = data_error_of([&] { read_tsv(dir.path("absent.tsv"), kPairColumns); });
    CHECK(contains(e.what(), "absent.tsv: cannot open"));
  }

  TEST_CASE("input_columns: ids are text, the loss target a label, other reals numbers") {
    graph::ModelSpec spec;
    spec.inputs = {{"left", graph::Shape{30}, graph::DType::kInt32, {}},
                   {"right", graph::Shape{30}, graph::DType::kInt32, {}},
                   {"weight", graph::Shape{1}, graph::DType::kReal, {}},
                   {"label", graph::Shape{1}, graph::DType::kReal, {}}};
    spec.loss = graph::LossSpec{};
    spec.loss->inputs = {{"pred", {"pred", {}}}, {"target", {"label", {}}}};
    const std::vector<ColumnSpec> columns = input_columns(spec);
    REQUIRE(columns.size() == 4);
    CHECK(columns[0].kind == ColumnKind::kText);
    CHECK(columns[0].length == 30);
    CHECK(columns[2].kind == ColumnKind::kReal);
    CHECK(columns[3].kind == ColumnKind::kLabel01);
    CHECK(columns[3].name == "label");

    spec.inputs.push_back({"grid", graph::Shape{3, 4}, graph::DType::kInt32, {}});
    CHECK_THROWS_WITH_AS(input_columns(spec), doctest::Contains("input 'grid'"),
                         graph::RuntimeInputError);
  }
}

}  // namespace
}  // namespace twinflow::runtime

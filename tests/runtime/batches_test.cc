#include "runtime/data/batches.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "runtime/data/tsv_reader.h"

namespace twinflow::runtime {
namespace {

// Ten rows: row r has the text "wR" (token id r + 2) and the number r / 10.
Dataset ten_rows() {
  std::string content = "text\tx\n";
  std::vector<std::string> words;
  for (int r = 0; r < 10; ++r) {
    words.push_back("w" + std::to_string(r));
    content += words.back() + "\t" + std::to_string(r / 10.0) + "\n";
  }
  const std::vector<ColumnSpec> columns{ColumnSpec::text("text", 2), ColumnSpec::real("x")};
  Dataset d = parse_tsv(content, "ten.tsv", columns);
  d.encode(Vocabulary(words));
  return d;
}

std::vector<int64_t> epoch_rows(const BatchOrder& order) {
  std::vector<int64_t> rows;
  for (int64_t k = 0; k < order.batches(); ++k)
    for (int64_t r : order.batch(k)) rows.push_back(r);
  return rows;
}

TEST_SUITE("runtime.data") {
  TEST_CASE("every row comes exactly once per epoch; the last partial batch is used") {
    BatchOrder order(10, 3, true, 7);
    CHECK(order.batches() == 4);
    for (int64_t epoch = 0; epoch < 3; ++epoch) {
      order.start_epoch(epoch);
      CHECK(order.batch(0).size() == 3);
      CHECK(order.batch(3).size() == 1);
      std::vector<int64_t> rows = epoch_rows(order);
      std::sort(rows.begin(), rows.end());
      CHECK(rows == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    }
    CHECK(BatchOrder(9, 3, false, 0).batches() == 3);
    CHECK(BatchOrder(0, 3, true, 0).batches() == 0);
  }

  TEST_CASE("the order depends on the seed and the epoch only") {
    BatchOrder a(50, 8, true, 1), b(50, 8, true, 1), c(50, 8, true, 2);
    CHECK(epoch_rows(a) == epoch_rows(b));
    CHECK(epoch_rows(a) != epoch_rows(c));
    const std::vector<int64_t> first = epoch_rows(a);
    a.start_epoch(1);
    CHECK(epoch_rows(a) != first);
    a.start_epoch(0);
    CHECK(epoch_rows(a) == first);  // a resumed run needs only the epoch number
    b.start_epoch(1);
    CHECK(shuffled_order(50, 1, 1) == epoch_rows(b));
  }

  TEST_CASE("the shuffle is the same on every platform (a fixed permutation)") {
    // Our own Fisher-Yates over std::mt19937_64 and std::seed_seq, both fixed by the standard;
    // a change here breaks the repeatability of every recorded run.
    CHECK(shuffled_order(8, 42, 0) == std::vector<int64_t>{7, 2, 4, 5, 1, 0, 3, 6});
  }

  TEST_CASE("without shuffling the rows come in file order") {
    BatchOrder order(7, 3, false, 99);
    order.start_epoch(5);
    CHECK(epoch_rows(order) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6});
  }

  TEST_CASE("bad batch sizes and batch numbers are errors") {
    CHECK_THROWS_AS(BatchOrder(10, 0, true, 1), graph::RuntimeInputError);
    const BatchOrder order(10, 4, true, 1);
    CHECK_THROWS_AS(order.batch(3), std::out_of_range);
    CHECK_THROWS_AS(order.batch(-1), std::out_of_range);
  }

  TEST_CASE("gather copies the chosen rows, as float or double") {
    const Dataset d = ten_rows();
    const std::vector<int64_t> rows{7, 2, 9};
    Batch<double> b64;
    gather(d, rows, b64);
    CHECK(b64.size() == 3);
    CHECK(b64.rows == rows);
    CHECK(b64.column("text").ids.shape == graph::Shape{3, 2});
    CHECK(b64.column("text").ids.data == std::vector<int32_t>{9, 0, 4, 0, 11, 0});
    CHECK(b64.column("x").values.shape == graph::Shape{3, 1});
    CHECK(b64.column("x").values.data[0] == static_cast<double>(0.7f));
    Batch<float> b32;
    gather(d, std::vector<int64_t>{9}, b32);
    CHECK(b32.column("x").values.data == std::vector<float>{0.9f});
    gather(d, rows, b32);  // a reused batch is resized, not appended to
    CHECK(b32.column("text").ids.data.size() == 6);
    CHECK_THROWS_AS(b32.column("y"), graph::RuntimeInputError);
  }

  TEST_CASE("gather refuses text columns that were never encoded") {
    const std::vector<ColumnSpec> columns{ColumnSpec::text("text", 2)};
    const Dataset d = parse_tsv("text\nhello\n", "t.tsv", columns);
    Batch<float> b;
    CHECK_THROWS_AS(gather(d, std::vector<int64_t>{0}, b), std::logic_error);
  }
}

}  // namespace
}  // namespace twinflow::runtime

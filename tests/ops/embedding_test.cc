#include "ops/embedding.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "autograd/tape.h"
#include "tests/testing/op_check.h"

namespace twinflow::ops {
namespace {

using graph::DType;
using graph::EmbeddingAttrs;
using graph::Shape;
using graph::ValueInfo;
using testing::OpCase;

OpCase embedding_case(Shape ids_shape, std::vector<int32_t> ids, int64_t vocab, int64_t dim,
                      bool mask_zero = false) {
  OpCase c{fmt::format("Embedding {} V={} E={}{}", ids_shape.to_string(), vocab, dim,
                       mask_zero ? " mask_zero" : ""),
           &op_def<Embedding>(),
           EmbeddingAttrs{vocab, dim, mask_zero},
           {}};
  c.inputs.push_back(testing::ids_input(std::move(ids_shape), std::move(ids)));
  c.inputs.push_back(testing::random_input(Shape{vocab, dim}, 0.5));
  return c;
}

// Subword cases use 2-grams in 4 buckets: kSubwordChars + 1 = 25 slots per position, a few
// holding rows and the rest -1.
constexpr graph::SubwordAttrs kTwoGrams{2, 2, 4};
constexpr int64_t kTwoGramSlots = graph::kSubwordChars + 1;

// pieces: per position, the buckets (0-based) it holds; the rows are vocab + bucket.
OpCase subword_case(Shape ids_shape, std::vector<int32_t> ids,
                    const std::vector<std::vector<int32_t>>& buckets, int64_t vocab, int64_t dim,
                    bool mask_zero = false) {
  OpCase c{fmt::format("Embedding {} V={} E={} subwords{}", ids_shape.to_string(), vocab, dim,
                       mask_zero ? " mask_zero" : ""),
           &op_def<Embedding>(),
           EmbeddingAttrs{vocab, dim, mask_zero, kTwoGrams},
           {}};
  std::vector<int64_t> dims = ids_shape.dims();
  dims.push_back(kTwoGramSlots);
  std::vector<int32_t> pieces(ids.size() * static_cast<size_t>(kTwoGramSlots), -1);
  for (size_t p = 0; p < buckets.size(); ++p)
    for (size_t k = 0; k < buckets[p].size(); ++k)
      pieces[p * static_cast<size_t>(kTwoGramSlots) + k] =
          static_cast<int32_t>(vocab) + buckets[p][k];
  c.inputs.push_back(testing::ids_input(std::move(ids_shape), std::move(ids)));
  c.inputs.push_back(testing::ids_input(Shape(dims), std::move(pieces)));
  c.inputs.push_back(testing::random_input(Shape{vocab + kTwoGrams.buckets, dim}, 0.5));
  return c;
}

std::vector<OpCase> embedding_samples() {
  return {
      // ids 1 and 3 repeat within and across rows: their gradient rows must add up.
      embedding_case(Shape{2, 4}, {1, 3, 1, 2, 3, 3, 0, 4}, 6, 3),
      // padding: row 0 gets nothing, and y does not depend on it.
      embedding_case(Shape{2, 4}, {2, 5, 0, 0, 5, 1, 2, 0}, 6, 3, true),
      embedding_case(Shape{1, 3}, {4, 4, 2}, 5, 2),        // batch 1
      embedding_case(Shape{1, 3}, {3, 0, 0}, 5, 2, true),  // batch 1, padded
      embedding_case(Shape{3}, {0, 2, 0}, 3, 4),           // rank-1 ids, 0 is a real id
      // subwords: bucket 1 twice in one word and again in another; a word of pieces only
      // (id 1, out of vocabulary); padding with pieces that must be ignored.
      subword_case(Shape{2, 3}, {2, 1, 0, 3, 2, 0}, {{1, 1, 0}, {3, 2}, {2}, {}, {1}}, 5, 3, true),
      subword_case(Shape{1, 2}, {4, 4}, {{0, 3}, {0, 3}}, 5, 2),
  };
}

const bool kEmbeddingSamplesRegistered =
    (testing::register_op_samples("Embedding", embedding_samples), true);

TEST_SUITE("ops") {
  TEST_CASE("Embedding shape rule and parameter") {
    const EmbeddingAttrs a{100, 8, true};
    const std::vector<ValueInfo> ok{{Shape{graph::kBatch, 30}, DType::kInt32}, {Shape{100, 8}}};
    CHECK(Embedding::infer_shape(a, ok) == Shape{graph::kBatch, 30, 8});
    const std::vector<ValueInfo> rank1{{Shape{5}, DType::kInt32}, {Shape{100, 8}}};
    CHECK(Embedding::infer_shape(a, rank1) == Shape{5, 8});

    const std::vector<ValueInfo> real_ids{{Shape{2, 30}}, {Shape{100, 8}}};
    CHECK_THROWS_WITH_AS(Embedding::infer_shape(a, real_ids),
                         doctest::Contains("input 0 (ids) must be int32"), graph::ShapeError);
    const std::vector<ValueInfo> bad_table{{Shape{2, 30}, DType::kInt32}, {Shape{100, 7}}};
    CHECK_THROWS_WITH_AS(Embedding::infer_shape(a, bad_table),
                         doctest::Contains("input 1 (embeddings) must be [100, 8] (vocab, dim), "
                                           "got [100, 7]"),
                         graph::ShapeError);
    const std::vector<ValueInfo> no_table{{Shape{2, 30}, DType::kInt32}};
    CHECK_THROWS_AS(Embedding::infer_shape(a, no_table), graph::ShapeError);

    const auto specs = Embedding::param_specs(
        a, std::vector<ValueInfo>{{Shape{graph::kBatch, 30}, DType::kInt32}});
    REQUIRE(specs.size() == 1);
    CHECK(specs[0].name == "embeddings");
    CHECK(specs[0].shape == Shape{100, 8});
    CHECK(specs[0].init == graph::kSmallUniform);
    CHECK_THROWS_AS(Embedding::param_specs(a, std::vector<ValueInfo>{{Shape{2, 30}}}),
                    graph::ShapeError);
    CHECK_THROWS_AS(Embedding::param_specs(EmbeddingAttrs{0, 8, false},
                                           std::vector<ValueInfo>{{Shape{2, 3}, DType::kInt32}}),
                    graph::ShapeError);
  }

  TEST_CASE("Embedding forward gathers rows; padding gives zeros with mask_zero") {
    // W = [[0, 1], [2, 3], [4, 5], [6, 7]] (row v is [2v, 2v + 1]); ids [[1, 3, 1], [0, 2, 0]].
    OpCase c = embedding_case(Shape{2, 3}, {1, 3, 1, 0, 2, 0}, 4, 2);
    c.inputs[1].values = {0, 1, 2, 3, 4, 5, 6, 7};
    CHECK(testing::run_forward(c) == std::vector<double>{2, 3, 6, 7, 2, 3, 0, 1, 4, 5, 0, 1});
    c.attrs = EmbeddingAttrs{4, 2, true};
    CHECK(testing::run_forward(c) == std::vector<double>{2, 3, 6, 7, 2, 3, 0, 0, 4, 5, 0, 0});
  }

  TEST_CASE("Embedding with subwords: shape rule and parameter") {
    const EmbeddingAttrs a{100, 8, true, graph::SubwordAttrs{3, 5, 1000}};
    const int64_t slots = graph::subword_slots(*a.subwords);
    const std::vector<ValueInfo> ok{{Shape{graph::kBatch, 30}, DType::kInt32},
                                    {Shape{graph::kBatch, 30, slots}, DType::kInt32},
                                    {Shape{1100, 8}}};
    CHECK(Embedding::infer_shape(a, ok) == Shape{graph::kBatch, 30, 8});
    const std::vector<ValueInfo> no_pieces{{Shape{graph::kBatch, 30}, DType::kInt32},
                                           {Shape{1100, 8}}};
    CHECK_THROWS_WITH_AS(Embedding::infer_shape(a, no_pieces),
                         doctest::Contains("expects ids, subword pieces, embeddings (3 inputs)"),
                         graph::ShapeError);
    const std::vector<ValueInfo> short_pieces{{Shape{graph::kBatch, 30}, DType::kInt32},
                                              {Shape{graph::kBatch, 30, 5}, DType::kInt32},
                                              {Shape{1100, 8}}};
    CHECK_THROWS_WITH_AS(Embedding::infer_shape(a, short_pieces),
                         doctest::Contains("input 1 (subword pieces) must be int32 [B, 30, 69]"),
                         graph::ShapeError);
    const std::vector<ValueInfo> word_table{ok[0], ok[1], {Shape{100, 8}}};
    CHECK_THROWS_WITH_AS(Embedding::infer_shape(a, word_table),
                         doctest::Contains("input 2 (embeddings) must be [1100, 8] (vocab + "
                                           "buckets, dim), got [100, 8]"),
                         graph::ShapeError);

    const auto specs = Embedding::param_specs(a, std::vector<ValueInfo>{ok[0], ok[1]});
    REQUIRE(specs.size() == 1);
    CHECK(specs[0].shape == Shape{1100, 8});
    CHECK(Embedding::describe(a) == "vocab=100, dim=8, mask_zero, subwords 3..5 in 1000 buckets");
    const auto bad = [&](graph::SubwordAttrs s) {
      return Embedding::param_specs(EmbeddingAttrs{100, 8, true, s},
                                    std::vector<ValueInfo>{ok[0], ok[1]});
    };
    CHECK_THROWS_WITH_AS(bad({5, 3, 1000}), doctest::Contains("min_n=5, max_n=3"),
                         graph::ShapeError);
    CHECK_THROWS_WITH_AS(bad({3, 27, 1000}), doctest::Contains("max_n <= 26"), graph::ShapeError);
    CHECK_THROWS_WITH_AS(bad({3, 5, int64_t{1} << 31}),
                         doctest::Contains("buckets must be in [1, 2147483547]"),
                         graph::ShapeError);
  }

  TEST_CASE("Embedding with subwords adds its n-gram rows to the word's row") {
    // W row v is [2v, 2v + 1]; vocab 4, buckets 4 (rows 4..7). ids [1, 2, 0] (mask_zero);
    // pieces: position 0 buckets {0, 0, 3}, position 1 none, position 2 (padding) {1}.
    OpCase c = subword_case(Shape{1, 3}, {1, 2, 0}, {{0, 0, 3}, {}, {1}}, 4, 2, true);
    c.inputs[2].values = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    // position 0: row 1 + 2·row 4 + row 7 = [2 + 16 + 14, 3 + 18 + 15].
    CHECK(testing::run_forward(c) == std::vector<double>{32, 36, 4, 5, 0, 0});
  }

  TEST_CASE("Embedding rejects a subword row outside the buckets, naming it") {
    OpCase c = subword_case(Shape{1, 2}, {1, 2}, {{0}, {1}}, 4, 2);
    c.inputs[1].ids[1] = 3;  // a word row, not a bucket
    CHECK_THROWS_WITH_AS(testing::run_forward(c),
                         doctest::Contains("subword row 3 at position [0, 0, 1] of the pieces "
                                           "[1, 2, 25] is outside the buckets [4, 8)"),
                         graph::RuntimeInputError);
  }

  TEST_CASE("Embedding gradients: repeated ids, padding, batch 1") {
    for (const OpCase& c : embedding_samples()) {
      CAPTURE(c.label);
      const auto report = testing::check_op(c, 1e-6);
      INFO(report.to_string());
      CHECK(report.passed());
    }
  }

  TEST_CASE("Embedding scatter-adds repeated ids and leaves the padding row at exactly 0") {
    // ids [[2, 0, 2], [1, 0, 2]] with mask_zero; dy rows r0..r5.
    // dW[0] = 0, dW[1] = r3, dW[2] = r0 + r2 + r5, dW[3] = 0.
    OpCase c = embedding_case(Shape{2, 3}, {2, 0, 2, 1, 0, 2}, 4, 2, true);
    testing::BuiltCase b = testing::build_case(c);
    autograd::Tape<double> tape(b.graph);
    tape.bind_ids(b.inputs[0], &b.feeds.ids.at(b.inputs[0]));
    tape.bind(b.inputs[1], &b.feeds.reals.at(b.inputs[1]));
    Tensor<double> dw(Shape{4, 2});
    tape.bind_grad(b.inputs[1], &dw);
    tape.forward(false, 1);
    Tensor<double> dy(Shape{2, 3, 2});
    for (size_t i = 0; i < 12; ++i) dy.data[i] = static_cast<double>(i + 1);  // r_k = [2k+1, 2k+2]
    tape.backward(b.output, dy);
    CHECK(dw.data == std::vector<double>{0, 0, 7, 8, 1 + 5 + 11, 2 + 6 + 12, 0, 0});
  }

  TEST_CASE("Embedding with a frozen table touches no gradient buffer") {
    const EmbeddingAttrs a{4, 2, false};
    const std::vector<int32_t> ids{1, 3};
    const std::vector<double> w{0, 1, 2, 3, 4, 5, 6, 7};
    const std::vector<double> y{2, 3, 6, 7};
    const std::vector<double> dy{1, 1, 1, 1};
    const std::vector<In<double>> in{{nullptr, ids.data(), Shape{2}},
                                     {w.data(), nullptr, Shape{4, 2}}};
    const std::vector<Out<double>> none(2);  // neither ids nor the frozen table want a gradient
    Saved<double> saved;
    Context<double> ctx{false, {}, &saved};
    Embedding::backward<double>(a, ctx, in, In<double>{y.data(), nullptr, Shape{2, 2}},
                                In<double>{dy.data(), nullptr, Shape{2, 2}},
                                GradArgs<double>(none));
    CHECK(w == std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7});
  }

  TEST_CASE("Embedding is linear in the table: adjoint identity") {
    for (const OpCase& c : embedding_samples()) {
      CAPTURE(c.label);
      CHECK(testing::adjoint_gap(c) < 1e-12);
    }
  }

  TEST_CASE("Embedding backward adds into pre-filled gradients") {
    CHECK(testing::accumulation_gap(embedding_samples()[0]) < 1e-12);
    CHECK(testing::accumulation_gap(embedding_samples()[1]) < 1e-12);
    CHECK(testing::accumulation_gap(embedding_samples()[5]) < 1e-12);  // subwords
  }

  TEST_CASE("Embedding rejects an id outside the vocabulary, naming it") {
    OpCase c = embedding_case(Shape{2, 3}, {1, 2, 3, 0, 1, 4}, 4, 2);
    CHECK_THROWS_WITH_AS(testing::run_forward(c),
                         "node 'y' (Embedding): token id 4 at position [1, 2] of the ids [2, 3] "
                         "is outside the vocabulary [0, 4)",
                         graph::RuntimeInputError);
    c.inputs[0].ids = {1, -1, 3, 0, 1, 2};
    CHECK_THROWS_WITH_AS(testing::run_forward(c),
                         doctest::Contains("token id -1 at position [0, 1]"),
                         graph::RuntimeInputError);
  }
}

}  // namespace
}  // namespace twinflow::ops

#include "tools/cli/eval_retrieval.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "runtime/data/tsv_reader.h"
#include "runtime/saved/inference.h"
#include "runtime/saved/saved_model.h"
#include "runtime/train/metrics.h"
#include "tools/cli/json.h"

namespace twinflow::cli {

namespace {

// Per query, the targets at least as near as its own (runtime/train/metrics.h).
std::vector<int64_t> targets_ahead(graph::TripletDistance distance, const runtime::Vectors& q,
                                   const runtime::Vectors& t) {
  return runtime::candidates_ahead(q.rows, [&](int64_t i, std::span<double> row) {
    for (int64_t j = 0; j < t.rows; ++j)
      row[static_cast<size_t>(j)] =
          runtime::tower_distance(distance, &q.values[static_cast<size_t>(i * q.dim)],
                                  &t.values[static_cast<size_t>(j * t.dim)], q.dim);
  });
}

runtime::Dataset read_retrieval_file(const RetrievalOptions& o) {
  // Text columns are kept as text and never encoded here, so their length does not matter.
  std::vector<runtime::ColumnSpec> columns{runtime::ColumnSpec::text("query", 1),
                                           runtime::ColumnSpec::text("target", 1)};
  const std::vector<std::string> header = runtime::read_tsv_header(o.file);
  if (std::find(header.begin(), header.end(), "id") != header.end())
    columns.push_back(runtime::ColumnSpec::text("id", 1));
  return runtime::read_tsv(o.file, columns, runtime::TsvOptions{.skip_bad_rows = o.skip_bad_rows});
}

}  // namespace

int eval_retrieval(const RetrievalOptions& o, Io& io) {
  const runtime::Dataset data = read_retrieval_file(o);
  if (data.skipped_rows > 0)
    io.err << fmt::format("warning: skipped {} bad rows\n", data.skipped_rows);
  const std::vector<std::string> queries = data.column("query").texts();
  const std::vector<std::string> targets = data.column("target").texts();
  return runtime::with_saved_model(o.dir, [&](const runtime::SavedModel& saved,
                                              const runtime::ModelRoles& roles, auto& params) {
    const int64_t batch = o.batch_size > 0 ? o.batch_size : saved.model.spec.train.batch_size;
    const runtime::Vectors q =
        runtime::embed_texts(saved.model, roles, saved.vocab, params, queries, batch);
    const runtime::Vectors t =
        runtime::embed_texts(saved.model, roles, saved.vocab, params, targets, batch);
    const bool triplet = roles.family != runtime::ModelFamily::kPair;
    const graph::TripletDistance distance =
        triplet ? roles.distance : graph::TripletDistance::kCosine;
    const std::string similarity =
        triplet ? fmt::format(
                      "{} distance between tower outputs ({})", runtime::distance_name(distance),
                      roles.family == runtime::ModelFamily::kTower ? "the spec's" : "the loss's")
                : std::string(
                      "cosine of tower outputs (a pair model; its own score is not "
                      "used)");
    const std::vector<int64_t> ahead = targets_ahead(distance, q, t);
    const int64_t n = q.rows;
    const double mrr = runtime::mean_reciprocal_rank(ahead);
    if (!o.json) {
      io.out << fmt::format("queries {}\nsimilarity {}\n", n, similarity);
      for (int64_t k : o.ks)
        io.out << fmt::format("recall@{} {:.6f}\n", k, runtime::recall_at_k(ahead, k));
      io.out << fmt::format("mrr {:.6f}\n", mrr);
      return 0;
    }
    json recall = json::object();
    for (int64_t k : o.ks) recall[std::to_string(k)] = runtime::recall_at_k(ahead, k);
    const json doc = {
        {"file", data.file},        {"queries", n},     {"skipped_rows", data.skipped_rows},
        {"similarity", similarity}, {"recall", recall}, {"mrr", mrr}};
    io.out << doc.dump(2) << "\n";
    return 0;
  });
}

}  // namespace twinflow::cli

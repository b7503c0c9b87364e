// tools/cli/eval_retrieval.h — `twinflow eval DIR --retrieval F [-k 1,5,10] [--json]`: how well
// a model finds each query's own target among all the file's targets.
//
// F is a TSV with columns `query` and `target` (and optionally `id`, which is not read): row
// i's target is the true match of row i's query. Every query and target is embedded with the
// model's tower (runtime/saved/inference.h) and each query ranks every target by distance:
//   triplet models  the loss's distance between tower outputs (what `similar` uses)
//   pair models     cosine distance between tower outputs: the model's own score would need a
//                   forward pass for each of the N² (query, target) pairs, so this ranks by
//                   the towers alone (which `similar` does not) and says so
// It prints recall@k for each k and MRR (runtime/train/metrics.h; ties count against the
// query), naming the similarity used:
//   queries 50
//   similarity cosine of tower outputs (a pair model; its own score is not used)
//   recall@1 0.820000
//   mrr 0.871234
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "tools/cli/commands.h"

namespace twinflow::cli {

struct RetrievalOptions {
  std::string dir;
  std::string file;
  std::vector<int64_t> ks;
  int64_t batch_size = 0;  // 0: the spec's
  bool skip_bad_rows = false;
  bool json = false;
};

int eval_retrieval(const RetrievalOptions& o, Io& io);

}  // namespace twinflow::cli

// `twinflow export` and `twinflow import-weights` end to end on the tiny trained pair model: the
// exported directory gives embed's vectors, serves similar and eval --retrieval, refuses what
// needs a loss; Keras and PyTorch files read back into the same weights file, byte for byte.
#include <doctest/doctest.h>

#include "tests/cli/run_cli.h"
#include "tests/cli/tiny_pairs.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {
namespace {

TEST_SUITE("exchange.cli") {
  TEST_CASE("an exported tower directory embeds as the model does and serves similar") {
    const TinyPairs& pairs = trained_tiny_pairs();
    const std::string model = pairs.tmp.path("model");
    TempDir out;
    const std::string tower = out.path("tower");
    const CliRun exported = run_twinflow({"export", model, "-o", tower});
    REQUIRE_MESSAGE(exported.status == 0, exported.err);
    CHECK(exported.out.find("tower of 'left': left -> x1 [B, 8] through emb (Embedding), lstm "
                            "(LSTM)") != std::string::npos);
    CHECK(run_twinflow({"check", tower + "/spec.yaml"}).status == 0);
    const std::string texts = out.write("texts.txt",
                                        "Jesus wept.\nIn the beginning was the Word\n"
                                        "...\nlove your enemies\n");
    const CliRun a = run_twinflow({"embed", model, "--data", texts});
    const CliRun b = run_twinflow({"embed", tower, "--data", texts});
    REQUIRE(a.status == 0);
    CHECK(b.out == a.out);

    const CliRun similar =
        run_twinflow({"similar", tower, "--query", "Jesus wept", "--corpus", texts, "-k", "2"});
    CHECK(similar.status == 0);
    CHECK(similar.out.find("2 of 4 lines by -cosine distance (the spec's)") != std::string::npos);
    CHECK(similar.out.find("1\t1\t") != std::string::npos);  // the query's own line comes first

    const CliRun eval = run_twinflow({"eval", tower, "--data", pairs.tmp.path("val.tsv")});
    CHECK(eval.status == 1);
    CHECK(eval.err.find("holds a tower (one text input, no loss)") != std::string::npos);
    const CliRun predict = run_twinflow({"predict", tower, "a", "b"});
    CHECK(predict.status == 1);
    CHECK(predict.err.find("holds a tower (one text input)") != std::string::npos);
    const CliRun train = run_twinflow({"train", tower + "/spec.yaml", "--data",
                                       pairs.tmp.path("train.tsv"), "--out", out.path("t")});
    CHECK(train.status == 1);
    CHECK(train.err.find("has no loss: it cannot be trained") != std::string::npos);
  }

  TEST_CASE("a tower that is not one is refused with the choices") {
    const std::string model = trained_tiny_pairs().tmp.path("model");
    TempDir out;
    const CliRun r = run_twinflow({"export", model, "--tower", "pred", "-o", out.path("t")});
    CHECK(r.status == 1);
    CHECK(r.err.find("--tower pred: 'pred' is computed from 2 inputs") != std::string::npos);
    const CliRun help = run_twinflow({"export", "--help"});
    CHECK(help.out.find("--format") != std::string::npos);
    CHECK(help.out.find("keras-h5") != std::string::npos);
  }

  TEST_CASE("round trips: export --format keras-h5 | torch, then import-weights, byte for byte") {
    const std::string model = trained_tiny_pairs().tmp.path("model");
    TempDir out;
    const std::string tower = out.path("tower");
    REQUIRE(run_twinflow({"export", model, "--tower", "right", "-o", tower}).status == 0);
    const std::string weights = read_all(tower + "/weights.safetensors");
    for (const char* format : {"keras-h5", "torch"}) {
      CAPTURE(format);
      const std::string file = out.path(std::string("w.") + format);
      REQUIRE(run_twinflow({"export", model, "--tower", "right", "--format", format, "-o", file})
                  .status == 0);
      // The model directory's weights are float64 (tiny_pairs trains in float64).
      const CliRun r = run_twinflow({"import-weights", tower, file, "-o",
                                     out.path("back.safetensors"), "--dtype", "float64"});
      REQUIRE_MESSAGE(r.status == 0, r.err);
      CHECK(r.out.find(std::string("4 parameters of model 'tiny_pairs_tower' read from ") + file) !=
            std::string::npos);
      CHECK(read_all(out.path("back.safetensors")) == weights);
    }
    // The whole model's spec wants the head too, which the tower's file does not hold.
    const CliRun partial = run_twinflow({"import-weights", trained_tiny_pairs().spec,
                                         out.path("w.torch"), "-o", out.path("x.safetensors")});
    CHECK(partial.status == 1);
    CHECK(partial.err.find("missing from the file: head.kernel") != std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::testing

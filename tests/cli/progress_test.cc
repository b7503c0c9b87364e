#include "tools/cli/progress.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

namespace twinflow::cli {
namespace {

TEST_SUITE("cli.progress") {
  TEST_CASE("in a log, one plain line per tenth of the epoch") {
    std::ostringstream out;
    ProgressBar bar(out, /*is_terminal=*/false);
    bar.start_epoch(2, 5, 40);
    for (int64_t b = 1; b <= 40; ++b) bar.update(b, 64, {{"loss", 0.5}, {"accuracy", 0.75}});
    bar.finish_epoch();
    const std::string text = out.str();
    CHECK(std::count(text.begin(), text.end(), '\n') == 10);
    CHECK(text.find('\r') == std::string::npos);
    CHECK(text.find("epoch 2/5 4/40") != std::string::npos);
    CHECK(text.find("epoch 2/5 40/40") != std::string::npos);
    CHECK(text.find("loss 0.5000  accuracy 0.7500") != std::string::npos);
    CHECK(text.find("samples/s") != std::string::npos);
    CHECK(text.find("ETA") != std::string::npos);  // shown before the last batch
  }

  TEST_CASE("on a terminal, one line redrawn in place with a bar") {
    std::ostringstream out;
    ProgressBar bar(out, /*is_terminal=*/true);
    bar.start_epoch(1, 1, 3);
    bar.update(1, 8, {{"loss", 1.0}});   // the first draw comes at once
    bar.update(3, 8, {{"loss", 0.25}});  // the last batch is always drawn
    bar.finish_epoch();
    const std::string text = out.str();
    CHECK(text.rfind('\r', 0) == 0);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
    CHECK(text.find("[======>") != std::string::npos);
    CHECK(text.find("[====================] 3/3") != std::string::npos);
    CHECK(text.find("loss 0.2500") != std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::cli

// The DOT text of the two seed networks, compared byte for byte with tests/viz/golden/.
// After an intended change of the drawing, TWINFLOW_UPDATE_GOLDEN=1 rewrites the files; look
// at the difference (and at the rendered picture) before keeping it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/viz/viz_testing.h"

namespace twinflow::testing {

TEST_SUITE("viz.golden") {
  TEST_CASE("the DOT text of cosine_siamese and triplet matches the golden files") {
    const char* update = std::getenv("TWINFLOW_UPDATE_GOLDEN");
    for (const std::string name : {"cosine_siamese", "triplet"}) {
      CAPTURE(name);
      const std::string dot = viz::to_dot(viz::forward_view(shipped_model(name), {}));
      const std::string path = source_path("tests/viz/golden/" + name + ".dot");
      if (update && std::string(update) == "1") std::ofstream(path, std::ios::binary) << dot;
      std::ifstream in(path, std::ios::binary);
      REQUIRE_MESSAGE(in.good(), path << " is missing: run with TWINFLOW_UPDATE_GOLDEN=1");
      std::ostringstream golden;
      golden << in.rdbuf();
      CHECK(dot == golden.str());
      // The same spec drawn twice gives the same text.
      CHECK(viz::to_dot(viz::forward_view(shipped_model(name), {})) == dot);
    }
  }
}

}  // namespace twinflow::testing

// A model whose parameters cannot fit in memory is refused before anything is allocated.
#include "runtime/exec/memory_check.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "graph/ir/errors.h"
#include "runtime/exec/parameter_store.h"

namespace twinflow::runtime {
namespace {

TEST_SUITE("runtime.memory") {
  TEST_CASE("a store holds every parameter's values and a gradient for each trainable one") {
    graph::Graph g;
    g.add_parameter("dense.kernel", graph::Shape{3, 4}, graph::Init::kZeros, true);
    g.add_parameter("emb.embeddings", graph::Shape{5}, graph::Init::kZeros, false);
    CHECK(parameter_store_bytes(g, 4) == (12 * 2 + 5) * 4);
    CHECK(parameter_store_bytes(g, 8) == (12 * 2 + 5) * 8);
    const std::optional<int64_t> available = available_memory_bytes();
    REQUIRE(available.has_value());
    CHECK(*available > 0);
  }

  TEST_CASE("a parameter too large for the machine is refused, naming it and the bytes") {
    graph::Graph g;
    g.add_parameter("head.kernel", graph::Shape{2, 2}, graph::Init::kZeros, true);
    // 10¹⁵ float32 numbers and as many gradients: 8 PB, far beyond any machine.
    g.add_parameter("emb.embeddings", graph::Shape{1000000000000, 1000}, graph::Init::kZeros, true);
    try {
      ParameterStore<float> params(g, 1);
      FAIL("the store was built");
    } catch (const graph::RuntimeInputError& e) {
      const std::string message = e.what();
      CHECK(message.find("need 8000000.0 GB") != std::string::npos);
      CHECK(message.find("the largest: emb.embeddings [1000000000000, 1000], head.kernel") !=
            std::string::npos);
      CHECK(message.find("available") != std::string::npos);
    }
  }

  TEST_CASE("a size past int64 is refused, not wrapped around") {
    graph::Graph g;
    g.add_parameter("emb.embeddings", graph::Shape{INT64_MAX / 2, 3}, graph::Init::kZeros, true);
    CHECK_FALSE(parameter_store_bytes(g, 4).has_value());
    CHECK_THROWS_WITH_AS(ParameterStore<double>(g, 1),
                         doctest::Contains("more bytes than int64 counts"),
                         graph::RuntimeInputError);
  }
}

}  // namespace
}  // namespace twinflow::runtime

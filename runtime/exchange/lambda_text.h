// runtime/exchange/lambda_text.h — primitive nodes written back as a Lambda expression.
//
// The inverse of compile_lambda (graph/lambda/lambda.h) for the nodes it makes: compiling the
// text again over arguments of the same shapes adds the same ops with the same attributes in
// the same order, so it computes the same numbers bit for bit. Constants are written as the
// shortest decimal that reads back as the same double.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "graph/ir/graph.h"

namespace twinflow::runtime {

// The expression of value v. leaf(x) names a value the expression reads (an argument) or
// returns nothing for a value to expand; constants and nodes are expanded. Throws
// graph::RuntimeInputError naming a node whose op no expression can write.
std::string lambda_text(const graph::Graph& g, graph::ValueId v,
                        const std::function<std::optional<std::string>(graph::ValueId)>& leaf);

}  // namespace twinflow::runtime

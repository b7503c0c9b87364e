#include "graph/ir/attrs.h"

namespace twinflow::graph {

std::string_view to_string(Activation a) {
  switch (a) {
    case Activation::kLinear:
      return "linear";
    case Activation::kRelu:
      return "relu";
    case Activation::kSigmoid:
      return "sigmoid";
    case Activation::kTanh:
      return "tanh";
    case Activation::kSoftmax:
      return "softmax";
  }
  return "?";
}

std::string_view to_string(MergeMode m) {
  switch (m) {
    case MergeMode::kConcat:
      return "concat";
    case MergeMode::kSum:
      return "sum";
    case MergeMode::kMul:
      return "mul";
    case MergeMode::kAve:
      return "ave";
  }
  return "?";
}

}  // namespace twinflow::graph

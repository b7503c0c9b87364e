// runtime/exchange/onnx_graph.h — an ONNX graph under construction: nodes, constant tensors and
// the padding masks computed in-graph from the token ids, for the op converters of
// runtime/exchange/onnx_export.cc and onnx_lstm.cc.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace twinflow::runtime {

struct OnnxAttr {
  std::string name;
  std::variant<int64_t, float, std::string, std::vector<int64_t>> value;
};

class OnnxGraph {
 public:
  // ids: the name of the graph input holding the token ids, int64 [batch, seq].
  OnnxGraph(onnx::GraphProto& graph, std::string ids);

  // Adds a node with `outputs` outputs named after hint; returns their names.
  std::vector<std::string> add(std::string_view op, std::vector<std::string> inputs,
                               const std::string& hint, std::vector<OnnxAttr> attrs = {},
                               int outputs = 1);
  // The same for a node of one output.
  std::string add1(std::string_view op, std::vector<std::string> inputs, const std::string& hint,
                   std::vector<OnnxAttr> attrs = {});

  // Constant tensors (graph initializers).
  std::string floats(const std::string& hint, const std::vector<float>& values,
                     std::vector<int64_t> dims);
  std::string scalar(float value);
  std::string int64s(const std::vector<int64_t>& values);

  // Derived from the ids, made once: the real steps as bool [batch, seq], the number of real
  // steps per row as int32 [batch] (LSTM's sequence_lens; padding is post, as twinflow pads),
  // and the real steps as float [batch, seq, 1].
  std::string real_steps();
  std::string lengths();
  std::string step_weights();

 private:
  std::string fresh(const std::string& hint);
  onnx::GraphProto& graph_;
  std::string ids_;
  std::map<std::string, int> used_;
  std::string real_steps_, lengths_, step_weights_;
};

}  // namespace twinflow::runtime

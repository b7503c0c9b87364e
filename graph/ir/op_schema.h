// graph/ir/op_schema.h — what graph/ knows of an op: its name, arity, shape rule and the
// parameters a layer of it owns. Kernels live in ops/ (ops::OpDef extends this struct), so
// graph/ can infer shapes and validate without depending on any math.
#pragma once

#include <any>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/shape.h"

namespace twinflow::graph {

// What a shape rule sees of each input.
struct ValueInfo {
  Shape shape;
  DType dtype = DType::kReal;

  friend bool operator==(const ValueInfo&, const ValueInfo&) = default;
};

// How a parameter starts before training (Keras's initializers; runtime/exec/initializers.h).
enum class Init {
  kZeros,
  kOnes,
  kConstant,       // a
  kUniform,        // U(a, b)
  kNormal,         // N(mean a, stddev b)
  kGlorotUniform,  // U(±sqrt(6 / (fan_in + fan_out)))
  kOrthogonal,
  kLstmBias,  // zeros with ones on the forget gate (Keras's unit_forget_bias)
};
std::string_view to_string(Init init);  // Keras's name: "random_uniform", "glorot_uniform"

struct Initializer {
  Init kind = Init::kZeros;
  double a = 0.0;  // constant: the value; uniform: the low end; normal: the mean
  double b = 0.0;  // uniform: the high end; normal: the standard deviation
  Initializer(Init k = Init::kZeros, double a_ = 0.0, double b_ = 0.0) : kind(k), a(a_), b(b_) {}
  bool operator==(const Initializer&) const = default;
};

// Keras's default for embedding tables: U(-0.05, 0.05).
inline const Initializer kSmallUniform{Init::kUniform, -0.05, 0.05};

struct ParamSpec {
  std::string name;  // local name: "kernel", "forward.recurrent_kernel"
  Shape shape;
  Initializer init;
};

struct OpSchema {
  std::string_view name;
  // Counts of all inputs as the kernel sees them: data inputs, then a layer's parameters.
  int min_inputs = 1;
  int max_inputs = 1;
  // Pure: data inputs followed by parameters in, output shape out; throws ShapeError.
  Shape (*infer_shape)(const std::any& attrs, std::span<const ValueInfo> inputs) = nullptr;
  // The parameters one layer of this op owns, sized from the data inputs of its first use.
  std::vector<ParamSpec> (*param_specs)(const std::any& attrs,
                                        std::span<const ValueInfo> data_inputs) = nullptr;
  std::string (*describe)(const std::any& attrs) = nullptr;  // "units=64, relu"
  // Row b of the output depends on row b of the data inputs only (axis 0 is the batch), so
  // applications of one layer may run as one call on their batches stacked along axis 0
  // (graph/ir/stacking.h).
  bool rows_independent = false;

  virtual ~OpSchema() = default;
};

// Name -> schema, filled once by ops::register_builtin_ops().
class OpRegistry {
 public:
  void add(const OpSchema& schema);
  const OpSchema* find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, const OpSchema*, std::less<>> by_name_;
};

OpRegistry& op_registry();

}  // namespace twinflow::graph

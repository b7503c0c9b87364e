// One call of one layer: a layer owning parameters (shared by every call), a primitive op, a
// Slice resolved against its input, a Lambda compiled to primitives, or a Sequential applied
// layer by layer. Padding masks ride along here (graph/model/model.h).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

#include "graph/ir/attrs.h"
#include "graph/lambda/lambda.h"
#include "graph/model/build.h"

namespace twinflow::graph {

namespace {

// Ops whose output keeps the input's [B, T] steps, so the input's padding is still padding.
bool keeps_steps(const LayerSpec& layer) {
  static constexpr std::array<std::string_view, 11> kStepwise = {
      "Dense", "ReverseSequence", "Neg", "Exp", "Log", "Sqrt", "Square", "Abs",
      "Tanh",  "Sigmoid",         "Relu"};
  if (std::find(kStepwise.begin(), kStepwise.end(), layer.op) != kStepwise.end()) return true;
  if (const auto* lstm = std::any_cast<LstmAttrs>(&layer.attrs)) return lstm->return_sequences;
  if (const auto* bi = std::any_cast<BidirectionalAttrs>(&layer.attrs))
    return bi->layer.return_sequences;
  return false;
}

// Records which token ids mark the padding of y, if any.
void carry_mask(BuildContext& ctx, const LayerSpec& layer, const std::vector<ValueId>& xs,
                ValueId y) {
  const Graph& g = ctx.graph();
  if (const auto* emb = std::any_cast<EmbeddingAttrs>(&layer.attrs)) {
    if (emb->mask_zero && g.value(xs.front()).shape.rank() == 2) ctx.masks[y] = xs.front();
    return;
  }
  const auto mask = ctx.masks.find(xs.front());
  if (mask == ctx.masks.end() || !keeps_steps(layer)) return;
  const Shape& steps = g.value(mask->second).shape;
  const Shape& shape = g.value(y).shape;
  if (shape.rank() >= 3 && dims_compatible(shape[0], steps[0]) && shape[1] == steps[1])
    ctx.masks[y] = mask->second;
}

// The axis a layer's attributes name, if they name one.
std::optional<int> axis_of(const LayerSpec& layer) {
  if (const auto* c = std::any_cast<ConcatenateAttrs>(&layer.attrs)) return c->axis;
  if (const auto* s = std::any_cast<SliceSpec>(&layer.attrs)) return s->axis;
  if (const auto* r = std::any_cast<ReduceAttrs>(&layer.attrs)) return r->axis;  // Dot too
  if (const auto* n = std::any_cast<NormAttrs>(&layer.attrs)) return n->axis;
  if (const auto* c = std::any_cast<CosineAttrs>(&layer.attrs)) return c->axis;
  return std::nullopt;
}

// Every value keeps one row per example, so that the loss can pair each prediction with its
// target: a layer may not join, cut or reduce along the batch axis (an axis out of range is
// left to the op's shape rule).
void check_batch_axis(const LayerSpec& layer, const Shape& x) {
  const std::optional<int> axis = axis_of(layer);
  if (!axis || x.rank() == 0 || *axis >= x.rank() || *axis < -x.rank()) return;
  if (*axis != 0 && *axis + x.rank() != 0) return;
  const std::string which =
      *axis == 0 ? std::string("axis 0") : fmt::format("axis {} of {}", *axis, x.to_string());
  throw BuildError(layer.loc,
                   fmt::format("layer '{}' ({}): {} is the batch axis; every value keeps one row "
                               "per example, so that the loss can pair predictions with targets: "
                               "use axis 1 or -1 (to run one tower over several inputs, apply the "
                               "shared layer to each input)",
                               layer.name, layer.op, which));
}

// ReduceMean and ReduceMax over the time steps of a value with padding would count the padding.
void check_padded_time(const BuildContext& ctx, const LayerSpec& layer, ValueId x) {
  if (layer.op != "ReduceMean" && layer.op != "ReduceMax") return;
  if (!ctx.masks.count(x)) return;
  const Shape& shape = ctx.model.graph->value(x).shape;
  const int axis = std::any_cast<ReduceAttrs>(layer.attrs).axis;
  if (axis != 1 && axis + shape.rank() != 1) return;
  throw BuildError(
      layer.loc,
      fmt::format("layer '{}' ({}): axis {} of {} is time steps with padding (token "
                  "ids with 0 from a mask_zero Embedding), which it would count: use "
                  "a {} layer, which skips the padding",
                  layer.name, layer.op, axis, shape.to_string(),
                  layer.op == "ReduceMean" ? "GlobalAveragePooling1D" : "GlobalMaxPooling1D"));
}

// A Slice by part resolves to a range once the input's axis size is known.
SliceAttrs resolve_slice(const LayerSpec& layer, const Shape& x, const std::string& node,
                         const SourceLoc& loc) {
  const auto* s = std::any_cast<SliceSpec>(&layer.attrs);
  if (!s) throw std::bad_any_cast();
  if (!s->by_part()) return SliceAttrs{s->axis, s->begin, s->end};
  const std::string what = fmt::format("layer '{}' (Slice) at node '{}'", layer.name, node);
  int axis = 0;
  try {
    axis = x.normalize_axis(s->axis);
  } catch (const ShapeError& e) {
    throw BuildError(loc, fmt::format("{}: input {}: {}", what, x.to_string(), e.what()));
  }
  const int64_t size = x[axis];
  if (size == kBatch)
    throw BuildError(loc, fmt::format("{}: part {} of {} needs the size of axis {} of {}, which "
                                      "is only known at run time",
                                      what, s->part, s->of, s->axis, x.to_string()));
  if (size % s->of != 0)
    throw BuildError(loc, fmt::format("{}: axis {} of {} has size {}, which does not split into "
                                      "{} equal parts",
                                      what, s->axis, x.to_string(), size, s->of));
  if (s->part < 0 || s->part >= s->of)
    throw BuildError(loc,
                     fmt::format("{}: part {} is out of range [0, {}]", what, s->part, s->of - 1));
  const int64_t width = size / s->of;
  return SliceAttrs{s->axis, s->part * width, (s->part + 1) * width};
}

// The input carrying the n-gram rows of text input `ids`, added on the first call.
ValueId subword_pieces(BuildContext& ctx, const LayerSpec& layer, ValueId ids) {
  Graph& g = ctx.graph();
  const Value& text = g.value(ids);
  const auto& attrs = std::any_cast<const EmbeddingAttrs&>(layer.attrs);
  if (text.kind != ValueKind::kInput || text.dtype != DType::kInt32)
    throw BuildError(layer.loc,
                     fmt::format("layer '{}' (Embedding) has subwords, which are cut from the "
                                 "text's words: it must read an int32 text input directly, not "
                                 "'{}'",
                                 layer.name, text.name));
  const SubwordInput wanted{text.name + ":subwords", *attrs.subwords, attrs.vocab};
  const auto [it, added] = ctx.model.subword_inputs.emplace(text.name, wanted);
  const SubwordInput& have = it->second;
  if (!added) {
    if (have.subwords.min_n != wanted.subwords.min_n ||
        have.subwords.max_n != wanted.subwords.max_n ||
        have.subwords.buckets != wanted.subwords.buckets || have.first_row != wanted.first_row)
      throw BuildError(layer.loc, fmt::format("layer '{}' (Embedding): input '{}' is already read "
                                              "by an Embedding with other subwords or vocab",
                                              layer.name, text.name));
    return *g.find_value(have.pieces);
  }
  Shape pieces = text.shape;
  pieces.push_back(have.slots());
  return g.add_input(have.pieces, pieces, DType::kInt32, text.loc);
}

ValueId apply_op(BuildContext& ctx, const LayerSpec& layer, const std::vector<ValueId>& xs,
                 const std::string& name, const SourceLoc& loc) {
  Graph& g = ctx.graph();
  std::vector<ValueId> data = xs;
  const LayerKind* kind = kind_of(layer);
  check_batch_axis(layer, g.value(xs.front()).shape);
  check_padded_time(ctx, layer, xs.front());
  const auto mask = ctx.masks.find(xs.front());
  if (kind && kind->reads_mask && xs.size() == 1 && mask != ctx.masks.end())
    data.push_back(mask->second);
  if (const auto* emb = std::any_cast<EmbeddingAttrs>(&layer.attrs); emb && emb->subwords)
    data.push_back(subword_pieces(ctx, layer, xs.front()));
  ValueId y = -1;
  if (const auto it = ctx.graph_layers.find(layer.name); it != ctx.graph_layers.end()) {
    y = g.apply(it->second, data, name, loc);
    if (g.layer(it->second).uses.size() == 1) check_initializer_kinds(ctx, layer, it->second);
  } else {
    std::any attrs = layer.attrs;
    if (layer.op == "Slice") attrs = resolve_slice(layer, g.value(xs.front()).shape, name, loc);
    y = g.add_node(*op_registry().find(layer.op), std::move(attrs), data, name, loc);
  }
  carry_mask(ctx, layer, xs, y);
  return y;
}

std::vector<ValueId> apply_lambda(BuildContext& ctx, const LayerSpec& layer,
                                  const std::vector<ValueId>& xs, const std::string& name) {
  // compile_lambda scopes its nodes under `name`, which already spells the whole path.
  const ScopeAt top(ctx, "");
  LambdaRules rules{.keep_batch = true, .masks = {}};
  for (ValueId x : xs) {
    const auto mask = ctx.masks.find(x);
    rules.masks.push_back(mask == ctx.masks.end() ? -1 : mask->second);
  }
  std::vector<ValueId> ys;
  for (size_t i = 0; i < layer.exprs.size(); ++i) {
    try {
      ys.push_back(compile_lambda(ctx.graph(), name, layer.exprs[i], layer.args, xs, rules));
    } catch (const ExprError& e) {
      throw BuildError(offset_loc(lambda_expr_loc(layer, i), static_cast<size_t>(e.column() - 1)),
                       fmt::format("layer '{}' (Lambda): {}", layer.name, e.message()));
    } catch (const GraphError& e) {
      throw BuildError(layer.loc, fmt::format("layer '{}' (Lambda): {}", layer.name, e.what()));
    }
  }
  return ys;
}

// Nodes "<scope>/<layer>" in scope `scope`, the last one named `name`; a nested Sequential
// opens "<scope>/<its name>".
ValueId apply_sequential(BuildContext& ctx, const LayerSpec& seq, ValueId x,
                         const std::string& name, const SourceLoc& loc, const std::string& scope) {
  const ScopeAt open(ctx, scope);
  for (size_t i = 0; i < seq.layers.size(); ++i) {
    const LayerSpec& inner = *ctx.layers.at(seq.layers[i]);
    const std::string path = scope + "/" + inner.name;
    const std::string node = i + 1 == seq.layers.size() ? name : ctx.fresh_name(path);
    x = apply_layer(ctx, inner, {x}, node, loc, path).front();
  }
  return x;
}

}  // namespace

std::vector<ValueId> apply_layer(BuildContext& ctx, const LayerSpec& layer,
                                 const std::vector<ValueId>& xs, const std::string& name,
                                 const SourceLoc& loc, const std::string& scope) {
  try {
    if (layer.op == "Lambda") return apply_lambda(ctx, layer, xs, name);
    if (xs.empty()) throw BuildError(loc, fmt::format("layer '{}' needs a value", layer.name));
    if (layer.op == "Sequential")
      return {apply_sequential(ctx, layer, xs.front(), name, loc, scope.empty() ? name : scope)};
    return {apply_op(ctx, layer, xs, name, loc)};
  } catch (const BuildError&) {
    throw;
  } catch (const GraphError& e) {
    throw BuildError(loc, without_location(e.what(), loc));
  } catch (const ShapeError& e) {
    throw BuildError(loc, fmt::format("node '{}' ({}): {}", name, layer.op, e.what()));
  } catch (const std::bad_any_cast&) {
    throw BuildError(loc, fmt::format("layer '{}': its attributes are not those of op {}",
                                      layer.name, layer.op));
  }
}

}  // namespace twinflow::graph

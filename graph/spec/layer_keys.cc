#include "graph/spec/layer_keys.h"

#include <algorithm>

#include "graph/spec/fields.h"
#include "graph/spec/layers.h"

namespace twinflow::graph {

namespace {

// A visitor over graph/spec/fields.h that only notes which keys are named.
class KeyCollector {
 public:
  std::vector<std::string> keys;

  void integer(std::string_view key, int64_t&, Need, int64_t) { add(key); }
  void axis(std::string_view key, int&) { add(key); }
  void real(std::string_view key, double&, const Range&) { add(key); }
  void flag(std::string_view key, bool&) { add(key); }
  void text(std::string_view key, std::string&, Need) { add(key); }
  template <class T, class Options>
  void choice(std::string_view key, T&, Options) {
    add(key);
  }
  void names(std::string_view key, std::vector<std::string>&, std::vector<SourceLoc>*,
             const NamesRule&) {
    add(key);
  }
  void expressions(std::string_view key, std::vector<std::string>&, std::vector<SourceLoc>&) {
    add(key);
  }
  void expression(std::string_view key, std::string&, SourceLoc&) { add(key); }
  void role(std::string_view key, std::vector<std::pair<std::string, NameRef>>&) { add(key); }
  void initializer(std::string_view key, std::string_view,
                   std::vector<std::pair<std::string, Initializer>>&) {
    add(key);
  }
  template <class T>
  void nested(std::string_view key, T&, std::string_view) {
    add(key);
  }
  template <class T>
  void optional_nested(std::string_view key, std::optional<T>&) {
    add(key);
  }
  // Both groups are keys of the op; the first one's fields are then visited.
  Branch either(bool, std::initializer_list<std::string_view> first,
                std::initializer_list<std::string_view> second) {
    for (std::string_view key : first) add(key);
    for (std::string_view key : second) add(key);
    return Branch::kFirst;
  }
  template <class N>
  void ordered(std::string_view, N, std::string_view, N) {}

 private:
  void add(std::string_view key) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.emplace_back(key);
  }
};

}  // namespace

std::vector<std::string> layer_attribute_keys(std::string_view op) {
  if (find_layer_kind(op) == nullptr) return {};
  LayerSpec layer;
  layer.op = std::string(op);
  KeyCollector collector;
  layer_fields(collector, layer);
  return collector.keys;
}

std::vector<std::string> loss_attribute_keys(std::string_view op) {
  if (std::find(kLossOps.begin(), kLossOps.end(), op) == kLossOps.end()) return {};
  LossSpec loss;
  loss.op = std::string(op);
  KeyCollector collector;
  loss_fields(collector, loss);
  return collector.keys;
}

}  // namespace twinflow::graph

// The gradient checker itself must catch wrong VJPs, and must not pass by skipping.
#include "autograd/gradcheck.h"

#include <doctest/doctest.h>

#include "graph/ir/attrs.h"
#include "graph/ir/errors.h"
#include "tests/testing/op_check.h"

namespace twinflow::autograd {
namespace {

using graph::Shape;

// y = x², with a VJP that can be made wrong on purpose.
struct Square2 {
  using Attrs = double;  // the factor the VJP uses: 2 is right, anything else is a bug
  static constexpr std::string_view kName = "TestSquare";
  static constexpr int kMinInputs = 1;
  static constexpr int kMaxInputs = 1;
  static graph::Shape infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
    return in[0].shape;
  }
  template <typename T>
  static void forward(const Attrs&, ops::Context<T>&, ops::Args<T> in, ops::Out<T> y) {
    ops::flat(y) = ops::flat(in[0]).array().square().matrix();
  }
  template <typename T>
  static void backward(const Attrs& factor, ops::Context<T>&, ops::Args<T> in, ops::In<T>,
                       ops::In<T> dy, ops::GradArgs<T> d) {
    if (d.wants(0))
      ops::flat(d[0]).array() +=
          static_cast<T>(factor) * ops::flat(in[0]).array() * ops::flat(dy).array();
  }
};

// y = |x| with a kink signature, to exercise the kink window.
struct KinkedAbs {
  using Attrs = graph::NoAttrs;
  static constexpr std::string_view kName = "TestAbs";
  static constexpr int kMinInputs = 1;
  static constexpr int kMaxInputs = 1;
  static graph::Shape infer_shape(const Attrs&, std::span<const graph::ValueInfo> in) {
    return in[0].shape;
  }
  template <typename T>
  static void forward(const Attrs&, ops::Context<T>&, ops::Args<T> in, ops::Out<T> y) {
    ops::flat(y) = ops::flat(in[0]).cwiseAbs();
  }
  template <typename T>
  static void backward(const Attrs&, ops::Context<T>&, ops::Args<T> in, ops::In<T>, ops::In<T> dy,
                       ops::GradArgs<T> d) {
    for (int64_t i = 0; i < dy.size(); ++i)
      d[0].y[i] += (in[0].x[i] > T(0) ? T(1) : T(-1)) * dy.x[i];
  }
  template <typename T>
  static uint64_t kink_signature(const Attrs&, ops::Args<T> in, ops::In<T>) {
    uint64_t h = ops::kSignatureSeed;
    for (int64_t i = 0; i < in[0].size(); ++i) h = ops::mix_signature(h, in[0].x[i] > T(0));
    return h;
  }
};

testing::OpCase square_case(double factor) {
  testing::OpCase c;
  c.label = "square";
  c.op = &ops::op_def<Square2>();
  c.attrs = factor;
  c.inputs.push_back(testing::random_input(Shape{3, 4}));
  return c;
}

TEST_SUITE("autograd") {
  TEST_CASE("gradcheck passes a correct VJP and fails a wrong one, naming where") {
    const auto good = testing::check_op(square_case(2.0));
    CHECK(good.passed());
    CHECK(good.worst_error() < 1e-8);

    const auto bad = testing::check_op(square_case(2.001));  // 0.05% off
    CHECK_FALSE(bad.passed());
    REQUIRE(bad.tensors.size() == 1);
    CHECK(bad.tensors[0].name == "in0");
    CHECK(bad.tensors[0].worst_index >= 0);
    CHECK(bad.tensors[0].worst_error > 1e-6);
    CHECK(bad.to_string().find("FAIL") != std::string::npos);
  }

  TEST_CASE("gradcheck skips probes across a kink and fails when every probe is skipped") {
    testing::OpCase c;
    c.label = "abs";
    c.op = &ops::op_def<KinkedAbs>();
    c.attrs = graph::NoAttrs{};
    // 1e-7 is inside the ±1e-6 probe: that element must be skipped, the others checked.
    c.inputs.push_back(testing::given_input(Shape{4}, {0.5, -0.7, 1e-7, 2.0}));
    auto report = testing::check_op(c);
    CHECK(report.passed());
    CHECK(report.tensors[0].skipped == 1);
    CHECK(report.tensors[0].probes == 4);

    c.inputs[0] = testing::given_input(Shape{2}, {1e-7, -1e-7});
    report = testing::check_op(c);
    CHECK(report.tensors[0].skipped == 2);
    CHECK_FALSE(report.passed());
  }

  TEST_CASE("gradcheck reports NaN gradients as failures") {
    const auto nan_report = testing::check_op(square_case(std::nan("")));
    CHECK_FALSE(nan_report.passed());
  }
}

}  // namespace
}  // namespace twinflow::autograd

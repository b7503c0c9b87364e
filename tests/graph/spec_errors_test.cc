// parse_spec on malformed specs, part 1: text that is not a spec at all, YAML errors, refused
// tags, duplicate and unknown keys, names that are not identifiers, and every error of a file
// reported in one pass. Errors in attribute values are in spec_value_errors_test.cc.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "graph/spec/spec.h"
#include "tests/graph/spec_checks.h"

namespace twinflow::graph {
namespace {

using namespace testing;

TEST_SUITE("graph.spec") {
  TEST_CASE("garbage never throws and always gives an error with a place") {
    const std::vector<std::string> garbage = {
        "",
        "# only a comment\n",
        "---\n",
        "[]",
        "- model\n- inputs\n",
        "null",
        "42",
        "\"text\"",
        "{",
        "model: [a, b\n",
        "a: b: c\n",
        ": x\n",
        "? [a]\n: b\n",
        "x: &a [*a]\n",
        "model: m\n---\nmodel: n\n",
        "model: m\ninputs: 3\nlayers: []\ngraph: null\noutputs: {}\nloss: 1\ntrain: [1]\n",
        "model: {a: 1}\ninputs: {x: null}\nlayers: {l: null, m: 3, n: {op: null}, o: {op: [1]}}\n"
        "graph: {a: [x]}\noutputs: [1, null, {a: 1}]\n",
        "model: .nan\ninputs: {x: {shape: [99999999999999999999999]}}\n"
        "layers: {d: {op: Dense, units: 1e400, trainable: .nan}}\ngraph: {}\noutputs: [x]\n"
        "train: {optimizer: [adam], epochs: -.inf, batch_size: 0x10}\n",
        "model: m\ninputs: {x: {shape: [4], dtype: [int32]}}\nlayers: {l: {op: Slice, part: "
        "{a: 1}}, b: {op: Bidirectional, layer: [LSTM]}}\ngraph: {}\noutputs: [x]\n"
        "loss: {op: [expression]}\n",
        std::string("model: m\0\x01\xff\xfe", 13),
        "\xef\xbb\xbfmodel: m\n\tinputs: 1\n",
        std::string(100000, '['),
        "a: " + std::string(3000, '{') + "b" + std::string(3000, '}') + "\n",
        std::string(20000, '-') + "\n" + std::string(20000, ' ') + "- x\n",
    };
    for (const std::string& text : garbage) {
      INFO(text.substr(0, 80));
      const Parsed p = parse(text);
      CHECK_FALSE(p.spec.has_value());
      CHECK(p.diags.has_errors());
      for (const Diagnostic& d : p.diags.all()) CHECK(d.loc.file == "t.yaml");
    }
  }

  TEST_CASE("a missing file is one error naming its path") {
    Diagnostics diags;
    std::optional<ModelSpec> spec;
    CHECK_NOTHROW(spec = parse_spec_file("/nonexistent/dir/spec.yaml", diags));
    CHECK_FALSE(spec.has_value());
    REQUIRE(diags.error_count() == 1);
    CHECK(diags.all()[0].loc.file == "/nonexistent/dir/spec.yaml");
    CHECK(diags.all()[0].message.find("'/nonexistent/dir/spec.yaml'") != std::string::npos);
    Diagnostics dir_diags;
    CHECK_FALSE(parse_spec_file(TWINFLOW_SOURCE_DIR, dir_diags).has_value());
    CHECK(dir_diags.error_count() == 1);
  }

  TEST_CASE("the shipped models parse") {
    for (const char* name :
         {"cosine_siamese", "manhattan_siamese", "triplet", "triplet_distance"}) {
      INFO(name);
      Diagnostics diags;
      const std::optional<ModelSpec> spec =
          parse_spec_file(std::string(TWINFLOW_SOURCE_DIR) + "/models/" + name + ".yaml", diags);
      INFO(diags.to_string());
      CHECK(spec.has_value());
      CHECK(diags.all().empty());
    }
  }

  TEST_CASE("a YAML syntax error is one error at yaml-cpp's mark") {
    const Parsed p = parse("model: m\ninputs: {a: 1\n");
    CHECK(only_error(p).find("invalid YAML") == 0);
    CHECK(p.diags.all()[0].loc.line == 3);
    const Parsed q = parse("model: m\nx: a: b\n");
    CHECK(has_error(q, 2, 5, {"invalid YAML", "illegal map value"}));
    CHECK(q.diags.error_count() == 1);
    const Parsed empty = parse("");
    CHECK(only_error(empty).find("the spec is empty") == 0);
    const Parsed two = parse("model: m\n---\nmodel: n\n");
    CHECK(has_error(two, 2, 1, {"one YAML document"}));
  }

  TEST_CASE("a tag that is not plain data is refused where it is written") {
    const std::string text = with_layers(
        "  evil: !!python/object:os.system {op: Dense, units: 1}\n"
        "  odd: {op: Dense, units: !foo 3}\n");
    const Parsed p = parse(text);
    CHECK(has_error(p, 5, 9,
                    {"YAML tag '!!python/object:os.system' is not allowed: a spec is plain data"}));
    CHECK(has_error(p, 6, column_of(text, 6, "!foo"), {"YAML tag '!foo' is not allowed"}));
    CHECK(p.diags.error_count() == 2);  // no follow-up errors about the tagged values
    const Parsed apply = parse("model: !!python/apply:os.system [ls]\n");
    CHECK(has_error(apply, 1, 8, {"'!!python/apply:os.system'"}));
  }

  TEST_CASE("a key given twice is reported at its second place") {
    const std::string text =
        "model: m\ninputs: {x: {shape: [4]}}\nlayers:\n"
        "  d: {op: Dense, units: 1, units: 2}\n"  // line 4
        "graph:\n"
        "  x1: d(x)\n"  // line 6
        "  x1: d(x)\n"  // line 7
        "outputs: [x1]\n"
        "model: n\n";  // line 9
    const Parsed p = parse(text);
    CHECK(has_error(p, 7, 3, {"key 'x1' is given twice in graph (first at line 6)"}));
    CHECK(has_error(p, 4, column_of(text, 4, "units: 2"),
                    {"key 'units' is given twice in layers.d (first at line 4)"}));
    CHECK(has_error(p, 9, 1, {"key 'model' is given twice in the spec (first at line 1)"}));
    CHECK(p.diags.error_count() == 3);
  }

  TEST_CASE("an unknown key names its path and the nearest valid key") {
    const std::string text = with_layers("  head: {op: Dense, unitz: 1}\n");
    const Parsed p = parse(text);
    // One mistake, one message: the misspelt key is not also reported as a missing 'units'.
    CHECK(only_error(p) == "unknown key 'unitz' in layers.head (Dense) (did you mean 'units'?)");
    CHECK(has_error(p, 5, column_of(text, 5, "unitz"), {"unitz"}));

    const Parsed top =
        parse("model: m\ninputs: {x: {shape: [4]}}\nlayer: {}\ngraph: {}\noutputs: [x]\n");
    CHECK(only_error(top) == "unknown key 'layer' in the spec (did you mean 'layers'?)");
    CHECK(has_error(top, 3, 1, {"layer"}));
    const Parsed missing = parse("model: m\ninputs: {x: {shape: [4]}}\ngraph: {}\noutputs: [x]\n");
    CHECK(only_error(missing) == "the spec needs 'layers'");
    CHECK(has_error(missing, 1, 1, {"needs"}));
    CHECK(only_error(
              parse(with_layers("  e: {op: Embedding, vocab: 9, dim: 2, subwords: {min: 2}}\n"))) ==
          "unknown key 'min' in layers.e.subwords (did you mean 'min_n'?)");
    const Parsed far = parse(with_layers("  d: {op: Dense, units: 1, colour: red}\n"));
    CHECK(only_error(far) == "unknown key 'colour' in layers.d (Dense)");
    // Hints also catch a swap of two letters and a name cut short or run on.
    CHECK(only_error(parse(with_layers("  d: {op: Dense, units: 1, use_bais: true}\n"))) ==
          "unknown key 'use_bais' in layers.d (Dense) (did you mean 'use_bias'?)");
    CHECK(only_error(parse(with_layers("  d: {op: Dense, units: 1, kernel: ones}\n"))) ==
          "unknown key 'kernel' in layers.d (Dense) (did you mean 'kernel_initializer'?)");
  }

  TEST_CASE("an unknown op names the layer, with a hint, at the op") {
    const std::string text = with_layers("  x: {op: Dence, units: 3}\n");
    const Parsed p = parse(text);
    CHECK(only_error(p) == "layer 'x': unknown op 'Dence' (did you mean 'Dense'?)");
    CHECK(has_error(p, 5, column_of(text, 5, "Dence"), {"unknown op"}));
    CHECK(has_error(parse(with_layers("  x: {units: 3}\n")), 5, 6, {"layer 'x' needs 'op'"}));
    CHECK(only_error(parse(with_layers("  x: {op: BinaryCrossentropy}\n")))
              .find("unknown op 'BinaryCrossentropy'") != std::string::npos);
  }

  TEST_CASE("names must be identifiers") {
    const std::string text =
        "model: m\n"
        "inputs: {2x: {shape: [4]}}\n"  // line 2
        "layers:\n"
        "  my-layer: {op: Exp}\n"                                             // line 4
        "  f: {op: Lambda, args: [a, 1b, a], expr: a}\n"                      // line 5
        "  t: {op: Sequential, layers: [f, {op: Dense, units: 1}, 'g h']}\n"  // line 6
        "graph:\n"
        "  \"a-b\": f(x)\n"            // line 8
        "  \"ok, \": f(x)\n"           // line 9
        "outputs: [a, 3, \"b c\"]\n";  // line 10
    const Parsed p = parse(text);
    CHECK(has_error(p, 2, 10, {"input name '2x' must be an identifier ([A-Za-z_][A-Za-z0-9_]*)"}));
    CHECK(has_error(p, 4, 3, {"layer name 'my-layer' must be an identifier"}));
    CHECK(has_error(p, 5, column_of(text, 5, "1b"),
                    {"layers.f.args[1] must be an identifier", "found '1b'"}));
    CHECK(has_error(p, 5, column_of(text, 5, "a]"), {"layers.f.args lists 'a' twice"}));
    CHECK(has_error(
        p, 6, column_of(text, 6, "{op: Dense"),
        {"layers.t.layers[1] must be a name, found a map", "layers are referenced by name"}));
    CHECK(has_error(p, 6, column_of(text, 6, "'g h'"),
                    {"layers.t.layers[2] must be an identifier", "found the string 'g h'"}));
    CHECK(has_error(p, 8, 3, {"graph name 'a-b' must be an identifier"}));
    CHECK(has_error(p, 9, 3, {"graph key 'ok, ' has an empty name"}));
    CHECK(has_error(p, 10, 14, {"outputs[1] must be an identifier", "found 3"}));
    CHECK(has_error(p, 10, 17, {"outputs[2]", "found the string 'b c'"}));
    CHECK(p.diags.error_count() == 10);
  }

  TEST_CASE("every error of a file is reported in one pass") {
    const std::string text = with_layers(
        "  a: {op: Dense, units: -3}\n"
        "  b: {op: LSTM, units: 2, dropout: 1.5}\n"
        "  c: {op: Embedding, vocab: 10, dim: 2, mask_zero: yes please}\n");
    const Parsed p = parse(text);
    CHECK(p.diags.error_count() == 3);
    CHECK(has_error(p, 5, column_of(text, 5, "-3"), {"layers.a.units"}));
    CHECK(has_error(p, 6, column_of(text, 6, "1.5"), {"layers.b.dropout"}));
    CHECK(has_error(p, 7, column_of(text, 7, "yes"), {"layers.c.mask_zero"}));

    // A bad section does not stop the others from being checked.
    const Parsed q = parse(
        "model: m\ninputs: {x: {shape: [0]}}\nlayers: {d: {op: Dense}}\ngraph: {y: [x]}\n"
        "outputs: y\nloss: {op: contrastive}\ntrain: {epochs: 0}\n");
    // shape[0], needs 'units', graph.y, outputs, needs 'distance' and 'target', train.epochs
    CHECK(q.diags.error_count() == 7);
  }

  TEST_CASE("an alias that contains itself is an error, not a hang") {
    const Parsed p = parse("model: m\ninputs: &i {x: *i}\nlayers: {}\ngraph: {}\noutputs: [x]\n");
    CHECK(has_error(p, 2, 16, {"alias refers to a node that contains it"}));
    CHECK(p.diags.error_count() == 1);
  }
}

}  // namespace
}  // namespace twinflow::graph

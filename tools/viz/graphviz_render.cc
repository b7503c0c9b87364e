#include "tools/viz/graphviz_render.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <memory>

namespace twinflow::viz {

namespace {

// Graphviz's messages since the last reset; its callback is a plain function pointer.
std::string& messages() {
  static std::string text;
  return text;
}

int collect(char* message) {
  messages() += message;
  return 0;
}

// One context for the process, never freed: Graphviz 2.42's pango plugin keeps a pointer to
// the last font name, which lives in the context's font cache, and compares the next label's
// font with it, so a second context would read the freed name of the first.
GVC_t* context() {
  static GVC_t* const gvc = gvContext();
  if (!gvc) throw GraphvizError("Graphviz: could not create a context");
  return gvc;
}

struct GraphDeleter {
  void operator()(Agraph_t* g) const { agclose(g); }
};
using Graph = std::unique_ptr<Agraph_t, GraphDeleter>;

// Frees a layout before its graph, as Graphviz requires.
class Layout {
 public:
  Layout(GVC_t* gvc, Agraph_t* g, const std::string& engine) : gvc_(gvc), g_(g) {
    if (gvLayout(gvc, g, engine.c_str()) != 0)
      throw GraphvizError("Graphviz layout '" + engine + "' failed: " + messages());
  }
  ~Layout() { gvFreeLayout(gvc_, g_); }
  Layout(const Layout&) = delete;
  Layout& operator=(const Layout&) = delete;

 private:
  GVC_t* gvc_;
  Agraph_t* g_;
};

Graph read(std::string_view dot) {
  messages().clear();
  agseterr(AGERR);
  agseterrf(collect);
  const std::string text(dot);
  Graph g(agmemread(text.c_str()));
  if (!g) throw GraphvizError("Graphviz could not read the DOT text: " + messages());
  return g;
}

std::map<std::string, std::string> attributes(Agraph_t* g, int kind, void* object) {
  std::map<std::string, std::string> out;
  for (Agsym_t* sym = agnxtattr(g, kind, nullptr); sym; sym = agnxtattr(g, kind, sym)) {
    const char* value = agxget(object, sym);
    if (value && *value) out[sym->name] = value;
  }
  return out;
}

void collect_clusters(Agraph_t* g, std::vector<std::string>& out) {
  for (Agraph_t* sub = agfstsubg(g); sub; sub = agnxtsubg(sub)) {
    const std::string name = agnameof(sub);
    if (name.rfind("cluster", 0) == 0) out.push_back(name);
    collect_clusters(sub, out);
  }
}

}  // namespace

std::string render(std::string_view dot, std::string_view format, std::string_view engine) {
  Graph g = read(dot);
  GVC_t* gvc = context();
  Layout layout(gvc, g.get(), std::string(engine));
  char* data = nullptr;
  unsigned int length = 0;  // Graphviz 2.43 takes unsigned int*, later versions size_t*
  const std::string fmt(format);
  if (gvRenderData(gvc, g.get(), fmt.c_str(), &data, &length) != 0 || !data) {
    if (data) gvFreeRenderData(data);
    throw GraphvizError("Graphviz could not render format '" + fmt + "': " + messages());
  }
  std::string out(data, length);
  gvFreeRenderData(data);
  return out;
}

ParsedDot parse_dot(std::string_view dot) {
  Graph g = read(dot);
  ParsedDot out;
  for (Agnode_t* n = agfstnode(g.get()); n; n = agnxtnode(g.get(), n)) {
    out.nodes[agnameof(n)] = attributes(g.get(), AGNODE, n);
    for (Agedge_t* e = agfstout(g.get(), n); e; e = agnxtout(g.get(), e))
      out.edges.push_back(
          {agnameof(agtail(e)), agnameof(aghead(e)), attributes(g.get(), AGEDGE, e)});
  }
  collect_clusters(g.get(), out.clusters);
  return out;
}

}  // namespace twinflow::viz

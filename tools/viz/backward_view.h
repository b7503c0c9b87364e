// tools/viz/backward_view.h — the reverse pass of a forward drawing, as autograd::Tape runs it.
//
// From the seed d loss / d loss = 1, each visible node that the loss reaches and that leads to
// a trainable parameter gets a gradient node (its VJP), in reverse order. Gradients travel
// along the forward edges turned around; where several meet they are added, and a sum node
// ("+") shows it: a value read by N nodes gets one sum node with N incoming gradient edges,
// and so do a layer's parameters read by N applications. Each layer's parameters are one node
// where its gradient accumulates (+=, across micro-batches too, until zero_grad); a frozen
// layer (trainable: false) is greyed, and its uses send it no gradient (dotted edges).
// Token ids, masks and labels get no gradient and are left out.
#pragma once

#include "graph/model/model.h"
#include "tools/viz/drawing.h"

namespace twinflow::viz {

Drawing backward_view(const graph::Model& model, const Drawing& forward);

}  // namespace twinflow::viz

"""int8 weights for an exported graph: every MatMul whose second input is a weight (an initializer,
or a Transpose of one, as torch.onnx.export writes nn.Linear and the tied output head) becomes a
com.microsoft DynamicQuantizeMatMul: the activations are quantized per pass by onnxruntime, the
weights once here, symmetric int8 (zero points 0) with one scale per output column (or one per
tensor). The attention's activation x activation MatMuls stay float32, and so do the embedding
Gather (the head gets its own int8 copy of the transposed embedding) and the weights named in
`keep`.

The FFN down projections' inputs (SiLU(gate) * up) have outlier channels that the per-tensor
dynamic uint8 quantization of the activations handles badly. Top-1 agreement with float32 on
6,160 masked positions (fixtures/dllm-tiny.canvases.json plus 120 canvases of a training seed):
99.2 % with them float32, 98.2 % with them int8 as they are. export.py therefore passes the
peaks of those inputs over calibration canvases, and smooth_down moves the outliers into the
weights first (SmoothQuant, alpha 0.5): 98.7 % there, 630/640 on the fixture alone, and on 500
held-out problems 83.2 % exact against 82.4 % for float32 (the model card), for 10-17 % less
WASM time per pass at T = 128-256.

usage: quantize.py IN.onnx OUT.onnx [--per-tensor] [--keep NAME,NAME] [--down-peaks FILE.json]
  --down-peaks: {"blocks.0": [peak per FFN channel], ...}; without it the down projections
  are quantized unsmoothed (or kept float32 with --keep down).
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper

MS_DOMAIN = "com.microsoft"
SMOOTH_ALPHA = 0.5


def smooth_down(graph, down_peaks, alpha=SMOOTH_ALPHA):
    """SmoothQuant for the FFN down projections, in place on the graph's float32 weights (the
    int8 file's only; the float32 graph is not touched). Block i computes
    down(SiLU(gate) * up): dividing up's output channel j by s_j divides the down input's channel
    j by s_j exactly, and multiplying down's input channel j by s_j restores the product, so the
    function is unchanged while the activation's outliers shrink and the weights take them on.
    s_j = peak_j^alpha / weight_peak_j^(1 - alpha), peak_j over the calibration canvases."""
    initializers = {init.name: init for init in graph.initializer}
    for block, peaks in down_peaks.items():
        gate_up = initializers[f"{block}.gate_up.weight"]  # [2 * ff, d]: gate rows, then up rows
        down = initializers[f"{block}.down.weight"]  # [d, ff]
        gu, dw = numpy_helper.to_array(gate_up).copy(), numpy_helper.to_array(down).copy()
        ff = dw.shape[1]
        peak = np.maximum(np.asarray(peaks, dtype=np.float64), 1e-5)
        s = peak ** alpha / np.maximum(np.abs(dw).max(axis=0), 1e-5) ** (1 - alpha)
        gu[ff:] /= s[:, None]
        dw *= s[None, :]
        gate_up.CopyFrom(numpy_helper.from_array(gu.astype(np.float32), gate_up.name))
        down.CopyFrom(numpy_helper.from_array(dw.astype(np.float32), down.name))


def quantize_weight(w, per_channel):
    """w [K, N] float32 -> (int8 [K, N], scale float32 [N] or [], zero point int8 of the scale's
    shape): w ~= q * scale, q in [-127, 127] so the range is symmetric."""
    peak = np.abs(w).max(axis=0) if per_channel else np.abs(w).max()
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale, np.zeros(scale.shape, dtype=np.int8)


def weight_of(graph, name, producers, initializers):
    """The [K, N] weight behind a MatMul's second input, with the Transpose node it came through
    (or None), or (None, None) when the input is an activation."""
    if name in initializers:
        return numpy_helper.to_array(initializers[name]), None
    node = producers.get(name)
    if node is not None and node.op_type == "Transpose" and node.input[0] in initializers:
        perm = next((list(a.ints) for a in node.attribute if a.name == "perm"), None)
        w = numpy_helper.to_array(initializers[node.input[0]])
        if w.ndim == 2 and perm in (None, [1, 0]):
            return np.ascontiguousarray(w.T), node
    return None, None


def quantize_model(model, per_channel=True, keep=()):
    """Rewrites `model` in place; returns the names of the MatMuls it replaced. Weights whose
    name contains one of `keep` stay float32."""
    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    producers = {out: node for node in graph.node for out in node.output}
    replaced, nodes = [], []
    for node in graph.node:
        w = None
        if node.op_type == "MatMul" and not node.domain:
            w, transpose = weight_of(graph, node.input[1], producers, initializers)
        if w is None or w.ndim != 2 or any(k in (transpose.input[0] if transpose is not None else node.input[1]) for k in keep):
            nodes.append(node)
            continue
        base = (transpose.input[0] + "_T") if transpose is not None else node.input[1]
        q, scale, zero = quantize_weight(w.astype(np.float32), per_channel)
        names = [f"{base}_quantized", f"{base}_scale", f"{base}_zero_point"]
        if names[0] not in initializers:
            for name, array in zip(names, (q, scale, zero)):
                initializers[name] = numpy_helper.from_array(array, name)
                graph.initializer.append(initializers[name])
        nodes.append(helper.make_node(
            "DynamicQuantizeMatMul", [node.input[0], *names], list(node.output),
            name=f"{node.name or node.output[0]}_int8", domain=MS_DOMAIN,
        ))
        replaced.append(node.name or node.output[0])
    del graph.node[:]
    graph.node.extend(nodes)
    prune(graph)
    if not any(op.domain == MS_DOMAIN for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    return replaced


def prune(graph):
    """Drops the nodes and initializers nothing reads any more (the float Transposes and weights)."""
    while True:
        used = {name for node in graph.node for name in node.input} | {out.name for out in graph.output}
        dead = [node for node in graph.node if not any(out in used for out in node.output)]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    used = {name for node in graph.node for name in node.input}
    keep = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep)


def quantize_file(src, dst, per_channel=True, keep=(), down_peaks=None):
    model = onnx.load(src)
    if down_peaks:
        smooth_down(model.graph, down_peaks)
    replaced = quantize_model(model, per_channel, keep)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"quantize: {dst} ({os.path.getsize(dst) / 1e6:.1f} MB, {len(replaced)} MatMuls int8, "
          f"{'per column' if per_channel else 'per tensor'}{', down projections smoothed' if down_peaks else ''})")
    return replaced


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("src")
    parser.add_argument("dst")
    parser.add_argument("--per-tensor", action="store_true")
    parser.add_argument("--keep", default="", help="comma-separated weight-name parts to keep float32")
    parser.add_argument("--down-peaks", help="JSON file of the down projections' input peaks (export.py computes them)")
    args = parser.parse_args()
    peaks = json.load(open(args.down_peaks)) if args.down_peaks else None
    quantize_file(args.src, args.dst, per_channel=not args.per_tensor, keep=[k for k in args.keep.split(",") if k], down_peaks=peaks)


if __name__ == "__main__":
    main()

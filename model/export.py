"""Export the trained checkpoint as the model folder the runtime loads, plus a parity fixture.

Graph contract (onnx/model.onnx): inputs `input_ids` int64 [batch, sequence] and `row_range`
int64 [2] = [from, to), the canvas rows the pass needs (0 <= from < to <= sequence; an empty
range fails in onnxruntime 1.30's TopK: SIGFPE on node, "divide by zero" on WASM). The
blocks run over the whole canvas, except that the last one computes its keys and values for
every position but its queries, attention output and FFN for rows [from, to) only (nothing
after it reads the other positions); the final norm and the output head (the largest MatMul)
then run on those R = to - from rows.
Outputs, for those rows:
  logits    float32 [batch, R, vocab]
  top_ids   int32   [batch, R, 2]  the two highest-logit ids, descending, ties to the lower id
  top_probs float32 [batch, R, 2]  their softmax probabilities under the raw logits
A greedy decoder fetches only top_ids/top_probs (16 bytes a row); two ids, so it can skip the
mask token. Constant folding is off, or the tied embedding would be stored twice.

A second graph, onnx/model_kv.onnx, runs the same weights over a window of the canvas against
cached keys/values of the other positions (the approximate KV caches; docs/kv-cache.md):
  inputs  input_ids int64 [batch, window], window_start int64 [] (absolute position of the
          window's first token), past_keys / past_values float32 [layers, batch, heads, past,
          head_dim], row_range int64 [2] (rows of the window, relative to its start)
  outputs logits / top_ids / top_probs for those rows as above, present_keys / present_values
          float32 [layers, batch, heads, window, head_dim] (the whole window; keys with rotary
          of their true positions)

Both also ship int8 (onnx/model_quantized.onnx, onnx/model_kv_quantized.onnx; quantize.py, its FFN
down projections smoothed with activation peaks over fixtures/dllm-tiny.calibration.json).

usage: export.py --work DIR --out MODEL_DIR --delimiters ID,ID,ID [--random] [--fixture FILE]
       export.py --kv-only|--graphs-only --out MODEL_DIR [--onnx-weights FILE]
  --random exports freshly initialised weights (a stand-in with the same contract).
  --kv-only writes only onnx/model_kv.onnx (and its int8 twin), with the weights of --onnx-weights
  (default: MODEL_DIR/onnx/model.onnx) and the architecture of MODEL_DIR/config.json;
  --graphs-only writes all four graphs that way (to re-export shipped weights under a new contract).
"""
import argparse
import json
import os

import numpy as np
import torch

from arch import DiffusionLM, ModelConfig

PAD, EOS, MASK = 0, 1, 2
MAX_SEQUENCE_LENGTH = 512
PARITY_PROBE_IDS = [0, 1, 2, 3, 4, 5, 10, 50, 100, 500, 1000]


def log_sum_exp(logits):
    top = logits.max(-1, keepdims=True)
    return (top + np.log(np.exp(logits - top).sum(-1, keepdims=True)))[:, 0]


def parity_fixture(model, vocab_size, seed=7):
    """A few id sequences with PyTorch's logits: top-5 per position, a fixed set of columns and
    the log-sum-exp, enough to pin the whole row without storing it."""
    rng = np.random.default_rng(seed)
    cases = []
    for length in (5, 23, 70):
        ids = rng.integers(4, vocab_size, size=length)
        ids[length // 2:] = MASK
        with torch.no_grad():
            logits = model(torch.from_numpy(ids[None, :]).long())[0].double().numpy()
        top = np.argsort(-logits, axis=-1)[:, :5]
        probe = [i for i in PARITY_PROBE_IDS if i < vocab_size]
        cases.append({
            "input_ids": ids.tolist(),
            "top_ids": top.tolist(),
            "top_logits": np.take_along_axis(logits, top, axis=-1).round(6).tolist(),
            "probe_ids": probe,
            "probe_logits": logits[:, probe].round(6).tolist(),
            "logsumexp": log_sum_exp(logits).round(6).tolist(),
        })
    return {"tolerance": 1e-3, "cases": cases}


GRAPH = os.path.join("onnx", "model.onnx")
KV_GRAPH = os.path.join("onnx", "model_kv.onnx")
ROW_OUTPUTS = ["logits", "top_ids", "top_probs"]


class SliceRows(torch.autograd.Function):
    """tensor[..., from:to, ...] on one axis for a row_range tensor, exported as one ONNX Slice
    whose bounds are graph values (tracing a Python slice would freeze them to the dummy's)."""

    @staticmethod
    def forward(ctx, tensor, starts, ends, axis):
        return tensor.narrow(axis, int(starts[0]), int(ends[0]) - int(starts[0]))

    @staticmethod
    def symbolic(g, tensor, starts, ends, axis):
        return g.op("Slice", tensor, starts, ends, g.op("Constant", value_t=torch.tensor([axis])))


def row_selector(row_range):
    """The `rows` argument of DiffusionLM.trunk for a row_range input."""
    return lambda tensor, axis: SliceRows.apply(tensor, row_range[:1], row_range[1:], axis)


def row_outputs(model, rows):
    """The pass's rows of the pre-norm states through the norm and the head: logits, the
    top-2 ids (ONNX TopK: descending, ties to the lower index) and their float32 softmax
    probabilities."""
    logits = model.logits(model.norm(rows))
    _, top = torch.topk(logits, 2, dim=-1)
    probs = torch.softmax(logits, dim=-1).gather(-1, top)
    return logits, top.to(torch.int32), probs


def full_pass(model):
    def forward(input_ids, row_range):
        return row_outputs(model, model.trunk(input_ids, row_selector(row_range)))
    return forward


def cached_pass(model):
    def forward(input_ids, window_start, past_keys, past_values, row_range):
        states, keys, values = model.trunk_cached(input_ids, window_start, past_keys, past_values, row_selector(row_range))
        return (*row_outputs(model, states), keys, values)
    return forward


def export_pass(model, forward, args, path, **options):
    """torch.onnx.export of `forward` traced on the model itself, so the graph's initializers keep
    the PyTorch parameter names (train.onnx_model reads them back); a wrapper module
    would prefix them."""
    model.forward = forward
    try:
        torch.onnx.export(model, args, path, opset_version=17, do_constant_folding=False, **options)
    finally:
        del model.forward
    print(f"export: {path} ({os.path.getsize(path) / 1e6:.1f} MB)")
    return path


def row_axes(length_axis):
    return {name: {0: "batch", 1: length_axis} for name in ROW_OUTPUTS}


def export_full(model, out_dir):
    """Writes onnx/model.onnx (contract above)."""
    path = os.path.join(out_dir, GRAPH)
    dummy = torch.full((1, 16), MASK, dtype=torch.long)
    return export_pass(
        model, full_pass(model), (dummy, torch.tensor([3, 11])), path,
        input_names=["input_ids", "row_range"], output_names=ROW_OUTPUTS,
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, **row_axes("rows")},
    )


def check_cached(model, length=40, start=13, end=21):
    """The cached path must reproduce the full pass: a whole-canvas pass (no past) gives the same
    logits, and a window [start, end) against the other positions' keys/values gives the full
    pass's rows for that window."""
    cfg = model.cfg
    ids = torch.randint(4, cfg.vocab_size, (1, length))
    ids[0, length // 2:] = MASK
    head_dim = cfg.d_model // cfg.n_heads
    empty = torch.zeros(cfg.n_layers, 1, cfg.n_heads, 0, head_dim)
    with torch.no_grad():
        full = model(ids)
        logits, keys, values = model.forward_cached(ids, torch.tensor(0), empty, empty)
        past = lambda t: torch.cat([t[:, :, :, :start], t[:, :, :, end:]], dim=3)  # noqa: E731
        window, _, _ = model.forward_cached(ids[:, start:end], torch.tensor(start), past(keys), past(values))
    errors = ((logits - full).abs().max().item(), (window - full[:, start:end]).abs().max().item())
    # Relative to the logits' scale: a window's softmax sums the same terms in another order.
    if max(errors) > 1e-4 * max(1.0, full.abs().max().item()):
        raise SystemExit(f"export: the cached graph differs from the full pass by {errors}")


def export_cached(model, out_dir):
    """Writes onnx/model_kv.onnx (same weights, KV-cache contract above)."""
    check_cached(model)
    cfg = model.cfg
    path = os.path.join(out_dir, KV_GRAPH)
    head_dim = cfg.d_model // cfg.n_heads
    past = torch.zeros(cfg.n_layers, 1, cfg.n_heads, 5, head_dim)
    kv_axes = {1: "batch", 3: "past"}
    return export_pass(
        model, cached_pass(model), (torch.full((1, 8), MASK, dtype=torch.long), torch.tensor(5), past, past, torch.tensor([2, 6])), path,
        input_names=["input_ids", "window_start", "past_keys", "past_values", "row_range"],
        output_names=[*ROW_OUTPUTS, "present_keys", "present_values"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "window"}, "past_keys": kv_axes, "past_values": kv_axes,
            **row_axes("rows"), "present_keys": {1: "batch", 3: "window"}, "present_values": {1: "batch", 3: "window"},
        },
    )


def quantized_path(path):
    return path.replace(".onnx", "_quantized.onnx")


CALIBRATION = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "dllm-tiny.calibration.json")


def down_input_peaks(model, path=CALIBRATION):
    """{"blocks.i": per-channel max |input| of block i's FFN down projection} over the calibration
    canvases (calibration.ts; problems of a seed neither training nor evaluation uses), for the
    int8 graphs' smoothing (quantize.smooth_down)."""
    with open(path) as f:
        canvases = [c["input_ids"] for c in json.load(f)["canvases"]]
    peaks = {}

    def record(name):
        def hook(_module, inputs):
            peak = inputs[0].abs().amax(dim=(0, 1))
            peaks[name] = torch.maximum(peaks[name], peak) if name in peaks else peak
        return hook

    handles = [block.down.register_forward_pre_hook(record(f"blocks.{i}")) for i, block in enumerate(model.blocks)]
    try:
        with torch.no_grad():
            for ids in canvases:
                model(torch.tensor([ids]))
    finally:
        for handle in handles:
            handle.remove()
    return {name: peak.tolist() for name, peak in peaks.items()}


def export_quantized(model, *paths):
    """The int8 twin of each graph (quantize.py), next to it."""
    from quantize import quantize_file

    peaks = down_input_peaks(model)
    for path in paths:
        quantize_file(path, quantized_path(path), down_peaks=peaks)


def export_from_onnx(out_dir, onnx_weights, kv_only):
    """The graphs of an already exported model (only the cached ones with kv_only), its weights
    read back from an ONNX file; config.json and the fixture stay as they are."""
    from train import config_dims, onnx_model

    config = json.load(open(os.path.join(out_dir, "config.json")))
    model = onnx_model(onnx_weights or os.path.join(out_dir, GRAPH), config["vocab_size"], **config_dims(config))
    model.eval()
    graphs = [] if kv_only else [export_full(model, out_dir)]
    export_quantized(model, *graphs, export_cached(model, out_dir))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work")
    parser.add_argument("--out", required=True)
    parser.add_argument("--delimiters")
    parser.add_argument("--random", action="store_true")
    parser.add_argument("--fixture")
    parser.add_argument("--kv-only", action="store_true")
    parser.add_argument("--graphs-only", action="store_true")
    parser.add_argument("--onnx-weights")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("EXPORT_THREADS", "2")))
    torch.manual_seed(0)
    if args.kv_only or args.graphs_only:
        return export_from_onnx(args.out, args.onnx_weights, args.kv_only)
    if not args.work or not args.delimiters:
        parser.error("--work and --delimiters are required (unless --kv-only or --graphs-only)")
    vocab = json.load(open(os.path.join(args.work, "tokenizer", "tokenizer.json")))["model"]["vocab"]
    ckpt_path = os.path.join(args.work, "checkpoint.pt")
    state = {}
    if args.random:
        torch.manual_seed(0)
        model = DiffusionLM(ModelConfig(vocab_size=len(vocab)))
    else:
        ckpt = torch.load(ckpt_path, map_location="cpu")
        model = DiffusionLM(ModelConfig(**ckpt["config"]))
        model.load_state_dict(ckpt["model"])
        state = ckpt["state"]
    model.eval()
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    onnx_path = export_full(model, args.out)
    cfg = model.cfg
    config = {
        "model_type": "masked-diffusion-lm",
        "architectures": ["DiffusionLM"],
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.d_model,
        "num_hidden_layers": cfg.n_layers,
        "num_attention_heads": cfg.n_heads,
        "intermediate_size": cfg.d_ff,
        "rope_theta": cfg.rope_theta,
        "max_sequence_length": MAX_SEQUENCE_LENGTH,
        "pad_token_id": PAD,
        "eos_token_id": EOS,
        "mask_token_id": MASK,
        "delimiter_token_ids": [int(x) for x in args.delimiters.split(",")],
        # train.py keeps the totals over every run the weights went through; older checkpoints only their own.
        "training": state.get("training") or {"steps": state.get("step", 0), "minutes": round(state.get("elapsed", 0) / 60, 1), "evals": state.get("evals", [])},
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    if args.fixture:
        with open(args.fixture, "w") as f:
            json.dump(parity_fixture(model, cfg.vocab_size), f)
    export_quantized(model, onnx_path, export_cached(model, args.out))


if __name__ == "__main__":
    main()

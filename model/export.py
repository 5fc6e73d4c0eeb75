"""Export the trained checkpoint as the model folder the runtime loads, plus a parity fixture.

Graph contract: input `input_ids` int64 [batch, sequence] -> output `logits` float32
[batch, sequence, vocab], both axes dynamic. Constant folding is off, or the tied embedding
would be stored twice.

A second graph, onnx/model_kv.onnx, runs the same weights over a window of the canvas against
cached keys/values of the other positions (the approximate KV caches; docs/kv-cache.md):
  inputs  input_ids int64 [batch, window], window_start int64 [] (absolute position of the
          window's first token), past_keys / past_values float32 [layers, batch, heads, past, head_dim]
  outputs logits float32 [batch, window, vocab], present_keys / present_values float32
          [layers, batch, heads, window, head_dim] (keys with rotary of their true positions)

usage: export.py --work DIR --out MODEL_DIR --delimiters ID,ID,ID [--random] [--fixture FILE]
       export.py --kv-only --out MODEL_DIR [--onnx-weights FILE]
  --random exports freshly initialised weights (a stand-in with the same contract).
  --kv-only writes only onnx/model_kv.onnx, with the weights of --onnx-weights (default:
  MODEL_DIR/onnx/model.onnx) and the architecture of MODEL_DIR/config.json.
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


KV_GRAPH = os.path.join("onnx", "model_kv.onnx")


class CachedGraph(torch.nn.Module):
    """DiffusionLM.forward_cached as a module, so torch.onnx.export traces it."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, window_start, past_keys, past_values):
        return self.model.forward_cached(input_ids, window_start, past_keys, past_values)


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
    torch.onnx.export(
        CachedGraph(model), (torch.full((1, 8), MASK, dtype=torch.long), torch.tensor(5), past, past), path,
        input_names=["input_ids", "window_start", "past_keys", "past_values"],
        output_names=["logits", "present_keys", "present_values"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "window"}, "past_keys": kv_axes, "past_values": kv_axes,
            "logits": {0: "batch", 1: "window"}, "present_keys": {1: "batch", 3: "window"}, "present_values": {1: "batch", 3: "window"},
        },
        opset_version=17, do_constant_folding=False,
    )
    print(f"export: {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


def export_cached_only(out_dir, onnx_weights):
    """The cached graph of an already exported model, its weights read back from the ONNX file."""
    from train import load_onnx_weights

    config = json.load(open(os.path.join(out_dir, "config.json")))
    model = DiffusionLM(ModelConfig(
        vocab_size=config["vocab_size"], d_model=config["hidden_size"], n_layers=config["num_hidden_layers"],
        n_heads=config["num_attention_heads"], d_ff=config["intermediate_size"], rope_theta=config["rope_theta"],
    ))
    load_onnx_weights(model, onnx_weights or os.path.join(out_dir, "onnx", "model.onnx"))
    model.eval()
    export_cached(model, out_dir)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work")
    parser.add_argument("--out", required=True)
    parser.add_argument("--delimiters")
    parser.add_argument("--random", action="store_true")
    parser.add_argument("--fixture")
    parser.add_argument("--kv-only", action="store_true")
    parser.add_argument("--onnx-weights")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("EXPORT_THREADS", "2")))
    torch.manual_seed(0)
    if args.kv_only:
        return export_cached_only(args.out, args.onnx_weights)
    if not args.work or not args.delimiters:
        parser.error("--work and --delimiters are required (unless --kv-only)")
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
    onnx_path = os.path.join(args.out, "onnx", "model.onnx")
    dummy = torch.full((1, 16), MASK, dtype=torch.long)
    torch.onnx.export(
        model, (dummy,), onnx_path,
        input_names=["input_ids"], output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch", 1: "sequence"}},
        opset_version=17, do_constant_folding=False,
    )
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
    print(f"export: {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.1f} MB)")
    export_cached(model, args.out)


if __name__ == "__main__":
    main()

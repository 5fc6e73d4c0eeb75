"""Export the trained checkpoint as the model folder the runtime loads, plus a parity fixture.

Graph contract: input `input_ids` int64 [batch, sequence] -> output `logits` float32
[batch, sequence, vocab], both axes dynamic. Constant folding is off, or the tied embedding
would be stored twice.

usage: export.py --work DIR --out MODEL_DIR --delimiters ID,ID,ID [--random]
  --random exports freshly initialised weights (a stand-in with the same contract).
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--delimiters", required=True)
    parser.add_argument("--random", action="store_true")
    parser.add_argument("--fixture")
    args = parser.parse_args()
    torch.set_num_threads(2)
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
        "training": {"steps": state.get("step", 0), "minutes": round(state.get("elapsed", 0) / 60, 1), "evals": state.get("evals", [])},
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    if args.fixture:
        with open(args.fixture, "w") as f:
            json.dump(parity_fixture(model, cfg.vocab_size), f)
    print(f"export: {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()

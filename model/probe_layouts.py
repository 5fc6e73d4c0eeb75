"""Step-result accuracy per answer layout (see model/probe-layouts.ts, which writes the input):
each step line's result and everything after it hidden, one pass, the result's digits read off."""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402
from arch import DiffusionLM, ModelConfig  # noqa: E402


def load(path):
    if path.endswith(".onnx"):
        config = json.load(open(os.path.join(os.path.dirname(os.path.dirname(path)), "config.json")))
        model = train.onnx_model(path, config["vocab_size"], **train.config_dims(config))
    else:
        ckpt = torch.load(path, map_location="cpu")
        model = DiffusionLM(ModelConfig(**ckpt["config"]))
        model.load_state_dict(ckpt["model"])
    return model.eval()


def padded_canvas(problem, gen_length=64):
    """A probe problem's ids, [EOS] up to the canvas's end."""
    return problem["ids"] + [train.EOS] * (problem["promptLen"] + gen_length - len(problem["ids"]))


@torch.no_grad()
def digits_read(model, canvas, positions):
    """Per digit at `positions`: written right in one pass with it and everything after it hidden."""
    noisy = torch.tensor(canvas)[None]
    noisy[0, positions[0]:] = train.MASK
    pred = model(noisy)[0].argmax(-1)
    return [int(pred[i]) == canvas[i] for i in positions]


def result_accuracy(model, problems, gen_length=64):
    """(share of step results written right, share of their digits)."""
    lines = lines_ok = digits = digits_ok = 0
    for problem in problems:
        canvas = padded_canvas(problem, gen_length)
        for positions in problem["results"]:
            ok = digits_read(model, canvas, positions)
            lines, lines_ok, digits, digits_ok = lines + 1, lines_ok + all(ok), digits + len(ok), digits_ok + sum(ok)
    return lines_ok / lines, digits_ok / digits


if __name__ == "__main__":
    torch.set_num_threads(1)
    data = json.load(open(sys.argv[2] if len(sys.argv) > 2 else "model/work/layouts.json"))
    model = load(sys.argv[1])
    for name, problems in data.items():
        line_share, digit_share = result_accuracy(model, problems)
        print(f"{name}: step results {line_share:.1%}, digits {digit_share:.1%}", flush=True)

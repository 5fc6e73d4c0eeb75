"""Operand accuracy per source (see model/probe-operands.ts, which writes the input): the answer
shown up to a step operand, the operand and everything after it hidden, its digits read off in one pass."""
import collections
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402
from probe_layouts import load  # noqa: E402


@torch.no_grad()
def operand_accuracy(model, problems, gen_length=64):
    """{(source, "rate" | "no rate"): [operands, right]}."""
    tally = collections.defaultdict(lambda: [0, 0])
    for problem in problems:
        canvas = problem["ids"] + [train.EOS] * (problem["promptLen"] + gen_length - len(problem["ids"]))
        for operand in problem["operands"]:
            positions = operand["positions"]
            noisy = torch.tensor(canvas)[None]
            noisy[0, positions[0]:] = train.MASK
            pred = model(noisy)[0].argmax(-1)
            counts = tally[(operand["source"], "rate" if problem["rate"] else "no rate")]
            counts[0] += 1
            counts[1] += all(int(pred[i]) == canvas[i] for i in positions)
    return tally


if __name__ == "__main__":
    torch.set_num_threads(1)
    problems = json.load(open(sys.argv[2] if len(sys.argv) > 2 else "model/work/operands.json"))
    for (source, rate), (n, right) in sorted(operand_accuracy(load(sys.argv[1]), problems).items()):
        print(f"{source}, {rate}: {right}/{n} = {right / n:.1%}", flush=True)

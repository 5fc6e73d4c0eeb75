"""Operand accuracy per source (see model/probe-operands.ts, which writes the input): the answer
shown up to a step operand, the operand and everything after it hidden, its digits read off in one pass."""
import collections
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_layouts import digits_read, load, padded_canvas  # noqa: E402


def operand_accuracy(model, problems, gen_length=64):
    """{(source, "rate" | "no rate"): [operands, right]}."""
    tally = collections.defaultdict(lambda: [0, 0])
    for problem in problems:
        canvas = padded_canvas(problem, gen_length)
        for operand in problem["operands"]:
            counts = tally[(operand["source"], "rate" if problem["rate"] else "no rate")]
            counts[0] += 1
            counts[1] += all(digits_read(model, canvas, operand["positions"]))
    return tally


if __name__ == "__main__":
    torch.set_num_threads(1)
    problems = json.load(open(sys.argv[2] if len(sys.argv) > 2 else "model/work/operands.json"))
    for (source, rate), (n, right) in sorted(operand_accuracy(load(sys.argv[1]), problems).items()):
        print(f"{source}, {rate}: {right}/{n} = {right / n:.1%}", flush=True)

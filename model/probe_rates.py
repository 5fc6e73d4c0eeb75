"""A rate's product in its line and out of it (issue #22: why are rate lines right a quarter of the time?).

For each rate line `x + k * m = x + p = r` of the first held-out v2 problems (model/work/data's
v2heldout), whether its product p comes out right:
- in place, only p hidden, in one pass (everything around it shown);
- in place, p and everything after it hidden, written digit by digit, the surest first (its
  length unknown, the state the decoder meets it in when it writes the product before its end);
- the same with the token after p shown (its length known);
- as the line `k * m = p` in drill rows (model/probe_products.py's layout), in one pass;
- swapped, `m * k = p`, the order a `times` line writes (the running value first);
- as the rate line's own start with p right after it, `x op k * m = p`, in drill rows: the
  same product, its factors no longer first in their line;
- and as the answer's first line after the question, `k * m = p` and `m * k = p`, p and all
  after it hidden and written digit by digit (a layout that writes products before the running
  steps).
Per digit count of p:

  /usr/bin/python3 model/probe_rates.py <model.onnx | checkpoint.pt> [--count 500] [--work model/work]
"""
import argparse
import collections
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402
from probe_layouts import load  # noqa: E402
from probe_products import product_line  # noqa: E402
from probe_results import GEN_LENGTH, right_in_context, right_in_drills, step_lines  # noqa: E402

COLUMNS = ("in place, p alone hidden", "in place, p and all after hidden", "in place, all after hidden but p's end",
           "`k * m = p` in drills", "`m * k = p` in drills", "`x op k * m = p` in drills",
           "`k * m = p` first, all after hidden", "`m * k = p` first, all after hidden")


def runs(positions):
    """Consecutive positions grouped: the digits of each number."""
    out = []
    for p in positions:
        if out and p == out[-1][-1] + 1:
            out[-1].append(p)
        else:
            out.append([p])
    return out


def rate_parts(line, result, pieces):
    """(k, m, p's positions in the line) of a rate's line, or None for any other line. `result`:
    train.step_result's positions in the line (x again, p, r)."""
    if (line == train.EQUALS_ID).sum() != 2:
        return None
    first_equals = int(np.flatnonzero(line == train.EQUALS_ID)[0])
    operands = runs([i for i in range(first_equals) if line[i] in train.DIGIT_IDS])
    k, m = (int("".join(pieces[line[i]] for i in digits)) for digits in operands[1:3])
    return k, m, np.array(runs(list(result))[1])


def prefixed_product_line(line, product):
    """A rate line's tokens up to the first digit after its first `=`, then its product p and a
    newline (`x + k * m = p`, where the data writes x again), and where p's digits are."""
    equals = int(np.flatnonzero(line == train.EQUALS_ID)[0])
    head = line[:next(i for i in range(equals, len(line)) if line[i] in train.DIGIT_IDS)]
    return np.concatenate([head, line[product], [train.NEWLINE_ID]]), np.arange(len(head), len(head) + len(product))


def answer_first(canvas, prompt_len, product):
    """`canvas`'s question, then only `product` (a product line and where its result is) as the
    answer, end of text after it; and where the result is in that canvas."""
    line, result = product
    first = np.full(len(canvas), train.EOS, dtype=np.int64)
    first[:prompt_len] = canvas[:prompt_len]
    first[prompt_len:prompt_len + len(line)] = line
    return first, list(prompt_len + result)


@torch.no_grad()
def probe(model, split, pieces, count):
    """{digits of p: [lines, then right per COLUMNS]}."""
    tally = collections.defaultdict(lambda: [0] * (1 + len(COLUMNS)))
    drilled, swapped, prefixed, kinds = [], [], [], []
    for row in range(min(count, len(split.index))):
        canvas, prompt_len = split.example(row, GEN_LENGTH)
        for line_start, line, result in step_lines(split.answer(row)):
            parts = rate_parts(line, result, pieces)
            if parts is None:
                continue
            k, m, product = parts
            counts = tally[len(product)]
            counts[0] += 1
            positions = list(prompt_len + line_start + product)
            noisy = torch.tensor(canvas)[None]
            noisy[0, positions] = train.MASK
            counts[1] += bool((model(noisy)[0, positions].argmax(-1).numpy() == canvas[positions]).all())
            counts[2] += right_in_context(model, canvas, positions)
            counts[3] += right_in_context(model, canvas, positions, show_end=True)
            drilled.append(product_line(k, m, pieces))
            swapped.append(product_line(m, k, pieces))
            prefixed.append(prefixed_product_line(line, product))
            for column, factors in ((7, (k, m)), (8, (m, k))):
                counts[column] += right_in_context(model, *answer_first(canvas, prompt_len, product_line(*factors, pieces)))
            kinds.append(len(product))
    # Shuffled, as the drills draw them.
    order = np.random.default_rng(0).permutation(len(kinds))
    for column, lines in ((4, drilled), (5, swapped), (6, prefixed)):
        for k, right in zip(order, right_in_drills(model, [lines[k] for k in order])):
            tally[kinds[k]][column] += right
    return tally


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--count", type=int, default=500, help="held-out problems read (the slice holds 500: 59 rate lines)")
    parser.add_argument("--work", default="model/work")
    args = parser.parse_args()
    torch.set_num_threads(1)
    pieces = train.work_vocabulary(args.work)
    tally = probe(load(args.model), train.TaskSplit(os.path.join(args.work, "data"), "v2heldout"), pieces, args.count)
    print("| product | lines | " + " | ".join(COLUMNS) + " |\n|---|---:|" + "---:|" * len(COLUMNS))
    for digits, counts in sorted(tally.items()):
        print(f"| {digits} digits | {counts[0]} | " + " | ".join(f"{right / counts[0]:.1%}" for right in counts[1:]) + " |")


if __name__ == "__main__":
    main()

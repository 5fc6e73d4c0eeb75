"""Products the training answers need not hold, in drill rows (issue #22: does the model know the
arithmetic, and does it keep it when a result is written digit by digit?).

Random `a * b = c` lines of five kinds, written as the data writes step lines, packed into drill
rows with every result hidden (the newline after each shows, so its length is known), read off in
one pass and digit by digit (each pass the row's surest open digit):

  /usr/bin/python3 model/probe_products.py <model.onnx | checkpoint.pt> [--count 300] [--work model/work]
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402
from probe_layouts import load  # noqa: E402
from probe_results import right_in_drills  # noqa: E402

# (name, first factor's range, second's): 2d x 1d keeps only three-digit results. A `times` line
# writes the running value first (`46 * 8`); a rate's line writes the count first (`8 * 46`): the
# last kind is the first with its factors swapped.
KINDS = (("2-digit x 1-digit, 3-digit result", (12, 100), (2, 10)), ("2-digit x 11-12", (10, 100), (11, 13)),
         ("3-digit x 1-digit", (100, 1000), (2, 10)), ("3-digit x 11-12", (100, 1000), (11, 13)),
         ("1-digit x 2-digit, 3-digit result (a rate's order)", (2, 10), (12, 100)))


def product_line(a, b, pieces):
    """The tokens of `a * b = c` and its newline as the data writes a step line, and where c's digits are."""
    ids = {piece: token for token, piece in enumerate(pieces)}
    head = [ids[d] for d in str(a)] + [ids["\u2581*"], ids["\u2581"]] + [ids[d] for d in str(b)] + [ids["\u2581"], ids["="], ids["\u2581"]]
    result = [ids[d] for d in str(a * b)]
    return np.array(head + result + [ids["\n"]]), np.arange(len(head), len(head) + len(result))


def random_products(kind, count, pieces, rng):
    _, (a_low, a_high), (b_low, b_high) = kind
    lines = []
    while len(lines) < count:
        a, b = int(rng.integers(a_low, a_high)), int(rng.integers(b_low, b_high))
        if min(a, b) < 10 and a * b < 100:
            continue
        lines.append(product_line(a, b, pieces))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--work", default="model/work")
    args = parser.parse_args()
    torch.set_num_threads(1)
    pieces = train.work_vocabulary(args.work)
    model = load(args.model)
    print("| product | lines | one pass | digit by digit |\n|---|---:|---:|---:|")
    for kind in KINDS:
        lines = random_products(kind, args.count, pieces, np.random.default_rng(7))
        one_pass, by_digit = right_in_drills(model, lines), right_in_drills(model, lines, digit_by_digit=True)
        print(f"| {kind[0]} | {len(lines)} | {np.mean(one_pass):.1%} | {np.mean(by_digit):.1%} |", flush=True)


if __name__ == "__main__":
    main()

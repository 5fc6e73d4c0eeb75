"""Step results in context and out of it (issue #22: does the arithmetic the drills teach reach the answers?).

For each step line of the first held-out v2 problems (model/work/data's v2heldout, written by
`npm run model:build -- --only data --mix v2long`):
- in context: the answer shown up to the line's result, the result and everything after it hidden
  (the strictest state a decoder can meet it in); its digits written one a pass, the surest first;
- the same, the newline after the result shown (its length known, as in the drills);
- decoded as the threshold rule decodes a block of 16 from the line's start (the line and all after
  hidden, each pass writing what is surer than 0.9, else the surest), near the page decoder's state
  (its AdaBlock blocks also start at a line, their size adaptive);
- in drills: the same lines shuffled and packed into rows as train.py's drills pack them, every
  result hidden, read off in one pass.
Right means every digit of the result right. Per kind of line (operation, digits of its result):

  /usr/bin/python3 model/probe_results.py <model.onnx | checkpoint.pt> [--count 300] [--work model/work]
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

GEN_LENGTH = 128  # room for every held-out answer (six steps reach 84 tokens)


def step_lines(answer):
    """(where it starts, its tokens, its result's positions in it) for each step line of an answer."""
    ends = np.flatnonzero(answer == train.NEWLINE_ID)
    starts = np.concatenate([[0], ends[:-1] + 1])
    return [(s, answer[s:e + 1], train.step_result(answer, k) - s) for k, (s, e) in enumerate(zip(starts, ends))]


def line_kind(line, result, pieces):
    """("+", 3) for a line whose operation is + and whose result has three digits; a rate's line
    (two `=`) is ("rate", digits of its last number)."""
    text = [pieces[t].replace("\u2581", "").strip() for t in line]
    if text.count("=") > 1:
        return "rate", int(sum(1 for p in result if p > np.flatnonzero(line == train.EQUALS_ID)[-1]))
    op = next(p for p in text if p in ("+", "-", "*", "/"))
    return op, len(result)


@torch.no_grad()
def right_in_context(model, canvas, positions, show_end=False):
    """Whether the digits at `positions` come out right, with them and everything after hidden and
    written one a pass, the surest first. `show_end`: the token after them (the line's newline)
    shown, so the result's length is known, as it is in the drills."""
    noisy = torch.tensor(canvas)[None]
    noisy[0, positions[0]:] = train.MASK
    if show_end:
        noisy[0, positions[-1] + 1] = canvas[positions[-1] + 1]
    todo = list(positions)
    while todo:
        probs = model(noisy)[0, todo].softmax(-1)
        confidence, token = probs.max(-1)
        pick = int(confidence.argmax())
        noisy[0, todo[pick]] = token[pick]
        todo.pop(pick)
    return all(int(noisy[0, p]) == canvas[p] for p in positions)


@torch.no_grad()
def right_in_block(model, canvas, line_start, positions, size=16, threshold=0.9):
    """Whether the digits at `positions` come out right when their line is decoded as the threshold
    rule decodes a block: the answer before the line shown, it and all after hidden, and each pass
    writing every position of the block [line_start, line_start + size) surer than `threshold`
    (else the surest one) until those digits are written. The block reaches the result's end."""
    noisy = torch.tensor(canvas)[None]
    noisy[0, line_start:] = train.MASK
    block = range(line_start, min(len(canvas), max(line_start + size, positions[-1] + 1)))
    while any(noisy[0, p] == train.MASK for p in positions):
        todo = [p for p in block if noisy[0, p] == train.MASK]
        confidence, token = model(noisy)[0, todo].softmax(-1).max(-1)
        sure = (confidence > threshold).nonzero().flatten().tolist() or [int(confidence.argmax())]
        for k in sure:
            noisy[0, todo[k]] = token[k]
    return all(int(noisy[0, p]) == canvas[p] for p in positions)


@torch.no_grad()
def right_in_drills(model, lines, digit_by_digit=False):
    """Per line, whether its result comes out right in one pass, the lines packed into drill rows.
    `digit_by_digit`: each pass writes only the row's surest open digit, as a decoder that is sure
    of none writes them (the state of a result partly written)."""
    right = []
    row, rows = [], []
    for line, result in lines:
        if sum(len(x) for x, _ in row) + len(line) > train.DRILL_LENGTH:
            rows.append(row)
            row = []
        row.append((line, result))
    rows.append(row)
    for row in rows:
        ids = np.full(train.DRILL_LENGTH, train.EOS, dtype=np.int64)
        hidden, at = [], 0
        for line, result in row:
            ids[at:at + len(line)] = line
            hidden.append(result + at)
            at += len(line)
        noisy = torch.from_numpy(ids.copy())[None]
        for positions in hidden:
            noisy[0, positions] = train.MASK
        if digit_by_digit:
            todo = [int(p) for positions in hidden for p in positions]
            while todo:
                confidence, token = model(noisy)[0, todo].softmax(-1).max(-1)
                pick = int(confidence.argmax())
                noisy[0, todo.pop(pick)] = token[pick]
            pred = noisy[0].numpy()
        else:
            pred = model(noisy)[0].argmax(-1).numpy()
        right += [bool((pred[positions] == ids[positions]).all()) for positions in hidden]
    return right


def probe(model, split, pieces, count):
    """{kind: [lines, right in context, with the result's end shown, decoded as a block, in drills]}."""
    tally = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
    lines, kinds = [], []
    for row in range(min(count, len(split.index))):
        canvas, prompt_len = split.example(row, GEN_LENGTH)
        for line_start, line, result in step_lines(split.answer(row)):
            kind = line_kind(line, result, pieces)
            counts = tally[kind]
            counts[0] += 1
            positions = list(prompt_len + line_start + result)
            counts[1] += right_in_context(model, canvas, positions)
            counts[2] += right_in_context(model, canvas, positions, show_end=True)
            counts[3] += right_in_block(model, canvas, prompt_len + line_start, positions)
            lines.append((line, result))
            kinds.append(kind)
    # Shuffled, as the drills draw them: packed in order, a line's result would stand in the next line.
    order = np.random.default_rng(0).permutation(len(lines))
    for k, right in zip(order, right_in_drills(model, [lines[k] for k in order])):
        tally[kinds[k]][4] += right
    return tally


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--work", default="model/work")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    pieces = train.work_vocabulary(args.work)
    split = train.TaskSplit(os.path.join(args.work, "data"), "v2heldout")
    tally = probe(load(args.model), split, pieces, args.count)
    print("| line | lines | right in context | in context, its end shown | decoded as a block | in drills |\n|---|---:|---:|---:|---:|---:|")
    total = [0, 0, 0, 0, 0]
    for (op, digits), counts in sorted(tally.items()):
        print(f"| {op}, {digits}-digit result | {counts[0]} | " + " | ".join(f"{right / counts[0]:.1%}" for right in counts[1:]) + " |")
        total = [a + b for a, b in zip(total, counts)]
    print(f"| all | {total[0]} | " + " | ".join(f"{right / total[0]:.1%}" for right in total[1:]) + " |")


if __name__ == "__main__":
    main()

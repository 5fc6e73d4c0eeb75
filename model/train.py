"""Masked-diffusion training (LLaDA / MDLM objective) of the shipped model.

Each task example is `prompt ++ target ++ [EOS] * pad` with the answer region fixed at
GEN_LENGTH tokens, exactly the canvas the runtime decodes. A time t in (0, 1] is drawn per
sequence (stratified over the batch), each answer token is masked with probability t, and the
loss is each sequence's mean cross-entropy over its masked tokens: the 1/t-weighted MDLM loss
has the same expectation up to a per-t factor but lets a sequence with one masked token weigh
a thousand times more than the rest of the batch. The prompt stays unmasked (SFT style). Prose
batches mask the whole sequence. The schedule and every random draw depend on the step number
only, so a run is deterministic for a seed whatever the machine's speed, and a run resumed from
its checkpoint (written every few minutes) is the run that was never stopped.

Progress is measured by exact-match accuracy on held-out problems (greedy, one token per pass),
not by the loss, which the easy [EOS] padding dominates.
"""
import argparse
import json
import math
import os
import time
from typing import Callable, NamedTuple, Optional


def name_blas_core():
    """OpenBLAS reads the CPU model to pick its kernels and, in VMs that hide it, falls back to
    Prescott: 16 GFLOP/s a core here instead of 118 with the AVX-512 kernels. Name the core from
    the CPU flags (before torch loads OpenBLAS) unless the caller already did."""
    if "OPENBLAS_CORETYPE" in os.environ or not os.path.exists("/proc/cpuinfo"):
        return
    flags = next((line.split() for line in open("/proc/cpuinfo") if line.startswith("flags")), [])
    if "avx512f" in flags:
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
    elif "avx2" in flags:
        os.environ["OPENBLAS_CORETYPE"] = "Haswell"


name_blas_core()

import numpy as np  # noqa: E402  (after name_blas_core)
import torch  # noqa: E402
import torch.nn.functional as F

from arch import DiffusionLM, ModelConfig
from decoder_states import StatePool, decoder_states

GEN_LENGTH = 64
PAD, EOS, MASK = 0, 1, 2
PRESETS = {
    # About 53 steps a minute on this VM's 2 cores (AVX-512 OpenBLAS; fewer while other work
    # shares the cores): 4,800 steps are about 95 minutes, so the whole build fits in 2 hours.
    "cpu": dict(steps=4800, minutes=None, batch=48, lr=1.5e-3, threads=2, device="cpu", eval_every=800, eval_count=60),
    # A GPU does the same model with far more updates; the 7-minute cap fits one lent device
    # session whatever the GPU's speed (the schedule then runs on time, not deterministically).
    "cuda": dict(steps=20000, minutes=7, batch=256, lr=2e-3, threads=8, device="cuda", eval_every=2000, eval_count=300),
}
PROSE_EVERY = 20  # one prose batch in twenty keeps free text alive without starving the task
PROSE_LENGTH = 128
# Uniform masks rarely hide a step's result while showing its operands, and then the result can
# often be read off the next step's first operand instead of computed: a model trained only on
# them copied well but wrote "28 + 6 = 15". This share of task sequences also masks every
# number derived from a random step on, so the result must be computed from what precedes it.
DERIVED_SHARE = 0.5
# Even then a task sequence holds two to four results, and after 3,600 steps the model got a
# step's result right one time in ten with every operand shown. Every DRILL_EVERY-th batch is
# instead step lines of training answers, shuffled into unrelated drills whose results are all
# masked: about ten isolated sums per sequence, in the very format of the answers.
DRILL_EVERY = 2
DRILL_LENGTH = 112
# Copying the question's numbers is learned from task batches only, and slowly: a run with drills
# from its first step spent half its batches on them and, after 3,600 steps, still miscopied in
# 88% of its answers. So the first part of a run has no drills (task and prose batches); drills start here.
DRILLS_FROM = 0.4
# Runs from nothing copied the question's numbers into the answer right only 52-58% of the time
# after 3,600-4,800 steps (the shipped weights: 99.9%), and miscopying was 85% of their faults.
# Masking all of a sequence's copied digits at once leaves the question as the only place to find
# them: 500 steps of it in half the task sequences raised copy accuracy to 0.71, against 0.63 for
# the same 500 steps without it.
# This share of task sequences (not those masking derived numbers) masks every copied digit.
COPY_SHARE = 0.5
# The page decodes in blocks: a block's prefix is written, everything after it still masked.
# Uniform masks almost never show that state, and a model trained only on them (15,200 steps,
# 65.2 % with one block) wrote step line after step line in blocks of 8 instead of `#### n`
# (1.5 % exact), as if it had learned to end an answer from the [EOS] padding it commits first
# with one block. This share of task sequences is masked like a semi-autoregressive step instead:
# the answer before a block shown, the block masked at rate t, everything after it masked.
BLOCK_SHARE = 0.5
BLOCK_SIZES = (4, 8, 16, 32)
# The v2 mix (issue #22, `--mix v2`): the page lets a user set the canvas length, and a model
# trained at 64 alone answered 83.5 / 71.0 / 24.0 % at L = 64 / 128 / 256. Each task batch draws
# its canvas length from these, with the batch shrunk so a step costs about the same tokens.
CANVAS_LENGTHS = (64, 128, 256)
CANVAS_WEIGHTS = (0.4, 0.3, 0.3)
# At L = 256 the answer is a sixth of the canvas and the rest [EOS], which a per-sequence mean
# over masked tokens would let dominate: the [EOS] tail after the first [EOS] weighs as much as
# this many answer tokens, whatever its length.
EOS_TAIL_WEIGHT = 8
# The lengths mix (`--mix lengths`): the v1 problems in the shipped layout, at the canvas lengths
# above, and evaluated at each of them. It teaches a model that knows the task at L = 64 to give
# the same answer whatever room it is given, without the layout change that v2 brings.
# What the card says about how a run trained (runs before this field: see shipped_training).
RECIPE = (f"mean cross-entropy per sequence over its masked tokens, stratified t, one prose batch in {PROSE_EVERY}; "
          f"{BLOCK_SHARE:.0%} of task sequences are masked as one block of a semi-autoregressive decode "
          f"(size {'/'.join(map(str, BLOCK_SIZES))}: before it shown, after it masked); of the others "
          f"{DERIVED_SHARE:.0%} also mask the numbers derived from a random step on, "
          f"{COPY_SHARE:.0%} all the numbers copied from the question; "
          f"every {DRILL_EVERY}nd batch is drills of step lines with their results masked, from {DRILLS_FROM:.0%} of the run on")
# What the v2 and lengths mixes share (the model card looks for "canvas length" in a run's recipe).
LONG_CANVASES = f"canvas length {'/'.join(map(str, CANVAS_LENGTHS))} drawn per batch, the [EOS] tail weighing {EOS_TAIL_WEIGHT} tokens"
RECIPE_V2 = RECIPE + f"; v2 mix: v1 and v2 word problems in the compact layout (`a+b=c`), the share of v2 rising with the run (curriculum_v2), {LONG_CANVASES}"
RECIPE_LENGTHS = RECIPE + f"; lengths mix: v1 problems in the v1 layout at the final curriculum weights, {LONG_CANVASES}"
# The compact mix (`--mix compact`, on the v2 data): the v1 problems alone in the compact layout that
# v2 answers need to fit L = 64. The v2 run that changed layout and task at once fell from 96.7 to
# 7-10 % held-out and stayed there; this teaches the layout on a task the model already knows.
RECIPE_COMPACT = RECIPE + f"; compact mix: v1 problems in the compact layout (`a+b=c`) at the final curriculum weights, {LONG_CANVASES}"
# The v2easy mix (`--mix v2easy`, on model/data.ts's "spaced-v2" data): the new wording on the
# arithmetic the model already does (two-digit numbers, 1-3 steps), in the v1 layout, with the v1
# problems still half of the task batches. The compact mix showed why not the compact layout first:
# 300 steps of it took held-out exact match from 86.7 to 8.3 %, and with each step's result and all
# after it hidden the weights wrote 12 % of step results right in the new layout (88.5 % before, in
# the old): a layout change relearns the arithmetic, which these cores cannot afford in one run.
RECIPE_V2EASY = RECIPE + f"; v2easy mix: v1 problems and two-digit v2 word problems of 1-3 steps, half each, in the v1 layout, {LONG_CANVASES}"
# The v2mid mix (`--mix v2mid`, on the same data): after 10,000 v2easy steps the two-digit level's
# first fault was arithmetic on three-digit results, and the whole distribution's was copying
# from the question (368 of 500), with 0.8 % right where a number reaches three digits. This adds the level of numbers to 999 (1-3 steps, still the
# v1 layout, which fits L = 64), keeping the v1 problems at 40 % and the two-digit level at 25 %.
# After 21,000 steps its first fault was still arithmetic (207 of the 277 held-out answers wrong;
# right operands, wrong result), and where a number reaches three digits 21.8 % were right against
# 80.2 % below. Drills drawn as they come hold a fifth of such lines (none of the v1 level's, half
# of v2mid's), and start only at 40 % of the run, which protects a run from nothing, not this one:
# its drills start at once, and two lines in three have results of three digits or more.
# After 50,000 steps rates were right 4-7 % of the time, every other shape near 45 %: the value a
# rate adds comes before the rate in the question, or is a result two lines up. Rate problems alone
# are now 15 % of task sequences, and with those the others hold, 22 % of them have a rate (9 %
# before). What was measured before and after: model/data.ts's v2midrates level (rates did not move).
V2MID_LONG_RESULTS = 2 / 3
V2MID_DRILLS = f"its drills from the first step, {V2MID_LONG_RESULTS:.0%} of their lines with results of three digits or more"
RECIPE_V2MID = (RECIPE + f"; v2mid mix: v1 problems 40 %, two-digit v2 word problems 20 %, v2 word problems with numbers to 999 25 % and rate problems alone 15 %, 1-3 steps, in the v1 layout, {LONG_CANVASES}; "
                + V2MID_DRILLS)
# The v2long mix (`--mix v2long`, on the same data): after 78,000 steps of v2mid, which stopped
# moving (50.8 / 52.4 / 51.0 % over its last three legs), the whole distribution's four- to six-step
# problems, half of its held-out set, were right 1-3 % of the time: no mix had shown one. Their
# level takes a fifth of the task batches, on canvases of 128 and 256 only (its answers overflow 64).
# Its first mix took the fifth from the v1 problems (35 %) and the numbers to 999 (20 %): 3,000
# steps taught four steps (1.3 -> 11.7 % at L = 128) but cost the v1 problems 2-4 points. With
# the v1 problems back at 40 % and the numbers to 999 at 15 % (and peak lr 8e-5 for 1.2e-4) the
# v1 problems rose instead (91.6 / 92.0 / 90.4 -> 93.8 / 93.0 / 92.6 %, 4,500 steps).
RECIPE_V2LONG = (RECIPE + f"; v2long mix: v1 problems 40 %, two-digit v2 word problems 15 %, v2 word problems with numbers to 999 15 %, rate problems alone 10 % (1-3 steps), "
                 f"and v2 word problems of 4-6 steps 20 %, in the v1 layout, {LONG_CANVASES}, each level's batches on canvases its longest answer fits; "
                 + V2MID_DRILLS)
# After 82,715 steps the weights wrote 94 % of held-out step results right in drill rows, but 80 %
# decoded as a block of 16 from the line's start and 69 % as the page's decoder writes them (three-
# digit products 100 / 23 %; model/probe_results.py, model/probe-decoding.ts): they know the lines
# and not where the decoder asks for them. Drilling results with everything after them hidden
# (context drills, reverted in 3bc7bbe) trained a state the decoder seldom meets, and a block
# written at random around the result showed its copies (the next line's first operand, the
# `####` line), which teaches copying. So this share of drill batches are result blocks: a
# task canvas with the answer shown up to a step line, a block from the line's start with the
# line's operands and layout, the tokens after the line's newline, and some of the result's own
# digits written, every later copy of the result (every number derived from the line on) open,
# and the loss on the result's open digits and the newline that fixes its length. 4,847 steps of
# it (from those weights, lr 8e-5) took the block's step results to 84 % and the decoder's to 74 %,
# three-digit products in the block to 45 %, and every held-out set up (numbers to 999 56.2 ->
# 60.4 %, the whole distribution at L = 128 32.0 -> 36.8 %, the v1 problems 93.8 / 93.0 / 92.6 ->
# 95.0 / 95.6 / 93.8 %): the weights shipped.
# More of it at a low rate (2,824 steps, lr 2e-5 down) moved nothing; a new run at the peak with
# every drill batch a result block (4,512 steps from those weights, lr 8e-5) took the block's step
# results to 87 % and numbers to 999 60.4 -> 66.6 % (its `times` problems 39.6 -> 57.4 %), the rest
# level or up: shipped too. Three-digit products in the block stayed at 45 %. The plain drills' rows
# fell only 93.9 -> 92.7 % without a batch of their own (v2long still builds its Drills, unused at 1.0).
RESULT_BLOCKS = 1.0
RESULT_BLOCK_SIZES = (8, 16, 32)
# Result blocks guess at the decoder's state; model/decoder_states.py takes it from the decoder:
# AdaBlock as the page runs it decodes a batch of training problems with every commit the
# reference token, and each pass's canvas is a state, the loss on the open positions of its block.
# The all-result-block weights, so decoded, commit a wrong token 1.7 % of the time on numbers to
# 999 at L = 64 and 2.6 % on four to six steps at L = 128 (every commit counted, [EOS] padding
# included); the decoder-states weights that replaced them, 0-0.75 % on two-digit and numbers-to-999
# problems, 2.2-2.5 % on their rate problems, 2.2-3.3 % on four to six steps.
# `--mix v2states`: v2long with this share of its drill batches decoder states, the rest result blocks.
# 5,000 steps of it from the all-result-block weights (lr 8e-5) took the whole distribution from
# 39.4 to 48.6 % at L = 128 (five and six steps 8.6 / 7.2 -> 25.9 / 20.5 %) and 35.2 to 40.6 % at
# L = 64, the two-digit problems 74.8 -> 79.2 %, the old problems level: shipped.
DECODER_STATES = 0.5
RECIPE_DECODER_STATES = (f"; {DECODER_STATES:.0%} of drill batches are decoder states (AdaBlock B0 16, threshold 0.9, "
                         "tau_D 0.3 decoding training problems with the reference token committed, a pass's canvas "
                         "the state, the loss on its block's open positions), the rest result blocks")
RECIPE_RESULT_BLOCKS = (f"; {RESULT_BLOCKS:.0%} of drill batches are result blocks (a task canvas shown up to a step line, "
                        f"a block of {'/'.join(map(str, RESULT_BLOCK_SIZES))} from its start partly written with every later "
                        "copy of the line's result open, the loss on the result's open digits and its newline)")


def load_split(data_dir, name):
    tokens = np.fromfile(os.path.join(data_dir, f"{name}.u16"), dtype=np.uint16).astype(np.int64)
    index = np.fromfile(os.path.join(data_dir, f"{name}.idx.i32"), dtype=np.int32).reshape(-1, 3)
    return tokens, index


class TaskSplit:
    """Problems of one curriculum level, bucketed by prompt length so batches need no padding."""

    def __init__(self, data_dir, name):
        self.tokens, self.index = load_split(data_dir, name)
        self.buckets = {}
        for row, prompt_len in enumerate(self.index[:, 1]):
            self.buckets.setdefault(int(prompt_len), []).append(row)
        self.lengths = sorted(self.buckets)
        self.weights = np.array([len(self.buckets[k]) for k in self.lengths], dtype=np.float64)
        self.weights /= self.weights.sum()

    @property
    def max_target(self):
        """The longest answer, in tokens: its batches need a canvas at least this long."""
        return int(self.index[:, 2].max())

    def example(self, row, gen_length=GEN_LENGTH):
        start, prompt_len, target_len = self.index[row]
        ids = self.tokens[start:start + prompt_len + target_len]
        canvas = np.full(prompt_len + gen_length, EOS, dtype=np.int64)
        canvas[:prompt_len + target_len] = ids
        return canvas, int(prompt_len)

    def answer(self, row):
        """The answer tokens of a problem (no padding)."""
        start, prompt_len, target_len = self.index[row]
        return self.tokens[start + prompt_len:start + prompt_len + target_len]

    def draw(self, rng, size):
        """A prompt length, drawn by how many problems have it, and `size` problems of that length."""
        prompt_len = self.lengths[rng.choice(len(self.lengths), p=self.weights)]
        return prompt_len, rng.choice(self.buckets[prompt_len], size=size)

    def batch(self, rng, size, gen_length=GEN_LENGTH):
        """Canvases of one prompt length, the positions each must mask beside the random ones,
        and those each must show (the answer before a block)."""
        prompt_len, rows = self.draw(rng, size)
        forced = np.zeros((size, prompt_len + gen_length), dtype=bool)
        shown = np.zeros_like(forced)
        for i, row in enumerate(rows):
            target = self.answer(row)
            if rng.random() < BLOCK_SHARE:
                block_start, block_end = decode_block(target, rng, gen_length)
                shown[i, prompt_len:prompt_len + block_start] = True
                forced[i, prompt_len + block_end:] = True
                forced[i, prompt_len + int(rng.integers(block_start, block_end))] = True  # the block always teaches
                continue
            share = rng.random()
            if share < DERIVED_SHARE:
                steps = int((target == NEWLINE_ID).sum())  # one newline ends each step line
                forced[i, prompt_len + derived_numbers(target, int(rng.integers(0, steps)))] = True
            elif share < DERIVED_SHARE + COPY_SHARE:
                forced[i, prompt_len + copied_numbers(target)] = True
        ids = self.canvases(rows, gen_length)
        return ids, prompt_len, torch.from_numpy(forced), torch.from_numpy(shown)

    def canvases(self, rows, gen_length=GEN_LENGTH):
        """The reference canvases of `rows` (all of one prompt length), [EOS] after each answer."""
        return torch.from_numpy(np.stack([self.example(r, gen_length)[0] for r in rows]))

    def problems(self, rng, size, gen_length=GEN_LENGTH):
        """Reference canvases of `size` problems of one prompt length, and that length."""
        prompt_len, rows = self.draw(rng, size)
        return self.canvases(rows, gen_length), prompt_len

    def result_block_batch(self, rng, size, gen_length=GEN_LENGTH):
        """Result blocks (RESULT_BLOCKS): canvases of one prompt length as the decoder meets a
        step's result, with loss weights on its open digits and its newline alone."""
        prompt_len, rows = self.draw(rng, size)
        forced = np.zeros((size, prompt_len + gen_length), dtype=bool)
        shown = np.zeros_like(forced)
        weights = np.zeros(forced.shape, dtype=np.float32)
        for i, row in enumerate(rows):
            shown_answer, taught = result_block(self.answer(row), rng, gen_length)
            forced[i, prompt_len:] = True
            shown[i, prompt_len:] = shown_answer
            weights[i, prompt_len + taught] = 1.0
        ids = self.canvases(rows, gen_length)
        return ids, prompt_len, torch.from_numpy(forced), torch.from_numpy(shown), torch.from_numpy(weights)


def result_block(target, rng, gen_length=GEN_LENGTH):
    """One result block of an answer: which canvas positions (from the answer's start) are
    written, and the open ones the loss is on. A random step line; the answer before it written;
    a block from its start (at least to its newline) with the line's operands and layout written
    all or at a random rate, its result digits at a random rate but one at least open, its newline
    half the time, and the tokens after it at a random rate except every number derived from the
    line on (derived_numbers: the result's copies, the next line's first operand and the `####`
    line's, and the later results computed from it); everything after the block open."""
    ends = np.flatnonzero(target == NEWLINE_ID)
    step = int(rng.integers(0, len(ends)))
    begin, newline = (ends[step - 1] + 1 if step else 0), int(ends[step])
    result = step_result(target, step)
    copies = np.setdiff1d(derived_numbers(target, step), result)
    end = min(gen_length, max(begin + int(rng.choice(RESULT_BLOCK_SIZES)), newline + 1))
    shown = np.zeros(gen_length, dtype=bool)
    shown[:begin] = True
    block = np.arange(begin, end)
    rate = 1.0 if rng.random() < 0.5 else rng.random()
    shown[block] = rng.random(len(block)) < rate  # the line's operands and layout
    shown[block[block > newline]] = rng.random(int((block > newline).sum())) < rng.random()
    shown[result] = rng.random(len(result)) < rng.random()
    if shown[result].all():
        shown[rng.choice(result)] = False
    shown[newline] = rng.random() < 0.5
    shown[copies] = False
    taught = np.concatenate([result[~shown[result]], [newline] if not shown[newline] else []]).astype(np.int64)
    return shown, taught


class Drills:
    """Step lines (`a op b = c` and the newline) of training answers, with their result digits.
    `long_results`: the share of drawn lines whose result has three digits or more (None, or
    lines all of one kind: drawn as they come)."""

    def __init__(self, splits, problems=100_000, long_results=None):
        self.lines = []
        for split, row in drill_rows(splits, problems):
            target = split.answer(row)
            ends = np.flatnonzero(target == NEWLINE_ID)
            begin = 0
            for end in ends:
                line = target[begin:end + 1]
                result = np.zeros(len(line), dtype=bool)
                result[derived_numbers(line, 0)] = True  # one line: its result only (group 2 of step 0)
                self.lines.append((line, result))
                begin = end + 1
        self.long, self.short = [], []
        for i, (line, _) in enumerate(self.lines):
            (self.long if result_digits(line) >= 3 else self.short).append(i)
        self.long_results = long_results if self.long and self.short else None

    def draw(self, rng):
        if self.long_results is None:
            return self.lines[rng.integers(len(self.lines))]
        pool = self.long if rng.random() < self.long_results else self.short
        return self.lines[pool[rng.integers(len(pool))]]

    def batch(self, rng, size):
        """Rows of whole step lines, EOS after them, and the result digits to mask."""
        ids = np.full((size, DRILL_LENGTH), EOS, dtype=np.int64)
        forced = np.zeros((size, DRILL_LENGTH), dtype=bool)
        for i in range(size):
            at = 0
            while True:
                line, result = self.draw(rng)
                if at + len(line) > DRILL_LENGTH:
                    break
                ids[i, at:at + len(line)], forced[i, at:at + len(line)] = line, result
                at += len(line)
        return torch.from_numpy(ids), torch.from_numpy(forced)


def result_digits(line):
    """How many digits a step line's result has: those just before its newline."""
    count = 0
    while count + 1 < len(line) and line[-2 - count] in DIGIT_IDS:
        count += 1
    return count


def drill_rows(splits, problems):
    """(split, row) pairs: the first `problems` rows of one split, or shared out over a list."""
    splits = splits if isinstance(splits, (list, tuple)) else [splits]
    return [(split, row) for split in splits for row in range(min(problems // len(splits), len(split.index)))]


def canvas_batch(rng, batch, prompt_len_guess=80, min_length=0):
    """A canvas length for a task batch, of at least `min_length` (the level's longest answer: a
    canvas the answer overflows teaches nothing), and the batch size that keeps its tokens near
    those of `batch` sequences at L = 64."""
    if min_length > CANVAS_LENGTHS[-1]:
        raise ValueError(f"an answer of {min_length} tokens fits no canvas length of {CANVAS_LENGTHS}")
    # Levels whose answers fit every length draw exactly as before, so their runs keep their batches.
    lengths, weights = CANVAS_LENGTHS, CANVAS_WEIGHTS
    if min_length > CANVAS_LENGTHS[0]:
        fits = [i for i, length in enumerate(CANVAS_LENGTHS) if length >= min_length]
        lengths = [CANVAS_LENGTHS[i] for i in fits]
        weights = np.array([CANVAS_WEIGHTS[i] for i in fits])
        weights /= weights.sum()
    gen_length = int(rng.choice(lengths, p=weights))
    return gen_length, max(8, round(batch * (prompt_len_guess + 64) / (prompt_len_guess + gen_length)))


def long_canvas_batch(level, rng, batch):
    """A task batch of `level` at a drawn canvas length, and loss weights that keep its [EOS]
    tail from drowning the answer."""
    gen_length, size = canvas_batch(rng, batch, min_length=level.max_target)
    ids, prompt_len, forced, shown = level.batch(rng, size, gen_length)
    return ids, prompt_len, forced, shown, eos_tail_weights(ids, prompt_len, EOS_TAIL_WEIGHT)


def eos_tail_weights(ids, answer_from, tail_weight):
    """Per-position loss weights: 1 up to the answer's first [EOS], and the [EOS] after it sharing
    `tail_weight` between them, so a long canvas's padding does not drown the answer."""
    answer = ids[:, answer_from:]
    is_eos = answer == EOS
    first = torch.where(is_eos.any(1), is_eos.float().argmax(1), torch.full((ids.shape[0],), answer.shape[1]))
    at = torch.arange(answer.shape[1])[None]
    tail = at > first[:, None]
    tail_len = tail.sum(1, keepdim=True).clamp(min=1)
    weights = torch.ones(ids.shape, dtype=torch.float32)
    weights[:, answer_from:] = torch.where(tail, (tail_weight / tail_len).clamp(max=1.0), torch.ones_like(tail, dtype=torch.float32))
    return weights


def decode_block(target, rng, gen_length=GEN_LENGTH):
    """A block [start, end) of the answer canvas as a semi-autoregressive decoder meets it: its
    size one of BLOCK_SIZES; its start at a multiple of the size (fixed blocks) or, as often,
    just after a step line's newline (AdaBlock ends blocks at delimiters), so the block that
    must begin `####` is drawn often. Starts run up to the answer's end, where the block is [EOS]."""
    size = int(rng.choice(BLOCK_SIZES))
    if rng.random() < 0.5:
        start = size * int(rng.integers(0, (len(target) + size) // size))
    else:
        line_starts = np.concatenate([[0], np.flatnonzero(target == NEWLINE_ID) + 1])
        start = int(rng.choice(line_starts))
    start = min(start, gen_length - 1)
    return start, min(start + size, gen_length)


def derived_numbers(target, from_step):
    """Positions in an answer (token ids) of the digits it derives rather than copies from the
    question, from step line `from_step` on: all that such a step writes after its first `=` (its
    result; a rate's line `x + k * m = x + p = r` also the running value again and the product),
    the first operand of the step after it (the same number again) and the `####` answer."""
    positions = []
    step, group, in_number, final_line, after_equals = 0, 0, False, False, False
    for i, token in enumerate(target):
        if token == NEWLINE_ID:
            step, group, in_number, final_line, after_equals = step + 1, 0, False, False, False
        elif token in DIGIT_IDS:
            in_number = True
            if final_line or (after_equals and step >= from_step) or (group == 0 and step > from_step):
                positions.append(i)
        else:
            final_line = final_line or token == HASH_ID
            after_equals = after_equals or token == EQUALS_ID
            group += int(in_number)
            in_number = False
    return np.array(positions, dtype=np.int64)


def step_result(target, step):
    """Positions in an answer of what step line `step` derives: its digits after the first `=`
    (a rate's line `x + k * m = x + p = r`: the running value again, the product and the result)."""
    ends = np.flatnonzero(target == NEWLINE_ID)
    begin = ends[step - 1] + 1 if step else 0
    positions = derived_numbers(target[begin:ends[step] + 1], 0) + begin
    if not len(positions):
        raise ValueError(f"step line {step} of an answer derives nothing")
    return positions


def copied_numbers(target):
    """Positions in an answer of the digits copied from the question: those derived_numbers
    does not name (the operands a step takes from the question)."""
    digits = np.flatnonzero(np.isin(target, list(DIGIT_IDS)))
    return np.setdiff1d(digits, derived_numbers(target, 0))


def step_streams(seed, step):
    """The numpy and torch random streams of one training step, seeded by (seed, step) alone, so
    a run resumed at step n repeats step n exactly and machine speed changes nothing."""
    return np.random.default_rng([seed, step]), torch.Generator().manual_seed(seed * 2**32 + step)


def parse_legs(text):
    """`--steps 4800` or `--steps 4800,6800,10000` (legs, ascending) as a list of step counts."""
    legs = [int(part) for part in text.split(",")]
    if any(n <= 0 for n in legs) or legs != sorted(set(legs)):
        raise argparse.ArgumentTypeError(f"steps must be positive and ascending: {text}")
    return legs


def current_leg(state, legs):
    """The end of the leg the next step belongs to, noted in state["legs"] so the record keeps
    every leg a run trained through, whether it got them in one --steps list or resumed with a
    longer --steps each time: training to 4,800, then resuming with --steps 6800, is the run
    `--steps 4800,6800`, step for step."""
    leg_end = next(n for n in legs if n > state["step"])
    noted = state.setdefault("legs", [])
    if not noted or noted[-1] != leg_end:
        noted.append(leg_end)
    return leg_end


def note_precision(state, precision):
    """Notes in state["precisions"] ([from step, precision] pairs) the precision the steps from
    here on train in, so a run resumed with or without --bf16 records which steps ran in which;
    checkpoints from before the flag trained in fp32."""
    noted = state.setdefault("precisions", [[0, "fp32"]])
    if noted[-1][1] == precision:
        return
    if noted[-1][0] == state["step"]:
        noted[-1] = [state["step"], precision]  # the precision noted here never ran a step
    else:
        noted.append([state["step"], precision])


def precisions(state):
    """The run's [from step, precision] pairs, as config.json records them (the card words them)."""
    return state.get("precisions", [[0, "fp32"]])


def batch_kind(step, progress, drills_from=DRILLS_FROM):
    """What a step trains on: "prose", "drill" or "task"."""
    if step % PROSE_EVERY == PROSE_EVERY - 1:
        return "prose"
    if progress >= drills_from and step % DRILL_EVERY == DRILL_EVERY - 1:
        return "drill"
    return "task"


def curriculum_v2(progress):
    """Sampling weights of (easy, medium, full, v2easy, v2full): v1 problems (what the shipped
    model knows) and two-digit v2 problems first, then mostly full v2; v1 never below a quarter,
    so its held-out score holds."""
    if progress < 0.1:
        return [0.1, 0.1, 0.3, 0.35, 0.15]
    if progress < 0.3:
        return [0.05, 0.05, 0.25, 0.3, 0.35]
    return [0.05, 0.05, 0.15, 0.2, 0.55]


def curriculum(progress):
    """Sampling weights of (easy, medium, full): easy first, mostly full-size later."""
    if progress < 0.15:
        return [0.5, 0.3, 0.2]
    if progress < 0.4:
        return [0.2, 0.3, 0.5]
    return [0.1, 0.2, 0.7]


def curriculum_v2easy(progress):
    """Sampling weights of (easy, medium, full, v2easy): the v1 levels at their final weights, half in all."""
    return [0.05, 0.1, 0.35, 0.5]


def curriculum_v2mid(progress):
    """Sampling weights of (easy, medium, full, v2easy, v2mid, v2midrates)."""
    return [0.05, 0.1, 0.25, 0.2, 0.25, 0.15]


def curriculum_v2long(progress):
    """Sampling weights of (easy, medium, full, v2easy, v2mid, v2midrates, v2long)."""
    return [0.05, 0.1, 0.25, 0.15, 0.15, 0.1, 0.2]


class Mix(NamedTuple):
    """One --mix: the task levels it samples, their weights as the run progresses, its recipe, and
    whether its task batches take sampled canvas lengths and its evaluations the v2 held-out set."""
    levels: tuple
    weights: Callable[[float], list]
    recipe: str
    long_canvases: bool = True
    v2_eval: bool = False
    drills_from: float = DRILLS_FROM
    long_results: Optional[float] = None  # Drills' share of lines with three-digit results (None: as drawn)
    # The levels whose step lines the drills take: the full v1 level and the hardest v2 one (the
    # easier levels' kinds of lines are among theirs).
    drill_levels: tuple = ("full",)
    result_blocks: float = 0.0  # the share of drill batches that are result blocks (RESULT_BLOCKS)
    decoder_states: float = 0.0  # the share of drill batches that are decoder states (DECODER_STATES), before result blocks


V1_LEVEL_NAMES = ("easy", "medium", "full")
V2MID = Mix(V1_LEVEL_NAMES + ("v2easy", "v2mid", "v2midrates"), curriculum_v2mid, RECIPE_V2MID, v2_eval=True,
            drills_from=0.0, long_results=V2MID_LONG_RESULTS, drill_levels=("full", "v2mid"))
# v2mid with the four- to six-step level, every drill batch a result block (RESULT_BLOCKS): its
# drill settings draw no batch, but the recipe text names them and checkpoints record it.
V2LONG = V2MID._replace(levels=V2MID.levels + ("v2long",), weights=curriculum_v2long, recipe=RECIPE_V2LONG + RECIPE_RESULT_BLOCKS,
                        result_blocks=RESULT_BLOCKS)
V2STATES = V2LONG._replace(recipe=V2LONG.recipe + RECIPE_DECODER_STATES, decoder_states=DECODER_STATES)
# The data each reads: model/data.ts MIX_DATA.
# A checkpoint whose recipe differs from its mix's starts a new run on its weights.
MIXES = {
    "v1": Mix(V1_LEVEL_NAMES, curriculum, RECIPE, long_canvases=False),
    # These continue a model that knows the v1 task: the curriculum's final weights from the start.
    "lengths": Mix(V1_LEVEL_NAMES, lambda progress: curriculum(1.0), RECIPE_LENGTHS),
    "compact": Mix(V1_LEVEL_NAMES, lambda progress: curriculum(1.0), RECIPE_COMPACT),
    "v2easy": Mix(V1_LEVEL_NAMES + ("v2easy",), curriculum_v2easy, RECIPE_V2EASY, v2_eval=True, drill_levels=("full", "v2easy")),
    "v2mid": V2MID,
    "v2long": V2LONG,
    "v2states": V2STATES,
    "v2": Mix(V1_LEVEL_NAMES + ("v2easy", "v2full"), curriculum_v2, RECIPE_V2, v2_eval=True, drill_levels=("full", "v2full")),
    # v2states on model/data.ts's compact data: the one layout in which every answer of the whole
    # distribution fits L = 64 (in the v1 layout 340 of its 500 held-out answers do: answer-room.ts).
    # 4,125 steps of it from the shipped weights took the whole distribution from 40.6 / 48.6 / 45.8
    # to 22.4 / 21.4 / 21.8 % at L = 64 / 128 / 256, numbers to 999 from 69.2 to 38.8 %: the
    # layout's arithmetic is learned anew (README, issue #22).
    "v2compact": V2STATES._replace(recipe=V2STATES.recipe + "; every answer in the compact layout (`a+b=c`)"),
}


def with_rate_lines(mix, data_dir):
    """A v2 mix's recipe with how its data writes a rate's lines (model/data.ts notes it in
    meta.json since the added product came first), so a run on data of the other layout is a new run."""
    meta_path = os.path.join(data_dir, "meta.json")
    rate_lines = json.load(open(meta_path)).get("rateLines") if os.path.exists(meta_path) else None
    return f"{mix.recipe}, rates written {rate_lines}" if mix.v2_eval and rate_lines else mix.recipe


def diffusion_loss(model, ids, answer_from, gen, forced=None, uniform=True, shown=None, weights=None):
    """Masked-diffusion loss; positions before answer_from are never masked, nor `shown` ones,
    `forced` ones always, the others at a random rate t unless `uniform` is off. `weights`
    (per position) weigh each masked token in its sequence's mean."""
    b, s = ids.shape
    # Stratified times: one per slice of (0, 1], so every batch covers nearly-done and all-masked canvases.
    t = ((torch.arange(b) + torch.rand(b, generator=gen)) / b).clamp(min=1e-3)[torch.randperm(b, generator=gen)].unsqueeze(1)
    maskable = torch.zeros(b, s, dtype=torch.bool)
    maskable[:, answer_from:] = True
    masked = (torch.rand(b, s, generator=gen) < t) & maskable & uniform
    # Every sequence learns something: one random answer position is always masked.
    masked[torch.arange(b), torch.randint(answer_from, s, (b,), generator=gen)] = True
    if forced is not None:
        masked |= forced
    if shown is not None:
        masked &= ~shown
    noisy = torch.where(masked, torch.full_like(ids, MASK), ids)
    hidden = model.hidden(noisy.to(DEVICE))
    logits = model.logits(hidden[masked.to(DEVICE)])
    ce = F.cross_entropy(logits, ids[masked].to(DEVICE), reduction="none")
    per_token = torch.zeros(b, s, device=DEVICE)
    per_token[masked.to(DEVICE)] = ce
    if weights is None:
        return (per_token.sum(1) / masked.sum(1).to(DEVICE)).mean()
    w = weights.to(DEVICE) * masked.to(DEVICE)
    return ((per_token * w).sum(1) / w.sum(1)).mean()


def step_precision(bf16):
    """The context of a training step's forward pass and loss: with bf16, matrix products in
    bfloat16 (autocast); the weights, their gradients and the optimizer stay fp32 either way."""
    return torch.autocast(DEVICE.split(":")[0], dtype=torch.bfloat16, enabled=bf16)


@torch.no_grad()
def evaluate(model, heldout, count, block_size=None, gen_length=GEN_LENGTH, threshold=None, per_row=None):
    """Exact match of the `####` line, greedy, in blocks of block_size (by default the whole
    answer as one block): one token per forward pass, or with `threshold` every token of the
    block at least that sure (at least one), as the runtime's threshold decoder does. With
    `per_row` (a list) each problem's outcome is appended to it, in row order."""
    model.eval()
    block_size = block_size or gen_length
    correct = 0
    rows = list(range(min(count, len(heldout.index))))
    outcomes = {}
    for prompt_len in sorted({int(heldout.index[r, 1]) for r in rows}):
        group = [r for r in rows if heldout.index[r, 1] == prompt_len]
        truth = np.stack([heldout.example(r, gen_length)[0] for r in group])
        canvas = torch.from_numpy(truth.copy())
        canvas[:, prompt_len:] = MASK
        canvas = canvas.to(DEVICE)
        for _ in range(gen_length):
            if not (canvas == MASK).any():
                break
            probs = torch.softmax(model(canvas).float(), dim=-1)
            conf, pred = probs.max(-1)
            open_ = canvas == MASK
            # Only the first block that still holds masks may be written.
            first = open_.float().argmax(-1, keepdim=True)
            block_start = prompt_len + (first - prompt_len) // block_size * block_size
            at = torch.arange(canvas.shape[1], device=DEVICE)
            open_ &= (at >= block_start) & (at < block_start + block_size)
            conf = torch.where(open_, conf, torch.full_like(conf, -1.0))
            pick = conf.argmax(-1)
            rows_idx = torch.arange(canvas.shape[0], device=DEVICE)
            if threshold is not None:
                sure = conf >= threshold
                canvas[sure] = pred[sure]
            canvas[rows_idx, pick] = pred[rows_idx, pick]
        for row, out, ref in zip(group, canvas.cpu().numpy(), truth):
            outcomes[row] = answer_line(out[prompt_len:]) == answer_line(ref[prompt_len:])
            correct += int(outcomes[row])
    if per_row is not None:
        per_row.extend(outcomes[r] for r in rows)
    model.train()
    return correct / len(rows)


def v2_scores(model, v2_heldout, categories, count):
    """The v2 curve's figures: blocks of 16 with threshold 0.9 (close to the page's AdaBlock at
    B0 16), at the shortest and the longest canvas, and per category at L = 64."""
    outcomes = []
    return {"v2_exact_L64": evaluate(model, v2_heldout, count, 16, 64, 0.9, per_row=outcomes),
            "v2_exact_L256": evaluate(model, v2_heldout, count, 16, 256, 0.9),
            "v2_L64_by_category": by_category(outcomes, categories)}


def length_scores(model, heldout, count):
    """Exact match at each of CANVAS_LENGTHS, blocks of 16 with threshold 0.9 (close to the page's
    AdaBlock at B0 16): the figure the lengths mix is for."""
    return {f"heldout_exact_L{length}": evaluate(model, heldout, count, 16, length, 0.9) for length in CANVAS_LENGTHS}


def by_category(outcomes, categories):
    """Exact match per steps count and per largest-number bucket of the v2 held-out rows."""
    table = {}
    for ok, cat in zip(outcomes, categories):
        for key in (f"steps {cat['steps']}", f"size {cat['size']}"):
            hit, total = table.get(key, (0, 0))
            table[key] = (hit + int(ok), total + 1)
    return {key: round(hit / total, 3) for key, (hit, total) in sorted(table.items())}


@torch.no_grad()
def role_accuracy(model, heldout, count):
    """Teacher-forced accuracy of the copied and of the derived digits: one role's digits of an
    answer all masked, everything else shown, one forward pass. Exact match hides copying: runs
    from nothing copied 52-58% after 3,600-4,800 steps, at 3-6% exact match, while the shipped
    weights copy 99.9%."""
    model.eval()
    hits = {"copied": [0, 0], "derived": [0, 0]}
    for row in range(min(count, len(heldout.index))):
        canvas, prompt_len = heldout.example(row)
        target = heldout.answer(row)
        for role, positions in (("copied", copied_numbers(target)), ("derived", derived_numbers(target, 0))):
            noisy = torch.from_numpy(canvas.copy())
            noisy[prompt_len + positions] = MASK
            pred = model(noisy[None].to(DEVICE))[0].argmax(-1).cpu().numpy()
            hits[role][0] += int((pred[prompt_len + positions] == canvas[prompt_len + positions]).sum())
            hits[role][1] += len(positions)
    model.train()
    return {role: round(hit / max(total, 1), 3) for role, (hit, total) in hits.items()}


def answer_line(gen):
    """Tokens of the last line before the first [EOS] (the `#### n` line when well formed)."""
    gen = list(gen)
    end = gen.index(EOS) if EOS in gen else len(gen)
    body = gen[:end]
    newline = NEWLINE_ID
    last = max((i for i, tok in enumerate(body) if tok == newline), default=-1)
    return tuple(body[last + 1:])


def use_vocabulary(pieces):
    """Set the token ids the masking recipe reads from the vocabulary's pieces (main, and the probes)."""
    global NEWLINE_ID, HASH_ID, EQUALS_ID, DIGIT_IDS
    NEWLINE_ID, HASH_ID, EQUALS_ID = pieces.index("\n"), pieces.index("##"), pieces.index("=")
    DIGIT_IDS = {pieces.index(digit) for digit in "0123456789"}


def work_vocabulary(work):
    """The pieces of a work folder's tokenizer, by token id, with the recipe's token ids set from them."""
    pieces = [piece for piece, _ in json.load(open(os.path.join(work, "tokenizer", "tokenizer.json")))["model"]["vocab"]]
    use_vocabulary(pieces)
    return pieces


def main():
    global DEVICE
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    parser.add_argument("--steps", type=parse_legs,
                        help="optimizer steps of the run (default: the preset's); N1,N2,... trains in legs, each annealing to its own end")
    # A wall-clock cap: the run anneals to it and stops there, even before its last step (and is then not deterministic).
    parser.add_argument("--minutes", type=float)
    parser.add_argument("--seed", type=int, default=0)
    # One thread beats two when other work shares the cores: OpenMP threads wait on each other.
    parser.add_argument("--threads", type=int)
    # A lower peak suits a run that continues trained weights (the preset's is for weights from nothing).
    parser.add_argument("--lr", type=float)
    # Continue from a shipped model when no checkpoint exists (a fresh machine, e.g. a GPU one).
    parser.add_argument("--init-onnx")
    # The same, from weights already converted to PyTorch (a GPU machine may lack the onnx package).
    parser.add_argument("--init-pt")
    # Smoke-test a preset on another device (e.g. the cuda preset on CPU for a few seconds).
    parser.add_argument("--device")
    parser.add_argument("--eval-count", type=int, help="held-out problems per evaluation (default: the preset's)")
    # Also write the weights alone here at the end (small enough to bring back from a lent machine).
    parser.add_argument("--weights-out")
    # v1: the shipped model's problems at L = 64; lengths: the same problems at sampled canvas lengths;
    # v2: v1 and v2 word problems (data from model/data.ts writeV2TokenFiles), sampled canvas lengths;
    # compact: the v1 problems of that data alone (the compact layout); v2easy: those and two-digit v2;
    # v2mid: those and v2 with numbers to 999 (MIXES).
    parser.add_argument("--mix", choices=sorted(MIXES), default="v1")
    parser.add_argument("--eval-every", type=int, help="steps between evaluations (default: the preset's)")
    # Matrix products in bfloat16 (autocast): a step ran 2.3-3x faster on this VM's AVX-512 BF16
    # cores (fp32 goes through OpenBLAS); evaluation stays fp32, as the runtime's graphs are.
    parser.add_argument("--bf16", action="store_true")
    # Another depth for continued weights (when starting from --init-onnx/--init-pt, not on resume):
    # more appends blocks that start as identities, fewer keeps the first blocks.
    parser.add_argument("--layers", type=int, help="layers of the model built from the initial weights")
    args = parser.parse_args()
    preset = dict(PRESETS[args.preset])
    legs = args.steps or [preset["steps"]]
    if args.minutes:
        preset["minutes"] = args.minutes
    if args.threads:
        preset["threads"] = args.threads
    if args.lr:
        preset["lr"] = args.lr
    if args.eval_count:
        preset["eval_count"] = args.eval_count
    if args.eval_every:
        preset["eval_every"] = args.eval_every
    mix = MIXES[args.mix]
    data_dir = os.path.join(args.work, "data")
    recipe = with_rate_lines(mix, data_dir)
    DEVICE = args.device or preset["device"]
    torch.set_num_threads(preset["threads"])
    if DEVICE == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    torch.manual_seed(args.seed)
    pieces = work_vocabulary(args.work)
    levels = [TaskSplit(data_dir, name) for name in mix.levels]
    heldout = TaskSplit(data_dir, "heldout")
    drills = Drills([levels[mix.levels.index(name)] for name in mix.drill_levels], long_results=mix.long_results)
    if mix.v2_eval:
        v2_heldout = TaskSplit(data_dir, "v2heldout")
        v2_categories = json.load(open(os.path.join(data_dir, "v2heldout.categories.json")))
    prose = np.fromfile(os.path.join(data_dir, "prose.u16"), dtype=np.uint16).astype(np.int64)

    ckpt_path = os.path.join(args.work, "checkpoint.pt")
    ckpt = torch.load(ckpt_path, map_location=DEVICE) if os.path.exists(ckpt_path) else None
    # A checkpoint keeps its own shape (a grown model resumes grown).
    cfg = ModelConfig(**ckpt["config"]) if ckpt else ModelConfig(vocab_size=len(pieces))
    model = DiffusionLM(cfg).to(DEVICE)
    log_path = os.path.join(args.work, "train_log.jsonl")
    # prior: the training history of the weights this run starts from, so the card's curve and
    # totals cover every run, not only the last.
    state = {"step": 0, "elapsed": 0.0, "evals": [], "prior": {"steps": 0, "minutes": 0.0, "evals": [], "runs": []}}
    if ckpt:
        model.load_state_dict(ckpt["model"])
        state = ckpt["state"]
        print(f"train: resumed at step {state['step']}, {state['elapsed'] / 60:.1f} min", flush=True)
        if "training" in state and state["training"]["runs"][-1].get("recipe") != recipe:
            # The recipe changed: what ran so far becomes history and a new run (and schedule) starts.
            state.update(prior=state["training"], step=0, elapsed=0.0, evals=[], legs=[])
            # A change of depth belongs to the run that did it, now history.
            state.pop("grown_from", None)
            state.pop("cut_from", None)
            print("train: recipe changed, starting a new run on these weights", flush=True)
    elif args.init_pt:
        init = torch.load(args.init_pt, map_location=DEVICE)
        # At the depth the weights were saved with (older files have no config: the default).
        model = DiffusionLM(ModelConfig(**init["config"]) if "config" in init else cfg).to(DEVICE)
        model.load_state_dict(init["model"])
        state["prior"] = init.get("training") or state["prior"]
        print(f"train: weights from {args.init_pt}, fresh optimizer and schedule", flush=True)
    elif args.init_onnx:
        model = onnx_model(args.init_onnx, len(pieces)).to(DEVICE)
        state["prior"] = shipped_training(args.init_onnx)
        print(f"train: weights from {args.init_onnx}, fresh optimizer and schedule", flush=True)
    if args.layers is not None and args.layers != model.cfg.n_layers:
        # Noted so the run's record (and the card) says this run changed the depth, not only how deep it ended.
        if ckpt:
            print(f"train: --layers {args.layers} ignored: the checkpoint resumes at its own {model.cfg.n_layers} layers", flush=True)
        elif args.layers > model.cfg.n_layers:
            state["grown_from"] = model.cfg.n_layers
            model = grow_layers(model, args.layers).to(DEVICE)
            print(f"train: grown to {args.layers} layers (the new blocks start as identities)", flush=True)
        else:
            state["cut_from"] = model.cfg.n_layers
            model = cut_layers(model, args.layers).to(DEVICE)
            print(f"train: cut to the first {args.layers} layers", flush=True)
    cfg = model.cfg
    opt = torch.optim.AdamW(model.parameters(), lr=preset["lr"], betas=(0.9, 0.98), weight_decay=0.05)
    if ckpt:
        opt.load_state_dict(ckpt["opt"])
    state["recipe"] = recipe
    note_precision(state, "bf16 autocast" if args.bf16 else "fp32")
    n_params = sum(p.numel() for p in model.parameters())
    cap = f", at most {preset['minutes']} min" if preset["minutes"] else ""
    print(f"train: {n_params / 1e6:.2f}M parameters, preset {args.preset}, {','.join(map(str, legs))} steps{cap}", flush=True)

    if mix.long_canvases and state["step"] == 0 and not state["evals"]:
        # Where the curve starts: the weights this run continues, before its first step.
        prior = state["prior"]
        row = {"step": prior["steps"], "minutes": round(prior["minutes"], 2), "heldout_exact": evaluate(model, heldout, preset["eval_count"]),
               **length_scores(model, heldout, preset["eval_count"]),
               **(v2_scores(model, v2_heldout, v2_categories, preset["eval_count"]) if mix.v2_eval else {})}
        state["evals"].append(row)
        with open(log_path, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(f"train: {json.dumps(row)}", flush=True)

    steps = legs[-1]
    cap_seconds = preset["minutes"] * 60 if preset["minutes"] else math.inf
    last_save = time.time()
    started = time.time() - state["elapsed"]
    losses = []
    pool = StatePool()
    # A resumed run draws the rest of its pool; a new run on a checkpoint's weights decodes its own.
    pool.from_checkpoint(ckpt.get("decoder_states") if ckpt and state["step"] else None)
    decoded = [0, 0]  # decoder states' commits and wrong predictions since the last log line
    while state["step"] < steps and state["elapsed"] < cap_seconds:
        rng, gen = step_streams(args.seed, state["step"])
        # Under a wall-clock cap the schedule follows whichever end comes first, so a capped run
        # (a lent GPU's fixed minutes) still anneals; uncapped runs depend on the step alone.
        leg_end = current_leg(state, legs)
        progress = max(state["step"] / leg_end, state["elapsed"] / cap_seconds)
        warm = min(1.0, (state["step"] + 1) / 200)
        lr = preset["lr"] * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        for group in opt.param_groups:
            group["lr"] = lr
        kind = batch_kind(state["step"], progress, mix.drills_from)
        with step_precision(args.bf16):
            if kind == "prose":
                starts = rng.integers(0, len(prose) - PROSE_LENGTH, size=preset["batch"] // 2)
                ids = torch.from_numpy(np.stack([prose[s:s + PROSE_LENGTH] for s in starts]))
                loss = diffusion_loss(model, ids, 0, gen)
            elif kind == "drill" and mix.decoder_states and rng.random() < mix.decoder_states:
                if pool.needs_refill():
                    level = levels[rng.choice(len(levels), p=mix.weights(progress))]
                    gen_length, size = canvas_batch(rng, preset["batch"], min_length=level.max_target)
                    truth, prompt_len = level.problems(rng, size, gen_length)
                    pool.fill(decoder_states(model, truth, prompt_len, MASK, {NEWLINE_ID}), rng)
                    decoded[0] += pool.states.commits
                    decoded[1] += pool.states.wrong
                ids, prompt_len, forced, shown, weights = pool.batch()
                loss = diffusion_loss(model, ids, prompt_len, gen, forced, uniform=False, shown=shown, weights=weights)
            elif kind == "drill" and mix.result_blocks and rng.random() < mix.result_blocks:
                level = levels[rng.choice(len(levels), p=mix.weights(progress))]
                gen_length, size = canvas_batch(rng, preset["batch"], min_length=level.max_target)
                ids, prompt_len, forced, shown, weights = level.result_block_batch(rng, size, gen_length)
                loss = diffusion_loss(model, ids, prompt_len, gen, forced, uniform=False, shown=shown, weights=weights)
            elif kind == "drill":
                ids, forced = drills.batch(rng, preset["batch"])
                loss = diffusion_loss(model, ids, 0, gen, forced, uniform=False)
            else:
                level = levels[rng.choice(len(levels), p=mix.weights(progress))]
                if mix.long_canvases:
                    ids, prompt_len, forced, shown, weights = long_canvas_batch(level, rng, preset["batch"])
                else:
                    (ids, prompt_len, forced, shown), weights = level.batch(rng, preset["batch"]), None
                loss = diffusion_loss(model, ids, prompt_len, gen, forced, shown=shown, weights=weights)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        state["step"] += 1
        state["elapsed"] = time.time() - started
        now = time.time()
        last_step = state["step"] >= steps or state["elapsed"] >= cap_seconds
        # A leg's end is evaluated and saved as if it ended the run, as it does when the legs run one by one.
        leg_done = last_step or state["step"] == leg_end
        if state["step"] % preset["eval_every"] == 0 or leg_done:
            acc = evaluate(model, heldout, preset["eval_count"])
            prior = state["prior"]
            row = {"step": prior["steps"] + state["step"], "minutes": round(prior["minutes"] + state["elapsed"] / 60, 2),
                   "loss": round(float(np.mean(losses[-200:])), 4), "heldout_exact": acc,
                   # The page decodes in blocks; a model must hold up there too.
                   "heldout_exact_blocks_of_8": evaluate(model, heldout, preset["eval_count"], 8),
                   **role_accuracy(model, heldout, preset["eval_count"])}
            if mix.long_canvases:
                row.update(length_scores(model, heldout, preset["eval_count"]))
            if mix.v2_eval:
                row.update(v2_scores(model, v2_heldout, v2_categories, preset["eval_count"]))
            state["evals"].append(row)
            with open(log_path, "a") as f:
                f.write(json.dumps(row) + "\n")
            print(f"train: {json.dumps(row)}", flush=True)
            started += time.time() - now  # evaluation time is not training time
        elif state["step"] % 50 == 0:
            wrong = f" decoder states {decoded[1] / decoded[0]:.2%} of {decoded[0]} commits wrong" if decoded[0] else ""
            print(f"train: step {state['step']}/{steps} {state['elapsed'] / 60:.1f} min loss {np.mean(losses[-50:]):.4f} lr {lr:.2e}{wrong}", flush=True)
            decoded = [0, 0]
        if now - last_save > 180 or leg_done:
            save(ckpt_path, model, opt, state, cfg, preset, pool)
            last_save = time.time()
    save(ckpt_path, model, opt, state, cfg, preset, pool)
    if args.weights_out:
        # What export.py reads (model, config, state), without the optimizer: a third of the size.
        torch.save({"model": {k: v.cpu() for k, v in model.state_dict().items()}, "state": state, "config": cfg.to_dict()}, args.weights_out)
        print(f"train: weights written to {args.weights_out}", flush=True)
    print("train: done", flush=True)


def grow_layers(model, n_layers):
    """A deeper model computing the same function as `model`: its blocks, then new blocks whose
    output projections (attention out, feed-forward down) are zero, so each adds nothing to the
    residual stream until training moves them. The int8 download grows by about 0.8 MB a block
    at this width (8.4 MB for 4 layers; the budget is 25 MB)."""
    if n_layers <= model.cfg.n_layers:
        raise SystemExit(f"train: --layers {n_layers} to grow must exceed the model's {model.cfg.n_layers} layers")
    grown = DiffusionLM(ModelConfig(**{**model.cfg.to_dict(), "n_layers": n_layers}))
    weights = grown.state_dict()
    weights.update({k: v.cpu() for k, v in model.state_dict().items()})
    grown.load_state_dict(weights)
    with torch.no_grad():
        for block in grown.blocks[model.cfg.n_layers:]:
            block.out.weight.zero_()
            block.down.weight.zero_()
    return grown


def cut_layers(model, n_layers):
    """A shallower model: the first n_layers blocks of `model`, the rest dropped (with the
    embedding and the final norm). Not the same function; training recovers it."""
    if not 0 < n_layers < model.cfg.n_layers:
        raise SystemExit(f"train: --layers {n_layers} to cut must be between 1 and the model's {model.cfg.n_layers - 1} layers")
    cut = DiffusionLM(ModelConfig(**{**model.cfg.to_dict(), "n_layers": n_layers}))
    kept = cut.state_dict().keys()
    cut.load_state_dict({k: v for k, v in model.state_dict().items() if k in kept})
    return cut


def config_dims(config):
    """onnx_model's dims from a model folder's config.json (the fields a graph does not hold or may not default)."""
    return dict(d_model=config["hidden_size"], n_heads=config["num_attention_heads"], d_ff=config["intermediate_size"], rope_theta=config["rope_theta"])


def onnx_model(path, vocab_size, **dims):
    """The model an exported graph holds, at its own depth: the graph keeps every parameter under
    its PyTorch name (constant folding off). `dims`: the other ModelConfig fields, where not the
    defaults (a graph holds no head count). A graph whose weights do not all fit (another width,
    or parameters left over) is refused, so no layer is silently dropped."""
    import onnx
    from onnx import numpy_helper

    weights = {init.name: numpy_helper.to_array(init) for init in onnx.load(path).graph.initializer}
    depth = len({name.split(".")[1] for name in weights if name.startswith("blocks.")})
    model = DiffusionLM(ModelConfig(vocab_size=vocab_size, n_layers=depth, **dims))
    state = model.state_dict()
    missing = [k for k in state if k not in weights or tuple(weights[k].shape) != tuple(state[k].shape)]
    if missing:
        raise SystemExit(f"train: {path} lacks parameters {missing[:5]} (of {len(missing)}) for this architecture")
    left_over = [k for k in weights if k.startswith("blocks.") and k not in state]
    if left_over:
        raise SystemExit(f"train: {path} has parameters this architecture does not use: {left_over[:5]}")
    model.load_state_dict({k: torch.from_numpy(weights[k].copy()) for k in state})
    return model


def shipped_training(onnx_path):
    """The training history in the config.json of the model folder an ONNX file belongs to."""
    config_path = os.path.join(os.path.dirname(os.path.dirname(onnx_path)), "config.json")
    if not os.path.exists(config_path):
        return {"steps": 0, "minutes": 0.0, "evals": [], "runs": []}
    training = json.load(open(config_path)).get("training", {})
    return {
        "steps": training.get("steps", 0),
        "minutes": training.get("minutes", 0.0),
        "evals": training.get("evals", []),
        # Models shipped before runs were recorded: one run, as its card described it.
        "runs": training.get("runs") or [{"steps": training.get("steps", 0), "minutes": training.get("minutes", 0.0), "batch": 48, "device": "cpu",
                                          "threads": 2, "blas_core": None, "recipe": "cross-entropy on masked tokens weighted 1/t, one prose batch in 10"}],
    }


def training_summary(state, preset, device, recipe=RECIPE, layers=None):
    """Totals over this run and the runs before it, as export.py writes them into config.json."""
    prior = state["prior"]
    run = {"steps": state["step"], "minutes": round(state["elapsed"] / 60, 1), "batch": preset["batch"], "lr": preset["lr"], "device": device,
           "threads": preset["threads"], "precisions": precisions(state), "blas_core": os.environ.get("OPENBLAS_CORETYPE"), "recipe": recipe}
    if layers is not None:
        run["layers"] = layers
    for key in ("grown_from", "cut_from"):
        if key in state:
            run[key] = state[key]
    if len(state.get("legs", [])) > 1:
        run["legs"] = state["legs"]
    return {
        "steps": prior["steps"] + state["step"],
        "minutes": round(prior["minutes"] + state["elapsed"] / 60, 1),
        "evals": prior["evals"] + state["evals"],
        "runs": prior["runs"] + [run],
    }


def save(path, model, opt, state, cfg, preset, pool):
    """Writes the checkpoint, with the training totals export.py copies into config.json, and the
    decoder states not yet trained on (decoded by weights a resumed run no longer has)."""
    state["training"] = training_summary(state, preset, DEVICE, state.get("recipe", RECIPE), cfg.n_layers)
    tmp = path + ".tmp"
    checkpoint = {"model": model.state_dict(), "opt": opt.state_dict(), "state": state, "config": cfg.to_dict()}
    saved_states = pool.to_checkpoint()  # None: nothing decoded yet
    if saved_states is not None:
        checkpoint["decoder_states"] = saved_states
    torch.save(checkpoint, tmp)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()

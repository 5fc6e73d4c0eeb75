"""Decoder states: the canvases the page's decoder meets on training answers.

Result blocks (train.py) guess at the state in which the decoder writes a step's result; this
takes it from the decoder itself. AdaBlock as the page runs it (src/decoding/options.ts: block
size B0 16 as the fallback, threshold 0.9 inside a block, the newline as the delimiter at
tau_D 0.3, the window a quarter of the canvas) decodes a batch of training problems, but every
position it commits gets the reference token, not the model's guess: the trajectory stays on the
answer, and each pass's canvas is one the decoder reaches on the way to a right one. The model's
order and block sizes decide which positions are written when, so the states hold what the
weights find hard: a result with the line around it written, its length still open.

A pass's commits that the model got wrong are counted: how often the decoder would have
written a wrong token in a state where everything before was right."""
from typing import NamedTuple

import numpy as np
import torch


class DecoderStates(NamedTuple):
    """Every pass's state of a teacher-forced decode of `truth` (rows of one prompt length)."""
    truth: torch.Tensor  # [rows, prompt + L]: the problems' reference canvases
    prompt_len: int
    row: np.ndarray  # [states]: which problem each state is of
    shown: np.ndarray  # [states, prompt + L] bool: the positions written before this pass
    block: np.ndarray  # [states, 2]: the block [start, end) the pass may write in
    commits: int  # positions committed over the whole decode
    wrong: int  # of those, how many the model predicted wrong


def adablock_block(pred, conf, start, remaining, gen_length, delimiter_ids, block_size, delimiter_threshold):
    """The next block's size (ADABLOCK.md): up to the surest predicted delimiter in the window,
    when it is sure enough, else the fallback size; both capped by what remains."""
    window = min(gen_length // 4, remaining)
    best = None
    for position in range(start, start + window):
        if int(pred[position]) in delimiter_ids and (best is None or conf[position] > conf[best]):
            best = position  # the first of equally sure candidates wins, as argmax does
    if best is not None and conf[best] >= delimiter_threshold:
        return best - start + 1
    return min(block_size, remaining)


@torch.no_grad()
def decoder_states(model, truth, prompt_len, mask_id, delimiter_ids, block_size=16, threshold=0.9, delimiter_threshold=0.3):
    """Decodes the answers of `truth` ([rows, prompt + L], one prompt length) with AdaBlock,
    committing the reference token wherever the decoder commits, and returns every pass's state."""
    was_training = model.training
    model.eval()
    rows, seq = truth.shape
    gen_length = seq - prompt_len
    canvas = truth.clone()
    canvas[:, prompt_len:] = mask_id
    generated = np.zeros(rows, dtype=np.int64)
    blocks = np.full((rows, 2), prompt_len, dtype=np.int64)  # empty: the first pass chooses one
    at = torch.arange(seq)
    row_of, shown_of, block_of = [], [], []
    commits = wrong = 0
    while True:
        open_ = canvas == mask_id
        live = np.flatnonzero(open_.any(1).numpy())
        if len(live) == 0:
            break
        # Finished rows sit out the pass (their predictions are never read).
        conf = torch.full(canvas.shape, -1.0)
        pred = torch.full(canvas.shape, mask_id, dtype=canvas.dtype)
        probs = torch.softmax(model(canvas[live]).float(), dim=-1)
        conf[live], pred[live] = probs.max(-1)
        for r in live:
            start, end = blocks[r]
            if not open_[r, start:end].any():
                begin = prompt_len + int(generated[r])  # the first open position
                size = adablock_block(pred[r], conf[r], begin, gen_length - int(generated[r]), gen_length,
                                      delimiter_ids, block_size, delimiter_threshold)
                generated[r] += size
                blocks[r] = (begin, begin + size)
            row_of.append(r)
            shown_of.append(~open_[r].numpy())
            block_of.append(blocks[r].copy())
        start = torch.from_numpy(blocks[:, 0:1])
        end = torch.from_numpy(blocks[:, 1:2])
        in_block = open_ & (at >= start) & (at < end)
        sure = torch.where(in_block, conf, torch.full_like(conf, -1.0))
        commit = sure >= threshold
        commit[torch.arange(rows), sure.argmax(-1)] = True  # the surest open one, at least
        commit &= in_block
        commits += int(commit.sum())
        wrong += int((pred[commit] != truth[commit]).sum())
        canvas[commit] = truth[commit]
    model.train(was_training)
    return DecoderStates(truth, prompt_len, np.array(row_of), np.stack(shown_of), np.stack(block_of), commits, wrong)


class StatePool:
    """Decoder states to train on, a batch at a time: a decode of one batch of problems gives 10
    to 33 states a problem (one a pass), and batches of as many states are drawn from it at
    random, none twice, until it runs out; so a decode costs 0.2-0.37 s a batch, a quarter to
    two fifths of a training step (the shipped weights, bf16, 2 threads: 2.0-12.1 s a decode of
    21-48 problems at L = 64-256)."""

    def __init__(self):
        self.states = None
        self.order = np.zeros(0, dtype=np.int64)
        self.drawn = 0

    def needs_refill(self):
        return self.states is None or (self.drawn + 1) * len(self.states.truth) > len(self.order)

    def fill(self, states, rng):
        self.states = states
        self.order = rng.permutation(len(states.row))
        self.drawn = 0

    def batch(self):
        """A batch of states: the reference canvases, every answer position open but those the
        state shows, and loss weights on the block's open positions alone (what this pass may
        write)."""
        states = self.states
        size = len(states.truth)
        picks = self.order[self.drawn * size:(self.drawn + 1) * size]
        self.drawn += 1
        ids = states.truth[states.row[picks]]
        shown = torch.from_numpy(states.shown[picks])
        forced = torch.zeros_like(shown)
        forced[:, states.prompt_len:] = True
        at = np.arange(ids.shape[1])
        block = states.block[picks]
        in_block = (at >= block[:, :1]) & (at < block[:, 1:])
        weights = torch.from_numpy((in_block & ~states.shown[picks]).astype(np.float32))
        return ids, states.prompt_len, forced, shown, weights

    def to_checkpoint(self):
        """What a resumed run needs to draw the same batches (the pool was decoded by weights it no longer has)."""
        if self.states is None:
            return None
        # As tensors, which any torch.load reads back (numpy arrays need its unsafe mode in newer torch).
        states = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in self.states._asdict().items()}
        return {"states": states, "order": torch.from_numpy(self.order), "drawn": self.drawn}

    def from_checkpoint(self, saved):
        if saved:
            arrays = ("row", "shown", "block")
            self.states = DecoderStates(**{k: v.numpy() if k in arrays else v for k, v in saved["states"].items()})
            self.order, self.drawn = saved["order"].numpy(), saved["drawn"]

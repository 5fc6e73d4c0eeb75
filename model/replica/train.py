"""Train the replica with the masked-diffusion loss (LLaDA SFT style) on ChatML arithmetic problems.

Each sample is a chat-formatted prompt followed by the answer region: the assistant turn (an empty
think block unless the prompt already holds it, the worked answer, `<|im_end|>`) padded with
`<|endoftext|>` to the batch's generation length. t ~ U(0, 1); each answer token is masked with
probability t; the loss is cross-entropy on masked positions weighted 1 / t, over the answer length.

The full 151,936-wide head is too slow for 2 shared cores (one 384 x 32 x 151,936 product takes
~1.6 s here), so training runs on a compact vocabulary: the ids the data uses (154, with
`<|mask|>`) get trainable rows; every other row keeps its seeded N(0, 0.02) initial value, frozen.
The softmax denominator still covers the whole vocabulary: the frozen rows enter as one term,
logsumexp over SAMPLED of them plus log(count / SAMPLED) (an estimate of their partition sum).
After training the trained rows are scattered into the full table, so the saved model is the
plain 151,936-row model the graphs are built from.

MDLM: bidirectional attention over [prompt | noised answer].
BD3LM: the sequence [x_t | x_0] of length 2T (x_0 the clean copy, same positions): a query in x_t
block b sees x_t block b and x_0 blocks < b; a query in x_0 block b sees x_0 blocks <= b
(blocks on the absolute 32-grid), so each block learns to denoise given clean earlier blocks.

    python3 train.py mdlm|bd3lm <out.pt> [--steps N] [--init weights.pt]
"""

import argparse
import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from problems import chatml_prompt, problem
from qwen3 import BLOCK, Config, Qwen3Diffusion, save

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
MASK, EOT = 151669, 151643  # <|mask|>, <|endoftext|> of the replica tokenizer (tokenizer.py)
THINK = "<think>\n\n</think>\n\n"
N_PROBLEMS, BATCH, LR, WARMUP, SAMPLED = 20000, 16, 3e-3, 100, 1024
INIT_STD, INIT_SEED = 0.02, 1234
GEN_LENGTHS = (32, 64)


def dataset(seed=0):
    """[(prompt ids, answer ids)] tokenized by tokenize.mjs (the runtime's tokenizer), cached in work/."""
    cache = WORK / f"data-{seed}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    rng = random.Random(seed)
    texts = []
    for _ in range(N_PROBLEMS):
        question, answer = problem(rng)
        think_in_prompt = rng.random() < 0.5
        texts.append(chatml_prompt(question, enable_thinking=not think_in_prompt))
        texts.append(("" if think_in_prompt else THINK) + answer + "<|im_end|>")
    (WORK / "texts.json").write_text(json.dumps(texts))
    subprocess.run(["node", str(HERE / "tokenize.mjs"), str(WORK / "tokenizer"), str(WORK / "texts.json"),
                    str(WORK / "ids.json")], check=True)
    ids = json.loads((WORK / "ids.json").read_text())
    pairs = list(zip(ids[0::2], ids[1::2]))
    cache.write_text(json.dumps(pairs))
    return pairs


def batch(pairs, rng: random.Random, to_compact):
    """x0 [B, T] and answer_start [B]: prompts then answer padded with EOT to T = longest prompt + gen."""
    rows = rng.sample(pairs, BATCH)
    gen = rng.choice(GEN_LENGTHS)
    t = max(len(p) for p, _ in rows) + gen
    x0 = torch.full((BATCH, t), to_compact[EOT], dtype=torch.long)
    start = torch.zeros(BATCH, dtype=torch.long)
    for i, (p, a) in enumerate(rows):
        a = a[: t - len(p)]
        x0[i, : len(p)] = torch.tensor(p)
        x0[i, len(p): len(p) + len(a)] = torch.tensor(a)
        start[i] = len(p)
    return x0, start


def noise(x0, start, gen: torch.Generator, mask_id):
    """x_t, masked [B, T] bool, t [B]: answer tokens masked with probability t ~ U(eps, 1)."""
    b, t = x0.shape
    tt = torch.rand(b, generator=gen) * (1 - 1e-3) + 1e-3
    answer = torch.arange(t)[None, :] >= start[:, None]
    masked = answer & (torch.rand(b, t, generator=gen) < tt[:, None])
    return torch.where(masked, torch.full_like(x0, mask_id), x0), masked, tt


def bd3lm_mask(t):
    """Additive mask [1, 1, 2T, 2T] over [x_t | x_0] (see module docstring)."""
    blk = torch.arange(t) // BLOCK
    q, k = blk[:, None], blk[None, :]
    noisy_noisy, noisy_clean, clean_clean = q == k, k < q, k <= q
    top = torch.cat([noisy_noisy, noisy_clean], dim=1)
    bottom = torch.cat([torch.zeros_like(noisy_noisy), clean_clean], dim=1)
    allowed = torch.cat([top, bottom], dim=0)
    # -inf, not NEG: the same softmax (exp(-1e9 - max) is 0 in float32), and several times faster
    # on this CPU in backward; every row allows at least its own block, so no row is all -inf.
    return torch.where(allowed, 0.0, float("-inf"))[None, None]


def full_embedding(vocab_size, hidden):
    """The seeded initial table [vocab_size, hidden]: the final values of every untrained row."""
    return torch.randn(vocab_size, hidden, generator=torch.Generator().manual_seed(INIT_SEED)) * INIT_STD


def loss_fn(model, kind, x0, start, gen, frozen, mask_id):
    """x0 holds compact ids; `frozen` [n, hidden] are the untrained rows of the full table."""
    xt, masked, tt = noise(x0, start, gen, mask_id)
    t = x0.shape[1]
    if kind == "mdlm":
        h = model.hidden(xt)
    else:
        positions = torch.arange(t).repeat(2)
        h = model.hidden(torch.cat([xt, x0], dim=1), bd3lm_mask(t), positions)[:, :t]
    weight = (1 / tt)[:, None] / (t - start)[:, None].float()  # 1/t over the answer length
    rows = masked.nonzero()
    hm = h[rows[:, 0], rows[:, 1]]  # [M, hidden]: gather before the head
    sample = frozen[torch.randint(len(frozen), (SAMPLED,), generator=gen)]
    rest = (hm @ sample.T).logsumexp(-1, keepdim=True) + math.log(len(frozen) / SAMPLED)
    logits = torch.cat([model.head(hm), rest], dim=-1)
    ce = F.cross_entropy(logits, x0[rows[:, 0], rows[:, 1]], reduction="none")
    w = weight[rows[:, 0], 0]
    return (ce * w).sum() / x0.shape[0], ce.mean()


def train(kind, out, steps, seed=0, init=None):
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    rng, gen = random.Random(seed + 1), torch.Generator().manual_seed(seed + 2)
    pairs = dataset()
    full = Config()
    used = sorted({i for p, a in pairs for i in p + a} | {MASK, EOT})
    to_compact = {i: n for n, i in enumerate(used)}
    pairs = [([to_compact[i] for i in p], [to_compact[i] for i in a]) for p, a in pairs]
    table = full_embedding(full.vocab_size, full.hidden_size)
    keep = torch.ones(full.vocab_size, dtype=torch.bool)
    keep[used] = False
    frozen = table[keep]
    model = Qwen3Diffusion(Config(vocab_size=len(used)))
    if init is not None:  # continue from trained weights (BD3LM starts from the MDLM replica)
        state = torch.load(init)["weights"]
        table = state.pop("embed_tokens.weight").clone()
        model.load_state_dict({**state, "embed_tokens.weight": table[used]})
    with torch.no_grad():
        model.embed_tokens.weight.copy_(table[used])
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.0, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1, (s + 1) / WARMUP) * 0.5 * (1 + math.cos(math.pi * min(s / steps, 1))))
    log, began, ce_avg = [], time.time(), None
    for step in range(steps):
        x0, start = batch(pairs, rng, to_compact)
        loss, ce = loss_fn(model, kind, x0, start, gen, frozen, to_compact[MASK])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        ce_avg = ce.item() if ce_avg is None else 0.98 * ce_avg + 0.02 * ce.item()
        if step % 100 == 0 or step == steps - 1:
            row = {"step": step, "loss": round(loss.item(), 4), "masked_ce_ema": round(ce_avg, 4),
                   "seconds": round(time.time() - began, 1)}
            log.append(row)
            print(json.dumps(row), flush=True)
    state = model.state_dict()
    table[used] = state["embed_tokens.weight"]
    state["embed_tokens.weight"] = table
    final = Qwen3Diffusion(full)
    final.load_state_dict(state)
    save(final, out)
    Path(str(out) + ".log.json").write_text(json.dumps(
        {"kind": kind, "steps": steps, "seed": seed, "batch": BATCH, "trained_rows": len(used), "lr": LR,
         "init": init and Path(init).name, "seconds": round(time.time() - began, 1), "log": log}, indent=1))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["mdlm", "bd3lm"])
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--init", help="weights to continue from (default: a fresh seeded model)")
    a = ap.parse_args()
    WORK.mkdir(exist_ok=True)
    train(a.kind, Path(a.out), a.steps, init=a.init)

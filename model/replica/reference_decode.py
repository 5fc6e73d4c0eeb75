"""A plain reference of fixed-block low-confidence decoding (LLaDA's `generate`), and the fixture
`reference-decodes.json` it writes for the runtime's tests.

Canvas = chat-formatted prompt ids + `gen_length` masks. The generated span is cut into blocks,
decoded left to right. Each step runs one forward over the whole canvas; at every still-masked
position of the current block the candidate is the argmax of the logits (temperature 0, the mask
token never chosen) and its confidence the float64 softmax probability of that candidate; the k
most confident are committed (ties: the lower position first). k per step follows LLaDA's
`get_num_transfer_tokens`: a block with n masks over s = min(steps_per_block, n) steps commits
n // s each step, the first n % s steps one more.
  MDLM:  blocks of `block` from the prompt's end; bidirectional attention.
  BD3LM: blocks on the absolute 32-grid: the first runs from the prompt's end to the next multiple
         of 32, the last ends at the canvas end; every forward gets the block-causal mask.

    python3 reference_decode.py <hub folder> [mdlm|bd3lm ...]   (after train.py and export_onnx.py)
"""

import json
import random
import sys
from pathlib import Path

import torch

from ort_bridge import OrtGraph, node_tokenizer
from problems import chatml_prompt, problem
from qwen3 import BLOCK, block_causal_mask, load

MDLM_DIR, BD3LM_DIR = "Qwen3-replica-diffusion-mdlm-ONNX", "Qwen3-replica-diffusion-bd3lm-ONNX"
GEN_LENGTH, STEPS_PER_BLOCK, PROMPT_SEED, PROMPTS = 64, 32, 2024, 3
EOS = 151645  # <|im_end|>: where the text is cut (generation_config's first eos id)


def blocks(prompt_len, gen_length, block, grid):
    """[(start, end)] of the generated span: relative to the prompt (MDLM) or on the absolute grid (BD3LM)."""
    end, out, start = prompt_len + gen_length, [], prompt_len
    while start < end:
        stop = (start // block + 1) * block if grid else start + block
        out.append((start, min(stop, end)))
        start = min(stop, end)
    return out


def transfer_counts(n, steps):
    s = min(steps, n)
    return [n // s + (1 if i < n % s else 0) for i in range(s)]


def generate(top, prompt, mask_id, gen_length, block, steps_per_block, grid):
    """Decode; `top(canvas, rows)` -> [(argmax id other than mask_id, float64 prob)] per row.
    Returns the generated ids and the commit order (per step, the positions committed)."""
    canvas = list(prompt) + [mask_id] * gen_length
    history = []
    for start, end in blocks(len(prompt), gen_length, block, grid):
        for k in transfer_counts(end - start, steps_per_block):
            rows = [i for i in range(start, end) if canvas[i] == mask_id]
            cands = top(canvas, rows)
            order = sorted(range(len(rows)), key=lambda j: (-cands[j][1], rows[j]))[:k]
            for j in order:
                canvas[rows[j]] = cands[j][0]
            history.append(sorted(rows[j] for j in order))
    return canvas[len(prompt):], history


def torch_top(model, grid, mask_id):
    """The PyTorch float32 forward, probabilities in float64."""
    def top(canvas, rows):
        ids = torch.tensor([canvas])
        mask = block_causal_mask(len(canvas)) if grid else None
        with torch.no_grad():
            logits = model.head(model.hidden(ids, mask)[0, rows]).double()  # only the rows asked for
        probs = logits.softmax(-1)
        logits[:, mask_id] = -float("inf")
        best = logits.argmax(-1)
        return [(int(b), float(probs[i, b])) for i, b in enumerate(best)]
    return top


def ort_top(graph, grid, mask_id):
    def top(canvas, rows):
        return graph.top(canvas, rows, mask_id, BLOCK if grid else None)
    return top


def prompts(folder):
    """Held-out problems (their own seed), chat-formatted with thinking disabled, as token ids."""
    rng = random.Random(PROMPT_SEED)
    questions = [problem(rng)[0] for _ in range(PROMPTS)]
    return questions, node_tokenizer(folder, [chatml_prompt(q, enable_thinking=False) for q in questions])


def decode_model(hub: Path, kind: str, weights: Path):
    """The fixture's cases for one model: PyTorch float32 decodes, and whether the fp16 and q4f16
    graphs (onnxruntime-node) give the same tokens under the same decode."""
    folder_name = MDLM_DIR if kind == "mdlm" else BD3LM_DIR
    folder, grid = hub / folder_name, kind == "bd3lm"
    mask_id = node_tokenizer(folder, ["<|mask|>"])[0][0]
    model = load(weights)
    graphs = {v: OrtGraph(folder / "onnx" / f) for v, f in
              (("fp16", "model_fp16_fused.onnx"), ("q4f16", "model_q4f16_rtn_sym.onnx"))}
    cases = []
    for question, ids in zip(*prompts(folder)):
        gen, history = generate(torch_top(model, grid, mask_id), ids, mask_id, GEN_LENGTH, BLOCK,
                                STEPS_PER_BLOCK, grid)
        same = {}
        for variant, graph in graphs.items():
            other, _ = generate(ort_top(graph, grid, mask_id), ids, mask_id, GEN_LENGTH, BLOCK,
                                STEPS_PER_BLOCK, grid)
            same[variant] = sum(a == b for a, b in zip(gen, other)) / len(gen)
        cut = gen[: gen.index(EOS)] if EOS in gen else gen
        cases.append({
            "messages": [{"role": "user", "content": question}],
            "prompt_ids": ids, "generated_ids": gen,
            "text": node_tokenizer(folder, [cut], decode=True)[0],
            "blocks": [[s, e] for s, e in blocks(len(ids), GEN_LENGTH, BLOCK, grid)],
            "steps": len(history), "commit_order": history,
            "onnx_same_tokens": {v: s == 1.0 for v, s in same.items()},
            "onnx_token_agreement": same,
        })
    for graph in graphs.values():
        graph.close()
    return folder_name, {"kind": kind, "mask_token_id": mask_id,
                         "weights": f"float32 PyTorch ({weights.name})", "cases": cases}


def write_fixture(hub: Path, models: dict):
    out = {
        "about": "Expected token ids of fixed-block low-confidence decoding (model/replica/reference_decode.py) "
                 "on the replica models; decoded with the float32 PyTorch weights the graphs were built from. "
                 "onnx_same_tokens says whether the same decode over the fp16 / q4f16 graph in onnxruntime-node "
                 "gave identical tokens.",
        "algorithm": {
            "canvas": "prompt ids + gen_length mask ids", "temperature": 0,
            "candidate": "argmax of the logits, the mask token excluded",
            "confidence": "float64 softmax probability of the candidate (softmax over the whole vocabulary)",
            "commit": "per step the k most confident masked positions of the current block (ties: lower position)",
            "k": "LLaDA get_num_transfer_tokens: n masks over s = min(steps_per_block, n) steps, n // s each, "
                 "the first n % s steps one more",
            "mdlm_blocks": "consecutive blocks of block_size from the prompt's end",
            "bd3lm_blocks": "on the absolute 32-grid: the first from the prompt's end to the next multiple of 32; "
                            "attention_mask 0 where floor(key/32) <= floor(query/32), -1e9 elsewhere",
            "text": "the generated ids cut before the first eos id, decoded with special tokens skipped",
        },
        "eos_token_id": EOS, "gen_length": GEN_LENGTH, "block_size": BLOCK, "steps_per_block": STEPS_PER_BLOCK,
        "chat_template_kwargs": {"add_generation_prompt": True, "enable_thinking": False},
        "models": models,
    }
    (hub / "reference-decodes.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    hub, kinds = Path(sys.argv[1]), sys.argv[2:] or ["mdlm", "bd3lm"]
    work = Path(__file__).resolve().parent / "work"
    for kind in kinds:  # each model's cases are kept in work/ so the two can run at different times
        name, result = decode_model(hub, kind, work / f"{kind}.pt")
        (work / f"decode-{kind}.json").write_text(json.dumps({name: result}))
        for case in result["cases"]:
            print(kind, repr(case["text"]), case["onnx_token_agreement"], flush=True)
    models = {}
    for kind in ("mdlm", "bd3lm"):
        if (work / f"decode-{kind}.json").exists():
            models.update(json.loads((work / f"decode-{kind}.json").read_text()))
    write_fixture(hub, models)

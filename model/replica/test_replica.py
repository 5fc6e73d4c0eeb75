"""Checks of the replica hub folders: the tokenizer through the runtime's tokenizer library, the
config contract, and each exported graph against the PyTorch forward it was built from.

    python3 -m unittest test_replica     (from model/replica, after build.sh)

Parity runs on masked canvases (a chat-formatted held-out problem, then its answer region of 64
tokens with each answer token masked with probability t in 0.25 / 0.5 / 0.75 / 1): argmax
agreement at the masked positions (fp16 >= 98 %, q4f16 >= 90 %) and, for the fp32 graph (built
into work/, not committed), the largest logit difference (< 1e-4). The q4f16 graph is also held
to the PyTorch model with its weights replaced by the dequantized 4-bit ones (checks the
MatMulNBits packing). Numbers go to work/parity.json.
"""

import json
import random
import subprocess
import unittest
from pathlib import Path

import numpy as np
import torch

from export_onnx import dequantize, quantize_rtn_sym
from ort_bridge import OrtGraph, node_tokenizer
from problems import chatml_prompt, problem
from qwen3 import BLOCK, block_causal_mask, load

HERE = Path(__file__).resolve().parent
HUB = HERE / "hub" / "dllm-replica"
WORK = HERE / "work"
FOLDERS = {"mdlm": HUB / "Qwen3-replica-diffusion-mdlm-ONNX", "bd3lm": HUB / "Qwen3-replica-diffusion-bd3lm-ONNX"}
MASK, GEN, SEED = 151669, 64, 77
JINJA = [Path(p) / "node_modules/@huggingface/jinja" for p in ("/tmp/replica-tok", "/tmp/tok")]
RESULTS = {}


def canvases():
    """[(ids, masked positions)]: 4 held-out problems x 4 mask rates, with the trained answer layout."""
    rng = random.Random(SEED)
    pairs = [problem(rng) for _ in range(4)]
    texts = [t for q, a in pairs for t in (chatml_prompt(q), a + "<|im_end|>")]
    ids = node_tokenizer(FOLDERS["mdlm"], texts)
    out = []
    for prompt, answer in zip(ids[0::2], ids[1::2]):
        x0 = prompt + (answer + [151643] * GEN)[:GEN]
        for t in (0.25, 0.5, 0.75, 1.0):
            masked = [i for i in range(len(prompt), len(x0)) if rng.random() < t]
            out.append(([MASK if i in masked else v for i, v in enumerate(x0)], masked))
    return out


def torch_logits(model, ids, grid):
    with torch.no_grad():
        return model(torch.tensor([ids]), block_causal_mask(len(ids)) if grid else None)[0].numpy()


class Tokenizer(unittest.TestCase):
    def test_chatml_specials_are_single_ids(self):
        text = chatml_prompt("Tom has 12 apples.") + "12 + 5 = 17\n#### 17<|im_end|><|endoftext|><|mask|>"
        ids = node_tokenizer(FOLDERS["mdlm"], [text])[0]
        for token, id_ in (("<|im_start|>", 151644), ("<|im_end|>", 151645), ("<think>", 151667),
                           ("</think>", 151668), ("<|endoftext|>", 151643), ("<|mask|>", 151669)):
            self.assertEqual(ids.count(id_), text.count(token), token)
        self.assertEqual(node_tokenizer(FOLDERS["mdlm"], [ids], decode=True)[0],
                         "user\nTom has 12 apples.\nassistant\n<think>\n\n</think>\n\n12 + 5 = 17\n#### 17")

    def test_chatml_prompt_is_the_chat_template(self):
        """problems.chatml_prompt against the Jinja template itself, rendered by @huggingface/jinja
        (installed beside the tokenizer package by build.sh; skipped where it is absent)."""
        jinja = next((p for p in JINJA if (p / "package.json").exists()), None)
        if jinja is None:
            self.skipTest("@huggingface/jinja not installed in a scratch folder")
        script = (f"import {{ Template }} from '{jinja}/dist/index.js';"
                  "import { readFileSync } from 'node:fs';"
                  f"const cfg = JSON.parse(readFileSync('{FOLDERS['mdlm']}/tokenizer_config.json', 'utf8'));"
                  "const t = new Template(cfg.chat_template); const m = [{ role: 'user', content: 'Hi there?' }];"
                  "console.log(JSON.stringify([false, true].map((e) => t.render({ messages: m, "
                  "add_generation_prompt: true, enable_thinking: e }))));")
        rendered = json.loads(subprocess.run(["node", "--input-type=module", "-e", script], check=True,
                                             capture_output=True, text=True).stdout)
        self.assertEqual(rendered, [chatml_prompt("Hi there?", enable_thinking=e) for e in (False, True)])

    def test_folders_share_the_tokenizer(self):
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            self.assertEqual((FOLDERS["mdlm"] / name).read_bytes(), (FOLDERS["bd3lm"] / name).read_bytes())

    def test_config_contract(self):
        for folder in FOLDERS.values():
            config = json.loads((folder / "config.json").read_text())
            generation = json.loads((folder / "generation_config.json").read_text())
            tok = json.loads((folder / "tokenizer_config.json").read_text())
            self.assertEqual(config["vocab_size"], 151936)
            self.assertNotIn("mask_token_id", config)
            self.assertEqual(generation["eos_token_id"], [151645, 151643])
            self.assertEqual((tok["mask_token"], tok["eos_token"], tok["pad_token"]),
                             ("<|mask|>", "<|im_end|>", "<|endoftext|>"))
            self.assertIn("enable_thinking", tok["chat_template"])


class Parity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cases = canvases()

    def agreement(self, kind, graph, model):
        grid = kind == "bd3lm"
        same = total = 0
        worst = 0.0
        for ids, masked in self.cases:
            ref = torch_logits(model, ids, grid)
            got = graph.logits(ids, BLOCK if grid else None)
            worst = max(worst, float(np.abs(ref - got).max()))
            same += int((ref[masked].argmax(-1) == got[masked].argmax(-1)).sum())
            total += len(masked)
        return same / total, worst, total

    def check(self, kind):
        model = load(WORK / f"{kind}.pt")
        folder = FOLDERS[kind] / "onnx"
        graphs = {"fp32": WORK / f"fp32-{kind}" / "onnx" / "model.onnx",
                  "fp16": folder / "model_fp16_fused.onnx", "q4f16": folder / "model_q4f16_rtn_sym.onnx"}
        row = {}
        for variant, path in graphs.items():
            graph = OrtGraph(path)
            try:
                agree, diff, total = self.agreement(kind, graph, model)
                row[variant] = {"argmax_agreement": round(agree, 4), "max_abs_logit_diff": round(diff, 6),
                                "masked_positions": total}
                if variant == "q4f16":  # against the dequantized weights: the packing itself
                    agree, diff, _ = self.agreement(kind, graph, dequantized_model(model))
                    row["q4f16_vs_dequantized_torch"] = {"argmax_agreement": round(agree, 4),
                                                         "max_abs_logit_diff": round(diff, 6)}
            finally:
                graph.close()
        RESULTS[kind] = row
        WORK.mkdir(exist_ok=True)
        (WORK / "parity.json").write_text(json.dumps(RESULTS, indent=1) + "\n")
        print(kind, json.dumps(row))
        self.assertLess(row["fp32"]["max_abs_logit_diff"], 1e-4)
        self.assertGreaterEqual(row["fp16"]["argmax_agreement"], 0.98)
        self.assertGreaterEqual(row["q4f16"]["argmax_agreement"], 0.90)
        self.assertGreaterEqual(row["q4f16_vs_dequantized_torch"]["argmax_agreement"], 0.98)

    def test_mdlm(self):
        self.check("mdlm")

    def test_bd3lm(self):
        self.check("bd3lm")


def dequantized_model(model):
    """A copy of `model` whose Linear weights and output head are what MatMulNBits computes with."""
    copy = type(model)(model.config)
    copy.load_state_dict(model.state_dict())
    with torch.no_grad():
        for name, p in copy.named_parameters():
            if name.endswith("proj.weight"):
                w = p.numpy()
                p.copy_(torch.from_numpy(dequantize(*quantize_rtn_sym(w), *w.shape)))
    head = copy.embed_tokens.weight.detach().numpy()
    table = torch.from_numpy(dequantize(*quantize_rtn_sym(head), *head.shape))
    copy.head = lambda h: h @ table.T  # the quantized tied head; the Gather keeps fp16 (not modelled)
    return copy


if __name__ == "__main__":
    unittest.main()

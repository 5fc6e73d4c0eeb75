"""Train a SentencePiece unigram vocabulary and write it as a Hugging Face tokenizer.json.

The runtime tokenizes with @huggingface/tokenizers only, so this file's job is the vocabulary:
pieces that would merge a digit, newline, '.' or ',' with anything else are dropped, so those
are always single tokens (AdaBlock's delimiters; digits one per token for arithmetic).

usage: tokenizer.py SENTENCES_TXT OUT_DIR VOCAB_SIZE
"""
import json
import os
import sys

import sentencepiece as spm

SPECIALS = ["[PAD]", "[EOS]", "[MASK]", "[UNK]"]
KEEP_WHOLE = set("0123456789.,\n")


def allowed(piece: str) -> bool:
    body = piece.replace("\u2581", "")
    if any(ch in KEEP_WHOLE for ch in body):
        return body == piece and len(piece) == 1
    return True


def main() -> None:
    sentences, out_dir, vocab_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out_dir, exist_ok=True)
    prefix = os.path.join(out_dir, "sp")
    spm.SentencePieceTrainer.train(
        input=sentences,
        model_prefix=prefix,
        model_type="unigram",
        vocab_size=vocab_size,
        character_coverage=1.0,
        split_digits=True,
        normalization_rule_name="identity",
        add_dummy_prefix=True,
        remove_extra_whitespaces=False,
        unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1,
        unk_piece="[UNK]",
        input_sentence_size=400000,
        shuffle_input_sentence=True,
        seed_sentencepiece_size=200000,
        num_threads=2,
        minloglevel=2,
    )
    sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
    pieces = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())]
    kept = [(p, s) for p, s in pieces if p != "[UNK]" and allowed(p)]
    kept_names = {p for p, _ in kept}
    floor = min(s for _, s in kept) - 1.0
    for ch in "0123456789.,\u2581":
        if ch not in kept_names:
            kept.append((ch, floor))
    vocab = [[s, 0.0] for s in SPECIALS] + [["\n", 0.0]] + [[p, float(s)] for p, s in kept]
    added = [
        {"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i, s in enumerate(SPECIALS)
    ]
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": metaspace,
        "post_processor": None,
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": SPECIALS.index("[UNK]"), "vocab": vocab, "byte_fallback": False},
    }
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "pad_token": "[PAD]", "eos_token": "[EOS]", "mask_token": "[MASK]", "unk_token": "[UNK]",
        "model_max_length": 512,
        "clean_up_tokenization_spaces": False,
    }
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    print(f"tokenizer: {len(vocab)} pieces ({len(pieces) - len(kept) - 1} dropped to keep digits and delimiters whole)")


if __name__ == "__main__":
    main()

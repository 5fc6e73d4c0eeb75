"""Arithmetic word problems with short worked answers, for the replica's training and decode fixtures."""

import random

NAMES = [("Tom", "He"), ("Anna", "She"), ("Sam", "He"), ("Lily", "She"), ("Omar", "He"), ("Mia", "She"),
         ("Ben", "He"), ("Zoe", "She"), ("Raj", "He"), ("Eva", "She")]
ITEMS = ["apples", "books", "marbles", "stickers", "coins", "pencils", "cookies", "cards"]


def problem(rng: random.Random):
    """(question, worked answer): one of four templates, numbers below 100."""
    name, he = rng.choice(NAMES)
    item = rng.choice(ITEMS)
    kind = rng.randrange(4)
    a, b = rng.randint(2, 50), rng.randint(2, 30)
    if kind == 0:
        q = f"{name} has {a} {item}. {he} buys {b} more. How many {item} does {name} have now?"
        return q, f"{a} + {b} = {a + b}\n#### {a + b}"
    if kind == 1:
        a = a + b
        q = f"{name} has {a} {item}. {he} gives away {b}. How many {item} does {name} have left?"
        return q, f"{a} - {b} = {a - b}\n#### {a - b}"
    if kind == 2:
        a, b = rng.randint(2, 9), rng.randint(2, 9)
        q = f"{name} buys {a} boxes of {item}. Each box holds {b} {item}. How many {item} does {name} buy?"
        return q, f"{a} * {b} = {a * b}\n#### {a * b}"
    c = rng.randint(1, a + b - 1)
    q = (f"{name} has {a} {item}. {he} buys {b} more and then gives away {c}. "
         f"How many {item} does {name} have left?")
    return q, f"{a} + {b} = {a + b}\n{a + b} - {c} = {a + b - c}\n#### {a + b - c}"


def chatml_prompt(question: str, enable_thinking: bool = False) -> str:
    """Qwen3's chat template for one user turn with add_generation_prompt (checked against the Jinja
    template by test_replica.py)."""
    text = f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
    return text if enable_thinking else text + "<think>\n\n</think>\n\n"

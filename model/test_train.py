"""Checks of train.py's masking recipe and its step-seeded draws (needs torch: run by
model/train.test.ts where /usr/bin/python3 has it, e.g. `npm test` on a machine that builds
the model; CI has no torch and skips it)."""
import collections
import io
import json
import math
import os
import sys
import tempfile
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import train  # noqa: E402
from decoder_states import StatePool, decoder_states  # noqa: E402

# A toy vocabulary: digits 10-19, newline 5, "##" 6, 7-9 for " +", " -", " =", and 4 for " *".
DIGIT = {str(d): 10 + d for d in range(10)}
PIECES = {"\n": 5, "##": 6, "+": 7, "-": 8, "=": 9, "*": 4}
train.NEWLINE_ID, train.HASH_ID, train.EQUALS_ID, train.DIGIT_IDS = 5, 6, 9, set(DIGIT.values())


def encode(text):
    """Tokens of an answer written with spaces between pieces and digits split."""
    ids = []
    for word in text.replace("\n", " \n ").split(" "):
        if word in PIECES:
            ids.append(PIECES[word])
        elif word:
            ids.extend(DIGIT[d] for d in word)
    return np.array(ids, dtype=np.int64)


ANSWER = encode("14 + 9 = 23\n23 - 6 = 17\n## ## 17")


PROMPT = np.array([3, 3, 3], dtype=np.int64)


def one_problem_split():
    """A TaskSplit holding one problem: PROMPT, then ANSWER."""
    split = train.TaskSplit.__new__(train.TaskSplit)
    split.tokens = np.concatenate([PROMPT, ANSWER])
    split.index = np.array([[0, len(PROMPT), len(ANSWER)]], dtype=np.int32)
    split.buckets, split.lengths, split.weights = {len(PROMPT): [0]}, [len(PROMPT)], np.array([1.0])
    return split


def masked(positions):
    """The answer with the given positions shown as _."""
    out = [str(int(t) - 10) if t in train.DIGIT_IDS else "x" for t in ANSWER]
    for p in positions:
        out[p] = "_"
    return "".join(out)


class DerivedNumbers(unittest.TestCase):
    def test_from_the_first_step_every_derived_number_is_masked(self):
        # 14 + 9 = [23] / [23] - 6 = [17] / #### [17]: results, the carried operand, the answer.
        self.assertEqual(masked(train.derived_numbers(ANSWER, 0)), "14x9x__x__x6x__xxx__")

    def test_from_a_later_step_the_earlier_lines_stay_visible(self):
        # The second step's first operand is the first step's result, which stays visible.
        self.assertEqual(masked(train.derived_numbers(ANSWER, 1)), "14x9x23x23x6x__xxx__")

    def test_copied_numbers_are_the_other_digits(self):
        # [14] + [9] = 23 / 23 - [6] = 17 / #### 17: the operands taken from the question.
        self.assertEqual(masked(train.copied_numbers(ANSWER)), "__x_x23x23x_x17xxx17")

    def test_one_step_line_masks_its_result_only(self):
        line = encode("7 + 8 = 15\n")
        self.assertEqual(list(train.derived_numbers(line, 0)), [4, 5])  # the 1 and the 5 of 15

    def test_a_rate_line_derives_all_it_writes_after_its_first_equals(self):
        # From the rate's line: 23 + 3 * 4 = [23] + [12] = [35]: the running value again, the
        # product and the sum; its first 23 is the line above's result, which stays visible.
        answer = encode("14 + 9 = 23\n23 + 3 * 4 = 23 + 12 = 35\n## ## 35")
        shown = lambda positions: "".join("_" if i in set(positions) else str(int(t) - 10) if t in train.DIGIT_IDS else "x" for i, t in enumerate(answer))
        self.assertEqual(shown(train.derived_numbers(answer, 1)), "14x9x23x23x3x4x__x__x__xxx__")
        self.assertEqual(shown(train.derived_numbers(answer, 0)), "14x9x__x__x3x4x__x__x__xxx__")
        self.assertEqual(shown(train.copied_numbers(answer)), "__x_x23x23x_x_x23x12x35xxx35")

    def test_a_lines_result_digits_are_those_before_its_newline(self):
        self.assertEqual(train.result_digits(encode("7 + 8 = 15\n")), 2)
        self.assertEqual(train.result_digits(encode("230 + 3 * 4 = 230 + 12 = 242\n")), 3)


class TaskBatches(unittest.TestCase):
    def test_each_sequence_is_a_decode_block_or_masks_its_derived_or_copied_numbers_in_the_set_shares(self):
        split = one_problem_split()
        ids, prompt_len, forced, shown = split.batch(np.random.default_rng(0), 600)
        self.assertEqual(prompt_len, len(PROMPT))
        self.assertTrue((ids.numpy() == split.example(0)[0]).all())
        derived = {masked(train.derived_numbers(ANSWER, step)) for step in range(2)}
        kinds = []
        for mask, show in zip(forced.numpy(), shown.numpy()):
            self.assertFalse(mask[:len(PROMPT)].any() or show[:len(PROMPT)].any())  # the question is left to answer_from
            if show.any() or mask[-1]:
                kinds.append("block")
                continue
            hidden = masked(np.flatnonzero(mask[len(PROMPT):len(PROMPT) + len(ANSWER)]))
            kinds.append("derived" if hidden in derived else "copied" if hidden == masked(train.copied_numbers(ANSWER)) else hidden)
        rest = 1 - train.BLOCK_SHARE
        for kind, share in (("block", train.BLOCK_SHARE), ("derived", rest * train.DERIVED_SHARE), ("copied", rest * train.COPY_SHARE)):
            self.assertAlmostEqual(kinds.count(kind) / len(kinds), share, delta=0.07)
        self.assertEqual(len(kinds), kinds.count("block") + kinds.count("derived") + kinds.count("copied") + kinds.count(masked([])))

    def test_a_decode_block_shows_the_answer_before_it_and_masks_all_after_it(self):
        split = one_problem_split()
        ids, prompt_len, forced, shown = split.batch(np.random.default_rng(1), 600)
        blocks = 0
        for mask, show in zip(forced.numpy()[:, prompt_len:], shown.numpy()[:, prompt_len:]):
            if not (show.any() or mask[-1]):
                continue
            blocks += 1
            start = int(show.sum())
            self.assertTrue(show[:start].all() and not mask[:start].any())  # a shown prefix, then nothing shown
            self.assertLessEqual(start, len(ANSWER))
            tail = train.GEN_LENGTH - int(np.argmin(mask[::-1]))  # masked from here to the end
            self.assertLessEqual(tail - start, max(train.BLOCK_SIZES))
            self.assertTrue(mask[start:].any())  # a block at the canvas end still masks a token
        self.assertGreater(blocks, 200)

    def test_blocks_start_at_multiples_of_their_size_or_at_line_starts_up_to_the_answer_end(self):
        rng = np.random.default_rng(2)
        line_starts = {0, 8, 16}
        starts = set()
        for _ in range(400):
            start, end = train.decode_block(ANSWER, rng)
            size = end - start
            self.assertIn(size, train.BLOCK_SIZES)
            self.assertTrue(start in line_starts or start % size == 0, (start, size))
            self.assertLessEqual(start, len(ANSWER))
            starts.add(start)
        # The `####` line's start (16) and the answer's end (20, where the block is all [EOS]) are drawn.
        self.assertTrue(line_starts | {20} <= starts)
        # Near the canvas end a block is cut there.
        long_answer = np.full(train.GEN_LENGTH - 2, DIGIT["1"])
        ends = {train.decode_block(long_answer, rng)[1] for _ in range(200)}
        self.assertLessEqual(max(ends), train.GEN_LENGTH)
        self.assertIn(train.GEN_LENGTH, ends)

    def test_shown_positions_are_never_masked_and_forced_ones_always(self):
        ids = train.torch.arange(3, 23).repeat(64, 1)
        forced = train.torch.zeros_like(ids, dtype=train.torch.bool)
        shown = train.torch.zeros_like(forced)
        forced[:, 15:] = True
        shown[:, 2:10] = True
        seen = []

        class Model(train.torch.nn.Module):
            def hidden(self, noisy):
                seen.append(noisy)
                return train.torch.zeros(*noisy.shape, 4, requires_grad=True)

            def logits(self, hidden):
                return hidden.new_zeros(hidden.shape[0], 32) + hidden.sum(-1, keepdim=True)

        train.DEVICE = "cpu"
        train.diffusion_loss(Model(), ids, 2, train.torch.Generator().manual_seed(0), forced, shown=shown)
        noisy = seen[0]
        self.assertFalse((noisy[:, :10] == train.MASK).any())
        self.assertTrue((noisy[:, 15:] == train.MASK).all())
        self.assertTrue((noisy[:, 10:15] == train.MASK).any() and (noisy[:, 10:15] != train.MASK).any())


class BlockEvaluation(unittest.TestCase):
    def test_blocks_are_written_in_order_and_the_answer_scored(self):
        split = one_problem_split()
        truth = train.torch.from_numpy(split.example(0)[0])

        class Model(train.torch.nn.Module):
            """Knows the answer, and is surest of the last positions: with one block it writes
            right to left, in blocks it must still finish each block before the next."""

            def forward(self, ids):
                conf = train.torch.arange(ids.shape[1], dtype=train.torch.float32)
                return train.torch.nn.functional.one_hot(truth, 32).float()[None] * (3 + conf / 10)[None, :, None]

        written = []

        class Recorder(Model):
            def forward(self, ids):
                written.append(ids[0].clone())
                return super().forward(ids)

        train.DEVICE = "cpu"
        self.assertEqual(train.evaluate(Recorder(), split, 1, block_size=8), 1.0)
        # After 8 passes exactly the first block of 8 is written, after 16 the first two.
        for passes in (8, 16):
            open_ = (written[passes][len(PROMPT):] == train.MASK).numpy()
            self.assertFalse(open_[:passes].any())
            self.assertTrue(open_[passes:].all())
        written.clear()
        train.evaluate(Recorder(), split, 1)
        self.assertTrue((written[8][len(PROMPT):][-8:] != train.MASK).all())  # one block: the end first


class Drills(unittest.TestCase):
    def test_rows_are_whole_step_lines_with_only_their_results_masked(self):
        split = one_problem_split()
        drills = train.Drills(split)
        # The two step lines (the `####` line is not a step), each shown with its result hidden.
        expected = {tuple(encode("14 + 9 = 23\n")): "14x9x__x", tuple(encode("23 - 6 = 17\n")): "23x6x__x"}
        self.assertEqual({tuple(line) for line, _ in drills.lines}, set(expected))
        ids, forced = drills.batch(np.random.default_rng(0), 2)
        for row, mask in zip(ids.numpy(), forced.numpy()):
            lines = np.split(np.flatnonzero(row != train.EOS), np.flatnonzero(row == train.NEWLINE_ID)[:-1] + 1)
            self.assertGreater(len(lines), 5)  # 112 tokens hold about ten lines
            for at in lines:
                shown = "".join("_" if m else str(int(t) - 10) if t in train.DIGIT_IDS else "x" for t, m in zip(row[at], mask[at]))
                self.assertEqual(shown, expected[tuple(row[at])])
            self.assertFalse(mask[row == train.EOS].any())


class RoleAccuracy(unittest.TestCase):
    def test_counts_each_roles_masked_digits_against_the_answer(self):
        split = one_problem_split()
        truth = split.example(0)[0]

        class Model(train.torch.nn.Module):
            """Predicts the true canvas, except that it writes 0 wherever copied digits sit."""

            def forward(self, ids):
                out = truth.copy()
                out[len(PROMPT) + train.copied_numbers(ANSWER)] = DIGIT["0"]
                return train.torch.nn.functional.one_hot(train.torch.from_numpy(out), 32).float()[None]

        train.DEVICE = "cpu"
        # Copied digits 1, 4, 9, 6: none is 0, so none is right; every derived digit is.
        self.assertEqual(train.role_accuracy(Model(), split, 5), {"copied": 0.0, "derived": 1.0})


class BatchKinds(unittest.TestCase):
    def test_no_drills_before_drills_from_then_every_other_batch(self):
        def kinds(progress):
            return [train.batch_kind(step, progress) for step in range(100, 140)]

        early, late = kinds(train.DRILLS_FROM - 0.01), kinds(train.DRILLS_FROM)
        self.assertNotIn("drill", early)
        self.assertEqual(early.count("prose"), 40 // train.PROSE_EVERY)
        # Later, prose keeps its slots and drills take the other odd steps.
        self.assertEqual(late.count("prose"), early.count("prose"))
        self.assertEqual(late.count("drill"), 40 // train.DRILL_EVERY - late.count("prose"))
        self.assertEqual([k for k in late if k != "drill"], [k for i, k in enumerate(early) if late[i] != "drill"])


class StepSeededDraws(unittest.TestCase):
    def test_a_step_draws_the_same_batch_whenever_it_runs(self):
        def draw(seed, step):
            rng, gen = train.step_streams(seed, step)
            return np.concatenate([rng.integers(0, 1_000_000, size=4), train.torch.randint(0, 1_000_000, (4,), generator=gen).numpy()])

        np.testing.assert_array_equal(draw(0, 1234), draw(0, 1234))
        self.assertFalse(np.array_equal(draw(0, 1234), draw(0, 1235)))
        self.assertFalse(np.array_equal(draw(0, 1234), draw(1, 1234)))


class Legs(unittest.TestCase):
    def test_steps_parse_as_ascending_legs(self):
        self.assertEqual(train.parse_legs("4800"), [4800])
        self.assertEqual(train.parse_legs("4800,6800,10000"), [4800, 6800, 10000])
        for bad in ("6800,4800", "4800,4800", "0", "-5"):
            with self.assertRaises(train.argparse.ArgumentTypeError):
                train.parse_legs(bad)

    def test_one_run_in_legs_is_the_legs_run_one_by_one(self):
        def leg_ends(state, legs, until):
            ends = []
            while state["step"] < until:
                ends.append(train.current_leg(state, legs))
                state["step"] += 1
            return ends

        whole = {"step": 0}
        one_run = leg_ends(whole, [3, 5], 5)
        chained = {"step": 0}
        one_by_one = leg_ends(chained, [3], 3) + leg_ends(chained, [5], 5)
        self.assertEqual(one_run, [3, 3, 3, 5, 5])
        self.assertEqual(one_by_one, one_run)
        self.assertEqual(whole["legs"], [3, 5])
        self.assertEqual(chained["legs"], [3, 5])
        # A stopped leg resumed with the same --steps is still one leg.
        resumed = {"step": 0}
        leg_ends(resumed, [5], 2)
        leg_ends(resumed, [5], 5)
        self.assertEqual(resumed["legs"], [5])


class V2Mix(unittest.TestCase):
    def test_canvases_of_every_length_end_in_eos_padding_and_keep_the_batch_tokens_near_constant(self):
        split = one_problem_split()
        for gen_length in train.CANVAS_LENGTHS:
            canvas, prompt_len = split.example(0, gen_length)
            self.assertEqual(len(canvas), prompt_len + gen_length)
            self.assertTrue((canvas[prompt_len + len(ANSWER):] == train.EOS).all())
            ids, _, forced, shown = split.batch(np.random.default_rng(0), 4, gen_length)
            self.assertEqual(tuple(ids.shape), (4, len(PROMPT) + gen_length))
            self.assertEqual(forced.shape, ids.shape)
        rng = np.random.default_rng(3)
        drawn = [train.canvas_batch(rng, 48) for _ in range(300)]
        self.assertEqual({g for g, _ in drawn}, set(train.CANVAS_LENGTHS))
        tokens = {g: size * (80 + g) for g, size in drawn}
        self.assertLess(max(tokens.values()) / min(tokens.values()), 1.1)

    def test_a_long_canvas_batch_draws_every_length_and_weighs_its_eos_tail(self):
        split = one_problem_split()
        rng = np.random.default_rng(5)
        seen = set()
        for _ in range(40):
            ids, prompt_len, forced, shown, weights = train.long_canvas_batch(split, rng, 48)
            gen_length = ids.shape[1] - prompt_len
            seen.add(gen_length)
            self.assertEqual(forced.shape, tuple(ids.shape))
            self.assertEqual(weights.shape, ids.shape)
            tail = weights[:, prompt_len + len(ANSWER) + 1:]
            self.assertTrue(np.allclose(tail.sum(1).numpy(), train.EOS_TAIL_WEIGHT))
        self.assertEqual(seen, set(train.CANVAS_LENGTHS))

    def test_a_level_gets_only_canvases_its_longest_answer_fits(self):
        # The four- to six-step level's answers reach 84 tokens: a canvas of 64 would cut them.
        self.assertEqual({train.canvas_batch(np.random.default_rng(seed), 48, min_length=84)[0] for seed in range(60)}, {128, 256})
        self.assertEqual({train.canvas_batch(np.random.default_rng(seed), 48, min_length=200)[0] for seed in range(20)}, {256})
        with self.assertRaisesRegex(ValueError, "fits no canvas length"):
            train.canvas_batch(np.random.default_rng(0), 48, min_length=257)
        # Levels whose answers fit 64 draw exactly as before, so a run on them keeps its batches.
        for seed in range(30):
            self.assertEqual(train.canvas_batch(np.random.default_rng(seed), 48, min_length=57), train.canvas_batch(np.random.default_rng(seed), 48))
        split = one_problem_split()
        answer = np.concatenate([ANSWER] * 8)
        split.tokens = np.concatenate([PROMPT, answer])
        split.index = np.array([[0, len(PROMPT), len(answer)]], dtype=np.int32)
        self.assertGreater(len(answer), 64)
        rng = np.random.default_rng(1)
        for _ in range(20):
            ids, prompt_len, _, _, _ = train.long_canvas_batch(split, rng, 48)
            self.assertGreaterEqual(ids.shape[1] - prompt_len, len(answer))

    def test_length_scores_report_each_evaluated_canvas_length(self):
        split = one_problem_split()

        class KnowsOnly64(train.torch.nn.Module):
            """Writes the true answer on a canvas of 64 and only [EOS] on longer ones."""
            def forward(self, canvas):
                gen_length = canvas.shape[1] - len(PROMPT)
                truth = train.torch.from_numpy(split.example(0, gen_length)[0])
                if gen_length != 64:
                    truth = train.torch.full_like(truth, train.EOS)
                return train.torch.nn.functional.one_hot(truth, 32).float()[None].repeat(canvas.shape[0], 1, 1) * 10

        train.DEVICE = "cpu"
        scores = train.length_scores(KnowsOnly64(), split, 1)
        self.assertEqual(scores, {f"heldout_exact_L{n}": float(n == 64) for n in train.CANVAS_LENGTHS})

    def test_the_eos_tail_weighs_a_fixed_number_of_tokens_whatever_the_canvas(self):
        split = one_problem_split()
        for gen_length in (64, 256):
            ids = train.torch.from_numpy(split.example(0, gen_length)[0])[None]
            w = train.eos_tail_weights(ids, len(PROMPT), 8)[0]
            answer_end = len(PROMPT) + len(ANSWER)
            self.assertTrue((w[:answer_end + 1] == 1).all())  # the answer and the [EOS] that ends it
            self.assertAlmostEqual(float(w[answer_end + 1:].sum()), 8.0, places=4)

    def test_weights_change_the_loss_only_through_the_masked_tokens_mean(self):
        ids = train.torch.arange(3, 23).repeat(4, 1)
        weights = train.torch.ones(ids.shape)

        class Model(train.torch.nn.Module):
            def hidden(self, noisy):
                return train.torch.zeros(*noisy.shape, 4, requires_grad=True)

            def logits(self, hidden):
                return hidden.new_zeros(hidden.shape[0], 32)

        train.DEVICE = "cpu"
        gen = lambda: train.torch.Generator().manual_seed(0)  # noqa: E731
        plain = train.diffusion_loss(Model(), ids, 2, gen())
        weighted = train.diffusion_loss(Model(), ids, 2, gen(), weights=weights)
        self.assertAlmostEqual(float(plain), float(weighted), places=5)  # uniform logits: log(32) either way

    def test_curriculum_v2_is_a_distribution_that_widens_to_v2(self):
        for progress in (0.0, 0.2, 0.9):
            self.assertAlmostEqual(sum(train.curriculum_v2(progress)), 1.0)
        self.assertLess(train.curriculum_v2(0.0)[4], train.curriculum_v2(0.9)[4])
        self.assertGreaterEqual(sum(train.curriculum_v2(0.9)[:3]), 0.25)

    def test_each_mix_has_its_own_recipe_and_the_long_canvas_ones_say_so(self):
        # A checkpoint changes run when the recipe changes, and the card reads "canvas length" in it.
        recipes = [mix.recipe for mix in train.MIXES.values()]
        self.assertEqual(len(set(recipes)), len(recipes))
        for name, mix in train.MIXES.items():
            self.assertEqual(train.LONG_CANVASES in mix.recipe, mix.long_canvases, name)
        self.assertIn("compact layout", train.MIXES["compact"].recipe)

    def test_a_v2_recipe_names_the_rate_lines_its_data_was_written_with(self):
        # Data written with another rate layout must start a new run, not resume the old one.
        with tempfile.TemporaryDirectory() as data_dir:
            mid, v1 = train.MIXES["v2mid"], train.MIXES["v1"]
            self.assertEqual(train.with_rate_lines(mid, data_dir), mid.recipe)
            with open(os.path.join(data_dir, "meta.json"), "w") as f:
                json.dump({"format": "spaced-v2"}, f)
            self.assertEqual(train.with_rate_lines(mid, data_dir), mid.recipe)
            with open(os.path.join(data_dir, "meta.json"), "w") as f:
                json.dump({"format": "spaced-v2", "rateLines": "k*m=p, then p+x"}, f)
            self.assertEqual(train.with_rate_lines(mid, data_dir), mid.recipe + ", rates written k*m=p, then p+x")
            self.assertEqual(train.with_rate_lines(v1, data_dir), v1.recipe)

    def test_each_mix_weighs_every_level_it_reads_and_keeps_v1_weighted_after_v1(self):
        for name, mix in train.MIXES.items():
            for progress in (0.0, 0.5, 1.0):
                weights = mix.weights(progress)
                self.assertEqual(len(weights), len(mix.levels), name)
                self.assertAlmostEqual(sum(weights), 1.0, msg=name)
        self.assertEqual(train.MIXES["v2easy"].levels[-1], "v2easy")
        self.assertGreaterEqual(sum(train.MIXES["v2easy"].weights(0.5)[:3]), 0.5)
        # The drills take their step lines from levels the mix reads: the full v1 one and the hardest v2 one.
        for name, mix in train.MIXES.items():
            self.assertTrue(set(mix.drill_levels) <= set(mix.levels), name)
        self.assertEqual(train.MIXES["v2mid"].drill_levels, ("full", "v2mid"))
        self.assertEqual(train.MIXES["v2"].drill_levels, ("full", "v2full"))
        self.assertAlmostEqual(train.MIXES["v2mid"].weights(0.5)[train.MIXES["v2mid"].levels.index("v2midrates")], 0.15)
        self.assertGreaterEqual(sum(train.MIXES["v2mid"].weights(0.5)[:3]), 0.4)
        long = train.MIXES["v2long"]
        self.assertEqual(long.levels[:-1], train.MIXES["v2mid"].levels)
        self.assertAlmostEqual(long.weights(0.5)[long.levels.index("v2long")], 0.2)
        self.assertGreaterEqual(sum(long.weights(0.5)[:3]), 0.35)

    def test_threshold_evaluation_writes_sure_tokens_together_at_any_canvas_length(self):
        split = one_problem_split()
        passes = []

        class Model(train.torch.nn.Module):
            def forward(self, ids):
                passes.append(1)
                truth = train.torch.from_numpy(split.example(0, ids.shape[1] - len(PROMPT))[0])
                return train.torch.nn.functional.one_hot(truth, 32).float()[None] * 50

        train.DEVICE = "cpu"
        outcomes = []
        self.assertEqual(train.evaluate(Model(), split, 1, 16, 256, 0.9, per_row=outcomes), 1.0)
        self.assertEqual(outcomes, [True])
        self.assertEqual(len(passes), 256 // 16)  # a sure model writes a whole block per pass

    def test_categories_are_tallied_per_steps_and_size(self):
        cats = [{"steps": 1, "size": "<=99"}, {"steps": 1, "size": ">=1000"}, {"steps": 3, "size": "<=99"}]
        self.assertEqual(train.by_category([True, False, True], cats), {"size <=99": 1.0, "size >=1000": 0.0, "steps 1": 0.5, "steps 3": 1.0})

    def test_drills_can_favour_lines_with_three_digit_results(self):
        split = one_problem_split()
        answer = encode("14 + 9 = 23\n23 + 115 = 138\n## ## 138")
        split.tokens = np.concatenate([PROMPT, answer])
        split.index = np.array([[0, len(PROMPT), len(answer)]], dtype=np.int32)
        long_line, short_line = tuple(encode("23 + 115 = 138\n")), tuple(encode("14 + 9 = 23\n"))

        def drawn(long_results):
            ids, _ = train.Drills(split, long_results=long_results).batch(np.random.default_rng(0), 4)
            rows = [row[row != train.EOS] for row in ids.numpy()]
            return {tuple(line) for row in rows for line in np.split(row, np.flatnonzero(row == train.NEWLINE_ID)[:-1] + 1)}

        self.assertEqual(drawn(1.0), {long_line})
        self.assertEqual(drawn(0.0), {short_line})
        self.assertEqual(drawn(None), {long_line, short_line})

    def test_a_mix_can_start_drills_at_once(self):
        self.assertIn("drill", [train.batch_kind(step, 0.0, drills_from=0.0) for step in range(10)])
        self.assertNotIn("drill", [train.batch_kind(step, 0.0) for step in range(10)])
        self.assertIn("its drills from the first step", train.MIXES["v2mid"].recipe)

    def test_result_blocks_write_the_line_around_its_result_but_no_copy_of_it(self):
        answer = encode("14 + 9 = 23\n23 + 3 * 4 = 23 + 12 = 35\n## ## 35")
        lines = [(0, 7), (8, 23)]  # each step line's start and its newline (token positions)
        results = [[5, 6], [15, 16, 18, 19, 21, 22]]  # what each derives (a rate line: x again, p, r)
        copies = [[8, 9, 15, 16, 18, 19, 21, 22, 26, 27], [26, 27]]  # every later derived number: its copies, the ####
        rng = np.random.default_rng(0)
        steps = collections.Counter()
        for _ in range(400):
            shown, taught = train.result_block(answer, rng, 64)
            step = 0 if taught[0] < 8 else 1
            steps[step] += 1
            begin, newline = lines[step]
            self.assertTrue(shown[:begin].all())
            self.assertFalse(shown[max(begin + max(train.RESULT_BLOCK_SIZES), newline + 1):].any())
            self.assertFalse(shown[copies[step]].any())
            # The loss is on the line's open result digits, at least one, and its newline when open.
            self.assertEqual(set(taught), {p for p in results[step] + [newline] if not shown[p]})
            self.assertTrue(set(results[step]) & set(taught))
        self.assertGreater(min(steps.values()), 150)

    def test_result_block_batches_weigh_the_taught_positions_alone(self):
        split = one_problem_split()
        ids, prompt_len, forced, shown, weights = split.result_block_batch(np.random.default_rng(1), 16, 64)
        self.assertEqual(tuple(ids.shape), (16, len(PROMPT) + 64))
        self.assertTrue(forced[:, prompt_len:].all() and not forced[:, :prompt_len].any())
        self.assertFalse((weights.bool() & shown).any())
        self.assertTrue((weights.sum(1) >= 1).all())
        train.DEVICE = "cpu"
        model = train.DiffusionLM(train.ModelConfig(vocab_size=32, d_model=32, n_heads=2, n_layers=1, d_ff=64))
        # diffusion_loss also masks one random position a row; only the weighted ones count.
        gen = train.torch.Generator().manual_seed(0)
        loss = train.diffusion_loss(model, ids, prompt_len, gen, forced, uniform=False, shown=shown, weights=weights)
        hidden = model.hidden(train.torch.where(forced & ~shown, train.MASK, ids))
        ce = train.torch.nn.functional.cross_entropy(model.logits(hidden).transpose(1, 2), ids, reduction="none")
        expected = ((ce * weights).sum(1) / weights.sum(1)).mean()
        self.assertAlmostEqual(loss.item(), expected.item(), places=5)

    def test_only_the_v2long_mixes_have_result_blocks_and_only_v2states_and_v2compact_decoder_states(self):
        self.assertEqual({name for name, mix in train.MIXES.items() if mix.result_blocks}, {"v2long", "v2states", "v2compact"})
        self.assertEqual({name for name, mix in train.MIXES.items() if mix.decoder_states}, {"v2states", "v2compact"})
        # v2compact is v2states on the compact data: the same batches drawn, a recipe of its own.
        states, compact = train.MIXES["v2states"], train.MIXES["v2compact"]
        self.assertEqual(compact._replace(recipe=states.recipe), states)
        self.assertTrue(compact.recipe.startswith(states.recipe) and "compact layout" in compact.recipe)
        self.assertIn("result blocks", train.MIXES["v2long"].recipe)
        # The same levels and weights: a v2long checkpoint continued on v2states is a new run by its recipe alone.
        long, states = train.MIXES["v2long"], train.MIXES["v2states"]
        self.assertEqual((states.levels, states.weights), (long.levels, long.weights))
        self.assertTrue(states.recipe.startswith(long.recipe) and "decoder states" in states.recipe)

    def test_drills_draw_from_several_splits(self):
        split = one_problem_split()
        self.assertEqual(len(train.Drills([split, split]).lines), 4)


class LayoutProbe(unittest.TestCase):
    def test_counts_results_written_right_with_them_and_all_after_them_hidden(self):
        import probe_layouts

        # One problem: prompt [5, 6], answer 7 8 9 [EOS]; results at 2-3 and at 4.
        problems = [{"ids": [5, 6, 7, 8, 9], "promptLen": 2, "results": [[2, 3], [4]]}]
        seen = []

        class Model:
            def __call__(self, ids):
                seen.append(ids[0].tolist())
                # Right everywhere except position 3; says so whatever is hidden.
                logits = train.torch.zeros(1, ids.shape[1], 16)
                for at, tok in enumerate([5, 6, 7, 0, 9] + [train.EOS] * (ids.shape[1] - 5)):
                    logits[0, at, tok] = 1.0
                return logits

        lines, digits = probe_layouts.result_accuracy(Model(), problems, gen_length=4)
        self.assertEqual((lines, digits), (0.5, 2 / 3))
        self.assertEqual(seen[0], [5, 6] + [train.MASK] * 4)
        self.assertEqual(seen[1], [5, 6, 7, 8] + [train.MASK] * 2)


class GrowLayers(unittest.TestCase):
    def test_a_grown_model_computes_what_the_original_did_and_its_new_blocks_learn(self):
        train.torch.manual_seed(0)
        small = train.DiffusionLM(train.ModelConfig(vocab_size=40, d_model=32, n_layers=2, n_heads=4, d_ff=64))
        grown = train.grow_layers(small, 4)
        self.assertEqual(grown.cfg.n_layers, 4)
        ids = train.torch.randint(0, 40, (2, 12))
        with train.torch.no_grad():
            self.assertTrue(train.torch.allclose(small(ids), grown(ids), atol=1e-5))
        grown(ids).logsumexp(-1).mean().backward()
        self.assertGreater(float(grown.blocks[3].out.weight.grad.abs().sum()), 0)  # the zeroed projections get gradient
        with self.assertRaises(SystemExit):
            train.grow_layers(small, 2)


class Depth(unittest.TestCase):
    """Continued weights keep their depth unless a run asks for another (--layers)."""

    def small(self, n_layers):
        train.torch.manual_seed(0)
        return train.DiffusionLM(train.ModelConfig(vocab_size=40, d_model=32, n_layers=n_layers, n_heads=4, d_ff=64))

    def graph_file(self, weights):
        """An ONNX file holding only these initializers (onnx_model reads nothing else)."""
        import onnx
        from onnx import helper, numpy_helper

        inits = [numpy_helper.from_array(value.numpy(), name) for name, value in weights.items()]
        path = os.path.join(tempfile.mkdtemp(), "model.onnx")
        onnx.save(helper.make_model(helper.make_graph([], "weights", [], [], inits)), path)
        return path

    def test_an_exported_graph_loads_at_its_own_depth(self):
        # The bug this guards: a 6-layer graph loaded into the default 4-layer model, the last two blocks dropped unseen.
        deep = self.small(3)
        model = train.onnx_model(self.graph_file(deep.state_dict()), 40, d_model=32, d_ff=64, n_heads=4)
        self.assertEqual(model.cfg.n_layers, 3)
        ids = train.torch.randint(0, 40, (2, 12))
        with train.torch.no_grad():
            self.assertTrue(train.torch.equal(model(ids), deep(ids)))

    def test_a_graph_with_weights_left_over_or_missing_is_refused(self):
        weights = dict(self.small(2).state_dict())
        with self.assertRaises(SystemExit):  # another width
            train.onnx_model(self.graph_file(weights), 40, d_model=64, d_ff=64, n_heads=4)
        extra = {**weights, "blocks.0.extra.weight": train.torch.zeros(3)}
        with self.assertRaises(SystemExit):
            train.onnx_model(self.graph_file(extra), 40, d_model=32, d_ff=64, n_heads=4)

    def test_cutting_keeps_the_first_blocks_and_refuses_a_depth_it_cannot_cut_to(self):
        deep = self.small(3)
        cut = train.cut_layers(deep, 2)
        self.assertEqual(cut.cfg.n_layers, 2)
        kept = cut.state_dict()
        for name, value in deep.state_dict().items():
            if name.startswith("blocks.2."):
                self.assertNotIn(name, kept)
            else:
                self.assertTrue(train.torch.equal(kept[name], value), name)
        for n_layers in (0, 3, 4):
            with self.assertRaises(SystemExit):
                train.cut_layers(deep, n_layers)


class StepPrecision(unittest.TestCase):
    def test_a_bf16_step_gives_the_fp32_loss_and_fp32_gradients(self):
        train.DEVICE = "cpu"
        train.torch.manual_seed(0)
        model = train.DiffusionLM(train.ModelConfig(vocab_size=64, d_model=64, n_layers=2, n_heads=4, d_ff=128))
        ids = train.torch.randint(4, 64, (8, 40))
        losses = {}
        for bf16 in (False, True):
            model.zero_grad()
            with train.step_precision(bf16):
                loss = train.diffusion_loss(model, ids, 10, train.torch.Generator().manual_seed(1))
            loss.backward()
            self.assertEqual(loss.dtype, train.torch.float32)
            grad = model.blocks[0].qkv.weight.grad
            self.assertEqual(grad.dtype, train.torch.float32)
            self.assertGreater(float(grad.abs().sum()), 0)
            losses[bf16] = float(loss)
        self.assertAlmostEqual(losses[True], losses[False], delta=0.02 * losses[False])
        with train.step_precision(True):  # the products do run in bfloat16
            self.assertEqual(model.blocks[0].qkv(train.torch.zeros(1, 64)).dtype, train.torch.bfloat16)

    def test_a_run_records_which_steps_trained_in_which_precision(self):
        state = {"step": 0}
        train.note_precision(state, "fp32")
        self.assertEqual(train.precisions(state), [[0, "fp32"]])
        state["step"] = 1700
        train.note_precision(state, "fp32")  # resumed the same way: nothing new
        train.note_precision(state, "bf16 autocast")
        state["step"] = 2000
        train.note_precision(state, "bf16 autocast")
        self.assertEqual(train.precisions(state), [[0, "fp32"], [1700, "bf16 autocast"]])
        self.assertEqual(train.precisions({"step": 5}), [[0, "fp32"]])  # a checkpoint from before the flag
        started_in_bf16 = {"step": 0}
        train.note_precision(started_in_bf16, "bf16 autocast")
        self.assertEqual(train.precisions(started_in_bf16), [[0, "bf16 autocast"]])  # fp32 never ran a step

    def test_a_run_records_its_depth_and_whether_it_grew_the_model(self):
        preset = train.PRESETS["cpu"]
        state = {"step": 100, "elapsed": 60.0, "evals": [], "prior": {"steps": 0, "minutes": 0.0, "evals": [], "runs": []}}
        run = train.training_summary(state, preset, "cpu", layers=4)["runs"][-1]
        self.assertEqual(run["layers"], 4)
        self.assertNotIn("grown_from", run)
        state["grown_from"] = 4
        run = train.training_summary(state, preset, "cpu", layers=6)["runs"][-1]
        self.assertEqual((run["grown_from"], run["layers"]), (4, 6))



class ProbeResults(unittest.TestCase):
    """model/probe_results.py: step results in context and in drills."""

    ANSWER = encode("14 + 9 = 23\n23 + 3 * 4 = 23 + 12 = 35\n35 - 7 = 28\n## ## 28")

    def setUp(self):
        import probe_results
        self.probe = probe_results
        self.pieces = [""] * 32
        for piece, token in PIECES.items():
            self.pieces[token] = piece
        for digit, token in DIGIT.items():
            self.pieces[token] = digit

    def test_each_step_line_is_named_by_its_operation_and_result_digits(self):
        written = lambda positions: [int(self.ANSWER[i]) - 10 for i in positions]
        self.assertEqual(written(train.step_result(self.ANSWER, 0)), [2, 3])
        self.assertEqual(written(train.step_result(self.ANSWER, 1)), [2, 3, 1, 2, 3, 5])  # a rate: all after its first =
        lines = self.probe.step_lines(self.ANSWER)
        self.assertEqual([start for start, _, _ in lines], [0, 8, 24])
        kinds = [self.probe.line_kind(line, result, self.pieces) for _, line, result in lines]
        self.assertEqual(kinds, [("+", 2), ("rate", 2), ("-", 2)])

    def test_in_context_a_result_is_written_with_everything_after_it_hidden(self):
        canvas = np.concatenate([PROMPT, self.ANSWER, [train.EOS] * 8])
        result = len(PROMPT) + 8 + self.probe.step_lines(self.ANSWER)[1][2]

        class Oracle(train.torch.nn.Module):
            """Knows the canvas; with `peek`, only while the token after the last hidden one shows."""
            def __init__(self, peek):
                super().__init__()
                self.peek = peek

            def forward(self, ids):
                visible = not self.peek or ids[0, result[-1] + 1] != train.MASK
                truth = train.torch.from_numpy(canvas if visible else np.zeros_like(canvas))
                return train.torch.nn.functional.one_hot(truth, 32).float()[None]

        self.assertTrue(self.probe.right_in_context(Oracle(False), canvas, list(result)))
        self.assertFalse(self.probe.right_in_context(Oracle(True), canvas, list(result)))

    def test_as_a_block_the_line_and_what_follows_are_written_around_the_result(self):
        canvas = np.concatenate([PROMPT, self.ANSWER, [train.EOS] * 8])
        line_start = len(PROMPT)
        result = line_start + self.probe.step_lines(self.ANSWER)[0][2]
        follows = result[-1] + 2  # the next line's first digit (in the block), a copy of the result's first

        class ReadsOn(train.torch.nn.Module):
            """Sure of every token but the result's digits, which it knows only once the next line shows."""
            def forward(self, ids):
                logits = train.torch.nn.functional.one_hot(train.torch.from_numpy(canvas), 32).float()[None] * 50
                if ids[0, follows] == train.MASK:
                    logits[0, result] = 0.0
                    logits[0, result, 3] = 1.0  # unsure, and wrong
                return logits

        self.assertTrue(self.probe.right_in_block(ReadsOn(), canvas, line_start, list(result)))
        self.assertFalse(self.probe.right_in_context(ReadsOn(), canvas, list(result)))

    def test_in_drills_every_result_is_hidden_and_read_off(self):
        lines = [(line, result) for _, line, result in self.probe.step_lines(self.ANSWER)] * 6
        seen = []

        class Echo(train.torch.nn.Module):
            """Writes back what it is shown: right only where nothing was hidden."""
            def forward(self, ids):
                seen.append(ids[0].clone())
                return train.torch.nn.functional.one_hot(ids, 32).float()

        self.assertEqual(self.probe.right_in_drills(Echo(), lines), [False] * len(lines))
        self.assertGreater(len(seen), 1)  # 18 lines fill more than one row
        hidden = sum(int((row == train.MASK).sum()) for row in seen)
        self.assertEqual(hidden, sum(len(result) for _, result in lines))
        self.assertTrue(all(len(row) == train.DRILL_LENGTH for row in seen))

    def test_digit_by_digit_writes_the_rows_surest_open_digit_a_pass(self):
        lines = [(line, result) for _, line, result in self.probe.step_lines(self.ANSWER)] * 6
        rows = [[]]  # (line, result) groups, packed as right_in_drills packs them
        for line, result in lines:
            if sum(len(x) for x, _ in rows[-1]) + len(line) > train.DRILL_LENGTH:
                rows.append([])
            rows[-1].append((line, result))
        canvases = [np.concatenate([x for x, _ in row] + [[train.EOS] * train.DRILL_LENGTH])[:train.DRILL_LENGTH] for row in rows]
        digits = [sum(len(r) for _, r in row) for row in rows]
        open_per_pass = []

        class WholeOnly(train.torch.nn.Module):
            """Writes a row's results right while all of them are open, and a sure wrong token once one is written."""
            def forward(self, ids):
                open_ = (ids[0] == train.MASK).numpy()
                shown = ids[0].numpy()[~open_]
                k = next(k for k, c in enumerate(canvases) if ((c[~open_] == shown) | (shown == 3)).all())
                open_per_pass.append(int(open_.sum()))
                truth = canvases[k] if open_.sum() == digits[k] else np.full(train.DRILL_LENGTH, 3)
                return train.torch.nn.functional.one_hot(train.torch.from_numpy(truth), 32).float()[None] * 50

        self.assertEqual(self.probe.right_in_drills(WholeOnly(), lines), [True] * len(lines))
        self.assertEqual(open_per_pass, digits)  # one pass a row, every result open
        open_per_pass.clear()
        self.assertEqual(self.probe.right_in_drills(WholeOnly(), lines, digit_by_digit=True), [False] * len(lines))
        self.assertEqual(open_per_pass[:digits[0]], list(range(digits[0], 0, -1)))  # one digit written a pass
        self.assertEqual(len(open_per_pass), sum(digits))

    def test_random_products_are_written_as_the_data_writes_step_lines(self):
        import probe_products
        pieces = [str(d) for d in range(10)] + ["\u2581*", "\u2581", "=", "\n"]
        line, result = probe_products.product_line(46, 8, pieces)
        self.assertEqual("".join(pieces[t] for t in line), "46\u2581*\u25818\u2581=\u2581368\n")
        self.assertEqual("".join(pieces[t] for t in line[result]), "368")
        drawn = probe_products.random_products(probe_products.KINDS[0], 200, pieces, np.random.default_rng(0))
        self.assertTrue(all(len(result) == 3 for _, result in drawn))  # two digits times one: three-digit results only
        rate_order = probe_products.random_products(probe_products.KINDS[-1], 50, pieces, np.random.default_rng(0))
        firsts = {int("".join(pieces[t] for t in line[:list(line).index(pieces.index("\u2581*"))])) for line, _ in rate_order}
        self.assertLessEqual(max(firsts), 9)  # a rate's count first, the amount second
        self.assertTrue(all(len(result) == 3 for _, result in rate_order))

    def test_a_rate_lines_product_is_found_with_its_factors(self):
        import probe_rates
        lines = self.probe.step_lines(self.ANSWER)
        self.assertIsNone(probe_rates.rate_parts(lines[0][1], lines[0][2], self.pieces))
        _, line, result = lines[1]
        k, m, product = probe_rates.rate_parts(line, result, self.pieces)
        self.assertEqual((k, m), (3, 4))
        self.assertEqual([int(line[i]) - 10 for i in product], [1, 2])  # p = 12, not x (23) or r (35)

    def test_a_rate_lines_product_is_cut_out_with_its_lines_start_and_set_first(self):
        import probe_rates
        _, line, result = self.probe.step_lines(self.ANSWER)[1]
        _, _, product = probe_rates.rate_parts(line, result, self.pieces)
        # Cut after its first `=`, then p: `23 + 3 * 4 = 12`.
        cut, digits = probe_rates.prefixed_product_line(line, product)
        self.assertEqual(list(cut), list(encode("23 + 3 * 4 = 12\n")))
        self.assertEqual([int(cut[i]) - 10 for i in digits], [1, 2])
        # As the answer's first line: the question kept, then only the product line, then [EOS].
        canvas = np.concatenate([PROMPT, self.ANSWER, [train.EOS] * 4])
        product_line = (np.array([DIGIT["1"], DIGIT["2"], PIECES["\n"]]), np.arange(2))
        first, positions = probe_rates.answer_first(canvas, len(PROMPT), product_line)
        self.assertEqual(list(first), list(PROMPT) + [DIGIT["1"], DIGIT["2"], PIECES["\n"]] + [train.EOS] * (len(canvas) - len(PROMPT) - 3))
        self.assertEqual(positions, [len(PROMPT), len(PROMPT) + 1])


class FixedGuesses(torch.nn.Module):
    """A fake model whose every pass predicts `guess[i]` at position i with probability
    `conf[i]`, whatever the canvas holds: the decode order is the confidence order."""

    def __init__(self, guess, conf, vocab=20):
        super().__init__()
        logits = torch.full((len(guess), vocab), 0.0)
        for i, (token, c) in enumerate(zip(guess, conf)):
            logits[i] = math.log((1 - c) / (vocab - 1))
            logits[i, token] = math.log(c)
        self.table = logits

    def forward(self, canvas):
        return self.table.expand(canvas.shape[0], -1, -1)


class DecoderStates(unittest.TestCase):
    L = 32

    def decode(self, conf_of, wrong_at=(), delimiter_threshold=0.3):
        truth = torch.from_numpy(one_problem_split().example(0, self.L)[0]).unsqueeze(0)
        guess = truth[0].clone()
        for i in wrong_at:
            guess[i] = DIGIT["0"] if guess[i] != DIGIT["0"] else DIGIT["1"]
        model = FixedGuesses(guess, [conf_of(i, int(t)) for i, t in enumerate(truth[0])])
        return decoder_states(model, truth, len(PROMPT), train.MASK, {train.NEWLINE_ID}, block_size=5,
                              delimiter_threshold=delimiter_threshold)

    def test_blocks_end_at_a_sure_newline_and_every_state_can_write(self):
        newlines = len(PROMPT) + np.flatnonzero(ANSWER == train.NEWLINE_ID)
        # Newlines 0.92 sure, every other token 0.95 but the first line's result (0.5): the first
        # pass writes the line around the result, the next pass its surest digit.
        result = len(PROMPT) + np.array([5, 6])  # "23" in "14 + 9 = 23"
        states = self.decode(lambda i, t: 0.5 if i in result else 0.92 if t == train.NEWLINE_ID else 0.95)
        self.assertEqual(list(states.block[0]), [len(PROMPT), newlines[0] + 1])
        # Three passes on the first block (the result's digits equally unsure: one a pass), then the next line's.
        self.assertEqual([list(b) for b in states.block[:4]], [[len(PROMPT), newlines[0] + 1]] * 3 + [[newlines[0] + 1, newlines[1] + 1]])
        first, second = states.shown[0], states.shown[1]
        self.assertEqual(list(np.flatnonzero(first)), list(range(len(PROMPT))))
        # After the first pass: the line but its result written, the result open.
        self.assertFalse(second[result].any())
        self.assertTrue(second[len(PROMPT):result[0]].all() and second[newlines[0]])
        for shown, (start, end) in zip(states.shown, states.block):
            self.assertTrue(shown[:start].all() and not shown[end:].any())
            self.assertFalse(shown[start:end].all())  # the pass has something to write
        self.assertEqual((states.commits, states.wrong), (self.L, 0))  # every position once

    def test_wrong_guesses_are_counted_and_the_reference_committed(self):
        at = len(PROMPT) + 5
        states = self.decode(lambda i, t: 0.95, wrong_at=[at], delimiter_threshold=2.0)
        self.assertEqual(states.wrong, 1)
        self.assertEqual(list(states.block[:, 1] - states.block[:, 0])[:1], [5])  # no delimiter sure enough: B0
        self.assertEqual(states.commits, self.L)

    def test_a_pool_trains_on_each_state_once_and_resumes_where_it_was(self):
        states = self.decode(lambda i, t: 0.5 + 0.01 * (i % 40))
        truth = states.truth.repeat(4, 1)  # four rows: a batch of four states
        states = states._replace(truth=truth)
        pool = StatePool()
        pool.fill(states, np.random.default_rng(0))
        ids, prompt_len, forced, shown, weights = pool.batch()
        self.assertEqual((ids.shape[0], prompt_len), (4, len(PROMPT)))
        picks = pool.order[:4]
        for row, pick in enumerate(picks):
            start, end = states.block[pick]
            expected = np.zeros(ids.shape[1], dtype=bool)
            expected[start:end] = True
            expected &= ~states.shown[pick]
            self.assertEqual(list(np.flatnonzero(weights[row].numpy())), list(np.flatnonzero(expected)))
            self.assertTrue(forced[row, prompt_len:].all() and not forced[row, :prompt_len].any())
        saved = io.BytesIO()
        torch.save(pool.to_checkpoint(), saved)
        saved.seek(0)
        resumed = StatePool()
        resumed.from_checkpoint(torch.load(saved))
        drawn = 1
        while not pool.needs_refill():
            a, b = pool.batch(), resumed.batch()
            self.assertTrue(torch.equal(a[3], b[3]) and torch.equal(a[4], b[4]))
            drawn += 1
        self.assertTrue(resumed.needs_refill())
        self.assertEqual(drawn, len(states.row) // 4)


if __name__ == "__main__":
    unittest.main()

"""Checks of train.py's masking recipe and its step-seeded draws (needs torch: run by
model/train.test.ts where /usr/bin/python3 has it, e.g. `npm test` on a machine that builds
the model; CI has no torch and skips it)."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import train  # noqa: E402

# A toy vocabulary: digits 10-19, newline 5, "##" 6, and 7-9 for " +", " -", " =".
DIGIT = {str(d): 10 + d for d in range(10)}
PIECES = {"\n": 5, "##": 6, "+": 7, "-": 8, "=": 9}
train.NEWLINE_ID, train.HASH_ID, train.DIGIT_IDS = 5, 6, set(DIGIT.values())


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


class TaskBatches(unittest.TestCase):
    def test_each_sequence_masks_its_derived_or_its_copied_numbers_in_the_set_shares(self):
        split = one_problem_split()
        ids, prompt_len, forced = split.batch(np.random.default_rng(0), 400)
        self.assertEqual(prompt_len, len(PROMPT))
        self.assertTrue((ids.numpy() == split.example(0)[0]).all())
        derived = {masked(train.derived_numbers(ANSWER, step)) for step in range(2)}
        kinds = []
        for mask in forced.numpy():
            self.assertFalse(mask[:len(PROMPT)].any())  # the question is never masked
            shown = masked(np.flatnonzero(mask[len(PROMPT):len(PROMPT) + len(ANSWER)]))
            kinds.append("derived" if shown in derived else "copied" if shown == masked(train.copied_numbers(ANSWER)) else shown)
        for kind, share in (("derived", train.DERIVED_SHARE), ("copied", train.COPY_SHARE)):
            self.assertAlmostEqual(kinds.count(kind) / len(kinds), share, delta=0.07)
        self.assertEqual(len(kinds), kinds.count("derived") + kinds.count("copied") + kinds.count(masked([])))


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


if __name__ == "__main__":
    unittest.main()

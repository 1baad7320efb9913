"""ps05 §4: the plateau challenge — a schedule config, plain data, that the check runs itself
on the fixed digits model."""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from contextlib import redirect_stderr
from typing import Any

from lrchecks.calls import call_student
from lrchecks.diagnosis.optim import CONSTANT_LR
from lrchecks.encoding import StandIn, decode, encode
from lrchecks.evidence import asked, judged
from lrchecks.hidden import hidden_case, hidden_cases
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number
from lrcore import plateau_challenge

__all__ = ["CHALLENGE_SEED_VISIBLE", "CHALLENGE_ADVICE", "check_challenge_config"]

CHALLENGE_SEED_VISIBLE = 0
CHALLENGE_ADVICE = ("your config does not pass the challenge with this seed: choose a schedule "
                    "that does not rely on luck.")


def _challenge_config(challenge_config: Any) -> dict[str, Any]:
    """The student's config as plain data, validated (`lrcore.challenge_config`): what the
    grader will run. A function that returns the config is called (a recorded call); the
    config is then seen as the grader reads it from the record — objects that are not data
    become stand-ins, in the kernel as in the judge, so both refuse the same configs."""
    config = challenge_config
    if callable(config):
        config = call_student(config, "challenge_config")
    seen = decode(encode(config))
    if _holds_object(seen):
        fix = ("the grader reads only dicts, lists, strings and numbers (a copy of "
               "BASELINE_CONFIG keeps its read-only inner dict: write your config as a new dict).")
        raise CheckFailed.with_advice("challenge_config is not plain data:",
                                      "challenge_config is not plain data:", fix)
    try:
        return plateau_challenge.validate_config(seen)
    except ValueError as error:
        raise CheckFailed(f"challenge_config is not a valid config: {error}.",
                          diagnosis=f"challenge_config is not a valid config: {error}.") from None


def _holds_object(value: Any, depth: int = 0) -> bool:
    """Whether a value read from a record holds an object that is not data (a stand-in) other
    than a function (the config's validation names those)."""
    if isinstance(value, StandIn):
        return not callable(value)
    if isinstance(value, Mapping) and depth < 8:
        return any(_holds_object(item, depth + 1) for item in (*value.keys(), *value.values()))
    if isinstance(value, list | tuple) and depth < 8:
        return any(_holds_object(item, depth + 1) for item in value)
    return False


def _challenge_run(config: dict[str, Any], seed: int) -> plateau_challenge.ChallengeRun:
    """The grader's own run of the challenge (the config is validated plain data, so this is
    the course's code on data; its ranges bound the run's time)."""
    try:
        with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            return plateau_challenge.run_challenge(config, seed=seed)
    except Exception as error:  # torch refuses a combination of options
        said = " ".join(str(error).split())[:200]
        fix = "run run_challenge(challenge_config) in your notebook to see torch's error."
        raise CheckFailed.with_advice(f"torch could not run challenge_config "
                                      f"({type(error).__name__}: {said});",
                                      "torch could not run challenge_config;", fix) from None


def _judge_challenge_run(run: plateau_challenge.ChallengeRun, seed: int, rerun: bool) -> None:
    """The task's three rules: an lr that changes during the run (a schedule), the final
    validation accuracy at least VAL_TARGET, the final training accuracy at most TRAIN_CEILING."""
    val, train = run.final_val_accuracy, run.final_train_accuracy
    target, ceiling = plateau_challenge.VAL_TARGET, plateau_challenge.TRAIN_CEILING
    constant = CONSTANT_LR.fits(run)
    if constant and run.meets_target:
        # A well-tuned constant lr can reach the target too; the task requires a schedule.
        raise CheckFailed(
            f"With challenge_config (seed {seed}) the validation accuracy is "
            f"{describe_number(val)}, but {CONSTANT_LR.explanation}",
            diagnosis=CONSTANT_LR.explanation)
    if not run.meets_target:
        if constant:
            hint = "The lr never changes: let a scheduler lower it once the accuracy stalls."
        elif rerun:  # the visible seed passed: the schedule relies on luck
            hint = ("Choose a schedule that does not rely on the seed: let the lr drop once the "
                    "validation accuracy stalls.")
        else:
            hint = ("Does the lr drop once the validation accuracy stalls, and stay large enough "
                    "before that?")
        raise CheckFailed.with_advice(
            f"With challenge_config (seed {seed}) the final validation accuracy is "
            f"{describe_number(val)}; the target is {target}.",
            f"the final validation accuracy stays under the target {target}.", hint)
    if not run.under_ceiling:
        fix = ("about 28 % of the training labels are wrong, so the model is learning wrong "
               "labels by heart. Stop the lr from staying large for so long, or train less "
               "aggressively.")
        raise CheckFailed.with_advice(
            f"With challenge_config (seed {seed}) the training accuracy is "
            f"{describe_number(train)}, above the ceiling {ceiling}:",
            f"the training accuracy ends above the ceiling {ceiling}:", fix)


@judged
def check_challenge_config(challenge_config: Any, hidden: bool = False) -> None:
    """Run the fixed digits model with the student's config (plain data, validated: a config
    holding a function earns nothing); the lr must change during the run, the final validation
    accuracy reach VAL_TARGET and the training accuracy stay ≤ TRAIN_CEILING — with seed 0, or
    with the drawn seeds."""
    config = _challenge_config(challenge_config)
    asked()  # the config is read and validated as data: the runs are the judge's alone
    target, ceiling = plateau_challenge.VAL_TARGET, plateau_challenge.TRAIN_CEILING
    if not hidden:
        seed = CHALLENGE_SEED_VISIBLE
        run = _challenge_run(config, seed)
        _judge_challenge_run(run, seed, rerun=False)
        passed(f"Challenge passed with seed {seed}: validation accuracy "
               f"{run.final_val_accuracy:.3f} ≥ {target}, training accuracy "
               f"{run.final_train_accuracy:.3f} ≤ {ceiling}.")
        return
    for case in hidden_cases("ps05.challenge_config"):
        with hidden_case(case, CHALLENGE_ADVICE):
            seed = int(case.params)
            _judge_challenge_run(_challenge_run(config, seed), seed, rerun=True)
    passed(f"Challenge passed with another seed too: validation accuracy ≥ {target}, training "
           f"accuracy ≤ {ceiling}.")

"""Mistakes of ps03, learning rate and batch size: the scaling rules, gradual warmup and the
batch-size sweep (`scaling`), and the learning-rate range test (`range_test`)."""

from lrchecks.diagnosis.batch_size.range_test import (
    EXPONENTIAL_EXPLANATIONS,
    EXPONENTIAL_LRS,
    EXPONENTIAL_LRS_MISTAKES,
    RANGE_EXPLANATIONS,
    RANGE_TEST,
    RANGE_TEST_MISTAKES,
    SMOOTHING,
    SMOOTHING_EXPLANATIONS,
    SMOOTHING_MISTAKES,
    SUGGESTION,
    SUGGESTION_EXPLANATIONS,
    SUGGESTION_MISTAKES,
    RangeTestMistake,
    ValuesMistake,
    matches_record,
    range_test_variant,
)
from lrchecks.diagnosis.batch_size.scaling import (
    LINEAR_EXPLANATIONS,
    LINEAR_SCALING,
    LINEAR_SCALING_MISTAKES,
    NO_WARMUP_DIVISION,
    SQRT_EXPLANATIONS,
    SQRT_SCALING,
    SQRT_SCALING_MISTAKES,
    SWEEP,
    SWEEP_EXPLANATIONS,
    SWEEP_MISTAKES,
    WARMUP,
    WARMUP_EXPLANATIONS,
    WARMUP_MISTAKES,
    AnswersMistake,
    SweepMistake,
    f32,
    matches_crash,
)

__all__ = [
    "AnswersMistake", "SweepMistake", "ValuesMistake", "RangeTestMistake",
    "LINEAR_SCALING", "SQRT_SCALING", "WARMUP", "SWEEP",
    "EXPONENTIAL_LRS", "SMOOTHING", "RANGE_TEST", "SUGGESTION",
    "LINEAR_SCALING_MISTAKES", "SQRT_SCALING_MISTAKES", "WARMUP_MISTAKES", "SWEEP_MISTAKES",
    "EXPONENTIAL_LRS_MISTAKES", "SMOOTHING_MISTAKES", "RANGE_TEST_MISTAKES",
    "SUGGESTION_MISTAKES",
    "LINEAR_EXPLANATIONS", "SQRT_EXPLANATIONS", "WARMUP_EXPLANATIONS", "SWEEP_EXPLANATIONS",
    "EXPONENTIAL_EXPLANATIONS", "SMOOTHING_EXPLANATIONS", "RANGE_EXPLANATIONS",
    "SUGGESTION_EXPLANATIONS",
    "NO_WARMUP_DIVISION", "matches_crash",
    "range_test_variant", "matches_record", "f32",
]

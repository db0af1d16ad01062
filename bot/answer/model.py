"""The fitted parameters: ranking weights per named feature and the calibrated decision to answer.

Written by `python -m bot.answer.fit` to `data/model.json` (versioned, with how it was fitted and
its cross-validation figures); read when an engine is built.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from bot.answer.features import RANK_FEATURES, REFUSAL_FEATURES
from bot.answer.lexicon import DATA

MODEL_FILE = DATA / "model.json"
FORMAT = 2


class ModelMismatch(ValueError):
    """The model file does not fit the engine's features: refit it."""


class Refusal(BaseModel):
    """Logistic regression over standardised refusal features: P(the question is answerable)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mean: dict[str, float]
    scale: dict[str, float]
    coef: dict[str, float]
    intercept: float
    # Answer when P(answerable) is at least this.
    threshold: float


class Unit(BaseModel):
    """One unit of the ranker's hidden layer: tanh(Σ weights·features + bias), times `out`, is added
    to a candidate's linear score. A few such units let one feature count for more or less as
    others are high or low (a name match can count for less where the reader-question likeness is
    high anyway), which a sum of weighted features cannot."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: dict[str, float]
    bias: float
    out: float


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: int = FORMAT
    version: str
    # How it was fitted: question files, counts, seed, folds; and the cross-validation figures.
    fitted: dict[str, Any] = Field(default_factory=dict)
    rank: dict[str, float]
    # The hidden units added to the linear score (none: a linear ranker).
    hidden: tuple[Unit, ...] = ()
    refusal: Refusal

    def model_post_init(self, context: Any, /) -> None:
        problems = []
        if self.format != FORMAT:
            problems.append(f"format {self.format}, the engine reads {FORMAT}")
        for kind, names, given in (
            ("rank", RANK_FEATURES, set(self.rank)),
            *((f"hidden unit {i + 1}", RANK_FEATURES, set(u.weights)) for i, u in enumerate(self.hidden)),
            ("refusal", REFUSAL_FEATURES, set(self.refusal.coef)),
        ):
            if set(names) != given:
                missing, extra = sorted(set(names) - given), sorted(given - set(names))
                problems.append(f"{kind} features differ (missing {missing}, unknown {extra})")
        if problems:
            raise ModelMismatch("; ".join(problems) + ": refit with `python -m bot.answer.fit`")

    def rank_weights(self) -> npt.NDArray[np.float64]:
        return np.array([self.rank[name] for name in RANK_FEATURES], dtype=np.float64)

    def hidden_arrays(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The hidden layer as (units × features) weights, biases and output weights."""
        return (
            np.array([[u.weights[name] for name in RANK_FEATURES] for u in self.hidden]).reshape(
                len(self.hidden), len(RANK_FEATURES)
            ),
            np.array([u.bias for u in self.hidden]),
            np.array([u.out for u in self.hidden]),
        )

    def refusal_arrays(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        r = self.refusal
        return (
            np.array([r.mean[n] for n in REFUSAL_FEATURES]),
            np.array([r.scale[n] for n in REFUSAL_FEATURES]),
            np.array([r.coef[n] for n in REFUSAL_FEATURES]),
        )


def rank_scores(
    features: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    hidden_in: npt.NDArray[np.float64],
    hidden_bias: npt.NDArray[np.float64],
    hidden_out: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """The candidates' ranking scores: the weighted sum of their features plus the hidden units'."""
    linear = features @ weights
    if not len(hidden_out):
        return linear
    return np.asarray(linear + np.tanh(features @ hidden_in.T + hidden_bias) @ hidden_out)


class Scorer:
    """The model as arrays, for the engine's hot path."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.weights = model.rank_weights()
        self.hidden_in, self.hidden_bias, self.hidden_out = model.hidden_arrays()
        self.mean, self.scale, self.coef = model.refusal_arrays()
        self.intercept = model.refusal.intercept
        self.threshold = model.refusal.threshold

    def rank(self, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return rank_scores(features, self.weights, self.hidden_in, self.hidden_bias, self.hidden_out)

    def answerable(self, features: npt.NDArray[np.float64]) -> float:
        z = float(((features - self.mean) / self.scale) @ self.coef) + self.intercept
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def load_model(path: Path = MODEL_FILE) -> Model:
    return Model.model_validate(json.loads(path.read_text(encoding="utf-8")))

"""JSON written by the workstation is strict JSON: NaN/Infinity become null, never invalid tokens."""

import json
import math

import numpy as np
import pytest

from workstation.core.strict_json import dumps, strict


def _reject_constants(name):
    raise ValueError(f"not JSON: {name}")


def test_non_finite_values_become_null_everywhere():
    doc = {"a": float("nan"), "b": [1.0, float("inf"), -math.inf], "c": {"d": np.float32("nan"), "e": np.int64(3)},
           "f": np.array([1.5, np.nan]), "g": (2, "x")}
    text = dumps(doc)
    back = json.loads(text, parse_constant=_reject_constants)  # a strict reader refuses NaN/Infinity
    assert back == {"a": None, "b": [1.0, None, None], "c": {"d": None, "e": 3}, "f": [1.5, None], "g": [2, "x"]}
    assert strict(float("nan")) is None and strict(1.25) == 1.25


def test_print_json_of_the_cli_is_strict(capsys):
    from workstation.cli.common import print_json

    print_json({"change_pct": float("nan"), "ratio": float("inf"), "ok": 1.0})
    out = capsys.readouterr().out
    assert "NaN" not in out and "Infinity" not in out
    assert json.loads(out, parse_constant=_reject_constants) == {"change_pct": None, "ratio": None, "ok": 1.0}


def test_a_value_strict_cannot_convert_is_an_error_not_invalid_output():
    class Odd(float):
        pass

    assert dumps(Odd("nan")) == "null"  # float subclasses too
    with pytest.raises(ValueError):
        json.dumps(float("nan"), allow_nan=False)  # the guard dumps() relies on

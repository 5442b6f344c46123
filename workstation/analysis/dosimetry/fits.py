"""Time-activity curves (TAC) of a VOI and their time-integrated activity (TIA).

A TAC is the activity A(t_i) (MBq) of one VOI at the imaging times t_i (h after injection). Its
integral from injection to infinity, the TIA (MBq·h), is the number of decays that deposit the dose.

Models (``t`` in h, every decay constant in 1/h; ``lp`` is the physical decay constant ln 2 / T½):

* ``trapezoid``: A = 0 at injection, straight lines between the measured points, and after the last
  point physical decay only (A_n / lp). Not a fit: no parameters, no AICc. It never extrapolates
  beyond physical decay, so it is the model for uptake that is still rising at the last point.
* ``mono``: A0 e^(-l t), l >= lp (instantaneous uptake). TIA = A0 / l. k = 2.
* ``uptake-washout``: A (e^(-lw t) - e^(-(lw + lu) t)), lw >= lp, lu > 0. TIA = A (1/lw - 1/(lw + lu)). k = 3.
* ``bi``: A1 e^(-l1 t) + A2 e^(-l2 t), l1, l2 >= lp. TIA = A1/l1 + A2/l2. k = 4.
* ``stp``: the single-time-point method of Hänscheid et al. (J Nucl Med 2018;59:75-81):
  TIA = A(t) · 2 t / ln 2 (exact for a mono-exponential when t equals the effective half-life;
  within about 10 % for 0.75 T_eff <= t <= 2 T_eff). Capped at physical decay from t on.

The effective decay constant is bounded below by the physical one in every fit: biology can only
remove activity, never add decay-free storage.

Weights and uncertainty: each activity has a relative standard uncertainty ``rel_sigma``
(default 10 %, the order of the quantitative-SPECT recovery and VOI uncertainty of EANM's
guidance on uncertainty analysis, Gear et al. EJNMMI 2018;45:2456-2474). Fits are weighted least
squares with these sigmas; the TIA's standard uncertainty is propagated from the fit's parameter
covariance (absolute sigmas) through the gradient of the TIA, the trapezoid's from its linear
weights, the STP's as the quadrature sum of ``rel_sigma`` and the method's 10 %.

Choice (``auto``): when the last measured point is not below the one before, uptake is still
rising and the trapezoid with a physical tail is taken (said in the warnings). Otherwise the
models with enough points for the corrected Akaike information criterion (n >= k + 2) compete on
AICc = n ln(RSS/n) + 2k + 2k(k+1)/(n-k-1) (RSS weighted); with too few points the rule is: one
point STP, falling points mono-exponential, a measured rise then a fall uptake-washout (also when only
the mono-exponential could compete on AICc: it cannot describe a rise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from workstation.core.vocabulary import FIT_CHOICES

__all__ = ["FitResult", "fit_tac", "MODELS", "TacError", "trapezoid_weights", "aicc"]

MODELS = ("trapezoid", "mono", "uptake-washout", "bi", "stp")
N_PARAMS = {"trapezoid": 0, "mono": 2, "uptake-washout": 3, "bi": 4, "stp": 0}
DEFAULT_REL_SIGMA = 0.10
STP_METHOD_REL = 0.10  # Hänscheid 2018: within about 10 % for 0.75 T_eff <= t <= 2 T_eff


class TacError(ValueError):
    """A time-activity curve that a model cannot be fitted to (too few points, negative times, ...)."""


@dataclass
class FitResult:
    model: str
    params: dict  # parameter name -> value (activities MBq, decay constants 1/h)
    tia_mbq_h: float
    tia_sd_mbq_h: float
    aicc: float | None = None
    lambda_eff_per_h: float | None = None  # the slowest effective decay constant (the tail)
    residuals: list = field(default_factory=list)  # measured - model at each point (MBq)
    warnings: list = field(default_factory=list)
    candidates: dict = field(default_factory=dict)  # model -> {"aicc", "tia_mbq_h"} of the competitors
    chosen_by: str = ""  # "aicc", "rule: ...", "user"

    @property
    def tia_rel_sd(self) -> float:
        return self.tia_sd_mbq_h / self.tia_mbq_h if self.tia_mbq_h > 0 else float("nan")

    def curve(self, t_h, times_h=None, activities=None, lambda_phys: float | None = None) -> np.ndarray:
        """The model's activity (MBq) at ``t_h`` (for plots)."""
        t = np.asarray(t_h, float)
        p = self.params
        if self.model == "mono":
            return p["A0"] * np.exp(-p["lambda"] * t)
        if self.model == "uptake-washout":
            return p["A"] * (np.exp(-p["lambda_w"] * t) - np.exp(-(p["lambda_w"] + p["lambda_u"]) * t))
        if self.model == "bi":
            return p["A1"] * np.exp(-p["lambda1"] * t) + p["A2"] * np.exp(-p["lambda2"] * t)
        if self.model == "stp":
            return p["A0"] * np.exp(-p["lambda"] * t)
        # trapezoid: the polyline through (0, 0) and the points, then physical decay
        ts = np.concatenate([[0.0], np.asarray(p["times_h"], float)])
        a = np.concatenate([[0.0], np.asarray(p["activities_mbq"], float)])
        out = np.interp(t, ts, a)
        tail = t > ts[-1]
        out[tail] = a[-1] * np.exp(-p["lambda_phys"] * (t[tail] - ts[-1]))
        return out

    def to_dict(self) -> dict:
        return {"model": self.model, "params": {k: v for k, v in self.params.items()},
                "aicc": self.aicc, "tia_mbq_h": self.tia_mbq_h, "tia_sd_mbq_h": self.tia_sd_mbq_h,
                "lambda_eff_per_h": self.lambda_eff_per_h, "chosen_by": self.chosen_by,
                "residuals_mbq": list(self.residuals), "candidates": self.candidates}


def aicc(rss: float, n: int, k: int) -> float | None:
    """Corrected Akaike information criterion, or None when n <= k + 1 (undefined)."""
    if n - k - 1 <= 0:
        return None
    rss = max(float(rss), 1e-12 * n)  # an exact fit: no log of zero
    return n * math.log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)


def trapezoid_weights(times_h, lambda_phys: float) -> np.ndarray:
    """Weights w with TIA = sum(w_i A_i) for the trapezoid from (0, 0) plus the physical tail A_n / lp."""
    t = np.concatenate([[0.0], np.asarray(times_h, float)])
    n = len(t) - 1
    w = np.zeros(n)
    for i in range(1, n + 1):  # point i (1-based in t) gets half of each neighbouring interval
        w[i - 1] += (t[i] - t[i - 1]) / 2.0
        if i < n:
            w[i - 1] += (t[i + 1] - t[i]) / 2.0
    w[-1] += 1.0 / lambda_phys
    return w


# ------------------------------------------------------------------------------ models
def _mono(t, a0, d, lp):
    return a0 * np.exp(-(lp + d) * t)


def _uw(t, a, d, lu, lp):
    lw = lp + d
    return a * (np.exp(-lw * t) - np.exp(-(lw + lu) * t))


def _bi(t, a1, d1, a2, d2, lp):
    return a1 * np.exp(-(lp + d1) * t) + a2 * np.exp(-(lp + d2) * t)


def _tia_of(model, x, lp):
    if model == "mono":
        a0, d = x
        return a0 / (lp + d)
    if model == "uptake-washout":
        a, d, lu = x
        lw = lp + d
        return a * (1.0 / lw - 1.0 / (lw + lu))
    a1, d1, a2, d2 = x
    return a1 / (lp + d1) + a2 / (lp + d2)


def _fit(model, t, a, sigma, lp):
    """(params vector, covariance, rss) of a weighted bounded least-squares fit, or raises TacError."""
    from scipy.optimize import curve_fit

    if model == "mono":
        f = lambda tt, a0, d: _mono(tt, a0, d, lp)  # noqa: E731
        pos = a > 0
        if pos.sum() >= 2:
            slope = np.polyfit(t[pos], np.log(a[pos]), 1)[0]
            d0 = max(-slope - lp, 1e-4)
        else:
            d0 = 1e-3
        a00 = max(float(a[0]) * math.exp((lp + d0) * t[0]), 1e-9)
        starts = [(a00, d0), (a00, 1e-4)]
        lo, hi = [0.0, 0.0], [np.inf, np.inf]
    elif model == "uptake-washout":
        f = lambda tt, aa, d, lu: _uw(tt, aa, d, lu, lp)  # noqa: E731
        amax = float(a.max())
        starts = [(amax * 1.5, 0.01, 0.5), (amax * 1.2, 0.001, 2.0), (amax * 3, 0.05, 0.1)]
        lo, hi = [0.0, 0.0, 1e-6], [np.inf, np.inf, np.inf]
    elif model == "bi":
        f = lambda tt, a1, d1, a2, d2: _bi(tt, a1, d1, a2, d2, lp)  # noqa: E731
        amax = float(a.max())
        starts = [(amax, 0.5, amax, 0.01), (amax * 0.5, 0.1, amax, 0.001)]
        lo, hi = [0.0, 0.0, 0.0, 0.0], [np.inf, np.inf, np.inf, np.inf]
    else:  # pragma: no cover
        raise TacError(f"unknown model {model!r}")
    best = None
    for p0 in starts:
        try:
            x, cov = curve_fit(f, t, a, p0=p0, sigma=sigma, absolute_sigma=True, bounds=(lo, hi),
                               method="trf", maxfev=20000, x_scale="jac")
        except (RuntimeError, ValueError):
            continue
        rss = float(np.sum(((a - f(t, *x)) / sigma) ** 2))
        if best is None or rss < best[2]:
            best = (np.asarray(x, float), np.asarray(cov, float), rss, f)
    if best is None:
        raise TacError(f"the {model} fit did not converge")
    return best


def _grad(model, x, lp):
    g = np.zeros(len(x))
    base = _tia_of(model, x, lp)
    for i in range(len(x)):
        h = 1e-6 * max(abs(x[i]), 1e-6)
        xx = np.array(x, float)
        xx[i] += h
        g[i] = (_tia_of(model, xx, lp) - base) / h
    return g


def _param_dict(model, x, lp) -> dict:
    if model == "mono":
        return {"A0": float(x[0]), "lambda": float(lp + x[1])}
    if model == "uptake-washout":
        return {"A": float(x[0]), "lambda_w": float(lp + x[1]), "lambda_u": float(x[2])}
    return {"A1": float(x[0]), "lambda1": float(lp + x[1]), "A2": float(x[2]), "lambda2": float(lp + x[3])}


def _fit_model(model, t, a, sigma, lp) -> FitResult:
    x, cov, rss, f = _fit(model, t, a, sigma, lp)
    tia = float(_tia_of(model, x, lp))
    g = _grad(model, x, lp)
    var = float(g @ cov @ g) if np.all(np.isfinite(cov)) else float("nan")
    params = _param_dict(model, x, lp)
    lam = {"mono": lambda: params["lambda"], "uptake-washout": lambda: params["lambda_w"],
           "bi": lambda: min(params["lambda1"], params["lambda2"])}[model]()
    res = FitResult(model, params, tia, math.sqrt(var) if var >= 0 else float("nan"),
                    aicc(rss, len(t), N_PARAMS[model]), lam, [float(v) for v in a - f(t, *x)])
    if not math.isfinite(res.tia_sd_mbq_h):
        res.warnings.append(f"{model}: the fit's covariance is undefined (too few points or a parameter at its "
                            "bound); no uncertainty from the fit")
    if lam <= lp * (1 + 1e-6):
        res.warnings.append(f"{model}: the fitted effective decay was slower than physical decay; held at the "
                            f"physical decay constant {lp:.5f}/h")
    return res


def _trapezoid(t, a, sigma, lp) -> FitResult:
    w = trapezoid_weights(t, lp)
    tia = float(w @ a)
    sd = float(math.sqrt(np.sum((w * sigma) ** 2)))
    res = FitResult("trapezoid", {"times_h": [float(v) for v in t], "activities_mbq": [float(v) for v in a],
                                  "lambda_phys": float(lp)}, tia, sd, None, float(lp), [0.0] * len(t))
    return res


def _stp(t, a, rel_sigma, lp) -> FitResult:
    ti, ai = float(t[-1]), float(a[-1])
    tia = ai * 2.0 * ti / math.log(2.0)
    warns = [f"single-time-point (Hänscheid 2018) from the point at {ti:.1f} h: assumes a mono-exponential "
             "with an effective half-life between 0.5 and 1.33 times that time (error within about 10 %)"]
    cap = ai * math.exp(lp * ti) / lp
    lam = math.log(2.0) / ti
    if tia > cap:
        tia, lam = cap, lp
        warns.append("single-time-point: the implied effective half-life is longer than the physical one; "
                     "held at physical decay")
    sd = tia * math.hypot(rel_sigma, STP_METHOD_REL)
    a0 = ai * math.exp(lam * ti)
    return FitResult("stp", {"A0": a0, "lambda": lam, "time_h": ti}, tia, sd, None, lam, [0.0], warns)


def fit_tac(times_h, activities_mbq, half_life_h: float, model: str = "auto",
            rel_sigma: float = DEFAULT_REL_SIGMA) -> FitResult:
    """Fit the TAC and integrate it from injection to infinity (see the module docstring)."""
    t = np.asarray(times_h, float).reshape(-1)
    a = np.asarray(activities_mbq, float).reshape(-1)
    if model not in FIT_CHOICES:
        raise TacError(f"unknown fit {model!r}; choose one of {', '.join(FIT_CHOICES)}")
    if t.size == 0 or t.size != a.size:
        raise TacError("a time-activity curve needs as many activities as times (at least one)")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(a))):
        raise TacError("the time-activity curve has a missing (non-finite) time or activity")
    if np.any(t <= 0):
        raise TacError("every time point must be after the injection (time after injection > 0 h)")
    if not half_life_h > 0:
        raise TacError("the physical half-life must be positive")
    order = np.argsort(t)
    t, a = t[order], a[order]
    if np.any(np.diff(t) <= 0):
        raise TacError("two time points at the same time after injection")
    if np.any(a < 0):
        raise TacError("a negative activity in the time-activity curve")
    lp = math.log(2.0) / half_life_h
    sigma = np.maximum(rel_sigma * a, 1e-6 * max(float(a.max()), 1e-9))
    n = t.size
    warns: list[str] = []

    if model == "stp" or (model == "auto" and n == 1):
        res = _stp(t, a, rel_sigma, lp)
        res.chosen_by = "user" if model == "stp" else "rule: one time point"
        if n > 1:
            res.warnings.append(f"single-time-point method used on the last of {n} time points; the others are ignored")
        return res
    rising = n >= 2 and a[-1] >= a[-2]
    if model == "trapezoid":
        res = _trapezoid(t, a, sigma, lp)
        res.chosen_by = "user"
        return res
    if model != "auto":
        k = N_PARAMS[model]
        if n < k:
            raise TacError(f"the {model} model has {k} parameters and needs at least {k} time points; there are {n}")
        res = _fit_model(model, t, a, sigma, lp)
        res.chosen_by = "user"
        if rising:
            res.warnings.append(f"uptake is still rising at the last time point ({t[-1]:.1f} h): the {model} fit "
                                "extrapolates a washout that was not measured")
        return res
    # ---------------------------------------------------------------- auto
    if rising:
        res = _trapezoid(t, a, sigma, lp)
        res.chosen_by = "rule: uptake still rising"
        res.warnings.append(f"uptake still rising at the last time point ({t[-2]:.1f} h: {a[-2]:.4g} MBq -> "
                            f"{t[-1]:.1f} h: {a[-1]:.4g} MBq): trapezoid with physical decay after the last point, "
                            "no extrapolation beyond physical decay (the TIA is an upper estimate)")
        return res
    candidates = [m for m in ("mono", "uptake-washout", "bi") if n >= N_PARAMS[m] + 2]
    fits: dict[str, FitResult] = {}
    for m in candidates:
        try:
            fits[m] = _fit_model(m, t, a, sigma, lp)
        except TacError as exc:
            warns.append(str(exc))
    fits = {m: r for m, r in fits.items() if r.aicc is not None and math.isfinite(r.tia_mbq_h)}
    rise_first = bool(np.any(np.diff(a) > 0))  # an uptake phase was measured before the fall
    if fits and not (rise_first and "uptake-washout" not in fits):
        best = min(fits, key=lambda m: (fits[m].aicc, N_PARAMS[m]))
        res = fits[best]
        res.chosen_by = "aicc"
    else:
        if rise_first:
            pick, why = "uptake-washout", f"rule: {n} points rising then falling, too few for AICc"
        else:
            pick, why = "mono", f"rule: {n} falling points, too few for AICc"
        res = _fit_model(pick, t, a, sigma, lp)
        res.chosen_by = why
    res.candidates = {m: {"aicc": r.aicc, "tia_mbq_h": r.tia_mbq_h} for m, r in fits.items()}
    res.warnings = warns + res.warnings
    return res

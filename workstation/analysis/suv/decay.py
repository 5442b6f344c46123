"""Decay statements of a PET/SPECT header and whether they agree with each other.

A header says what its pixels are decay-corrected to in three places that can contradict each other:

* DecayCorrection (0054,1102): ``START`` (to the series reference time), ``ADMIN`` (to the
  administration) or ``NONE`` (not corrected: activity at the acquisition);
* DecayFactor (0054,1321): the factor the scanner multiplied the image by;
* the times: injection (0018,1078/1072), acquisition (0008,0022/0032), FrameReferenceTime (0054,1300)
  and ActualFrameDuration (0018,1242).

The DecayFactor each declaration implies, with T the half-life, t_inj the injection, t_acq the
acquisition start of the frame and T_ave its decay-weighted mean time (``suv_inputs.decay_weighted_mean_time_s``):

* ``ADMIN``: 2^((t_acq + T_ave − t_inj) / T) (the frame decayed back to the injection);
* ``START``: 2^(FrameReferenceTime / T) (1 for a frame referenced to its own start, also accepted);
* ``NONE``: 1.

:func:`check_decay_statement` compares the recorded DecayFactor with the declared one's and, when
they differ by more than ``tolerance`` (relative), reports a conflict and the policy applied:
**trust DecayFactor and the acquisition time** — the image is read as corrected to the time
t_ref = t_acq + T_ave − T·log2(DecayFactor), so the dose is decayed from the injection to t_ref.
(A Lu-177 SPECT 27.7 h after injection that says ADMIN with DecayFactor 1 is read as activity at
the scan: the dose is decayed by 2^(−27.7 h / 6.647 d) = 1/1.128.) The function is pure (plain
numbers and datetimes in, a :class:`DecayStatement` out) so that SUV, dosimetry and the viewer share it.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

#: relative difference between the recorded and the implied DecayFactor above which they contradict
#: each other: 0.5 %, far above header rounding; one hour of Lu-177 decay is 0.43 %, of F-18 46 %
DECAY_FACTOR_TOLERANCE = 0.005

POLICY_DECLARED = "declared"  # no conflict (or nothing to compare): DecayCorrection is followed
POLICY_TRUST_DECAY_FACTOR = "trust DecayFactor and acquisition time"


@dataclass(frozen=True)
class DecayStatement:
    """What a header says about decay correction, what it implies, and the policy applied."""

    declared: str | None  # DecayCorrection (0054,1102), upper case, or None
    decay_factor: float | None  # DecayFactor (0054,1321) of the frame checked, or None
    expected_factor: float | None  # the DecayFactor the declaration implies (None: cannot be computed)
    elapsed_s: float | None  # injection -> the frame's decay-weighted mean time (s)
    conflict: bool
    policy: str  # POLICY_DECLARED or POLICY_TRUST_DECAY_FACTOR
    reference_datetime: _dt.datetime | None  # the time the pixels are read as corrected to (policy applied)
    message: str  # one line for the SUV trail, the CLI and the overlay ("" when there is nothing to say)

    @property
    def checked(self) -> bool:
        return self.expected_factor is not None and self.decay_factor is not None


def implied_decay_factor(declared: str | None, *, elapsed_s: float | None, frame_reference_s: float | None,
                         half_life_s: float) -> float | None:
    """The DecayFactor a DecayCorrection implies (see the module docstring), or None when its times are unknown."""
    dc = (declared or "").upper()
    if dc == "NONE":
        return 1.0
    if dc == "ADMIN":
        return None if elapsed_s is None else 2.0 ** (elapsed_s / half_life_s)
    if dc == "START":
        return 2.0 ** ((frame_reference_s or 0.0) / half_life_s)
    return None


def check_decay_statement(declared: str | None, decay_factor: float | None, *, half_life_s: float,
                          injection: _dt.datetime | None, acquisition_start: _dt.datetime | None,
                          frame_mean_offset_s: float = 0.0, frame_reference_s: float | None = None,
                          tolerance: float = DECAY_FACTOR_TOLERANCE) -> DecayStatement:
    """Compare DecayCorrection, DecayFactor and the times of one frame; name the policy applied.

    ``acquisition_start`` is the frame's acquisition start, ``frame_mean_offset_s`` its decay-weighted mean
    time after the start (T_ave, 0 when the duration is unknown), ``frame_reference_s`` its
    FrameReferenceTime in s (START only). A conflict (the recorded DecayFactor differs from the implied one
    by more than ``tolerance``, relative) sets ``policy`` to :data:`POLICY_TRUST_DECAY_FACTOR` and
    ``reference_datetime`` to acquisition + T_ave − T·log2(DecayFactor)."""
    if not (half_life_s and math.isfinite(half_life_s) and half_life_s > 0):
        raise ValueError(f"half-life must be a positive number of seconds, got {half_life_s!r}")
    dc = None if declared is None else str(declared).strip().upper() or None
    frame_time = None if acquisition_start is None else acquisition_start + _dt.timedelta(seconds=frame_mean_offset_s)
    elapsed = None if (frame_time is None or injection is None) else (frame_time - injection).total_seconds()
    expected = implied_decay_factor(dc, elapsed_s=elapsed, frame_reference_s=frame_reference_s,
                                    half_life_s=half_life_s)
    df = None
    if decay_factor is not None:
        try:
            df = float(decay_factor)
        except (TypeError, ValueError):
            df = None
        if df is not None and not (math.isfinite(df) and df > 0):
            df = None
    declared_ref = None
    if dc == "ADMIN":
        declared_ref = injection
    elif dc == "START" and frame_time is not None:
        declared_ref = frame_time - _dt.timedelta(seconds=frame_reference_s or 0.0)
    elif dc == "NONE":
        declared_ref = frame_time
    if expected is None or df is None:
        return DecayStatement(dc, df, expected, elapsed, False, POLICY_DECLARED, declared_ref, "")
    conflict = abs(df / expected - 1.0) > tolerance
    if dc == "START" and abs(df - 1.0) <= tolerance:
        conflict = False  # a DecayFactor of 1 referenced to the frame's own start is START too
    if not conflict:
        return DecayStatement(dc, df, expected, elapsed, False, POLICY_DECLARED, declared_ref, "")
    ref = None
    if frame_time is not None:
        ref = frame_time - _dt.timedelta(seconds=half_life_s * math.log2(df))
    when = "" if elapsed is None else f" {elapsed / 3600.0:.1f} h after injection"
    msg = (f"decay statements disagree: DecayCorrection {dc} implies DecayFactor {expected:.4g} for a frame{when}, "
           f"the header's DecayFactor (0054,1321) is {df:.4g}; policy: {POLICY_TRUST_DECAY_FACTOR} "
           f"(pixels read as corrected to {ref.isoformat(sep=' ', timespec='seconds') if ref else 'the frame time'})")
    return DecayStatement(dc, df, expected, elapsed, True, POLICY_TRUST_DECAY_FACTOR, ref, msg)


def decay_statement_of(acq, *, injection: _dt.datetime | None, half_life_s: float,
                       tolerance: float = DECAY_FACTOR_TOLERANCE) -> DecayStatement:
    """:func:`check_decay_statement` on the earliest frame of a ``core.pet.PetAcquisition``."""
    from workstation.analysis.suv.inputs import decay_weighted_mean_time_s

    dc = acq.value("decay_correction")
    earliest = acq.earliest_acquisition()
    uid, start = earliest if earliest is not None else (next(iter(acq.instances), None), acq.series_datetime)
    inst = acq.instances.get(uid) if uid is not None else None

    def val(name):
        f = None if inst is None else getattr(inst, name)
        return None if f is None else f.value

    dur_ms = val("actual_frame_duration_ms")
    t_ave = decay_weighted_mean_time_s(dur_ms / 1000.0, half_life_s) if dur_ms and dur_ms > 0 else 0.0
    frt = val("frame_reference_time_ms")
    return check_decay_statement(dc, val("decay_factor"), half_life_s=half_life_s, injection=injection,
                                 acquisition_start=start, frame_mean_offset_s=t_ave,
                                 frame_reference_s=None if frt is None else frt / 1000.0, tolerance=tolerance)


def injection_and_scan(acq, overrides=None) -> tuple[_dt.datetime | None, _dt.datetime | None]:
    """(injection, acquisition start) of a ``core.pet.PetAcquisition`` as SUV reads them (override, the
    start date-time, else the clock time on the scan's date); None for what the header does not give."""
    from workstation.analysis.errors import SuvError
    from workstation.analysis.suv.inputs import SuvInputs, SuvOverrides, Trail

    earliest = acq.earliest_acquisition()
    scan = earliest[1] if earliest is not None else acq.series_datetime
    try:
        inj = SuvInputs(acq, overrides or SuvOverrides(), Trail()).injection(scan)
    except SuvError:
        inj = None
    return inj, scan


def decay_statement_for(acq, overrides=None) -> DecayStatement | None:
    """:func:`decay_statement_of` with the injection and half-life read as SUV reads them; None when the
    half-life is unknown."""
    from workstation.analysis.errors import SuvError
    from workstation.analysis.suv.inputs import SuvInputs, SuvOverrides, Trail

    try:
        half = SuvInputs(acq, overrides or SuvOverrides(), Trail()).half_life_s()
    except SuvError:
        return None
    inj, _scan = injection_and_scan(acq, overrides)
    return decay_statement_of(acq, injection=inj, half_life_s=half)


def format_uptake_time(seconds: float | None, hours: bool = False) -> str:
    """"62 min" / "27.7 h" for a time after injection; "" when unknown. A negative time (injection after the
    scan) is never printed as a number: "injection after scan"."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    if seconds < 0:
        return "injection after scan"
    if hours or seconds >= 3 * 3600:
        return f"{seconds / 3600.0:.1f} h"
    return f"{seconds / 60.0:.0f} min"

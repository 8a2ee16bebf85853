"""Transport modes and their travel-time rules (walk, car, school bus)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo import settings

#: Mode codes of :func:`travel_minutes` and of assignment flows.
MODES = ("walk", "car", "bus")


WALK, CAR, BUS = 0, 1, 2


# ------------------------------------------------------------------------------------------
# Travel time by mode
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TransportParams:
    """How pupils travel.

    Attributes
    ----------
    mode : {"bus", "car"}, default settings.TRANSPORT_MODE
        Mode beyond walking distance.
    bus_detour_factor : float, default settings.BUS_DETOUR_FACTOR
        Bus in-vehicle time = car time x this factor + ``bus_stop_wait_min``.
    bus_stop_wait_min : float, default settings.BUS_STOP_WAIT_MIN
        Minutes.
    walk_max_distance_m : float, default settings.WALK_MAX_DISTANCE_M
        Pupils whose network distance is below this walk (metres); 0 disables walking.
    walk_speed_kmh : float, default settings.WALK_SPEED_KMH
    """

    mode: str = settings.TRANSPORT_MODE
    bus_detour_factor: float = settings.BUS_DETOUR_FACTOR
    bus_stop_wait_min: float = settings.BUS_STOP_WAIT_MIN
    walk_max_distance_m: float = settings.WALK_MAX_DISTANCE_M
    walk_speed_kmh: float = settings.WALK_SPEED_KMH


def travel_minutes(
    time_s: np.ndarray, dist_m: np.ndarray | None, params: TransportParams = TransportParams(),
    *, with_mode: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """One-way travel time in minutes and the mode of every origin x school pair.

    Parameters
    ----------
    time_s : numpy.ndarray
        Car travel time, seconds (``inf`` when unreachable).
    dist_m : numpy.ndarray or None
        Network distance, metres (None: nobody walks).
    params : TransportParams
    with_mode : bool, default True
        False: the minutes only (``mode`` is None).

    Returns
    -------
    minutes : numpy.ndarray of float64
    mode : numpy.ndarray of int8 or None
        :data:`WALK`, :data:`CAR` or :data:`BUS`.
    """
    if params.mode not in ("bus", "car"):
        raise ValueError(f"transport mode must be 'bus' or 'car', got {params.mode!r}")
    time_s = np.asarray(time_s, np.float64)
    minutes = np.asarray(time_s / 60.0)  # car; then in place (these arrays are a region's pairs)
    code = CAR
    if params.mode == "bus":
        minutes *= params.bus_detour_factor
        minutes += params.bus_stop_wait_min
        code = BUS
    mode = np.full(time_s.shape, code, np.int8) if with_mode else None
    if dist_m is not None and params.walk_max_distance_m > 0:
        dist_m = np.asarray(dist_m, np.float64)
        walk = dist_m < params.walk_max_distance_m
        if walk.any():  # masked writes only where some pair walks
            minutes[walk] = dist_m[walk] / (params.walk_speed_kmh / 3.6) / 60.0
            if with_mode:
                mode[walk] = WALK
    unreachable = ~np.isfinite(time_s)
    if unreachable.any():
        minutes[unreachable] = np.inf
    return minutes, mode


def travel_minutes_bound(
    floor_s: np.ndarray, floor_m: np.ndarray, params: TransportParams = TransportParams()
) -> np.ndarray:
    """A lower bound of :func:`travel_minutes` of every pair whose car time is at least
    ``floor_s`` and whose distance is at least ``floor_m``.

    A pair walks (``dist_m < walk_max_distance_m``) in at least ``floor_m`` / walking speed, or
    rides in at least the motor time of ``floor_s`` (both grow with time and distance); the
    bound is the smaller of the two (only the motor time when ``floor_m`` is too long to walk).

    Parameters
    ----------
    floor_s : numpy.ndarray
        Seconds; ``inf``: no such pair is reachable (the bound is ``inf``).
    floor_m : numpy.ndarray
        Metres, same shape.
    params : TransportParams

    Returns
    -------
    numpy.ndarray of float64
        Minutes.
    """
    floor_s = np.asarray(floor_s, np.float64)
    motor, _ = travel_minutes(floor_s, None, params)
    either, _ = travel_minutes(floor_s, np.asarray(floor_m, np.float64), params)
    return np.minimum(motor, either)

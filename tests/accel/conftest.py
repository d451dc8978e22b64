"""Run every accel test once per back end this machine can run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import accel


@pytest.fixture(params=accel.available_levels())
def level(request: pytest.FixtureRequest) -> Iterator[str]:
    before = accel.simd_level()
    accel._set_level(request.param)
    assert accel.simd_level() == request.param
    yield request.param
    accel._set_level(before)

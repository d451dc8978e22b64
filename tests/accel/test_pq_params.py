"""ProductQuantizer.fit names a bad training parameter instead of failing inside numpy."""

from __future__ import annotations

import numpy as np
import pytest

import accel


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_train": 0}, "max_train: expected an int >= 16, got 0"),
        ({"max_train": 15}, "max_train: expected an int >= 16, got 15"),
        ({"max_train": 2.5}, "max_train: expected an int >= 16, got 2.5"),
        ({"max_train": True}, "max_train: expected an int >= 16, got True"),
        ({"iters": -1}, "iters: expected an int >= 0, got -1"),
        ({"iters": 1.5}, r"iters: expected an int >= 0, got 1\.5"),
    ],
)
def test_fit_parameters_are_checked(kwargs: dict[str, object], message: str) -> None:
    x = np.random.default_rng(0).standard_normal((64, 8)).astype(np.float32)
    with pytest.raises(ValueError, match=f"^{message}$"):
        accel.ProductQuantizer(2, 4).fit(x, **kwargs)  # type: ignore[arg-type]


def test_fit_takes_numpy_integers() -> None:
    x = np.random.default_rng(1).standard_normal((64, 8)).astype(np.float32)
    pq = accel.ProductQuantizer(2, 4).fit(x, iters=np.int32(2), max_train=np.int64(32))  # type: ignore[arg-type]
    assert pq.encode(x).shape == (64, 2)

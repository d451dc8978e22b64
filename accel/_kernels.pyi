"""C kernels behind accel; call through the accel package, which validates arguments."""

from typing_extensions import Buffer

def scan(
    kind: int,
    elem: int,
    metric: int,
    q: Buffer,
    x: Buffer,
    nq: int,
    nx: int,
    d: int,
    row_bytes: int,
    lo: Buffer | None,
    scale: Buffer | None,
    m: int,
    ksub: int,
    k: int,
    out_dist: Buffer,
    out_idx: Buffer,
    /,
) -> None: ...
def convert(
    kind: int,
    src: Buffer,
    dst: Buffer,
    n: int,
    d: int,
    lo: Buffer | None,
    inv_scale: Buffer | None,
    /,
) -> None: ...
def pq_encode(
    x: Buffer, ct: Buffer, cnorm: Buffer, out: Buffer, n: int, d: int, m: int, ksub: int, /
) -> None: ...
def simd_level() -> str: ...
def supported_levels() -> list[str]: ...
def set_level(name: str, /) -> None: ...
def read_sum(buffer: Buffer, /) -> float: ...
def fma_loop(iters: int, /) -> tuple[float, float]: ...
def pq_accumulate(
    x: Buffer, codes: Buffer, sums: Buffer, counts: Buffer, n: int, d: int, m: int, ksub: int, /
) -> None: ...

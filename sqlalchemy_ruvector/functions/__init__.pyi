# Generated from catalog.tsv by scripts/generate_function_stubs.py: do not edit.
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.sql._typing import _ColumnExpressionArgument

from ._base import NamedArgument as NamedArgument
from ._base import RuVectorFunction as RuVectorFunction
from ._catalog import Argument as Argument
from ._catalog import FunctionSpec as FunctionSpec

_Expr: TypeAlias = _ColumnExpressionArgument[Any]
_Vector: TypeAlias = Sequence[float] | NDArray[Any]
_Matrix: TypeAlias = Sequence[Sequence[float]] | NDArray[Any]
_Ints: TypeAlias = Sequence[int] | NDArray[Any]
_Json: TypeAlias = Mapping[str, Any] | list[Any] | tuple[Any, ...] | int | float | bool
_Float32Array: TypeAlias = NDArray[np.float32]

CATALOG: tuple[FunctionSpec, ...]
FUNCTIONS: dict[str, type[RuVectorFunction[Any]]]

class ruvector_version(RuVectorFunction[str]):
    """ruvector_version() RETURNS text

    Immutable, info family.

    Returns the crate version, not the extension version (pg_extension.extversion).
    """

    def __init__(self) -> None: ...

class ruvector_simd_info(RuVectorFunction[str]):
    """ruvector_simd_info() RETURNS text

    Immutable, info family.
    """

    def __init__(self) -> None: ...

class ruvector_memory_stats(RuVectorFunction[Any]):
    """ruvector_memory_stats() RETURNS jsonb

    Volatile, info family.
    """

    def __init__(self) -> None: ...

class ruvector_l2_distance(RuVectorFunction[float]):
    """ruvector_l2_distance(a ruvector, b ruvector) RETURNS real

    Immutable, core family.

    Returns real on ruvector (double precision on the compatibility layer).
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class ruvector_cosine_distance(RuVectorFunction[float]):
    """ruvector_cosine_distance(a ruvector, b ruvector) RETURNS real

    Immutable, core family.

    Returns real on ruvector (double precision on the compatibility layer).
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class ruvector_inner_product(RuVectorFunction[float]):
    """ruvector_inner_product(a ruvector, b ruvector) RETURNS real

    Immutable, core family.

    Returns +dot: the opposite sign to pgvector's <#> (-dot).

    Returns real on ruvector (double precision on the compatibility layer).
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class ruvector_l1_distance(RuVectorFunction[float]):
    """ruvector_l1_distance(a ruvector, b ruvector) RETURNS real

    Immutable, core family.

    Returns real on ruvector (double precision on the compatibility layer).
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class ruvector_dims(RuVectorFunction[int]):
    """ruvector_dims(v ruvector) RETURNS int

    Immutable, core family.
    """

    def __init__(self, v: _Vector | _Expr) -> None: ...

class ruvector_norm(RuVectorFunction[float]):
    """ruvector_norm(v ruvector) RETURNS real

    Immutable, core family.

    Returns real on ruvector (double precision on the compatibility layer).
    """

    def __init__(self, v: _Vector | _Expr) -> None: ...

class ruvector_normalize(RuVectorFunction[_Float32Array]):
    """ruvector_normalize(v ruvector) RETURNS ruvector

    Immutable, core family.

    A zero vector is returned unchanged.
    """

    def __init__(self, v: _Vector | _Expr) -> None: ...

class ruvector_add(RuVectorFunction[_Float32Array]):
    """ruvector_add(a ruvector, b ruvector) RETURNS ruvector

    Immutable, core family.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class ruvector_sub(RuVectorFunction[_Float32Array]):
    """ruvector_sub(a ruvector, b ruvector) RETURNS ruvector

    Immutable, core family.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class ruvector_mul_scalar(RuVectorFunction[_Float32Array]):
    """ruvector_mul_scalar(v ruvector, s real) RETURNS ruvector

    Immutable, core family.
    """

    def __init__(self, v: _Vector | _Expr, s: float | _Expr) -> None: ...

class l2_distance_arr(RuVectorFunction[float]):
    """l2_distance_arr(a real[], b real[]) RETURNS real

    Immutable, array_distance family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class inner_product_arr(RuVectorFunction[float]):
    """inner_product_arr(a real[], b real[]) RETURNS real

    Immutable, array_distance family.

    Returns +dot.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class neg_inner_product_arr(RuVectorFunction[float]):
    """neg_inner_product_arr(a real[], b real[]) RETURNS real

    Immutable, array_distance family.

    Returns -dot.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class cosine_distance_arr(RuVectorFunction[float]):
    """cosine_distance_arr(a real[], b real[]) RETURNS real

    Immutable, array_distance family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class cosine_similarity_arr(RuVectorFunction[float]):
    """cosine_similarity_arr(a real[], b real[]) RETURNS real

    Immutable, array_distance family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class l1_distance_arr(RuVectorFunction[float]):
    """l1_distance_arr(a real[], b real[]) RETURNS real

    Immutable, array_distance family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class vector_normalize(RuVectorFunction[list[float]]):
    """vector_normalize(v real[]) RETURNS real[]

    Immutable, array_utils family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, v: _Vector | _Expr) -> None: ...

class vector_add(RuVectorFunction[list[float]]):
    """vector_add(a real[], b real[]) RETURNS real[]

    Immutable, array_utils family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class vector_sub(RuVectorFunction[list[float]]):
    """vector_sub(a real[], b real[]) RETURNS real[]

    Immutable, array_utils family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class vector_mul_scalar(RuVectorFunction[list[float]]):
    """vector_mul_scalar(v real[], scalar real) RETURNS real[]

    Immutable, array_utils family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, v: _Vector | _Expr, scalar: float | _Expr) -> None: ...

class vector_dims(RuVectorFunction[int]):
    """vector_dims(v real[]) RETURNS int

    Immutable, array_utils family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, v: _Vector | _Expr) -> None: ...

class vector_norm(RuVectorFunction[float]):
    """vector_norm(v real[]) RETURNS real

    Immutable, array_utils family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, v: _Vector | _Expr) -> None: ...

class vector_avg2(RuVectorFunction[list[float]]):
    """vector_avg2(a real[], b real[]) RETURNS real[]

    Immutable, array_utils family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class binary_quantize_arr(RuVectorFunction[bytes]):
    """binary_quantize_arr(v real[]) RETURNS bytea

    Immutable, quantization family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, v: _Vector | _Expr) -> None: ...

class scalar_quantize_arr(RuVectorFunction[Any]):
    """scalar_quantize_arr(v real[]) RETURNS jsonb

    Immutable, quantization family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, v: _Vector | _Expr) -> None: ...

class vector_sum_state(RuVectorFunction[list[float]]):
    """vector_sum_state(state real[], value real[]) RETURNS real[]

    Immutable, aggregate_support family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, state: _Vector | _Expr, value: _Vector | _Expr) -> None: ...

class vector_avg_final(RuVectorFunction[list[float]]):
    """vector_avg_final(state real[], count bigint) RETURNS real[]

    Immutable, aggregate_support family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, state: _Vector | _Expr, count: int | _Expr) -> None: ...

class cosine_distance_normalized_arr(RuVectorFunction[float]):
    """cosine_distance_normalized_arr(a real[], b real[]) RETURNS real

    Immutable, array_distance family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class temporal_delta(RuVectorFunction[list[float]]):
    """temporal_delta(current real[], previous real[]) RETURNS real[]

    Immutable, temporal family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, current: _Vector | _Expr, previous: _Vector | _Expr) -> None: ...

class temporal_undelta(RuVectorFunction[list[float]]):
    """temporal_undelta(delta real[], previous real[]) RETURNS real[]

    Immutable, temporal family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, delta: _Vector | _Expr, previous: _Vector | _Expr) -> None: ...

class temporal_ema_update(RuVectorFunction[list[float]]):
    """temporal_ema_update(current real[], ema_prev real[], alpha real) RETURNS real[]

    Immutable, temporal family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, current: _Vector | _Expr, ema_prev: _Vector | _Expr, alpha: float | _Expr
    ) -> None: ...

class temporal_drift(RuVectorFunction[float]):
    """temporal_drift(v1 real[], v2 real[], time_delta real) RETURNS real

    Immutable, temporal family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, v1: _Vector | _Expr, v2: _Vector | _Expr, time_delta: float | _Expr
    ) -> None: ...

class temporal_velocity(RuVectorFunction[list[float]]):
    """temporal_velocity(v_t0 real[], v_t1 real[], dt real) RETURNS real[]

    Immutable, temporal family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, v_t0: _Vector | _Expr, v_t1: _Vector | _Expr, dt: float | _Expr) -> None: ...

class attention_score(RuVectorFunction[float]):
    """attention_score(query real[], key real[]) RETURNS real

    Immutable, attention family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, query: _Vector | _Expr, key: _Vector | _Expr) -> None: ...

class attention_softmax(RuVectorFunction[list[float]]):
    """attention_softmax(scores real[]) RETURNS real[]

    Immutable, attention family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, scores: _Vector | _Expr) -> None: ...

class attention_weighted_add(RuVectorFunction[list[float]]):
    """attention_weighted_add(accumulator real[], value real[], weight real) RETURNS real[]

    Immutable, attention family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, accumulator: _Vector | _Expr, value: _Vector | _Expr, weight: float | _Expr
    ) -> None: ...

class attention_init(RuVectorFunction[list[float]]):
    """attention_init(dim int) RETURNS real[]

    Immutable, attention family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, dim: int | _Expr) -> None: ...

class attention_single(RuVectorFunction[Any]):
    """attention_single(query real[], key real[], value real[], score_offset real) RETURNS
        jsonb

    Immutable, attention family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self,
        query: _Vector | _Expr,
        key: _Vector | _Expr,
        value: _Vector | _Expr,
        score_offset: float | _Expr,
    ) -> None: ...

class graph_edge_similarity(RuVectorFunction[float]):
    """graph_edge_similarity(source real[], target real[]) RETURNS real

    Immutable, graph_math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, source: _Vector | _Expr, target: _Vector | _Expr) -> None: ...

class graph_pagerank_contribution(RuVectorFunction[float]):
    """graph_pagerank_contribution(importance real, num_neighbors int, damping real) RETURNS
        real

    Immutable, graph_math family.
    """

    def __init__(
        self, importance: float | _Expr, num_neighbors: int | _Expr, damping: float | _Expr
    ) -> None: ...

class graph_pagerank_base(RuVectorFunction[float]):
    """graph_pagerank_base(num_nodes int, damping real) RETURNS real

    Immutable, graph_math family.
    """

    def __init__(self, num_nodes: int | _Expr, damping: float | _Expr) -> None: ...

class graph_is_connected(RuVectorFunction[bool]):
    """graph_is_connected(v1 real[], v2 real[], threshold real) RETURNS boolean

    Immutable, graph_math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, v1: _Vector | _Expr, v2: _Vector | _Expr, threshold: float | _Expr
    ) -> None: ...

class graph_centroid_update(RuVectorFunction[list[float]]):
    """graph_centroid_update(centroid real[], neighbor real[], weight real) RETURNS real[]

    Immutable, graph_math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, centroid: _Vector | _Expr, neighbor: _Vector | _Expr, weight: float | _Expr
    ) -> None: ...

class graph_bipartite_score(RuVectorFunction[float]):
    """graph_bipartite_score(query real[], node real[], edge_weight real) RETURNS real

    Immutable, graph_math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, query: _Vector | _Expr, node: _Vector | _Expr, edge_weight: float | _Expr
    ) -> None: ...

class ruvector_poincare_distance(RuVectorFunction[float]):
    """ruvector_poincare_distance(a real[], b real[], curvature real DEFAULT -1.0) RETURNS real

    Immutable, hyperbolic family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, a: _Vector | _Expr, b: _Vector | _Expr, curvature: float | _Expr = ...
    ) -> None: ...

class ruvector_lorentz_distance(RuVectorFunction[float]):
    """ruvector_lorentz_distance(a real[], b real[], curvature real DEFAULT -1.0) RETURNS real

    Immutable, hyperbolic family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, a: _Vector | _Expr, b: _Vector | _Expr, curvature: float | _Expr = ...
    ) -> None: ...

class ruvector_mobius_add(RuVectorFunction[list[float]]):
    """ruvector_mobius_add(a real[], b real[], curvature real DEFAULT -1.0) RETURNS real[]

    Immutable, hyperbolic family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, a: _Vector | _Expr, b: _Vector | _Expr, curvature: float | _Expr = ...
    ) -> None: ...

class ruvector_exp_map(RuVectorFunction[list[float]]):
    """ruvector_exp_map(base real[], tangent real[], curvature real DEFAULT -1.0) RETURNS
        real[]

    Immutable, hyperbolic family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, base: _Vector | _Expr, tangent: _Vector | _Expr, curvature: float | _Expr = ...
    ) -> None: ...

class ruvector_log_map(RuVectorFunction[list[float]]):
    """ruvector_log_map(base real[], target real[], curvature real DEFAULT -1.0) RETURNS real[]

    Immutable, hyperbolic family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self, base: _Vector | _Expr, target: _Vector | _Expr, curvature: float | _Expr = ...
    ) -> None: ...

class ruvector_poincare_to_lorentz(RuVectorFunction[list[float]]):
    """ruvector_poincare_to_lorentz(poincare real[], curvature real DEFAULT -1.0) RETURNS
        real[]

    Immutable, hyperbolic family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, poincare: _Vector | _Expr, curvature: float | _Expr = ...) -> None: ...

class ruvector_lorentz_to_poincare(RuVectorFunction[list[float]]):
    """ruvector_lorentz_to_poincare(lorentz real[], curvature real DEFAULT -1.0) RETURNS real[]

    Immutable, hyperbolic family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, lorentz: _Vector | _Expr, curvature: float | _Expr = ...) -> None: ...

class ruvector_minkowski_dot(RuVectorFunction[float]):
    """ruvector_minkowski_dot(a real[], b real[]) RETURNS real

    Immutable, hyperbolic family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class ruvector_gcn_forward(RuVectorFunction[Any]):
    """ruvector_gcn_forward(embeddings_json jsonb, src integer[], dst integer[], weights real[]
        DEFAULT NULL, out_dim integer DEFAULT 0) RETURNS jsonb

    Immutable, gnn family.

    Takes and returns JSON; the 0.2.6 signatures (real[][]) are gone.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self,
        embeddings_json: _Json | _Expr,
        src: _Ints | _Expr,
        dst: _Ints | _Expr,
        weights: _Vector | _Expr | None = ...,
        out_dim: int | _Expr = ...,
    ) -> None: ...

class ruvector_gnn_aggregate(RuVectorFunction[list[float]]):
    """ruvector_gnn_aggregate(messages_json jsonb, method text) RETURNS real[]

    Immutable, gnn family.

    Takes and returns JSON; the 0.2.6 signatures (real[][]) are gone.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, messages_json: _Json | _Expr, method: str | _Expr) -> None: ...

class ruvector_message_pass(RuVectorFunction[str]):
    """ruvector_message_pass(node_table text, edge_table text, embedding_col text, hops
        integer, layer_type text) RETURNS text

    Immutable, gnn family.

    Takes and returns JSON; the 0.2.6 signatures (real[][]) are gone.
    """

    def __init__(
        self,
        node_table: str | _Expr,
        edge_table: str | _Expr,
        embedding_col: str | _Expr,
        hops: int | _Expr,
        layer_type: str | _Expr,
    ) -> None: ...

class ruvector_graphsage_forward(RuVectorFunction[Any]):
    """ruvector_graphsage_forward(embeddings_json jsonb, src integer[], dst integer[], out_dim
        integer, num_samples integer) RETURNS jsonb

    Immutable, gnn family.

    Takes and returns JSON; the 0.2.6 signatures (real[][]) are gone.
    """

    def __init__(
        self,
        embeddings_json: _Json | _Expr,
        src: _Ints | _Expr,
        dst: _Ints | _Expr,
        out_dim: int | _Expr,
        num_samples: int | _Expr,
    ) -> None: ...

class ruvector_gnn_batch_forward(RuVectorFunction[Any]):
    """ruvector_gnn_batch_forward(embeddings_batch_json jsonb, edge_indices_batch integer[],
        graph_sizes integer[], layer_type text, out_dim integer) RETURNS jsonb

    Immutable, gnn family.

    Takes and returns JSON; the 0.2.6 signatures (real[][]) are gone.
    """

    def __init__(
        self,
        embeddings_batch_json: _Json | _Expr,
        edge_indices_batch: _Ints | _Expr,
        graph_sizes: _Ints | _Expr,
        layer_type: str | _Expr,
        out_dim: int | _Expr,
    ) -> None: ...

class ruvector_register_agent(RuVectorFunction[bool]):
    """ruvector_register_agent(name text, agent_type text, capabilities text[],
        cost_per_request real, avg_latency_ms real, quality_score real) RETURNS boolean

    Volatile, routing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(
        self,
        name: str | _Expr,
        agent_type: str | _Expr,
        capabilities: Sequence[str] | _Expr,
        cost_per_request: float | _Expr,
        avg_latency_ms: float | _Expr,
        quality_score: float | _Expr,
    ) -> None: ...

class ruvector_register_agent_full(RuVectorFunction[bool]):
    """ruvector_register_agent_full(config jsonb) RETURNS boolean

    Volatile, routing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, config: _Json | _Expr) -> None: ...

class ruvector_update_agent_metrics(RuVectorFunction[bool]):
    """ruvector_update_agent_metrics(name text, latency_ms real, success boolean, quality real
        DEFAULT NULL) RETURNS boolean

    Volatile, routing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(
        self,
        name: str | _Expr,
        latency_ms: float | _Expr,
        success: bool | _Expr,
        quality: float | _Expr | None = ...,
    ) -> None: ...

class ruvector_remove_agent(RuVectorFunction[bool]):
    """ruvector_remove_agent(name text) RETURNS boolean

    Volatile, routing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, name: str | _Expr) -> None: ...

class ruvector_set_agent_active(RuVectorFunction[bool]):
    """ruvector_set_agent_active(name text, is_active boolean) RETURNS boolean

    Volatile, routing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, name: str | _Expr, is_active: bool | _Expr) -> None: ...

class ruvector_route(RuVectorFunction[Any]):
    """ruvector_route(embedding real[], optimize_for text DEFAULT 'balanced', constraints jsonb
        DEFAULT NULL) RETURNS jsonb

    Volatile, routing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self,
        embedding: _Vector | _Expr,
        optimize_for: str | _Expr = ...,
        constraints: _Json | _Expr | None = ...,
    ) -> None: ...

class ruvector_list_agents(RuVectorFunction[Any]):
    """ruvector_list_agents() RETURNS TABLE(name text, agent_type text, capabilities text[],
        cost_per_request real, avg_latency_ms real, quality_score real, success_rate real,
        total_requests bigint, is_active boolean)

    Volatile, routing family.

    Returns TABLE(...) in 2.0.5 (SETOF jsonb in 0.2.6).

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Set-returning: use .table() (typed columns) or .table_valued().
    """

    def __init__(self) -> None: ...

class ruvector_get_agent(RuVectorFunction[Any]):
    """ruvector_get_agent(name text) RETURNS jsonb

    Volatile, routing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, name: str | _Expr) -> None: ...

class ruvector_find_agents_by_capability(RuVectorFunction[Any]):
    """ruvector_find_agents_by_capability(capability text, max_results int DEFAULT 10) RETURNS
        TABLE(name text, quality_score real, avg_latency_ms real, cost_per_request real)

    Volatile, routing family.

    Returns TABLE(...) in 2.0.5 (SETOF jsonb in 0.2.6).

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Set-returning: use .table() (typed columns) or .table_valued().
    """

    def __init__(self, capability: str | _Expr, max_results: int | _Expr = ...) -> None: ...

class ruvector_routing_stats(RuVectorFunction[Any]):
    """ruvector_routing_stats() RETURNS jsonb

    Volatile, routing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_clear_agents(RuVectorFunction[bool]):
    """ruvector_clear_agents() RETURNS boolean

    Volatile, routing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_enable_learning(RuVectorFunction[str]):
    """ruvector_enable_learning(table_name text, config jsonb DEFAULT NULL) RETURNS text

    Volatile, learning family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, table_name: str | _Expr, config: _Json | _Expr | None = ...) -> None: ...

class ruvector_record_feedback(RuVectorFunction[str]):
    """ruvector_record_feedback(table_name text, query_vector real[], relevant_ids bigint[],
        irrelevant_ids bigint[]) RETURNS text

    Volatile, learning family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self,
        table_name: str | _Expr,
        query_vector: _Vector | _Expr,
        relevant_ids: _Ints | _Expr,
        irrelevant_ids: _Ints | _Expr,
    ) -> None: ...

class ruvector_learning_stats(RuVectorFunction[Any]):
    """ruvector_learning_stats(table_name text) RETURNS jsonb

    Volatile, learning family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, table_name: str | _Expr) -> None: ...

class ruvector_auto_tune(RuVectorFunction[Any]):
    """ruvector_auto_tune(table_name text, optimize_for text DEFAULT 'balanced', sample_queries
        real[][] DEFAULT NULL) RETURNS jsonb

    Volatile, learning family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self,
        table_name: str | _Expr,
        optimize_for: str | _Expr = ...,
        sample_queries: _Matrix | _Expr | None = ...,
    ) -> None: ...

class ruvector_extract_patterns(RuVectorFunction[str]):
    """ruvector_extract_patterns(table_name text, num_clusters int DEFAULT 10) RETURNS text

    Volatile, learning family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, table_name: str | _Expr, num_clusters: int | _Expr = ...) -> None: ...

class ruvector_get_search_params(RuVectorFunction[Any]):
    """ruvector_get_search_params(table_name text, query_vector real[]) RETURNS jsonb

    Volatile, learning family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(self, table_name: str | _Expr, query_vector: _Vector | _Expr) -> None: ...

class ruvector_clear_learning(RuVectorFunction[str]):
    """ruvector_clear_learning(table_name text) RETURNS text

    Volatile, learning family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, table_name: str | _Expr) -> None: ...

class ruvector_create_graph(RuVectorFunction[bool]):
    """ruvector_create_graph(name text) RETURNS boolean

    Volatile, graph family.

    On first use creates ordinary tables _ruvector_graphs, _ruvector_nodes and
    _ruvector_edges in the current schema (Alembic autogenerate sees them).
    """

    def __init__(self, name: str | _Expr) -> None: ...

class ruvector_cypher(RuVectorFunction[Any]):
    """ruvector_cypher(graph_name text, query text, params jsonb DEFAULT NULL) RETURNS SETOF
        jsonb

    Volatile, graph family.

    On first use creates ordinary tables _ruvector_graphs, _ruvector_nodes and
    _ruvector_edges in the current schema (Alembic autogenerate sees them).

    Set-returning: use .column_valued() or .table_valued().
    """

    def __init__(
        self, graph_name: str | _Expr, query: str | _Expr, params: _Json | _Expr | None = ...
    ) -> None: ...

class ruvector_add_node(RuVectorFunction[int]):
    """ruvector_add_node(graph_name text, labels text[], properties jsonb) RETURNS bigint

    Volatile, graph family.

    On first use creates ordinary tables _ruvector_graphs, _ruvector_nodes and
    _ruvector_edges in the current schema (Alembic autogenerate sees them).
    """

    def __init__(
        self, graph_name: str | _Expr, labels: Sequence[str] | _Expr, properties: _Json | _Expr
    ) -> None: ...

class ruvector_add_edge(RuVectorFunction[int]):
    """ruvector_add_edge(graph_name text, source_id bigint, target_id bigint, edge_type text,
        properties jsonb) RETURNS bigint

    Volatile, graph family.

    On first use creates ordinary tables _ruvector_graphs, _ruvector_nodes and
    _ruvector_edges in the current schema (Alembic autogenerate sees them).
    """

    def __init__(
        self,
        graph_name: str | _Expr,
        source_id: int | _Expr,
        target_id: int | _Expr,
        edge_type: str | _Expr,
        properties: _Json | _Expr,
    ) -> None: ...

class ruvector_shortest_path(RuVectorFunction[Any]):
    """ruvector_shortest_path(graph_name text, start_id bigint, end_id bigint, max_hops int
        DEFAULT 10) RETURNS jsonb

    Volatile, graph family.

    On first use creates ordinary tables _ruvector_graphs, _ruvector_nodes and
    _ruvector_edges in the current schema (Alembic autogenerate sees them).
    """

    def __init__(
        self,
        graph_name: str | _Expr,
        start_id: int | _Expr,
        end_id: int | _Expr,
        max_hops: int | _Expr = ...,
    ) -> None: ...

class ruvector_graph_stats(RuVectorFunction[Any]):
    """ruvector_graph_stats(graph_name text) RETURNS jsonb

    Volatile, graph family.

    On first use creates ordinary tables _ruvector_graphs, _ruvector_nodes and
    _ruvector_edges in the current schema (Alembic autogenerate sees them).
    """

    def __init__(self, graph_name: str | _Expr) -> None: ...

class ruvector_list_graphs(RuVectorFunction[list[str]]):
    """ruvector_list_graphs() RETURNS text[]

    Volatile, graph family.

    On first use creates ordinary tables _ruvector_graphs, _ruvector_nodes and
    _ruvector_edges in the current schema (Alembic autogenerate sees them).
    """

    def __init__(self) -> None: ...

class ruvector_delete_graph(RuVectorFunction[bool]):
    """ruvector_delete_graph(graph_name text) RETURNS boolean

    Volatile, graph family.

    On first use creates ordinary tables _ruvector_graphs, _ruvector_nodes and
    _ruvector_edges in the current schema (Alembic autogenerate sees them).
    """

    def __init__(self, graph_name: str | _Expr) -> None: ...

class ruvector_create_rdf_store(RuVectorFunction[bool]):
    """ruvector_create_rdf_store(name text) RETURNS boolean

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(self, name: str | _Expr) -> None: ...

class ruvector_sparql(RuVectorFunction[str]):
    """ruvector_sparql(store_name text, query text, format text) RETURNS text

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(
        self, store_name: str | _Expr, query: str | _Expr, format: str | _Expr
    ) -> None: ...

class ruvector_sparql_json(RuVectorFunction[Any]):
    """ruvector_sparql_json(store_name text, query text) RETURNS jsonb

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(self, store_name: str | _Expr, query: str | _Expr) -> None: ...

class ruvector_insert_triple(RuVectorFunction[int]):
    """ruvector_insert_triple(store_name text, subject text, predicate text, object text)
        RETURNS bigint

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(
        self,
        store_name: str | _Expr,
        subject: str | _Expr,
        predicate: str | _Expr,
        object: str | _Expr,
    ) -> None: ...

class ruvector_insert_triple_graph(RuVectorFunction[int]):
    """ruvector_insert_triple_graph(store_name text, subject text, predicate text, object text,
        graph text) RETURNS bigint

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(
        self,
        store_name: str | _Expr,
        subject: str | _Expr,
        predicate: str | _Expr,
        object: str | _Expr,
        graph: str | _Expr,
    ) -> None: ...

class ruvector_load_ntriples(RuVectorFunction[int]):
    """ruvector_load_ntriples(store_name text, ntriples text) RETURNS bigint

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(self, store_name: str | _Expr, ntriples: str | _Expr) -> None: ...

class ruvector_rdf_stats(RuVectorFunction[Any]):
    """ruvector_rdf_stats(store_name text) RETURNS jsonb

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(self, store_name: str | _Expr) -> None: ...

class ruvector_query_triples(RuVectorFunction[Any]):
    """ruvector_query_triples(store_name text, subject text DEFAULT NULL, predicate text
        DEFAULT NULL, object text DEFAULT NULL) RETURNS jsonb

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(
        self,
        store_name: str | _Expr,
        subject: str | _Expr | None = ...,
        predicate: str | _Expr | None = ...,
        object: str | _Expr | None = ...,
    ) -> None: ...

class ruvector_clear_rdf_store(RuVectorFunction[bool]):
    """ruvector_clear_rdf_store(store_name text) RETURNS boolean

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(self, store_name: str | _Expr) -> None: ...

class ruvector_delete_rdf_store(RuVectorFunction[bool]):
    """ruvector_delete_rdf_store(store_name text) RETURNS boolean

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(self, store_name: str | _Expr) -> None: ...

class ruvector_list_rdf_stores(RuVectorFunction[list[str]]):
    """ruvector_list_rdf_stores() RETURNS text[]

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(self) -> None: ...

class ruvector_sparql_update(RuVectorFunction[bool]):
    """ruvector_sparql_update(store_name text, query text) RETURNS boolean

    Volatile, sparql family.

    On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples in the
    current schema (Alembic autogenerate sees them).
    """

    def __init__(self, store_name: str | _Expr, query: str | _Expr) -> None: ...

class ruvector_health_status(RuVectorFunction[Any]):
    """ruvector_health_status() RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_is_healthy(RuVectorFunction[bool]):
    """ruvector_is_healthy() RETURNS boolean

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_system_metrics(RuVectorFunction[Any]):
    """ruvector_system_metrics() RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_healing_history(RuVectorFunction[Any]):
    """ruvector_healing_history(lim integer DEFAULT 20) RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, lim: int | _Expr = ...) -> None: ...

class ruvector_healing_history_since(RuVectorFunction[Any]):
    """ruvector_healing_history_since(since_timestamp bigint) RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, since_timestamp: int | _Expr) -> None: ...

class ruvector_healing_history_for_strategy(RuVectorFunction[Any]):
    """ruvector_healing_history_for_strategy(strategy_name text, lim integer DEFAULT 20)
        RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, strategy_name: str | _Expr, lim: int | _Expr = ...) -> None: ...

class ruvector_healing_trigger(RuVectorFunction[Any]):
    """ruvector_healing_trigger(problem_type text) RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, problem_type: str | _Expr) -> None: ...

class ruvector_healing_execute(RuVectorFunction[Any]):
    """ruvector_healing_execute(strategy_name text, problem_type text, dry_run boolean DEFAULT
        false) RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(
        self, strategy_name: str | _Expr, problem_type: str | _Expr, dry_run: bool | _Expr = ...
    ) -> None: ...

class ruvector_healing_configure(RuVectorFunction[Any]):
    """ruvector_healing_configure(config_json jsonb) RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, config_json: _Json | _Expr) -> None: ...

class ruvector_healing_get_config(RuVectorFunction[Any]):
    """ruvector_healing_get_config() RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_healing_enable(RuVectorFunction[bool]):
    """ruvector_healing_enable(enabled boolean) RETURNS boolean

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, enabled: bool | _Expr) -> None: ...

class ruvector_healing_strategies(RuVectorFunction[Any]):
    """ruvector_healing_strategies() RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_healing_effectiveness(RuVectorFunction[Any]):
    """ruvector_healing_effectiveness() RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_healing_stats(RuVectorFunction[Any]):
    """ruvector_healing_stats() RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_healing_thresholds(RuVectorFunction[Any]):
    """ruvector_healing_thresholds() RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_healing_set_thresholds(RuVectorFunction[Any]):
    """ruvector_healing_set_thresholds(thresholds_json jsonb) RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, thresholds_json: _Json | _Expr) -> None: ...

class ruvector_healing_problem_types(RuVectorFunction[Any]):
    """ruvector_healing_problem_types() RETURNS jsonb

    Volatile, healing family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_tenant_create(RuVectorFunction[str]):
    """ruvector_tenant_create(tenant_id text, config jsonb DEFAULT NULL) RETURNS text

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr, config: _Json | _Expr | None = ...) -> None: ...

class ruvector_tenant_set(RuVectorFunction[str]):
    """ruvector_tenant_set(tenant_id text) RETURNS text

    Volatile, tenancy family.

    Sets nothing: it checks the tenant against this backend's registry and returns a
    message; run SET [LOCAL] ruvector.tenant_id yourself.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr) -> None: ...

class ruvector_tenant_stats(RuVectorFunction[Any]):
    """ruvector_tenant_stats(tenant_id text) RETURNS jsonb

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr) -> None: ...

class ruvector_tenant_quota_check(RuVectorFunction[Any]):
    """ruvector_tenant_quota_check(tenant_id text) RETURNS jsonb

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr) -> None: ...

class ruvector_tenant_suspend(RuVectorFunction[str]):
    """ruvector_tenant_suspend(tenant_id text) RETURNS text

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr) -> None: ...

class ruvector_tenant_resume(RuVectorFunction[str]):
    """ruvector_tenant_resume(tenant_id text) RETURNS text

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr) -> None: ...

class ruvector_tenant_delete(RuVectorFunction[str]):
    """ruvector_tenant_delete(tenant_id text, hard boolean DEFAULT false) RETURNS text

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr, hard: bool | _Expr = ...) -> None: ...

class ruvector_tenants(RuVectorFunction[Any]):
    """ruvector_tenants() RETURNS jsonb

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_enable_tenant_rls(RuVectorFunction[str]):
    """ruvector_enable_tenant_rls(table_name text, tenant_column text DEFAULT 'tenant_id')
        RETURNS text

    Volatile, tenancy family.

    Returns SQL text; it does not execute it.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, table_name: str | _Expr, tenant_column: str | _Expr = ...) -> None: ...

class ruvector_tenant_migrate(RuVectorFunction[Any]):
    """ruvector_tenant_migrate(tenant_id text, target_level text) RETURNS jsonb

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr, target_level: str | _Expr) -> None: ...

class ruvector_tenant_migration_status(RuVectorFunction[Any]):
    """ruvector_tenant_migration_status(tenant_id text) RETURNS jsonb

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr) -> None: ...

class ruvector_tenant_isolate(RuVectorFunction[Any]):
    """ruvector_tenant_isolate(tenant_id text) RETURNS jsonb

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr) -> None: ...

class ruvector_tenant_set_policy(RuVectorFunction[str]):
    """ruvector_tenant_set_policy(policy_config jsonb) RETURNS text

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, policy_config: _Json | _Expr) -> None: ...

class ruvector_tenant_update_quota(RuVectorFunction[str]):
    """ruvector_tenant_update_quota(tenant_id text, quota_config jsonb) RETURNS text

    Volatile, tenancy family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, tenant_id: str | _Expr, quota_config: _Json | _Expr) -> None: ...

class ruvector_generate_rls_sql(RuVectorFunction[str]):
    """ruvector_generate_rls_sql(table_name text, tenant_column text DEFAULT 'tenant_id')
        RETURNS text

    Volatile, tenancy family.

    Returns SQL text; it does not execute it.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, table_name: str | _Expr, tenant_column: str | _Expr = ...) -> None: ...

class ruvector_generate_tenant_column_sql(RuVectorFunction[str]):
    """ruvector_generate_tenant_column_sql(table_name text, column_name text DEFAULT
        'tenant_id', not_null boolean DEFAULT true, auto_default boolean DEFAULT true)
        RETURNS text

    Volatile, tenancy family.

    Returns SQL text; it does not execute it.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(
        self,
        table_name: str | _Expr,
        column_name: str | _Expr = ...,
        not_null: bool | _Expr = ...,
        auto_default: bool | _Expr = ...,
    ) -> None: ...

class ruvector_generate_roles_sql(RuVectorFunction[str]):
    """ruvector_generate_roles_sql() RETURNS text

    Volatile, tenancy family.

    Returns SQL text; it does not execute it.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_register_hybrid(RuVectorFunction[Any]):
    """ruvector_register_hybrid(collection text, vector_column text, fts_column text,
        text_column text) RETURNS jsonb

    Volatile, hybrid family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(
        self,
        collection: str | _Expr,
        vector_column: str | _Expr,
        fts_column: str | _Expr,
        text_column: str | _Expr,
    ) -> None: ...

class ruvector_hybrid_update_stats(RuVectorFunction[Any]):
    """ruvector_hybrid_update_stats(collection text) RETURNS jsonb

    Volatile, hybrid family.

    Computes nothing in 2.0.5; it reports 'would compute'.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, collection: str | _Expr) -> None: ...

class ruvector_hybrid_configure(RuVectorFunction[Any]):
    """ruvector_hybrid_configure(collection text, config jsonb) RETURNS jsonb

    Volatile, hybrid family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, collection: str | _Expr, config: _Json | _Expr) -> None: ...

class ruvector_hybrid_search(RuVectorFunction[Any]):
    """ruvector_hybrid_search(collection text, query_text text, query_vector real[], k integer,
        fusion text DEFAULT NULL, alpha real DEFAULT NULL) RETURNS jsonb

    Volatile, hybrid family.

    Returns synthetic demonstration results in 2.0.5 (ids 1..min(k, 10), made-up scores): it
    never reads the table.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.
    """

    def __init__(
        self,
        collection: str | _Expr,
        query_text: str | _Expr,
        query_vector: _Vector | _Expr,
        k: int | _Expr,
        fusion: str | _Expr | None = ...,
        alpha: float | _Expr | None = ...,
    ) -> None: ...

class ruvector_hybrid_stats(RuVectorFunction[Any]):
    """ruvector_hybrid_stats(collection text) RETURNS jsonb

    Volatile, hybrid family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self, collection: str | _Expr) -> None: ...

class ruvector_hybrid_score(RuVectorFunction[float]):
    """ruvector_hybrid_score(vector_distance real, keyword_score real, alpha real DEFAULT 0.5)
        RETURNS real

    Immutable, hybrid family.

    alpha * (1 - clamp(d / 2, 0, 1)) + (1 - alpha) * keyword_score.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(
        self,
        vector_distance: float | _Expr,
        keyword_score: float | _Expr,
        alpha: float | _Expr = ...,
    ) -> None: ...

class ruvector_hybrid_list(RuVectorFunction[Any]):
    """ruvector_hybrid_list() RETURNS jsonb

    Volatile, hybrid family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.
    """

    def __init__(self) -> None: ...

class ruvector_hnsw_debug(RuVectorFunction[Any]):
    """ruvector_hnsw_debug(index_name text) RETURNS jsonb

    Volatile, am_handler family.

    In the 2.0.5-era sources; its presence in the published build is unconfirmed.
    """

    def __init__(self, index_name: str | _Expr) -> None: ...

class ruvector_pagerank(RuVectorFunction[Any]):
    """ruvector_pagerank(edges_json jsonb, alpha real DEFAULT 0.85, epsilon real DEFAULT 1e-6)
        RETURNS jsonb

    Immutable, solver family.

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self, edges_json: _Json | _Expr, alpha: float | _Expr = ..., epsilon: float | _Expr = ...
    ) -> None: ...

class ruvector_pagerank_personalized(RuVectorFunction[Any]):
    """ruvector_pagerank_personalized(edges_json jsonb, source int, alpha real DEFAULT 0.85,
        epsilon real DEFAULT 1e-6) RETURNS jsonb

    Immutable, solver family.

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self,
        edges_json: _Json | _Expr,
        source: int | _Expr,
        alpha: float | _Expr = ...,
        epsilon: float | _Expr = ...,
    ) -> None: ...

class ruvector_pagerank_multi_seed(RuVectorFunction[Any]):
    """ruvector_pagerank_multi_seed(edges_json jsonb, seeds_json jsonb, alpha real DEFAULT
        0.85, epsilon real DEFAULT 1e-6) RETURNS jsonb

    Immutable, solver family.

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self,
        edges_json: _Json | _Expr,
        seeds_json: _Json | _Expr,
        alpha: float | _Expr = ...,
        epsilon: float | _Expr = ...,
    ) -> None: ...

class ruvector_solve_sparse(RuVectorFunction[Any]):
    """ruvector_solve_sparse(matrix_json jsonb, rhs real[], method text DEFAULT 'neumann')
        RETURNS jsonb

    Immutable, solver family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self, matrix_json: _Json | _Expr, rhs: _Vector | _Expr, method: str | _Expr = ...
    ) -> None: ...

class ruvector_solve_laplacian(RuVectorFunction[Any]):
    """ruvector_solve_laplacian(laplacian_json jsonb, rhs real[]) RETURNS jsonb

    Immutable, solver family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(self, laplacian_json: _Json | _Expr, rhs: _Vector | _Expr) -> None: ...

class ruvector_effective_resistance(RuVectorFunction[float]):
    """ruvector_effective_resistance(laplacian_json jsonb, source int, target int) RETURNS real

    Immutable, solver family.

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self, laplacian_json: _Json | _Expr, source: int | _Expr, target: int | _Expr
    ) -> None: ...

class ruvector_graph_pagerank(RuVectorFunction[Any]):
    """ruvector_graph_pagerank(graph_name text, alpha real DEFAULT 0.85, epsilon real DEFAULT
        1e-6) RETURNS TABLE(node_id bigint, rank double precision)

    Volatile, solver family.

    Set-returning: use .table() (typed columns) or .table_valued().

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self, graph_name: str | _Expr, alpha: float | _Expr = ..., epsilon: float | _Expr = ...
    ) -> None: ...

class ruvector_solver_info(RuVectorFunction[Any]):
    """ruvector_solver_info() RETURNS TABLE(algorithm text, description text, complexity text)

    Immutable, solver family.

    Set-returning: use .table() (typed columns) or .table_valued().

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(self) -> None: ...

class ruvector_matrix_analyze(RuVectorFunction[Any]):
    """ruvector_matrix_analyze(matrix_json jsonb) RETURNS jsonb

    Immutable, solver family.

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(self, matrix_json: _Json | _Expr) -> None: ...

class ruvector_conjugate_gradient(RuVectorFunction[Any]):
    """ruvector_conjugate_gradient(matrix_json jsonb, rhs real[], tol real DEFAULT 1e-6,
        max_iter int DEFAULT 1000) RETURNS jsonb

    Immutable, solver family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self,
        matrix_json: _Json | _Expr,
        rhs: _Vector | _Expr,
        tol: float | _Expr = ...,
        max_iter: int | _Expr = ...,
    ) -> None: ...

class ruvector_graph_centrality(RuVectorFunction[Any]):
    """ruvector_graph_centrality(graph_name text, method text DEFAULT 'pagerank') RETURNS
        TABLE(node_id bigint, centrality double precision)

    Volatile, solver family.

    Set-returning: use .table() (typed columns) or .table_valued().

    Optional: the solver family is installed only when ruvector was built with that feature.
    """

    def __init__(self, graph_name: str | _Expr, method: str | _Expr = ...) -> None: ...

class ruvector_wasserstein_distance(RuVectorFunction[float]):
    """ruvector_wasserstein_distance(a real[], b real[], p int DEFAULT 1) RETURNS real

    Immutable, math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr, p: int | _Expr = ...) -> None: ...

class ruvector_sinkhorn_distance(RuVectorFunction[Any]):
    """ruvector_sinkhorn_distance(cost_json jsonb, w_a real[], w_b real[], reg real DEFAULT
        0.1) RETURNS jsonb

    Immutable, math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self,
        cost_json: _Json | _Expr,
        w_a: _Vector | _Expr,
        w_b: _Vector | _Expr,
        reg: float | _Expr = ...,
    ) -> None: ...

class ruvector_sliced_wasserstein(RuVectorFunction[float]):
    """ruvector_sliced_wasserstein(pts_a_json jsonb, pts_b_json jsonb, n_proj int DEFAULT 100)
        RETURNS real

    Immutable, math family.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self, pts_a_json: _Json | _Expr, pts_b_json: _Json | _Expr, n_proj: int | _Expr = ...
    ) -> None: ...

class ruvector_kl_divergence(RuVectorFunction[float]):
    """ruvector_kl_divergence(p real[], q real[]) RETURNS real

    Immutable, math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(self, p: _Vector | _Expr, q: _Vector | _Expr) -> None: ...

class ruvector_jensen_shannon(RuVectorFunction[float]):
    """ruvector_jensen_shannon(p real[], q real[]) RETURNS real

    Immutable, math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(self, p: _Vector | _Expr, q: _Vector | _Expr) -> None: ...

class ruvector_fisher_information(RuVectorFunction[float]):
    """ruvector_fisher_information(dist real[], tangent real[]) RETURNS real

    Immutable, math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(self, dist: _Vector | _Expr, tangent: _Vector | _Expr) -> None: ...

class ruvector_spectral_cluster(RuVectorFunction[list[int]]):
    """ruvector_spectral_cluster(adj_json jsonb, k int) RETURNS int[]

    Immutable, math family.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(self, adj_json: _Json | _Expr, k: int | _Expr) -> None: ...

class ruvector_chebyshev_filter(RuVectorFunction[list[float]]):
    """ruvector_chebyshev_filter(adj_json jsonb, signal real[], filter_type text DEFAULT
        'low_pass', degree int DEFAULT 10) RETURNS real[]

    Immutable, math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self,
        adj_json: _Json | _Expr,
        signal: _Vector | _Expr,
        filter_type: str | _Expr = ...,
        degree: int | _Expr = ...,
    ) -> None: ...

class ruvector_graph_diffusion(RuVectorFunction[list[float]]):
    """ruvector_graph_diffusion(adj_json jsonb, signal real[], diffusion_time real DEFAULT 1.0,
        degree int DEFAULT 10) RETURNS real[]

    Immutable, math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self,
        adj_json: _Json | _Expr,
        signal: _Vector | _Expr,
        diffusion_time: float | _Expr = ...,
        degree: int | _Expr = ...,
    ) -> None: ...

class ruvector_product_manifold_distance(RuVectorFunction[float]):
    """ruvector_product_manifold_distance(a real[], b real[], e_dim int, h_dim int, s_dim int)
        RETURNS real

    Immutable, math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self,
        a: _Vector | _Expr,
        b: _Vector | _Expr,
        e_dim: int | _Expr,
        h_dim: int | _Expr,
        s_dim: int | _Expr,
    ) -> None: ...

class ruvector_spherical_distance(RuVectorFunction[float]):
    """ruvector_spherical_distance(a real[], b real[]) RETURNS real

    Immutable, math family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(self, a: _Vector | _Expr, b: _Vector | _Expr) -> None: ...

class ruvector_gromov_wasserstein(RuVectorFunction[Any]):
    """ruvector_gromov_wasserstein(dist_a_json jsonb, dist_b_json jsonb) RETURNS jsonb

    Immutable, math family.

    Optional: the math family is installed only when ruvector was built with that feature.
    """

    def __init__(self, dist_a_json: _Json | _Expr, dist_b_json: _Json | _Expr) -> None: ...

class ruvector_persistent_homology(RuVectorFunction[Any]):
    """ruvector_persistent_homology(points_json jsonb, max_dim int DEFAULT 1, max_radius real
        DEFAULT 3.0) RETURNS jsonb

    Immutable, tda family.

    Optional: the tda family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self,
        points_json: _Json | _Expr,
        max_dim: int | _Expr = ...,
        max_radius: float | _Expr = ...,
    ) -> None: ...

class ruvector_betti_numbers(RuVectorFunction[list[int]]):
    """ruvector_betti_numbers(points_json jsonb, radius real, max_dim int DEFAULT 2) RETURNS
        int[]

    Immutable, tda family.

    Optional: the tda family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self, points_json: _Json | _Expr, radius: float | _Expr, max_dim: int | _Expr = ...
    ) -> None: ...

class ruvector_bottleneck_distance(RuVectorFunction[float]):
    """ruvector_bottleneck_distance(diag_a_json jsonb, diag_b_json jsonb) RETURNS real

    Immutable, tda family.

    Optional: the tda family is installed only when ruvector was built with that feature.
    """

    def __init__(self, diag_a_json: _Json | _Expr, diag_b_json: _Json | _Expr) -> None: ...

class ruvector_persistence_wasserstein(RuVectorFunction[float]):
    """ruvector_persistence_wasserstein(diag_a_json jsonb, diag_b_json jsonb, p int DEFAULT 2)
        RETURNS real

    Immutable, tda family.

    Optional: the tda family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self, diag_a_json: _Json | _Expr, diag_b_json: _Json | _Expr, p: int | _Expr = ...
    ) -> None: ...

class ruvector_topological_summary(RuVectorFunction[Any]):
    """ruvector_topological_summary(points_json jsonb, max_dim int DEFAULT 1) RETURNS jsonb

    Immutable, tda family.

    Optional: the tda family is installed only when ruvector was built with that feature.
    """

    def __init__(self, points_json: _Json | _Expr, max_dim: int | _Expr = ...) -> None: ...

class ruvector_embedding_drift(RuVectorFunction[Any]):
    """ruvector_embedding_drift(old_json jsonb, new_json jsonb) RETURNS jsonb

    Immutable, tda family.

    Optional: the tda family is installed only when ruvector was built with that feature.
    """

    def __init__(self, old_json: _Json | _Expr, new_json: _Json | _Expr) -> None: ...

class ruvector_vietoris_rips(RuVectorFunction[Any]):
    """ruvector_vietoris_rips(points_json jsonb, max_radius real DEFAULT 2.0, max_dim int
        DEFAULT 2) RETURNS jsonb

    Immutable, tda family.

    Optional: the tda family is installed only when ruvector was built with that feature.
    """

    def __init__(
        self,
        points_json: _Json | _Expr,
        max_radius: float | _Expr = ...,
        max_dim: int | _Expr = ...,
    ) -> None: ...

class ruvector_linear_attention(RuVectorFunction[list[float]]):
    """ruvector_linear_attention(q real[], keys_json jsonb, values_json jsonb) RETURNS real[]

    Immutable, attention_extended family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the attention_extended family is installed only when ruvector was built with
    that feature.
    """

    def __init__(
        self, q: _Vector | _Expr, keys_json: _Json | _Expr, values_json: _Json | _Expr
    ) -> None: ...

class ruvector_sliding_window_attention(RuVectorFunction[list[float]]):
    """ruvector_sliding_window_attention(q real[], keys_json jsonb, values_json jsonb,
        window_size int DEFAULT 256) RETURNS real[]

    Immutable, attention_extended family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the attention_extended family is installed only when ruvector was built with
    that feature.
    """

    def __init__(
        self,
        q: _Vector | _Expr,
        keys_json: _Json | _Expr,
        values_json: _Json | _Expr,
        window_size: int | _Expr = ...,
    ) -> None: ...

class ruvector_cross_attention(RuVectorFunction[list[float]]):
    """ruvector_cross_attention(q real[], ctx_keys_json jsonb, ctx_values_json jsonb) RETURNS
        real[]

    Immutable, attention_extended family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the attention_extended family is installed only when ruvector was built with
    that feature.
    """

    def __init__(
        self, q: _Vector | _Expr, ctx_keys_json: _Json | _Expr, ctx_values_json: _Json | _Expr
    ) -> None: ...

class ruvector_sparse_attention(RuVectorFunction[list[float]]):
    """ruvector_sparse_attention(q real[], keys_json jsonb, values_json jsonb, top_k int
        DEFAULT 8) RETURNS real[]

    Immutable, attention_extended family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the attention_extended family is installed only when ruvector was built with
    that feature.
    """

    def __init__(
        self,
        q: _Vector | _Expr,
        keys_json: _Json | _Expr,
        values_json: _Json | _Expr,
        top_k: int | _Expr = ...,
    ) -> None: ...

class ruvector_moe_attention(RuVectorFunction[list[float]]):
    """ruvector_moe_attention(q real[], keys_json jsonb, values_json jsonb, n_experts int
        DEFAULT 4, top_k int DEFAULT 2) RETURNS real[]

    Immutable, attention_extended family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the attention_extended family is installed only when ruvector was built with
    that feature.
    """

    def __init__(
        self,
        q: _Vector | _Expr,
        keys_json: _Json | _Expr,
        values_json: _Json | _Expr,
        n_experts: int | _Expr = ...,
        top_k: int | _Expr = ...,
    ) -> None: ...

class ruvector_hyperbolic_attention(RuVectorFunction[list[float]]):
    """ruvector_hyperbolic_attention(q real[], keys_json jsonb, values_json jsonb, curvature
        real DEFAULT 1.0) RETURNS real[]

    Immutable, attention_extended family.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the attention_extended family is installed only when ruvector was built with
    that feature.
    """

    def __init__(
        self,
        q: _Vector | _Expr,
        keys_json: _Json | _Expr,
        values_json: _Json | _Expr,
        curvature: float | _Expr = ...,
    ) -> None: ...

class ruvector_attention_benchmark(RuVectorFunction[Any]):
    """ruvector_attention_benchmark(dim int DEFAULT 64, seq_len int DEFAULT 128, attention_type
        text DEFAULT 'scaled_dot') RETURNS jsonb

    Immutable, attention_extended family.

    Optional: the attention_extended family is installed only when ruvector was built with
    that feature.
    """

    def __init__(
        self, dim: int | _Expr = ..., seq_len: int | _Expr = ..., attention_type: str | _Expr = ...
    ) -> None: ...

class ruvector_sona_learn(RuVectorFunction[Any]):
    """ruvector_sona_learn(table_name text, trajectory_json jsonb) RETURNS jsonb

    Immutable, sona family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Optional: the sona family is installed only when ruvector was built with that feature.
    """

    def __init__(self, table_name: str | _Expr, trajectory_json: _Json | _Expr) -> None: ...

class ruvector_sona_apply(RuVectorFunction[list[float]]):
    """ruvector_sona_apply(table_name text, embedding real[]) RETURNS real[]

    Immutable, sona family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Works on real[], not ruvector: the server casts neither way; array arguments are
    validated as float32 (NaN/Inf refused) before any SQL is sent.

    Optional: the sona family is installed only when ruvector was built with that feature.
    """

    def __init__(self, table_name: str | _Expr, embedding: _Vector | _Expr) -> None: ...

class ruvector_sona_ewc_status(RuVectorFunction[Any]):
    """ruvector_sona_ewc_status(table_name text) RETURNS jsonb

    Volatile, sona family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Optional: the sona family is installed only when ruvector was built with that feature.
    """

    def __init__(self, table_name: str | _Expr) -> None: ...

class ruvector_sona_stats(RuVectorFunction[Any]):
    """ruvector_sona_stats(table_name text) RETURNS jsonb

    Volatile, sona family.

    State lives in per-backend memory: it vanishes on reconnect and differs across pooled
    connections.

    Optional: the sona family is installed only when ruvector was built with that feature.
    """

    def __init__(self, table_name: str | _Expr) -> None: ...

class ruvector_domain_transfer(RuVectorFunction[Any]):
    """ruvector_domain_transfer(embeddings_json jsonb, target_domain text, config_json jsonb
        DEFAULT '{}'::jsonb) RETURNS jsonb

    Volatile, domain_expansion family.

    Optional: the domain_expansion family is installed only when ruvector was built with
    that feature.
    """

    def __init__(
        self,
        embeddings_json: _Json | _Expr,
        target_domain: str | _Expr,
        config_json: _Json | _Expr = ...,
    ) -> None: ...

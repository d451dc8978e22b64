-- ruvector compatibility layer (sqlalchemy-ruvector).
--
-- Builds ruvector-postgres's client-visible SQL surface on pgvector's C functions
-- ($libdir/vector), so that CREATE EXTENSION ruvector works on a server that only
-- has pgvector. It serves development, demos and CI; it is not the real extension.
--
-- Two profiles, chosen by the setting ruvector_compat.profile when the extension is
-- created (server default written by sqlalchemy_ruvector.server; SET it per session
-- or ALTER DATABASE ... SET it to choose per database):
--   documented       the surface ruvector's README/API/MIGRATION docs describe:
--                    AM ruhnsw, <#> = -dot (pgvector's sign), <+>, casts with vector,
--                    typmod enforced. Coexists with CREATE EXTENSION vector.
--   published-2.0.5  the quirks of the published 2.0.5 build that SQL can express:
--                    AM named hnsw (so: no pgvector in that database), <#> = +dot,
--                    no <+>, no casts (text only), typmod not enforced on typed values.
-- Quirks of 2.0.5 that need C and are NOT emulated (see README): the binary send/recv
-- layout without the pad field, distances returned as real (float8 here), '[]' as a
-- 0-dim vector, reloptions with unknown keys, output without exponent notation.

\echo Use "CREATE EXTENSION ruvector" to load this file. \quit

-- The profile is fixed at creation time and kept in a function, so every later
-- statement of this script, and clients, can read it.
DO $profile$
DECLARE
    chosen text := coalesce(nullif(current_setting('ruvector_compat.profile', true), ''), 'documented');
    pgvector_version text;
BEGIN
    IF chosen NOT IN ('documented', 'published-2.0.5') THEN
        RAISE EXCEPTION 'ruvector compatibility layer: unknown profile "%"', chosen
            USING HINT = 'ruvector_compat.profile must be documented or published-2.0.5';
    END IF;
    SELECT default_version INTO pgvector_version FROM pg_available_extensions WHERE name = 'vector';
    IF pgvector_version IS NULL THEN
        RAISE EXCEPTION 'ruvector compatibility layer needs pgvector''s library on this server';
    END IF;
    EXECUTE format(
        'CREATE FUNCTION ruvector_compat_profile() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
        format('SELECT %L::text', chosen));
    EXECUTE format(
        'CREATE FUNCTION ruvector_version() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
        format('SELECT %L::text',
               format('2.0.5-compat (ruvector compatibility layer, profile %s, on pgvector %s)',
                      chosen, pgvector_version)));
END
$profile$;

COMMENT ON FUNCTION ruvector_compat_profile() IS 'profile of the ruvector compatibility layer';

CREATE FUNCTION ruvector_simd_info() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 'compat: distance kernels are pgvector''s (SIMD as compiled into $libdir/vector)'::text $$;

-- ruvector type: same datum layout as pgvector's vector, so pgvector's I/O applies.

CREATE TYPE ruvector;

CREATE FUNCTION ruvector_in(cstring, oid, integer) RETURNS ruvector
    AS 'MODULE_PATHNAME', 'vector_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_out(ruvector) RETURNS cstring
    AS 'MODULE_PATHNAME', 'vector_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_typmod_in(cstring[]) RETURNS integer
    AS 'MODULE_PATHNAME', 'vector_typmod_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_recv(internal, oid, integer) RETURNS ruvector
    AS 'MODULE_PATHNAME', 'vector_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_send(ruvector) RETURNS bytea
    AS 'MODULE_PATHNAME', 'vector_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- STORAGE external as pgvector: its index code reads index tuples uncompressed.
CREATE TYPE ruvector (
    INPUT     = ruvector_in,
    OUTPUT    = ruvector_out,
    TYPMOD_IN = ruvector_typmod_in,
    RECEIVE   = ruvector_recv,
    SEND      = ruvector_send,
    STORAGE   = external
);

-- Core functions (ruvector's names; pgvector's kernels).

CREATE FUNCTION ruvector_l2_distance(a ruvector, b ruvector) RETURNS float8
    AS 'MODULE_PATHNAME', 'l2_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_cosine_distance(a ruvector, b ruvector) RETURNS float8
    AS 'MODULE_PATHNAME', 'cosine_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- +dot, as ruvector_inner_product in every ruvector version.
CREATE FUNCTION ruvector_inner_product(a ruvector, b ruvector) RETURNS float8
    AS 'MODULE_PATHNAME', 'inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_l1_distance(a ruvector, b ruvector) RETURNS float8
    AS 'MODULE_PATHNAME', 'l1_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_dims(v ruvector) RETURNS integer
    AS 'MODULE_PATHNAME', 'vector_dims' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_norm(v ruvector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vector_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_normalize(v ruvector) RETURNS ruvector
    AS 'MODULE_PATHNAME', 'l2_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_add(a ruvector, b ruvector) RETURNS ruvector
    AS 'MODULE_PATHNAME', 'vector_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_sub(a ruvector, b ruvector) RETURNS ruvector
    AS 'MODULE_PATHNAME', 'vector_sub' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Index support functions (pgvector's AMs call them through the opclasses).
CREATE FUNCTION ruvector_l2_squared_distance(ruvector, ruvector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vector_l2_squared_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_negative_inner_product(ruvector, ruvector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vector_negative_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ruvector_compat_spherical_distance(ruvector, ruvector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vector_spherical_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Operators common to both profiles.

CREATE OPERATOR <-> (
    LEFTARG = ruvector, RIGHTARG = ruvector, PROCEDURE = ruvector_l2_distance,
    COMMUTATOR = '<->'
);
CREATE OPERATOR <=> (
    LEFTARG = ruvector, RIGHTARG = ruvector, PROCEDURE = ruvector_cosine_distance,
    COMMUTATOR = '<=>'
);
CREATE OPERATOR + (
    LEFTARG = ruvector, RIGHTARG = ruvector, PROCEDURE = ruvector_add, COMMUTATOR = +
);
CREATE OPERATOR - (
    LEFTARG = ruvector, RIGHTARG = ruvector, PROCEDURE = ruvector_sub
);

-- Access-method handlers: pgvector's HNSW and IVFFlat, under ruvector's handler names
-- (clients find the HNSW method through pg_am.amhandler = 'hnsw_handler'::regproc).

CREATE FUNCTION hnsw_handler(internal) RETURNS index_am_handler
    AS 'MODULE_PATHNAME', 'hnswhandler' LANGUAGE C;
CREATE FUNCTION ruivfflat_handler(internal) RETURNS index_am_handler
    AS 'MODULE_PATHNAME', 'ivfflathandler' LANGUAGE C;

CREATE ACCESS METHOD ruivfflat TYPE INDEX HANDLER ruivfflat_handler;
COMMENT ON ACCESS METHOD ruivfflat IS 'ruvector IVFFlat (compat: pgvector ivfflat underneath)';

-- Profile-specific operators, casts and the HNSW access-method name.

DO $by_profile$
DECLARE
    documented boolean := ruvector_compat_profile() = 'documented';
    hnsw_am text := CASE WHEN ruvector_compat_profile() = 'documented' THEN 'ruhnsw' ELSE 'hnsw' END;
BEGIN
    IF documented THEN
        -- pgvector's sign: ascending order = most similar first.
        CREATE OPERATOR <#> (
            LEFTARG = ruvector, RIGHTARG = ruvector, PROCEDURE = ruvector_negative_inner_product,
            COMMUTATOR = '<#>'
        );
        CREATE OPERATOR <+> (
            LEFTARG = ruvector, RIGHTARG = ruvector, PROCEDURE = ruvector_l1_distance,
            COMMUTATOR = '<+>'
        );
        -- Length coercion, so ruvector(n) columns reject other dimensions for typed values too.
        CREATE FUNCTION ruvector(ruvector, integer, boolean) RETURNS ruvector
            AS '$libdir/vector', 'vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
        CREATE CAST (ruvector AS ruvector)
            WITH FUNCTION ruvector(ruvector, integer, boolean) AS IMPLICIT;
        -- Assignment casts with pgvector's vector, when pgvector is installed first.
        -- The datum layouts are identical, so the casts need no function.
        IF to_regtype('vector') IS NOT NULL
           AND EXISTS (SELECT FROM pg_extension WHERE extname = 'vector') THEN
            CREATE CAST (vector AS ruvector) WITHOUT FUNCTION AS ASSIGNMENT;
            CREATE CAST (ruvector AS vector) WITHOUT FUNCTION AS ASSIGNMENT;
        END IF;
    ELSE
        -- Published 2.0.5: <#> is +dot, while its HNSW index ranks by -dot.
        CREATE OPERATOR <#> (
            LEFTARG = ruvector, RIGHTARG = ruvector, PROCEDURE = ruvector_inner_product,
            COMMUTATOR = '<#>'
        );
        IF EXISTS (SELECT FROM pg_am WHERE amname = 'hnsw') THEN
            RAISE EXCEPTION 'ruvector compatibility layer (published-2.0.5): access method "hnsw" already exists'
                USING HINT = 'The published build names its HNSW method hnsw, like pgvector: '
                             'use a database without pgvector.';
        END IF;
    END IF;

    EXECUTE format('CREATE ACCESS METHOD %I TYPE INDEX HANDLER hnsw_handler', hnsw_am);
    EXECUTE format('COMMENT ON ACCESS METHOD %I IS %L', hnsw_am,
                   'ruvector HNSW (compat: pgvector hnsw underneath)');

    -- Opclass names as ruvector's; support functions as pgvector's AMs need them.
    EXECUTE format($sql$
        CREATE OPERATOR CLASS ruvector_l2_ops DEFAULT FOR TYPE ruvector USING %I AS
            OPERATOR 1 <-> (ruvector, ruvector) FOR ORDER BY float_ops,
            FUNCTION 1 ruvector_l2_squared_distance(ruvector, ruvector)$sql$, hnsw_am);
    EXECUTE format($sql$
        CREATE OPERATOR CLASS ruvector_ip_ops FOR TYPE ruvector USING %I AS
            OPERATOR 1 <#> (ruvector, ruvector) FOR ORDER BY float_ops,
            FUNCTION 1 ruvector_negative_inner_product(ruvector, ruvector)$sql$, hnsw_am);
    EXECUTE format($sql$
        CREATE OPERATOR CLASS ruvector_cosine_ops FOR TYPE ruvector USING %I AS
            OPERATOR 1 <=> (ruvector, ruvector) FOR ORDER BY float_ops,
            FUNCTION 1 ruvector_negative_inner_product(ruvector, ruvector),
            FUNCTION 2 ruvector_norm(ruvector)$sql$, hnsw_am);
END
$by_profile$;

CREATE OPERATOR CLASS ruvector_l2_ops DEFAULT FOR TYPE ruvector USING ruivfflat AS
    OPERATOR 1 <-> (ruvector, ruvector) FOR ORDER BY float_ops,
    FUNCTION 1 ruvector_l2_squared_distance(ruvector, ruvector),
    FUNCTION 3 ruvector_l2_distance(ruvector, ruvector);
CREATE OPERATOR CLASS ruvector_ip_ops FOR TYPE ruvector USING ruivfflat AS
    OPERATOR 1 <#> (ruvector, ruvector) FOR ORDER BY float_ops,
    FUNCTION 1 ruvector_negative_inner_product(ruvector, ruvector),
    FUNCTION 3 ruvector_compat_spherical_distance(ruvector, ruvector),
    FUNCTION 4 ruvector_norm(ruvector);
CREATE OPERATOR CLASS ruvector_cosine_ops FOR TYPE ruvector USING ruivfflat AS
    OPERATOR 1 <=> (ruvector, ruvector) FOR ORDER BY float_ops,
    FUNCTION 1 ruvector_negative_inner_product(ruvector, ruvector),
    FUNCTION 2 ruvector_norm(ruvector),
    FUNCTION 3 ruvector_compat_spherical_distance(ruvector, ruvector),
    FUNCTION 4 ruvector_norm(ruvector);

-- Memory report in ruvector's shape, computed from this database's ruvector indexes.
CREATE FUNCTION ruvector_memory_stats() RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH idx AS (
        SELECT coalesce(sum(pg_relation_size(c.oid)), 0) / 1048576.0 AS mb
        FROM pg_class c JOIN pg_am a ON a.oid = c.relam
        WHERE c.relkind = 'i'
          AND a.amhandler IN ('@extschema@.hnsw_handler'::regproc, '@extschema@.ruivfflat_handler'::regproc)
    )
    SELECT jsonb_build_object(
        'index_memory_mb', round(mb, 3),
        'vector_cache_mb', 0,
        'quantization_tables_mb', 0,
        'total_extension_mb', round(mb, 3),
        'compat', true)
    FROM idx
$$;

-- Search settings ruvector documents. Settable as placeholders; in this layer (as in
-- the published 2.0.5) the server does not read them: pgvector's hnsw.ef_search and
-- ivfflat.probes are what take effect, and sqlalchemy_ruvector sets those too.

-- Aggregates. Both profiles have what the published 2.0.5 installs for real[]:
-- vector_sum(real[]) (element-wise sum) and vector_mul_scalar(real[], real).
CREATE FUNCTION ruvector_compat_array_add(a real[], b real[]) RETURNS real[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE
        (SELECT array_agg(x + y ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i))
    END
$$;
CREATE AGGREGATE vector_sum(real[]) (
    SFUNC = ruvector_compat_array_add,
    STYPE = real[],
    COMBINEFUNC = ruvector_compat_array_add,
    PARALLEL = SAFE
);
CREATE FUNCTION vector_mul_scalar(v real[], scalar real) RETURNS real[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array_agg(x * scalar ORDER BY i) FROM unnest(v) WITH ORDINALITY AS u(x, i)
$$;

-- 2.0.5's binary quantization of real[]: one bit per element (1 where > 0), element i
-- in bit i % 8 of byte i / 8, least significant bit first (ruvector's
-- quantization::binary::quantize).
CREATE FUNCTION binary_quantize_arr(v real[]) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(decode(string_agg(lpad(to_hex(byte), 2, '0'), '' ORDER BY k), 'hex'), '')
    FROM (
        SELECT k, sum(CASE WHEN v[k * 8 + j + 1] > 0 THEN 1 << j ELSE 0 END)::int AS byte
        FROM generate_series(0, (cardinality(v) + 7) / 8 - 1) AS k,
             generate_series(0, 7) AS j
        GROUP BY k
    ) AS bytes
$$;

-- Documented profile: avg(ruvector) and sum(ruvector) as pgvector has them for vector
-- (pgvector's kernels; same datum layout), and casts between ruvector and halfvec where
-- halfvec exists (pgvector installed first), as pgvector casts vector <-> halfvec.
DO $documented_extras$
BEGIN
    IF ruvector_compat_profile() <> 'documented' THEN
        RETURN;
    END IF;
    CREATE FUNCTION ruvector_compat_accum(double precision[], ruvector) RETURNS double precision[]
        AS '$libdir/vector', 'vector_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
    CREATE FUNCTION ruvector_compat_avg(double precision[]) RETURNS ruvector
        AS '$libdir/vector', 'vector_avg' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
    CREATE FUNCTION ruvector_compat_combine(double precision[], double precision[])
        RETURNS double precision[]
        AS '$libdir/vector', 'vector_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
    CREATE AGGREGATE avg(ruvector) (
        SFUNC = ruvector_compat_accum,
        STYPE = double precision[],
        FINALFUNC = ruvector_compat_avg,
        COMBINEFUNC = ruvector_compat_combine,
        INITCOND = '{0}',
        PARALLEL = SAFE
    );
    CREATE AGGREGATE sum(ruvector) (
        SFUNC = ruvector_add,
        STYPE = ruvector,
        COMBINEFUNC = ruvector_add,
        PARALLEL = SAFE
    );
    IF to_regtype('halfvec') IS NOT NULL THEN
        CREATE FUNCTION ruvector_to_halfvec(ruvector, integer, boolean) RETURNS halfvec
            AS '$libdir/vector', 'vector_to_halfvec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
        CREATE FUNCTION halfvec_to_ruvector(halfvec, integer, boolean) RETURNS ruvector
            AS '$libdir/vector', 'halfvec_to_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
        CREATE CAST (ruvector AS halfvec)
            WITH FUNCTION ruvector_to_halfvec(ruvector, integer, boolean) AS IMPLICIT;
        CREATE CAST (halfvec AS ruvector)
            WITH FUNCTION halfvec_to_ruvector(halfvec, integer, boolean) AS ASSIGNMENT;
    END IF;
END
$documented_extras$;

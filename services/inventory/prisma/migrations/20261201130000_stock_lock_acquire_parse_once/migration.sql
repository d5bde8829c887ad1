-- stock_lock_acquire, same contract and rules as migration 20261201100000 (read its header), with
-- less work per request inside the one statement that holds the hot row (issue 9):
--   * every request's lines are parsed from JSONB ONCE, into three parallel arrays (request, SKU,
--     quantity); the allocation loop and the writes read those arrays. Before, each request ran
--     three queries of its own inside the function (the unknown-SKU check, and two cursors over
--     its lines in the allocation), so a batch of n requests ran 3n extra queries while the SKU
--     rows were locked;
--   * unknown SKUs are found by one query over all lines; only a batch that has one looks further;
--   * claims are marked by index, not by a search of the claimed list per request.
-- Measured before and after in docs/benchmarks.md (issue 9, "stock_lock_acquire parsed once").
CREATE OR REPLACE FUNCTION "stock_lock_acquire"(p_order_sns VARCHAR[], p_expires_at TIMESTAMPTZ[], p_items JSONB[])
RETURNS TABLE ("order_sn" VARCHAR, "outcome" TEXT, "sku_ids" INTEGER[])
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  n INTEGER := cardinality(p_order_sns);
  v_outcome TEXT[] := array_fill(NULL::TEXT, ARRAY[n]);
  v_short JSONB[] := array_fill('[]'::JSONB, ARRAY[n]);
  -- Every line of every request, in request order then line order: its request, SKU and quantity.
  l_req INTEGER[];
  l_sku INTEGER[];
  l_qty INTEGER[];
  l_pos INTEGER[];
  -- Lines first .. last of request i (an empty range for a request without lines).
  v_first INTEGER[] := array_fill(1, ARRAY[n]);
  v_last INTEGER[] := array_fill(0, ARRAY[n]);
  v_unknown INTEGER[];
  v_ids INTEGER[];
  v_avail INTEGER[];
  v_claimed INTEGER[];
  v_bad INTEGER[];
  v_fits BOOLEAN;
  v_moved INTEGER;
  v_granted_skus INTEGER;
  i INTEGER;
  j INTEGER;
BEGIN
  IF n IS NULL OR n = 0 THEN
    RETURN;
  END IF;
  IF cardinality(p_expires_at) <> n OR cardinality(p_items) <> n THEN
    RAISE EXCEPTION 'stock_lock_acquire: arrays of different lengths';
  END IF;

  -- 0. Parse once.
  SELECT array_agg(k ORDER BY k, o), array_agg((e->>'skuId')::INTEGER ORDER BY k, o), array_agg((e->>'quantity')::INTEGER ORDER BY k, o)
    INTO l_req, l_sku, l_qty
    FROM generate_subscripts(p_items, 1) k, jsonb_array_elements(p_items[k]) WITH ORDINALITY AS x(e, o);
  l_req := COALESCE(l_req, '{}');
  l_sku := COALESCE(l_sku, '{}');
  l_qty := COALESCE(l_qty, '{}');
  l_pos := array_fill(0, ARRAY[cardinality(l_sku)]);
  FOR j IN 1..cardinality(l_req) LOOP
    i := l_req[j];
    IF v_last[i] = 0 THEN
      v_first[i] := j;
    END IF;
    v_last[i] := j;
  END LOOP;

  -- 1. Unknown SKUs (no lock taken: a SKU is never deleted). Such a request answers UNKNOWN with
  --    its unknown SKUs in id order, and claims nothing.
  SELECT array_agg(DISTINCT s) INTO v_unknown
    FROM unnest(l_sku) s
   WHERE NOT EXISTS (SELECT 1 FROM skus WHERE skus.id = s);
  IF v_unknown IS NOT NULL THEN
    FOR i IN 1..n LOOP
      SELECT array_agg(DISTINCT s ORDER BY s) INTO v_bad FROM unnest(l_sku[v_first[i]:v_last[i]]) s WHERE s = ANY(v_unknown);
      IF v_bad IS NOT NULL THEN
        v_outcome[i] := 'UNKNOWN';
        v_short[i] := to_jsonb(v_bad);
      END IF;
    END LOOP;
  END IF;

  -- 2. Claims, in orderSn order (two batches sharing orderSns take the keys in the same order).
  --    Of two copies in this batch, the first in arrival order claims; the other is a DUPLICATE.
  WITH wanted AS (
    SELECT DISTINCT ON (p_order_sns[k]) p_order_sns[k] AS sn, k, p_items[k] AS items
      FROM generate_subscripts(p_order_sns, 1) k
     WHERE v_outcome[k] IS NULL
     ORDER BY p_order_sns[k], k
  ), claimed AS (
    INSERT INTO stock_lock_requests (order_sn, outcome, items)
    SELECT w.sn, 'LOCKED', w.items FROM wanted w ORDER BY w.sn
    ON CONFLICT (order_sn) DO NOTHING
    RETURNING stock_lock_requests.order_sn
  )
  SELECT array_agg(w.k) INTO v_claimed FROM wanted w JOIN claimed c ON c.order_sn = w.sn;
  FOR i IN 1..n LOOP
    IF v_outcome[i] IS NULL THEN
      v_outcome[i] := 'DUPLICATE';
    END IF;
  END LOOP;
  IF v_claimed IS NOT NULL THEN
    FOREACH i IN ARRAY v_claimed LOOP
      v_outcome[i] := 'CLAIMED';
    END LOOP;
  END IF;

  -- 3. The SKU rows of the claimed requests, locked in id order, read once.
  SELECT array_agg(s.id ORDER BY s.id), array_agg(s.stock - s.locked_stock ORDER BY s.id) INTO v_ids, v_avail
    FROM (SELECT id, stock, locked_stock FROM skus
           WHERE id IN (SELECT l_sku[x] FROM generate_subscripts(l_sku, 1) x WHERE v_outcome[l_req[x]] = 'CLAIMED')
           ORDER BY id FOR UPDATE) s;
  v_ids := COALESCE(v_ids, '{}');
  v_avail := COALESCE(v_avail, '{}');

  -- 4. Allocation in arrival order, each request all or nothing (no query: arrays only).
  FOR i IN 1..n LOOP
    CONTINUE WHEN v_outcome[i] <> 'CLAIMED';
    v_fits := TRUE;
    v_bad := '{}';
    FOR j IN v_first[i]..v_last[i] LOOP
      l_pos[j] := array_position(v_ids, l_sku[j]);
      IF v_avail[l_pos[j]] < l_qty[j] THEN
        v_fits := FALSE;
        v_bad := v_bad || l_sku[j];
      END IF;
    END LOOP;
    IF v_fits THEN
      FOR j IN v_first[i]..v_last[i] LOOP
        v_avail[l_pos[j]] := v_avail[l_pos[j]] - l_qty[j];
      END LOOP;
      v_outcome[i] := 'LOCKED';
    ELSE
      v_outcome[i] := 'REJECTED';
      v_short[i] := to_jsonb(v_bad);
    END IF;
  END LOOP;

  -- 5. The writes: counters (still conditional), lock rows, rejections.
  WITH granted AS (
    SELECT l_sku[x] AS sku_id, sum(l_qty[x])::INTEGER AS quantity
      FROM generate_subscripts(l_sku, 1) x
     WHERE v_outcome[l_req[x]] = 'LOCKED'
     GROUP BY 1
  )
  UPDATE skus s
     SET locked_stock = s.locked_stock + g.quantity, updated_at = now()
    FROM granted g
   WHERE s.id = g.sku_id AND s.stock - s.locked_stock >= g.quantity;
  GET DIAGNOSTICS v_moved = ROW_COUNT;
  SELECT count(DISTINCT l_sku[x]) INTO v_granted_skus FROM generate_subscripts(l_sku, 1) x WHERE v_outcome[l_req[x]] = 'LOCKED';
  IF v_moved <> v_granted_skus THEN
    RAISE EXCEPTION 'stock_lock_acquire: a counter did not move as allocated';
  END IF;

  INSERT INTO stock_locks (order_sn, sku_id, quantity, status, expires_at, updated_at)
  SELECT p_order_sns[l_req[x]], l_sku[x], l_qty[x], 'LOCKED', p_expires_at[l_req[x]], now()
    FROM generate_subscripts(l_sku, 1) x
   WHERE v_outcome[l_req[x]] = 'LOCKED';

  UPDATE stock_lock_requests r
     SET outcome = 'REJECTED', short_sku_ids = v_short[k]
    FROM generate_subscripts(p_order_sns, 1) k
   WHERE v_outcome[k] = 'REJECTED' AND r.order_sn = p_order_sns[k];

  RETURN QUERY
  SELECT p_order_sns[k], v_outcome[k],
         ARRAY(SELECT jsonb_array_elements_text(v_short[k])::INTEGER)
    FROM generate_subscripts(p_order_sns, 1) k
   ORDER BY k;
END;
$$;

-- The whole stock lock of a BATCH of requests as one function: one round trip and one COMMIT for
-- all of them (application-level group commit, issue 9), with every rule the interactive
-- transaction of many statements used to enforce:
--   * idempotency per orderSn: each request first claims its orderSn (the primary key of
--     stock_lock_requests); a copy that finds it taken answers DUPLICATE and the caller replays the
--     first outcome (a copy of a request still in flight waits for it here, on the key);
--   * a request naming an unknown SKU answers UNKNOWN and claims nothing (a bad request is not an
--     outcome to keep);
--   * all-or-nothing per request, in ARRIVAL ORDER: the SKU rows are locked (FOR UPDATE, in id
--     order: no deadlock with another batch, another instance, or a release) and read once; then each
--     claimed request, in the order given, takes all its units if every line fits in what is still
--     available, else none (REJECTED, with the short SKUs). A request that does not fit never
--     blocks a later one that does: nobody is refused while the units they asked for are there;
--   * the counters move by one conditional UPDATE per SKU, guarded again by the CHECK on skus: a
--     bug here fails the batch instead of overselling.
-- The hot row is held from its FOR UPDATE to the COMMIT that follows this single statement.
-- Inputs are parallel arrays, one element per request; p_items[i] is that request's
-- [{skuId, quantity}] sorted by skuId (as stored for replay comparison).
CREATE FUNCTION "stock_lock_acquire"(p_order_sns VARCHAR[], p_expires_at TIMESTAMPTZ[], p_items JSONB[])
RETURNS TABLE ("order_sn" VARCHAR, "outcome" TEXT, "sku_ids" INTEGER[])
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  n INTEGER := cardinality(p_order_sns);
  v_outcome TEXT[] := array_fill(NULL::TEXT, ARRAY[n]);
  v_short JSONB[] := array_fill('[]'::JSONB, ARRAY[n]);
  v_ids INTEGER[];
  v_avail INTEGER[];
  v_unknown INTEGER[];
  v_line JSONB;
  v_pos INTEGER;
  v_fits BOOLEAN;
  v_bad INTEGER[];
  v_claimed INTEGER[];
  i INTEGER;
BEGIN
  IF n IS NULL OR n = 0 THEN
    RETURN;
  END IF;
  IF cardinality(p_expires_at) <> n OR cardinality(p_items) <> n THEN
    RAISE EXCEPTION 'stock_lock_acquire: arrays of different lengths';
  END IF;

  -- 1. Unknown SKUs (no lock taken: a SKU is never deleted).
  FOR i IN 1..n LOOP
    SELECT array_agg(l.sku_id ORDER BY l.sku_id) INTO v_unknown
      FROM (SELECT (e->>'skuId')::INTEGER AS sku_id FROM jsonb_array_elements(p_items[i]) e) l
     WHERE NOT EXISTS (SELECT 1 FROM skus s WHERE s.id = l.sku_id);
    IF v_unknown IS NOT NULL THEN
      v_outcome[i] := 'UNKNOWN';
      v_short[i] := to_jsonb(v_unknown);
    END IF;
  END LOOP;

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
      v_outcome[i] := CASE WHEN i = ANY(COALESCE(v_claimed, '{}')) THEN 'CLAIMED' ELSE 'DUPLICATE' END;
    END IF;
  END LOOP;

  -- 3. The SKU rows of the claimed requests, locked in id order, read once.
  SELECT array_agg(s.id ORDER BY s.id), array_agg(s.stock - s.locked_stock ORDER BY s.id) INTO v_ids, v_avail
    FROM (SELECT id, stock, locked_stock FROM skus
           WHERE id IN (SELECT (e->>'skuId')::INTEGER
                          FROM generate_subscripts(p_items, 1) k, jsonb_array_elements(p_items[k]) e
                         WHERE v_outcome[k] = 'CLAIMED')
           ORDER BY id FOR UPDATE) s;
  IF v_ids IS NULL THEN
    v_ids := '{}';
    v_avail := '{}';
  END IF;

  -- 4. Allocation in arrival order, each request all or nothing.
  FOR i IN 1..n LOOP
    CONTINUE WHEN v_outcome[i] <> 'CLAIMED';
    v_fits := TRUE;
    v_bad := '{}';
    FOR v_line IN SELECT e FROM jsonb_array_elements(p_items[i]) e LOOP
      v_pos := array_position(v_ids, (v_line->>'skuId')::INTEGER);
      IF v_avail[v_pos] < (v_line->>'quantity')::INTEGER THEN
        v_fits := FALSE;
        v_bad := v_bad || (v_line->>'skuId')::INTEGER;
      END IF;
    END LOOP;
    IF v_fits THEN
      FOR v_line IN SELECT e FROM jsonb_array_elements(p_items[i]) e LOOP
        v_pos := array_position(v_ids, (v_line->>'skuId')::INTEGER);
        v_avail[v_pos] := v_avail[v_pos] - (v_line->>'quantity')::INTEGER;
      END LOOP;
      v_outcome[i] := 'LOCKED';
    ELSE
      v_outcome[i] := 'REJECTED';
      v_short[i] := to_jsonb(v_bad);
    END IF;
  END LOOP;

  -- 5. The writes: counters (still conditional), lock rows, rejections.
  WITH granted AS (
    SELECT (e->>'skuId')::INTEGER AS sku_id, sum((e->>'quantity')::INTEGER)::INTEGER AS quantity
      FROM generate_subscripts(p_items, 1) k, jsonb_array_elements(p_items[k]) e
     WHERE v_outcome[k] = 'LOCKED'
     GROUP BY 1
  )
  UPDATE skus s
     SET locked_stock = s.locked_stock + g.quantity, updated_at = now()
    FROM granted g
   WHERE s.id = g.sku_id AND s.stock - s.locked_stock >= g.quantity;
  GET DIAGNOSTICS v_pos = ROW_COUNT;
  IF v_pos <> (SELECT count(DISTINCT (e->>'skuId')::INTEGER)
                 FROM generate_subscripts(p_items, 1) k, jsonb_array_elements(p_items[k]) e
                WHERE v_outcome[k] = 'LOCKED') THEN
    RAISE EXCEPTION 'stock_lock_acquire: a counter did not move as allocated';
  END IF;

  INSERT INTO stock_locks (order_sn, sku_id, quantity, status, expires_at, updated_at)
  SELECT p_order_sns[k], (e->>'skuId')::INTEGER, (e->>'quantity')::INTEGER, 'LOCKED', p_expires_at[k], now()
    FROM generate_subscripts(p_items, 1) k, jsonb_array_elements(p_items[k]) e
   WHERE v_outcome[k] = 'LOCKED';

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

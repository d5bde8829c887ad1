-- LOCKED → RELEASED / DEDUCTED for one order as one function call (issue 9): what used to be six
-- Prisma statements, each a round trip, inside the caller's transaction. The rules are those of the
-- statements it replaces:
--   * a release first claims the orderSn as abandoned (a REJECTED request for no items) unless a
--     request exists; a lock request still in flight for it is waited for on the key, then released;
--   * the order's lock rows are locked first (FOR UPDATE): a concurrent release and deduct of the
--     same order queue here, and the second finds nothing LOCKED;
--   * the status change is conditional on LOCKED, so a replay moves nothing;
--   * the SKU rows are locked in id order (as stock_lock_acquire does) before the counters move:
--     no deadlock with lock batches.
-- Returns {"found": false} when the order has no locks at all, else the lines that moved ([] on a
-- replay) and every lock of the order as it is now. The caller appends the event (outbox) in the
-- same transaction when something moved.
CREATE FUNCTION "stock_lock_settle"(p_order_sn VARCHAR, p_to "stock_lock_status", p_claim BOOLEAN)
RETURNS JSONB
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  v_moved JSONB;
  v_locks JSONB;
BEGIN
  IF p_to = 'LOCKED' THEN
    RAISE EXCEPTION 'stock_lock_settle: LOCKED is not a target';
  END IF;
  IF p_claim THEN
    INSERT INTO stock_lock_requests (order_sn, outcome, items)
    VALUES (p_order_sn, 'REJECTED', '[]'::jsonb)
    ON CONFLICT (order_sn) DO NOTHING;
  END IF;
  PERFORM 1 FROM stock_locks WHERE order_sn = p_order_sn ORDER BY sku_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('found', false);
  END IF;
  WITH moved AS (
    UPDATE stock_locks SET status = p_to, updated_at = now()
     WHERE order_sn = p_order_sn AND status = 'LOCKED'
    RETURNING sku_id, quantity
  )
  SELECT COALESCE(jsonb_agg(jsonb_build_object('skuId', sku_id, 'quantity', quantity) ORDER BY sku_id), '[]'::jsonb)
    INTO v_moved FROM moved;
  IF jsonb_array_length(v_moved) > 0 THEN
    PERFORM 1 FROM skus
      WHERE id IN (SELECT (e->>'skuId')::INTEGER FROM jsonb_array_elements(v_moved) e)
      ORDER BY id FOR UPDATE;
    UPDATE skus s
       SET locked_stock = s.locked_stock - (e->>'quantity')::INTEGER,
           stock = s.stock - CASE WHEN p_to = 'DEDUCTED' THEN (e->>'quantity')::INTEGER ELSE 0 END,
           updated_at = now()
      FROM jsonb_array_elements(v_moved) e
     WHERE s.id = (e->>'skuId')::INTEGER;
  END IF;
  SELECT jsonb_agg(jsonb_build_object('skuId', sku_id, 'quantity', quantity, 'status', status, 'expiresAt', expires_at) ORDER BY sku_id)
    INTO v_locks FROM stock_locks WHERE order_sn = p_order_sn;
  RETURN jsonb_build_object('found', true, 'moved', v_moved, 'locks', v_locks);
END;
$$;

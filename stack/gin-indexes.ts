/**
 * SQL that makes FerretDB 1.24's indexes serve its queries on PostgreSQL. FerretDB filters a
 * field by `_jsonb->'field' @> value`, which the B-tree index it builds for `createIndexes`
 * cannot serve; a GIN `jsonb_path_ops` index on the same expression can. An event trigger
 * adds one for every field of every B-tree index FerretDB creates from then on, and the
 * last statement adds them for the indexes made before. So the stack serves from an index
 * exactly the fields an application (or restorectl) declared indexes on, as MongoDB does.
 * The planner uses them only when a statement is planned with its parameters: the stack
 * also sets `plan_cache_mode=force_custom_plan` on FerretDB's connections (postgres.ts).
 * They are made without GIN's pending list (`fastupdate = off`): with it, every lookup
 * reads the whole list of entries not yet merged, which a restore, inserting as it looks
 * up, keeps long (a `userId` lookup took 0.3 ms in the list against 0.015 ms in the index,
 * and the bench restored 20,000 users' contacts in 79 s with it, 57 s without).
 * Idempotent: run on every `stack up`.
 */

/** The name every GIN index the stack adds has: 20 hex digits, then `_gin`. */
const OUR_GIN = String.raw`'^[0-9a-f]{20}_gin$'`;

/** The stack's GIN indexes that still keep a pending list (made before it was turned off). */
const GIN_WITH_PENDING_LIST = String.raw`SELECT c.oid::regclass AS index FROM pg_class c JOIN pg_am am ON am.oid = c.relam
  WHERE am.amname = 'gin' AND c.relname ~ ${OUR_GIN} AND NOT coalesce('fastupdate=off' = ANY (c.reloptions), false)`;
export const GIN_INDEXES_SQL = String.raw`
CREATE OR REPLACE FUNCTION restorectl_gin_for(index_oid oid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  def text := pg_get_indexdef(index_oid);
  tbl regclass;
  table_name text;
  field text;
BEGIN
  SELECT i.indrelid::regclass, t.relname INTO tbl, table_name FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid WHERE i.indexrelid = index_oid;
  -- Only FerretDB's B-tree indexes of collections, not its own metadata tables, nor ours.
  IF def NOT LIKE '% USING btree %' OR table_name LIKE '\_ferretdb\_%' THEN RETURN; END IF;
  FOR field IN SELECT (regexp_matches(def, '\(_jsonb -> ''([^'']+)''::text\)', 'g'))[1] LOOP
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off)', left(md5(tbl::text || '/' || field), 20) || '_gin', tbl, field);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION restorectl_gin_on_create_index() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    PERFORM restorectl_gin_for(r.objid);
  END LOOP;
END $$;

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'restorectl_gin') THEN
    CREATE EVENT TRIGGER restorectl_gin ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION restorectl_gin_on_create_index();
  END IF;
END $$;

-- Indexes made before the trigger existed.
SELECT restorectl_gin_for(i.indexrelid) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');

-- GIN indexes made before their pending list was turned off: turned off, and what the list holds merged.
DO $$ DECLARE r record; BEGIN
  FOR r IN ${GIN_WITH_PENDING_LIST} LOOP
    EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', r.index);
    PERFORM gin_clean_pending_list(r.index);
  END LOOP;
END $$;
`;

/** One row, `t`, when the trigger is in place and every GIN index the stack added keeps no pending list. */
export const GIN_SERVED_SQL = String.raw`SELECT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'restorectl_gin') AND NOT EXISTS (${GIN_WITH_PENDING_LIST})`;

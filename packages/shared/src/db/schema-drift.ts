import { Client } from 'pg';
import type { PrismaSchema, SchemaField, SchemaModel } from './prisma-schema';

/**
 * Compares a migrated database's catalog with what `schema.prisma` declares, so the SQL migrations
 * and the schema cannot drift apart unnoticed (we cannot run `prisma migrate diff` here):
 *   - tables and columns, both ways;
 *   - column types, including `@db.VarChar(n)` lengths and `@db.Timestamptz(p)` precisions;
 *   - nullability (`?` ↔ NULL allowed);
 *   - defaults (`@default(…)` ↔ the column's DEFAULT, by value);
 *   - primary keys, unique constraints and indexes, with their column order and DESC, both ways;
 *   - foreign keys of relations (columns, referenced table and columns, ON DELETE), both ways.
 * What schema.prisma cannot express is left to the migrations and not reported: CHECK constraints,
 * partial indexes (`WHERE …`) and expression indexes. Returns one line per difference.
 */
export async function findSchemaDrift(databaseUrl: string, schema: PrismaSchema): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const catalog = await readCatalog(client);
    const problems: string[] = [];
    const modelTables = new Set<string>();
    for (const model of schema.models) {
      modelTables.add(model.table);
      const table = catalog.columns.get(model.table);
      if (!table) {
        problems.push(`table ${model.table} (model ${model.name}) is missing from the migrations`);
        continue;
      }
      problems.push(...columnDrift(model, table, schema));
      problems.push(...indexDrift(model, catalog.indexes.get(model.table) ?? []));
      problems.push(...foreignKeyDrift(model, catalog.foreignKeys.get(model.table) ?? [], schema));
    }
    for (const table of catalog.columns.keys()) {
      if (!modelTables.has(table)) {
        problems.push(`table ${table} exists in the database but not in schema.prisma`);
      }
    }
    return problems;
  } finally {
    await client.end();
  }
}

interface Column {
  type: string;
  udt: string;
  nullable: boolean;
  default: string | null;
  length: number | null;
  precision: number | null;
}

interface Catalog {
  columns: Map<string, Map<string, Column>>;
  /** "primary(a, b)", "unique(a)", "index(a, b DESC)" per table. */
  indexes: Map<string, string[]>;
  /** "(a) → t(b) ON DELETE CASCADE" per table. */
  foreignKeys: Map<string, string[]>;
}

async function readCatalog(client: Client): Promise<Catalog> {
  const columns = new Map<string, Map<string, Column>>();
  const cols = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: 'YES' | 'NO';
    column_default: string | null;
    character_maximum_length: number | null;
    datetime_precision: number | null;
  }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
            character_maximum_length, datetime_precision
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
  for (const r of cols.rows) {
    const t = columns.get(r.table_name) ?? new Map<string, Column>();
    t.set(r.column_name, {
      type: r.data_type,
      udt: r.udt_name,
      nullable: r.is_nullable === 'YES',
      default: r.column_default,
      length: r.character_maximum_length,
      precision: r.datetime_precision,
    });
    columns.set(r.table_name, t);
  }
  // Indexes, each as its kind and its columns in order; a partial or expression index is something
  // schema.prisma cannot declare, so it is not compared.
  const idx = await client.query<{ table_name: string; kind: string; columns: string[] }>(
    `SELECT t.relname AS table_name,
            CASE WHEN ix.indisprimary THEN 'primary' WHEN ix.indisunique THEN 'unique' ELSE 'index' END AS kind,
            array(SELECT a.attname || CASE WHEN (ix.indoption[k.ord - 1] & 1) = 1 THEN ' DESC' ELSE '' END
                    FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                   ORDER BY k.ord) AS columns
       FROM pg_index ix
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
        AND ix.indpred IS NULL AND ix.indexprs IS NULL`,
  );
  const indexes = new Map<string, string[]>();
  for (const r of idx.rows) {
    indexes.set(r.table_name, [...(indexes.get(r.table_name) ?? []), `${r.kind}(${r.columns.join(', ')})`]);
  }
  const fks = await client.query<{ table_name: string; description: string }>(
    `SELECT c.conrelid::regclass::text AS table_name,
            '(' || (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
            || ') → ' || c.confrelid::regclass::text || '('
            || (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum)
            || ') ON DELETE ' || CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
                                 WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS description
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  const foreignKeys = new Map<string, string[]>();
  for (const r of fks.rows) {
    const table = r.table_name.replace(/^"|"$/g, '');
    foreignKeys.set(table, [...(foreignKeys.get(table) ?? []), r.description]);
  }
  return { columns, indexes, foreignKeys };
}

const PG_TYPES: Record<string, string[]> = {
  Int: ['integer'],
  BigInt: ['bigint'],
  String: ['text'],
  Boolean: ['boolean'],
  DateTime: ['timestamp without time zone'],
  Json: ['jsonb'],
  Decimal: ['numeric'],
  Float: ['double precision'],
  Bytes: ['bytea'],
};

/** `@db.X(n)` → the information_schema data type it makes, and which length column holds n. */
const NATIVE: Record<string, { type: string; arg?: 'length' | 'precision' }> = {
  VarChar: { type: 'character varying', arg: 'length' },
  Char: { type: 'character', arg: 'length' },
  Text: { type: 'text' },
  Uuid: { type: 'uuid' },
  Timestamptz: { type: 'timestamp with time zone', arg: 'precision' },
  Timestamp: { type: 'timestamp without time zone', arg: 'precision' },
  Date: { type: 'date' },
  Integer: { type: 'integer' },
  SmallInt: { type: 'smallint' },
  JsonB: { type: 'jsonb' },
  Json: { type: 'json' },
};

function columnDrift(model: SchemaModel, actual: Map<string, Column>, schema: PrismaSchema): string[] {
  const problems: string[] = [];
  const expected = new Set<string>();
  for (const f of model.fields.filter((x) => x.kind !== 'relation')) {
    const where = `column ${model.table}.${f.column}`;
    expected.add(f.column);
    const col = actual.get(f.column);
    if (!col) {
      problems.push(`${where} (field ${model.name}.${f.name}) is missing from the migrations`);
      continue;
    }
    problems.push(...typeDrift(where, f, col, schema));
    if (f.optional !== col.nullable) {
      problems.push(
        `${where} is ${col.nullable ? 'NULL' : 'NOT NULL'} in the database but ${f.optional ? 'optional (?)' : 'required'} in schema.prisma`,
      );
    }
    const expectedDefault = f.default === undefined ? undefined : databaseDefault(f, schema);
    if (f.default === undefined && col.default !== null) {
      problems.push(`${where} has DEFAULT ${col.default} in the database but no @default in schema.prisma`);
    } else if (expectedDefault !== undefined && !sameDefault(expectedDefault, col.default)) {
      problems.push(`${where} has DEFAULT ${col.default ?? 'none'} in the database but @default(${f.default}) in schema.prisma`);
    }
  }
  for (const col of actual.keys()) {
    if (!expected.has(col)) {
      problems.push(`column ${model.table}.${col} exists in the database but not in schema.prisma`);
    }
  }
  return problems;
}

function typeDrift(where: string, f: SchemaField, col: Column, schema: PrismaSchema): string[] {
  if (f.kind === 'enum') {
    const dbName = schema.enums[f.type].dbName;
    return col.type === 'USER-DEFINED' && col.udt === dbName
      ? []
      : [`${where} is ${col.type} (${col.udt}) in the database but enum ${dbName} in schema.prisma`];
  }
  if (f.native) {
    const native = NATIVE[f.native.name];
    if (!native) {
      return [`${where}: @db.${f.native.name} is not known to the drift check`];
    }
    if (col.type !== native.type) {
      return [`${where} is ${col.type} in the database but @db.${f.native.name} in schema.prisma`];
    }
    const declared = f.native.args[0];
    const actual = native.arg === 'length' ? col.length : native.arg === 'precision' ? col.precision : undefined;
    if (declared !== undefined && actual !== declared) {
      return [`${where} is ${col.type}(${actual}) in the database but @db.${f.native.name}(${declared}) in schema.prisma`];
    }
    return [];
  }
  if (!(PG_TYPES[f.type] ?? []).includes(col.type)) {
    return [`${where} is ${col.type} in the database but ${f.type} in schema.prisma`];
  }
  // Prisma's DateTime without @db is timestamp(3).
  if (f.type === 'DateTime' && col.precision !== 3) {
    return [`${where} is timestamp(${col.precision}) in the database but DateTime (precision 3) in schema.prisma`];
  }
  return [];
}

type Expected = { kind: 'sequence' } | { kind: 'now' } | { kind: 'value'; value: string };

/** What the column's DEFAULT must be for `@default(…)`; undefined when Prisma fills it in itself. */
function databaseDefault(f: SchemaField, schema: PrismaSchema): Expected | undefined {
  const d = f.default!;
  if (d === 'autoincrement()') {
    return { kind: 'sequence' };
  }
  if (d === 'now()') {
    return { kind: 'now' };
  }
  if (/^(uuid|cuid|nanoid|ulid)\(.*\)$/.test(d)) {
    return undefined;
  } // generated by the client, not the database
  const str = /^"(.*)"$/.exec(d);
  if (str) {
    return { kind: 'value', value: str[1] };
  }
  if (f.kind === 'enum' && schema.enums[f.type].values.includes(d)) {
    return { kind: 'value', value: d };
  }
  if (/^-?\d+(\.\d+)?$/.test(d) || d === 'true' || d === 'false') {
    return { kind: 'value', value: d };
  }
  throw new Error(`${f.name}: @default(${d}) is not known to the drift check`);
}

function sameDefault(expected: Expected, actual: string | null): boolean {
  if (actual === null) {
    return false;
  }
  if (expected.kind === 'sequence') {
    return /^nextval\('[^']+'::regclass\)$/.test(actual);
  }
  if (expected.kind === 'now') {
    return actual === 'CURRENT_TIMESTAMP' || actual === 'now()';
  }
  // '[]'::jsonb, 'LOCKED'::stock_lock_status, 0, false → the literal without its cast.
  const literal = /^'((?:[^']|'')*)'::[\w." ]+$/.exec(actual);
  const value = literal ? literal[1].replace(/''/g, "'") : actual.replace(/^\((.*)\)$/, '$1');
  return value === expected.value;
}

function indexDrift(model: SchemaModel, actual: string[]): string[] {
  const column = (field: string) => {
    const [name, desc] = field.split(' ');
    const f = model.fields.find((x) => x.name === name);
    if (!f) {
      throw new Error(`model ${model.name}: index on unknown field ${name}`);
    }
    return desc ? `${f.column} DESC` : f.column;
  };
  const expected = model.indexes.map((i) => `${i.kind}(${i.fields.map(column).join(', ')})`);
  return [
    ...expected
      .filter((e) => !actual.includes(e))
      .map((e) => `table ${model.table}: ${e} is declared in schema.prisma but missing from the migrations`),
    ...actual.filter((a) => !expected.includes(a)).map((a) => `table ${model.table}: ${a} exists in the database but not in schema.prisma`),
  ];
}

function foreignKeyDrift(model: SchemaModel, actual: string[], schema: PrismaSchema): string[] {
  const expected: string[] = [];
  for (const f of model.fields) {
    if (!f.relation) {
      continue;
    }
    const target = schema.models.find((m) => m.name === f.type)!;
    const col = (m: SchemaModel, name: string) => m.fields.find((x) => x.name === name)?.column ?? name;
    // Prisma's default for a required relation is ON DELETE RESTRICT; SQL's own default is NO ACTION.
    // Both refuse the delete; compare them as one.
    const onDelete = (f.relation.onDelete ?? 'NoAction').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
    expected.push(
      `(${f.relation.fields.map((x) => col(model, x)).join(', ')}) → ${target.table}(${f.relation.references.map((x) => col(target, x)).join(', ')}) ON DELETE ${onDelete}`,
    );
  }
  const norm = (s: string) => s.replace(/ON DELETE RESTRICT$/, 'ON DELETE NO ACTION');
  const a = actual.map(norm);
  const e = expected.map(norm);
  return [
    ...e
      .filter((x) => !a.includes(x))
      .map((x) => `table ${model.table}: foreign key ${x} is declared in schema.prisma but missing from the migrations`),
    ...a.filter((x) => !e.includes(x)).map((x) => `table ${model.table}: foreign key ${x} exists in the database but not in schema.prisma`),
  ];
}

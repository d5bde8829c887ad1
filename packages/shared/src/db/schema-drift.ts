import { Client } from 'pg';

/**
 * Compares a migrated database with the models Prisma generated from `schema.prisma`, so the SQL
 * migrations and the schema cannot drift apart unnoticed (we cannot run `prisma migrate diff`).
 * Input is the client's runtime data model: models → fields with kind/type/dbName.
 */
export interface RuntimeField {
  name: string;
  kind: string;
  type: string;
  dbName?: string | null;
}
export interface RuntimeDataModel {
  models: Record<string, { dbName?: string | null; fields: RuntimeField[] }>;
  enums: Record<string, unknown>;
}

const PG_TYPES: Record<string, string[]> = {
  Int: ['integer'],
  BigInt: ['bigint'],
  String: ['text', 'character varying', 'character', 'uuid'],
  Boolean: ['boolean'],
  DateTime: ['timestamp with time zone', 'timestamp without time zone', 'date'],
  Json: ['jsonb', 'json'],
  Decimal: ['numeric'],
  Float: ['double precision', 'real'],
};

export async function findSchemaDrift(databaseUrl: string, model: RuntimeDataModel): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const columns = new Map<string, Map<string, string>>();
    for (const r of rows) {
      const t = columns.get(r.table_name) ?? new Map<string, string>();
      t.set(r.column_name, r.data_type);
      columns.set(r.table_name, t);
    }
    const problems: string[] = [];
    const modelTables = new Set<string>();
    for (const [name, m] of Object.entries(model.models)) {
      const table = m.dbName ?? name;
      modelTables.add(table);
      const actual = columns.get(table);
      if (!actual) {
        problems.push(`table ${table} (model ${name}) is missing from the migrations`);
        continue;
      }
      const expected = new Set<string>();
      for (const f of m.fields.filter((x) => x.kind === 'scalar' || x.kind === 'enum')) {
        const col = f.dbName ?? f.name;
        expected.add(col);
        const type = actual.get(col);
        if (!type) {
          problems.push(`column ${table}.${col} (field ${name}.${f.name}) is missing from the migrations`);
        } else if (f.kind === 'enum' ? type !== 'USER-DEFINED' : !(PG_TYPES[f.type] ?? []).includes(type)) {
          problems.push(`column ${table}.${col} is ${type} in the database but ${f.type} in schema.prisma`);
        }
      }
      for (const col of actual.keys()) {
        if (!expected.has(col)) {
          problems.push(`column ${table}.${col} exists in the database but not in schema.prisma`);
        }
      }
    }
    for (const table of columns.keys()) {
      if (!modelTables.has(table)) {
        problems.push(`table ${table} exists in the database but not in schema.prisma`);
      }
    }
    return problems;
  } finally {
    await client.end();
  }
}

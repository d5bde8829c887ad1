/**
 * A reader for the subset of `schema.prisma` this project writes: models (scalar, enum and relation
 * fields; `?`; `@id`, `@unique`, `@default(…)`, `@updatedAt`, `@map`, `@db.*`, `@relation(…)`;
 * `@@id`, `@@unique`, `@@index`, `@@map`) and enums. The schema engine that would give Prisma's own
 * DMMF cannot be downloaded here, and the generated client keeps only names and types, so the drift
 * guard reads the schema text itself. Anything it does not understand is an error, never ignored.
 */
export interface SchemaField {
  name: string;
  column: string;
  kind: 'scalar' | 'enum' | 'relation';
  type: string;
  optional: boolean;
  list: boolean;
  /** The `@default(…)` argument as written, e.g. `now()`, `0`, `"[]"`, `LOCKED`. */
  default?: string;
  /** `@db.VarChar(64)` → { name: 'VarChar', args: [64] }. */
  native?: { name: string; args: number[] };
  relation?: { fields: string[]; references: string[]; onDelete?: string };
}

export interface SchemaIndex {
  kind: 'primary' | 'unique' | 'index';
  /** Field names, each with ` DESC` when declared `(sort: Desc)`. */
  fields: string[];
}

export interface SchemaModel {
  name: string;
  table: string;
  fields: SchemaField[];
  indexes: SchemaIndex[];
}

export interface PrismaSchema {
  models: SchemaModel[];
  enums: Record<string, { dbName: string; values: string[] }>;
}

const BLOCK = /^(model|enum|generator|datasource)\s+(\w+)\s*\{([\s\S]*?)^\}/gm;
const SCALARS = new Set(['Int', 'BigInt', 'String', 'Boolean', 'DateTime', 'Json', 'Decimal', 'Float', 'Bytes']);

export function parsePrismaSchema(text: string): PrismaSchema {
  const source = text.replace(/\/\/.*$/gm, '');
  const blocks = [...source.matchAll(BLOCK)].map((m) => ({ type: m[1], name: m[2], body: m[3] }));
  const enums: PrismaSchema['enums'] = {};
  for (const b of blocks.filter((x) => x.type === 'enum')) {
    const lines = bodyLines(b.body);
    const map = lines.map((l) => /^@@map\("([^"]+)"\)$/.exec(l)).find(Boolean);
    enums[b.name] = { dbName: map ? map[1] : b.name, values: lines.filter((l) => /^\w+$/.test(l)) };
  }
  const modelNames = new Set(blocks.filter((b) => b.type === 'model').map((b) => b.name));
  const models = blocks.filter((b) => b.type === 'model').map((b) => parseModel(b.name, b.body, modelNames, enums));
  return { models, enums };
}

function bodyLines(body: string): string[] {
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function parseModel(name: string, body: string, models: Set<string>, enums: PrismaSchema['enums']): SchemaModel {
  const model: SchemaModel = { name, table: name, fields: [], indexes: [] };
  for (const line of bodyLines(body)) {
    if (line.startsWith('@@')) {
      const m = /^@@(\w+)\((.*)\)$/.exec(line);
      if (!m) {
        throw new Error(`model ${name}: cannot read "${line}"`);
      }
      const [, attr, args] = m;
      if (attr === 'map') {
        model.table = unquote(args);
      } else if (attr === 'id' || attr === 'unique' || attr === 'index') {
        model.indexes.push({ kind: attr === 'id' ? 'primary' : attr, fields: fieldList(args, name) });
      } else {
        throw new Error(`model ${name}: unsupported block attribute @@${attr}`);
      }
      continue;
    }
    const m = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
    if (!m) {
      throw new Error(`model ${name}: cannot read field "${line}"`);
    }
    const [, fieldName, type, list, optional, attrs] = m;
    const kind = SCALARS.has(type) ? 'scalar' : enums[type] ? 'enum' : models.has(type) ? 'relation' : undefined;
    if (!kind) {
      throw new Error(`model ${name}.${fieldName}: unknown type ${type}`);
    }
    const field: SchemaField = { name: fieldName, column: fieldName, kind, type, optional: !!optional, list: !!list };
    for (const a of attributes(attrs, `${name}.${fieldName}`)) {
      if (a.name === 'id') {
        model.indexes.push({ kind: 'primary', fields: [fieldName] });
      } else if (a.name === 'unique') {
        model.indexes.push({ kind: 'unique', fields: [fieldName] });
      } else if (a.name === 'map') {
        field.column = unquote(a.args ?? '');
      } else if (a.name === 'default') {
        field.default = a.args;
      } else if (a.name === 'updatedAt') {
        continue;
      } // set by the client on update; the column needs nothing
      else if (a.name.startsWith('db.')) {
        field.native = { name: a.name.slice(3), args: a.args ? a.args.split(',').map((x) => Number(x.trim())) : [] };
      } else if (a.name === 'relation') {
        const fields = /fields:\s*\[([^\]]*)\]/.exec(a.args ?? '');
        const refs = /references:\s*\[([^\]]*)\]/.exec(a.args ?? '');
        const onDelete = /onDelete:\s*(\w+)/.exec(a.args ?? '');
        if (fields && refs) {
          field.relation = { fields: names(fields[1]), references: names(refs[1]), onDelete: onDelete?.[1] };
        }
      } else {
        throw new Error(`model ${name}.${fieldName}: unsupported attribute @${a.name}`);
      }
    }
    model.fields.push(field);
  }
  return model;
}

/** `@a @b(x, y(z)) @db.VarChar(3)` → [{a}, {b, 'x, y(z)'}, {db.VarChar, '3'}], parentheses balanced. */
function attributes(text: string, where: string): Array<{ name: string; args?: string }> {
  const out: Array<{ name: string; args?: string }> = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    const m = /^@([\w.]+)/.exec(text.slice(i));
    if (!m) {
      throw new Error(`${where}: cannot read attributes "${text}"`);
    }
    i += m[0].length;
    let args: string | undefined;
    if (text[i] === '(') {
      let depth = 0;
      let inString = false;
      const start = i + 1;
      for (; i < text.length; i++) {
        const c = text[i];
        if (c === '"' && text[i - 1] !== '\\') {
          inString = !inString;
        }
        if (inString) {
          continue;
        }
        if (c === '(') {
          depth++;
        }
        if (c === ')' && --depth === 0) {
          break;
        }
      }
      args = text.slice(start, i);
      i++;
    }
    out.push({ name: m[1], args });
  }
  return out;
}

function fieldList(args: string, model: string): string[] {
  const m = /^\s*\[([^\]]*)\]/.exec(args);
  if (!m) {
    throw new Error(`model ${model}: cannot read field list "${args}"`);
  }
  return m[1].split(',').map((f) => {
    const sorted = /^\s*(\w+)\s*(?:\(\s*sort:\s*(Asc|Desc)\s*\))?\s*$/.exec(f);
    if (!sorted) {
      throw new Error(`model ${model}: cannot read index field "${f}"`);
    }
    return sorted[2] === 'Desc' ? `${sorted[1]} DESC` : sorted[1];
  });
}

function names(list: string): string[] {
  return list.split(',').map((x) => x.trim());
}

function unquote(s: string): string {
  const m = /^\s*"([^"]*)"\s*$/.exec(s);
  if (!m) {
    throw new Error(`expected a quoted string, got ${s}`);
  }
  return m[1];
}

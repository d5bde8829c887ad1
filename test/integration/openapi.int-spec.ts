import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_STATUS } from '@shop/shared';
import { mergeStorefrontDocument } from '@shop/shared/nest';
import { ContractChecker, ContractError, http, registerContract } from '@shop/shared/testing';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSku, INTERNAL_TOKEN, ServiceName, startSystem, TestSystem } from '../support/system';

const ROOT = join(__dirname, '..', '..');
const SERVICES: ServiceName[] = ['user', 'cart', 'inventory', 'order', 'payment'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
type Json = Record<string, any>;

const committed = (name: string): Json => JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi', `${name}.json`), 'utf8'));

function operations(doc: Json): Array<{ label: string; path: string; op: Json }> {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ label: `${m.toUpperCase()} ${path}`, path, op: item[m] as Json })),
  );
}

/** Every value under `key` anywhere in `value`, with where it is. */
function collect(value: unknown, key: string, at = '#', out: Array<{ at: string; value: unknown }> = []): typeof out {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) {
        out.push({ at, value: v });
      }
      collect(v, key, `${at}/${k}`, out);
    }
  }
  return out;
}

function resolve(doc: Json, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<any>((node, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

describe('OpenAPI: complete documents, committed as served, and the contract checker', () => {
  let sys: TestSystem;
  const served: Partial<Record<ServiceName, Json>> = {};
  beforeAll(async () => {
    sys = await startSystem(SERVICES);
    for (const name of SERVICES) {
      const res = await http('GET', `${sys.url[name]}/docs-json`);
      expect(res.status).toBe(200);
      served[name] = res.body;
    }
  }, 60000);
  afterAll(() => sys?.stop());

  it('the committed docs/openapi documents are what the services serve (otherwise: run `npm run openapi`)', () => {
    const stale = SERVICES.filter((name) => JSON.stringify(committed(name)) !== JSON.stringify(served[name]));
    const storefront = mergeStorefrontDocument(served as Record<string, OpenAPIObject>);
    if (JSON.stringify(committed('storefront')) !== JSON.stringify(storefront)) {
      stale.push('storefront' as ServiceName);
    }
    if (stale.length > 0) {
      throw new Error(
        `docs/openapi/{${stale.join(',')}}.json differ from what the services serve at /docs-json: run \`npm run openapi\` and commit the result`,
      );
    }
  });

  it("the client's committed types are what openapi-typescript generates from the committed documents", async () => {
    // Not spawnSync: a blocked event loop would stall this process's own services (and their keep-alive).
    const check = await promisify(execFile)(process.execPath, [
      join(ROOT, 'packages', 'client', 'scripts', 'generate.mjs'),
      '--check',
    ]).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`${err.stderr ?? ''}${err.stdout ?? ''}`);
    });
    expect(check.stdout).toMatch(/generated types match docs\/openapi/);
  });

  it('every operation documents its success, its errors (SPEC §9 bodies, codes of that status) and its security', () => {
    const problems: string[] = [];
    let count = 0;
    for (const name of SERVICES) {
      const doc = served[name]!;
      for (const { label, path, op } of operations(doc)) {
        count++;
        const where = `${name} ${label}`;
        const statuses = Object.keys(op.responses ?? {});
        if (!statuses.some((s) => /^2\d\d$/.test(s))) {
          problems.push(`${where}: no success response`);
        }
        for (const status of statuses.filter((s) => /^2\d\d$/.test(s) && s !== '204')) {
          if (!op.responses[status].content) {
            problems.push(`${where}: ${status} has no content`);
          }
        }
        if (!op.responses?.['500']) {
          problems.push(`${where}: no 500`);
        }
        for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
          for (const { value: ref } of collect(response.content?.['application/json']?.schema, '$ref')) {
            const code = /Error_(.+)$/.exec(ref as string)?.[1];
            if (code && ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== Number(status)) {
              problems.push(`${where}: ${code} documented under ${status}`);
            }
          }
        }
        const expected = /^\/(internal|admin)\//.test(path) ? [{ internal: [] }] : op.security?.length === 0 ? [] : [{ bearer: [] }];
        if (JSON.stringify(op.security) !== JSON.stringify(expected)) {
          problems.push(`${where}: security ${JSON.stringify(op.security)}`);
        }
        const unauthenticated = JSON.stringify(op.responses?.['401'] ?? {}).includes('Error_AUTH.UNAUTHENTICATED');
        if (op.security.length > 0 && !unauthenticated) {
          problems.push(`${where}: protected but no 401 AUTH.UNAUTHENTICATED`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(48);
    // What must stay public (SPEC §3), and the one plain-text webhook.
    const security = (name: ServiceName, path: string, method: string) => served[name]!.paths[path][method].security;
    expect(security('user', '/auth/login', 'post')).toEqual([]);
    expect(security('inventory', '/skus/{id}', 'get')).toEqual([]);
    expect(security('order', '/orders/{orderSn}', 'get')).toEqual([{ bearer: [] }]);
    expect(security('inventory', '/admin/skus', 'post')).toEqual([{ internal: [] }]);
    const notify = served.payment!.paths['/payments/alipay/notify'].post;
    expect(Object.keys(notify.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(notify.responses['200'].content['text/plain'].schema).toEqual({ type: 'string', enum: ['success'] });
    expect(notify.responses['400'].content['text/plain'].schema).toEqual({ type: 'string', enum: ['failure'] });
  });

  it('is OpenAPI 3.1: no 3.0 `nullable`, every $ref resolves, and every example matches its schema', () => {
    const problems: string[] = [];
    for (const name of SERVICES) {
      const doc = served[name]!;
      expect(doc.openapi).toBe('3.1.0');
      problems.push(...collect(doc, 'nullable').map(({ at }) => `${name} ${at}: nullable`));
      for (const { at, value } of collect(doc, '$ref')) {
        if (resolve(doc, value as string) === undefined) {
          problems.push(`${name} ${at}: ${String(value)} does not resolve`);
        }
      }
      const checker = new ContractChecker(name, doc);
      for (const [key, example] of Object.entries((doc.components?.examples ?? {}) as Record<string, Json>)) {
        const errors = checker.validateSchema({ $ref: `#/components/schemas/${key}` }, example.value);
        problems.push(...errors.map((e) => `${name} example ${key}: ${e}`));
      }
      for (const [schemaName, schema] of Object.entries((doc.components?.schemas ?? {}) as Record<string, Json>)) {
        for (const [prop, propSchema] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
          if (propSchema.example !== undefined) {
            const errors = checker.validateSchema(propSchema, propSchema.example);
            problems.push(...errors.map((e) => `${name} ${schemaName}.${prop} example: ${e}`));
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  describe('the contract checker', () => {
    let checker: ContractChecker;
    let sku: { id: number };
    let real: { status: number; contentType: string | null; text: string };
    const at = (path: string) => ({ method: 'GET', url: `http://127.0.0.1/${path.replace(/^\//, '')}` });
    beforeAll(async () => {
      checker = new ContractChecker('inventory', served.inventory!);
      sku = await createSku(sys.url.inventory, { price: 4440, stock: 20 });
      const res = await fetch(`${sys.url.inventory}/skus/${sku.id}`);
      real = { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
    });

    it('passes what the service really answers', () => {
      expect(real.status).toBe(200);
      expect(checker.violations({ ...at(`/skus/${sku.id}`), ...real })).toEqual([]);
    });

    it('fails a deliberately wrong field: an undocumented one, a missing one, money as a string', () => {
      const body = JSON.parse(real.text);
      const wrong = (b: unknown) => checker.violations({ ...at(`/skus/${sku.id}`), ...real, text: JSON.stringify(b) }).join('\n');
      expect(wrong({ ...body, stock: 20 })).toMatch(/must NOT have additional properties.*"additionalProperty":"stock"/);
      expect(wrong({ ...body, available: undefined })).toMatch(/must have required property 'available'/);
      expect(wrong({ ...body, price: '44.40' })).toMatch(/body\/price must be integer/);
    });

    it('fails an undocumented status', () => {
      expect(checker.violations({ ...at(`/skus/${sku.id}`), ...real, status: 202 }).join('\n')).toMatch(
        /status 202 is not documented for GET \/skus\/\{id\}/,
      );
    });

    it('fails an undocumented error code, and a code under the wrong status', () => {
      const error = (code: string, status: number) =>
        checker
          .violations({
            ...at('/skus/99999'),
            status,
            contentType: 'application/json; charset=utf-8',
            text: JSON.stringify({ error: { code, message: 'x', correlationId: 'c' } }),
          })
          .join('\n');
      expect(error('INVENTORY.SKU_NOT_FOUND', 404)).toBe('');
      expect(error('ORDER.NOT_FOUND', 404)).toMatch(/body\/error\/code must be equal to constant/);
      expect(error('INVENTORY.SKU_NOT_FOUND', 409)).toMatch(/status 409 is not documented/);
      // A request no operation matches must get ROUTE.NOT_FOUND (or one of the pipeline's errors).
      const unmatched = (code: string) =>
        checker.violations({
          ...at('/no/such/route'),
          status: 404,
          contentType: 'application/json',
          text: JSON.stringify({ error: { code, message: 'x', correlationId: 'c' } }),
        });
      expect(unmatched('ROUTE.NOT_FOUND')).toEqual([]);
      expect(unmatched('ORDER.NOT_FOUND').join('\n')).toMatch(/no operation of the document matches/);
    });

    it('is what http() applies to every answer of a registered service', async () => {
      const narrowed = structuredClone(served.inventory!);
      delete narrowed.paths['/admin/skus/{id}'].get.responses['404'];
      registerContract(sys.url.inventory, 'inventory', narrowed);
      try {
        const unknown = http('GET', `${sys.url.inventory}/admin/skus/2147483647`, { headers: { 'x-internal-token': INTERNAL_TOKEN } });
        await expect(unknown).rejects.toThrow(ContractError);
        await expect(unknown).rejects.toThrow(/status 404 is not documented for GET \/admin\/skus\/\{id\}/);
      } finally {
        registerContract(sys.url.inventory, 'inventory', served.inventory!);
      }
      // With the served document again, the same answer conforms.
      const res = await http('GET', `${sys.url.inventory}/admin/skus/2147483647`, { headers: { 'x-internal-token': INTERNAL_TOKEN } });
      expect(res.body.error.code).toBe('INVENTORY.SKU_NOT_FOUND');
    });
  });
});

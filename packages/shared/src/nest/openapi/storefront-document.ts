/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment --
   an OpenAPI document is plain JSON walked by key here; typing each node would restate the specification. */
import type { OpenAPIObject } from '@nestjs/swagger';

// The storefront reference: the public operations of the five services in one OpenAPI document.
// Each path keeps its own service's server (a path-level `servers`), since the services are five
// hosts; internal, admin and operational routes stay in the per-service documents.

type Json = Record<string, any>;
const NOT_STOREFRONT = /^\/(internal|admin|health|metrics)(\/|$)/;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const DEFAULT_PORTS: Record<string, number> = { user: 3001, cart: 3002, inventory: 3003, order: 3004, payment: 3005 };

/** Merges the services' documents (by service name) into the storefront reference. */
export function mergeStorefrontDocument(docs: Record<string, OpenAPIObject>): OpenAPIObject {
  const schemas: Json = {};
  const examples: Json = {};
  const paths: Json = {};
  const tags: Array<{ name: string }> = [];
  for (const [service, doc] of Object.entries(docs)) {
    for (const [kind, target] of [
      ['schemas', schemas],
      ['examples', examples],
    ] as const) {
      for (const [name, value] of Object.entries(doc.components?.[kind] ?? {})) {
        if (target[name] !== undefined && JSON.stringify(target[name]) !== JSON.stringify(value)) {
          throw new Error(`${service} and another service define ${kind} ${name} differently: rename one`);
        }
        target[name] = value;
      }
    }
    const server = { url: `http://localhost:${DEFAULT_PORTS[service] ?? 80}`, description: `the ${service} service` };
    for (const [path, item] of Object.entries(doc.paths) as Array<[string, Json]>) {
      const kept = METHODS.filter((m) => item[m] && !NOT_STOREFRONT.test(path));
      if (kept.length === 0) {
        continue;
      }
      if (paths[path]) {
        throw new Error(`${path} is served by two services`);
      }
      paths[path] = { servers: [server], ...Object.fromEntries(kept.map((m) => [m, item[m]])) };
      for (const m of kept) {
        for (const tag of (item[m].tags ?? []) as string[]) {
          if (!tags.some((t) => t.name === tag)) {
            tags.push({ name: tag });
          }
        }
      }
    }
  }
  const anyDoc = Object.values(docs)[0];
  return {
    openapi: '3.1.0',
    info: {
      title: 'shop storefront API',
      version: '1',
      description:
        'The public operations of the user, cart, inventory, order and payment services in one reference; each path ' +
        'names its service in `servers` (default ports 3001–3005). Money is integer cents; orderSn and orderToken are ' +
        'decimal strings; timestamps are ISO-8601 UTC. docs/api.md walks through cart → confirm → submit → pay.',
    },
    tags,
    paths,
    components: { securitySchemes: anyDoc?.components?.securitySchemes ?? {}, schemas, examples },
  };
}

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Swagger UI at `path`, reading the document at `documentUrl`: one page and swagger-ui-dist's two
 * files, read on first use. @nestjs/swagger serves these through @fastify/static on Fastify; that
 * plugin's ESM-only dependency cannot be loaded by jest, and two files do not need a static server.
 */
export function serveSwaggerUi(fastify: FastifyInstance, path: string, documentUrl: string, title: string): void {
  const page =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${path}/swagger-ui.css"></head>` +
    `<body><div id="swagger-ui"></div><script src="${path}/swagger-ui-bundle.js"></script>` +
    `<script src="${path}/swagger-ui-init.js"></script></body></html>`;
  const init = `window.onload = () => { window.ui = SwaggerUIBundle({ url: ${JSON.stringify(documentUrl)}, dom_id: '#swagger-ui' }); };`;
  fastify.get(path, (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  fastify.get(`${path}/swagger-ui-init.js`, (_req, reply) => reply.type('application/javascript; charset=utf-8').send(init));
  const root = dirname(require.resolve('swagger-ui-dist/package.json'));
  for (const [file, type] of Object.entries(ASSETS)) {
    let content: Buffer | undefined;
    fastify.get(`${path}/${file}`, (_req, reply) =>
      reply
        .type(type)
        .header('cache-control', 'public, max-age=86400')
        .send((content ??= readFileSync(join(root, file)))),
    );
  }
}

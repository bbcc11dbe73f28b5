# One image for the server and the workers; docker-compose picks the command.
# TypeScript runs with tsx in production too (no compile step): one artefact, the sources.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS web
COPY . .
RUN npm run build:web

FROM node:20-bookworm-slim
# The attachment worker's Debian tools: ffmpeg (video metadata stripped, poster frames)
# and poppler-utils (pdftoppm, first-page thumbnails). clamd runs in its own container.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg poppler-utils \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=web /app/web/dist ./web/dist
USER node
EXPOSE 3000
CMD ["npm", "run", "start:server"]

# One image for the three services; SERVICE picks which one runs (order-intake, dispatch or fee).
# Node 24 is the current LTS; the code still runs on Node 20.19 or newer (package.json engines).

# Compiles the services and builds the web apps, with every dependency (TypeScript, Vite...).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# Production dependencies only: no embedded PostgreSQL binaries (a development dependency), no build tools.
FROM node:24-bookworm-slim AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
ENV SERVICE=order-intake
CMD ["sh", "-c", "exec node dist/apps/$SERVICE/src/main.js"]

# One image for the three services; SERVICE picks which one runs (order-intake, dispatch or fee).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
ENV SERVICE=order-intake
CMD ["sh", "-c", "exec node dist/apps/$SERVICE/src/main.js"]

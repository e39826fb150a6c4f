# syntax=docker/dockerfile:1.7
# One image for every Node process (service endpoint, registrar, simulators, web UI, helm test);
# the chart picks the entry point per container: `node <path to main.ts>`. Node 22 runs the
# TypeScript sources directly (type stripping), so only the web UI has a build step.
# Build for both architectures: docker buildx build --platform linux/amd64,linux/arm64 .
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# The package manifests alone, so the dependency layers below are rebuilt only when they change.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out && cp package.json package-lock.json /out/ \
 && find . -name package.json -not -path "*/node_modules/*" -not -path "./package.json" -exec cp --parents {} /out/ \;

# The web app, built once on the build machine: its output is plain files for any architecture.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS web
WORKDIR /app
COPY --from=manifests /out/ ./
# --ignore-scripts: the `node` devDependency would download a second Node binary.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build -w @food-ordering/webui

# Production dependencies, resolved on the target architecture (native optional packages).
FROM ${NODE_IMAGE} AS prod
WORKDIR /app
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY . .

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Sources owned by root (read-only at run time); services/ and simulators/ are writable by the
# runtime user only so that `skaffold dev` can sync files into a dev pod.
COPY --from=prod /app /app
COPY --from=prod --chown=node:node /app/services /app/services
COPY --from=prod --chown=node:node /app/simulators /app/simulators
COPY --from=web /app/webui/dist /app/webui/dist
# The `node` user of the base image (uid 1000), which the chart's securityContext also names.
USER 1000:1000
EXPOSE 9080 9081 9082 9083 3000 9464
CMD ["node", "services/order-delivery/src/main.ts"]

import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

// Builds started from the test runner inherit NODE_ENV=test, which would bundle React's
// development build (twice the size, slower): a build is always a production build.
if (process.argv.includes("build")) process.env.NODE_ENV = "production";

/**
 * The shop's build: `webui/` is the root, the bundle goes to `webui/dist`, which the backend
 * serves. `vite dev` proxies /api to a running backend (WEBUI_API, default :3000) so the dev
 * server never needs to know Kafka or Restate either. No env vars are exposed to the bundle
 * (envPrefix is a name nothing sets), so no secret or internal URL can leak into it.
 */
export default defineConfig({
  root,
  plugins: [react()],
  envPrefix: "FOOD_ORDERING_PUBLIC_",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // A tiny inline module preload polyfill would need 'unsafe-inline'; modern browsers do not need it.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { "/api": process.env.WEBUI_API ?? "http://127.0.0.1:3000" },
  },
});

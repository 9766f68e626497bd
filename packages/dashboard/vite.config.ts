import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompressPlugin } from "./build/precompress.ts";

// `npm run dev` serves the dashboard with hot reload and passes /api and
// /dashboard (config.json) to a running REST server, e.g.
//   SEEDBED_API_URL=http://127.0.0.1:8080 npm run dev
// Open it at http://127.0.0.1:5173: the issuer accepts /callback on any
// loopback port, but only on 127.0.0.1.
const apiURL = process.env.SEEDBED_API_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  base: "/",
  plugins: [react(), precompressPlugin()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: {
      "/api": { target: apiURL },
      "/dashboard": { target: apiURL },
    },
  },
});

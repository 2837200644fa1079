/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The build goes to dist/, served by `server.py serve` at / (index.html uncached, assets/ immutable).
// No inline scripts or styles may end up in index.html: the page's CSP forbids them.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // ws: the subscriptions' WebSocket at /graphql goes to the API as well.
    proxy: { "/graphql": { target: "http://127.0.0.1:8080", ws: true }, "/auth": "http://127.0.0.1:8080" },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}", "scripts/**/*.test.{ts,mjs}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
  },
});

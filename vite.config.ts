import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const web = (page: string) => fileURLToPath(new URL(`./web/${page}`, import.meta.url));

/**
 * The browser apps: one multi-page build of `web/`, into `dist/web/<page>/index.html` with the hashed assets they
 * share in `dist/web/assets/`. Dispatch serves `/rider`, `/agency` and `/assets` from there (see
 * `apps/dispatch/src/main.ts`); `npm run build` runs this after tsc, so `npm start` serves fresh pages.
 */
export default defineConfig({
  root: web(''),
  base: '/',
  plugins: [
    react(),
    // The rider app's service worker (Workbox): it precaches the app shell, so the page opens with no network and
    // shows the jobs kept on the device. It lives at /rider/sw.js, its scope the rider app; the manifest and icons
    // are static files in web/public/rider, linked from the rider page only (the agency board is not installable).
    VitePWA({
      injectRegister: false,
      manifest: false,
      filename: 'rider/sw.js',
      scope: '/rider/',
      workbox: {
        globPatterns: ['rider/**/*.{html,png,webmanifest}', 'assets/**/*.{js,css}'],
        globIgnores: ['assets/agency-*'],
        // Precache entries are named from the build's root, not from the worker's folder.
        modifyURLPrefix: { '': '/' },
        navigateFallback: '/rider/index.html',
        navigateFallbackAllowlist: [/^\/rider(\/|$)/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    rollupOptions: {
      input: { rider: web('rider/index.html'), agency: web('agency/index.html') },
    },
  },
  server: { port: 5173, proxy: { '/socket.io': { target: 'http://127.0.0.1:3001', ws: true }, '/v1': 'http://127.0.0.1:3001', '/fee': 'http://127.0.0.1:3001' } },
});

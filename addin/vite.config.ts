// Vite build of the Outlook task pane. Run from the repository root:
//   npx vite build --config addin/vite.config.ts      → addin/dist (served by the backend at /)
//   npx vite --config addin/vite.config.ts            → dev server, /api proxied to the backend on :3000
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const addinRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: addinRoot,
  // Relative asset URLs, so the same build works wherever the backend mounts it.
  base: './',
  publicDir: 'public',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    rolldownOptions: {
      input: {
        taskpane: `${addinRoot}taskpane.html`,
        index: `${addinRoot}index.html`,
        // The Office dialog's sign-in page (fallback for Outlook without Nested App Authentication).
        'auth-dialog': `${addinRoot}auth-dialog.html`,
      },
    },
  },
  server: {
    port: 5173,
    // The add-in imports the API contracts from ../shared.
    fs: { allow: [repoRoot] },
    proxy: { '/api': { target: 'http://localhost:3000', changeOrigin: true } },
  },
  preview: {
    proxy: { '/api': { target: 'http://localhost:3000', changeOrigin: true } },
  },
});

// Vite builds the UI from master/ui/web into dist/ui, which the master serves at `/`. Preact's JSX
// goes through esbuild's automatic runtime (no framework plugin needed). Paths are relative to the
// package root, where `npm run build:ui` runs.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'master/ui/web',
  // Relative asset URLs: the page also works behind a proxy under a sub-path.
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../../../dist/ui',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8010' } },
});

import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each project gets its own release server on its own throwaway database, so both can run
// the first-run set-up, and a second, empty one to import its archive into.
const servers = [
  { name: 'hydrated', port: 3110, importPort: 3112, javaScriptEnabled: true },
  { name: 'no-javascript', port: 3111, importPort: 3113, javaScriptEnabled: false },
];

const chromium = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    launchOptions: chromium,
    trace: 'retain-on-failure',
  },
  projects: servers.map((s) => ({
    name: s.name,
    use: { baseURL: `http://127.0.0.1:${s.port}`, javaScriptEnabled: s.javaScriptEnabled },
    metadata: { importURL: `http://127.0.0.1:${s.importPort}` },
  })),
  webServer: servers.flatMap((s) => [
    { name: s.name, port: s.port },
    { name: `${s.name}-import`, port: s.importPort },
  ]).map((s) => {
    const dir = mkdtempSync(join(tmpdir(), `hindsight-e2e-${s.name}-`));
    return {
      command: `../target/release/hindsight serve --listen 127.0.0.1:${s.port}`,
      url: `http://127.0.0.1:${s.port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        DATABASE_URL: `sqlite://${dir}/hindsight.db`,
        LEPTOS_SITE_ROOT: '../target/site',
        RUST_LOG: 'warn',
      },
    };
  }),
});

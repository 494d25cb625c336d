import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '#config';
import { resolveDatabase } from '#database';
import { runMain, startService, type StaticSite } from '#platform';
import { DispatchModule } from './dispatch.module.js';

// `npm run build` puts the browser apps in dist/web, beside this file's dist/apps/dispatch/src.
const web = (dir: string) => fileURLToPath(new URL(`../../../web/${dir}`, import.meta.url));
const sites: StaticSite[] = [
  { prefix: '/rider', dir: web('rider') },
  { prefix: '/agency', dir: web('agency') },
  { prefix: '/assets', dir: web('assets'), spa: false },
];

runMain(async () => {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  await startService({
    service: 'dispatch',
    module: DispatchModule.forRoot(config, database.url),
    config,
    staticSites: sites,
  });
});

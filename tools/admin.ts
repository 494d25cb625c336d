import 'reflect-metadata';
import { runMain } from '#platform';
import { runAdmin } from './admin-cli.js';

runMain(async () => {
  process.exitCode = await runAdmin(process.argv.slice(2), { out: (text) => console.log(text), err: (text) => console.error(text) });
});

import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '#config';
import { resolveDatabase } from '#database';
import { DomainError, runMain } from '#platform';
import { provisionAgency } from '../apps/dispatch/src/agencies/agencies.provisioning.js';
import { provisionOperatorInvite } from '../apps/dispatch/src/operators/operators.provisioning.js';
import { provisionRider } from '../apps/dispatch/src/riders/riders.provisioning.js';
import { provisionRestaurant } from '../apps/order-intake/src/restaurants/restaurants.provisioning.js';
import { describeRotation, ROTATABLE, rotateFromCli, type Rotatable } from './admin-rotate.js';
import { openServiceDatabases } from './service-databases.js';

const USAGE = `usage: npm run admin -- <command> [options]

  agency create --name <name>
  restaurant create --agency <agencyId> --name <name> --address <address> --lng <lng> --lat <lat> [--callback-url <url>]
                    [--cooking-minutes <n>]
  rider create --agency <agencyId> --name <name> [--capacity <n>]
  operator invite --agency <agencyId> --email <email> --role <owner|dispatcher|viewer>
  rotate restaurant-secret|restaurant-key|agency-key|rider-token <id> [--overlap-hours <n>] [--json]

Prints the new ids with their secrets as JSON; secrets are shown only once. With --callback-url the restaurant
is sent a signed callback for every status change of its orders (docs/webhooks.md). --cooking-minutes is the
restaurant's usual cooking time, the ready time of orders sent without one (else DEFAULT_COOKING_MINUTES).
operator invite prints a one-time invite token (valid OPERATOR_INVITE_HOURS) for the person to accept at
POST /v1/operator-invites/accept or in the dashboard: how an agency gets its first owner (docs/agency-api.md).
rotate gives a new secret, key or token, shown once; the old one keeps working --overlap-hours (default 24,
0 to 168; 0 refuses it at once), and is audited as made by the admin CLI (docs/agency-api.md). --json prints the
answer as JSON. Uses DATABASE_URL, or the embedded PostgreSQL under .data/ (started if not running).`;

const OPTIONS = {
  name: { type: 'string' },
  agency: { type: 'string' },
  address: { type: 'string' },
  lng: { type: 'string' },
  lat: { type: 'string' },
  capacity: { type: 'string' },
  'callback-url': { type: 'string' },
  'cooking-minutes': { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  'overlap-hours': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

function number(values: Record<string, unknown>, name: string): number {
  const raw = required(values, name);
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

runMain(async () => {
  const { values, positionals } = parseArgs({ options: OPTIONS, allowPositionals: true, strict: true });
  const rotation = positionals[0] === 'rotate' && positionals.length === 3 && ROTATABLE.includes(positionals[1] as Rotatable);
  const command = rotation ? 'rotate' : positionals.join(' ');
  if (values.help || !(rotation || ['agency create', 'restaurant create', 'rider create', 'operator invite'].includes(command))) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const config = loadConfig();
  const database = await resolveDatabase(config);
  const databases = await openServiceDatabases(database.url);
  try {
    let result: object;
    if (command === 'rotate') {
      const overlap = values['overlap-hours'] === undefined ? undefined : number(values, 'overlap-hours');
      const rotated = await rotateFromCli(databases, positionals[1] as Rotatable, positionals[2], overlap);
      console.log(values.json ? JSON.stringify(rotated, null, 2) : describeRotation(rotated));
      return;
    } else if (command === 'agency create') {
      result = await provisionAgency(databases.dispatch, { name: required(values, 'name') });
    } else if (command === 'restaurant create') {
      const agencyId = required(values, 'agency');
      const known: unknown[] = await databases.dispatch.query(
        'SELECT 1 FROM dispatch.agencies WHERE id::text = $1',
        [agencyId],
      );
      if (known.length === 0) throw new UsageError(`--agency ${agencyId}: no such agency`);
      result = await provisionRestaurant(databases.intake, {
        agencyId,
        name: required(values, 'name'),
        address: required(values, 'address'),
        lng: number(values, 'lng'),
        lat: number(values, 'lat'),
        callbackUrl: values['callback-url'],
        defaultCookingMinutes: values['cooking-minutes'] === undefined ? undefined : number(values, 'cooking-minutes'),
      }, { allowPrivateNetworks: config.intake.callbacks.allowPrivateNetworks });
    } else if (command === 'operator invite') {
      result = await provisionOperatorInvite(
        databases.dispatch,
        { agencyId: required(values, 'agency'), email: required(values, 'email'), role: required(values, 'role') },
        { inviteMs: config.auth.inviteMs },
      );
    } else {
      const capacity = values.capacity === undefined ? undefined : number(values, 'capacity');
      result = await provisionRider(databases.dispatch, { agencyId: required(values, 'agency'), name: required(values, 'name'), capacity });
    }
    console.log(JSON.stringify(result, null, 2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof DomainError) {
      console.error(`${error.code}: ${error.message}${error.details ? `\n${JSON.stringify(error.details, null, 2)}` : ''}`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  } finally {
    await databases.close();
    await database.stop();
  }
});

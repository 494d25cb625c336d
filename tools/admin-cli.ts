import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, type AppConfig } from '#config';
import { resolveDatabase } from '#database';
import { DomainError } from '#platform';
import { AgenciesRepository } from '../apps/dispatch/src/agencies/agencies.repository.js';
import { provisionAgency } from '../apps/dispatch/src/agencies/agencies.provisioning.js';
import { provisionOperatorInvite } from '../apps/dispatch/src/operators/operators.provisioning.js';
import { setRiderDisabled } from '../apps/dispatch/src/rider-admin/rider-admin.provisioning.js';
import { provisionRider } from '../apps/dispatch/src/riders/riders.provisioning.js';
import { RidersRepository } from '../apps/dispatch/src/riders/riders.repository.js';
import { RestaurantAdmin } from '../apps/order-intake/src/restaurant-admin/restaurant-admin.js';
import { provisionRestaurant } from '../apps/order-intake/src/restaurants/restaurants.provisioning.js';
import { RestaurantsRepository } from '../apps/order-intake/src/restaurants/restaurants.repository.js';
import { isUuid } from '../apps/order-intake/src/restaurants/restaurants.service.js';
import { importCsv, type ImportKind } from './admin-import.js';
import { describeRotation, ROTATABLE, rotateFromCli, type Rotatable } from './admin-rotate.js';
import { openServiceDatabases, type ServiceDataSources } from './service-databases.js';

const USAGE = `usage: npm run admin -- <command> [options]

  agency create --name <name>
  restaurant create --agency <agencyId> --name <name> --address <address> --lng <lng> --lat <lat> [--callback-url <url>]
                    [--cooking-minutes <n>]
  rider create --agency <agencyId> --name <name> [--capacity <n>]
  operator invite --agency <agencyId> --email <email> --role <owner|dispatcher|viewer>
  list agencies|restaurants|riders [--agency <agencyId>] [--json]
  restaurant disable|enable --id <restaurantId> [--json]
  rider disable|enable --id <riderId> [--json]
  import riders|restaurants --agency <agencyId> --file <file.csv> [--dry-run] [--json]
  rotate restaurant-secret|restaurant-key|agency-key|rider-token <id> [--overlap-hours <n>] [--json]

create and invite print the new ids with their secrets as JSON; secrets are shown only once. With --callback-url the restaurant
is sent a signed callback for every status change of its orders (docs/webhooks.md). --cooking-minutes is the
restaurant's usual cooking time, the ready time of orders sent without one (else DEFAULT_COOKING_MINUTES).
operator invite prints a one-time invite token (valid OPERATOR_INVITE_HOURS) for the person to accept at
POST /v1/operator-invites/accept or in the dashboard: how an agency gets its first owner (docs/agency-api.md).
list shows every agency, or the restaurants or riders of one agency (--agency) or of all; --json prints JSON.
disable refuses a restaurant's webhooks and API key (RESTAURANT_DISABLED), or a rider's token on its next
connection, handing the rider's deliveries not yet picked up back to dispatch in the same transaction (a running
dispatch offers them again); a running dispatch closes a socket already open within RIDER_RECHECK_INTERVAL_MS
(the agency API closes it at once); enable restores them. Each change is in the agency's audit log as "admin CLI".
import reads a CSV file (UTF-8, with or without BOM; a header row; fields quoted as RFC 4180): riders with columns
name[,capacity], restaurants with name,address,lng,lat[,callbackUrl][,defaultCookingMinutes]. Every row is checked
and every bad one reported (line, field, value, reason) before anything is written; then all rows are created in
one transaction, or none. --dry-run only checks. The new riders' tokens and restaurants' secrets are printed once.
rotate gives a new secret, key or token, shown once; the old one keeps working --overlap-hours (default 24,
0 to 168; 0 refuses it at once), and is audited as made by the admin CLI (docs/agency-api.md).
Uses DATABASE_URL, or the embedded PostgreSQL under .data/ (started if not running).`;

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
  id: { type: 'string' },
  file: { type: 'string' },
  'dry-run': { type: 'boolean' },
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

const COMMANDS = [
  'agency create',
  'restaurant create',
  'rider create',
  'operator invite',
  'list agencies',
  'list restaurants',
  'list riders',
  'restaurant disable',
  'restaurant enable',
  'rider disable',
  'rider enable',
  'import riders',
  'import restaurants',
];

/** Who the audit log names for what this tool does. */
const ADMIN_CLI = 'admin CLI';

/** Where the tool writes: its standard output and error. */
export interface AdminOutput {
  out(text: string): void;
  err(text: string): void;
}

type Values = Record<string, string | boolean | undefined>;

/** An answer to print: `json` as JSON, `text` (lines) otherwise; `exitCode` when it reports a failure. */
interface Answer {
  json: unknown;
  text: string;
  exitCode?: number;
}

const table = (rows: Array<Array<string | number | boolean | null>>) => rows.map((row) => row.map((cell) => String(cell ?? '-')).join('\t')).join('\n');

/** Runs one admin command with its arguments; resolves with the process's exit code. */
export async function runAdmin(argv: string[], output: AdminOutput, env: Record<string, string | undefined> = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  // `rotate <kind> <id>`: the only command with an argument of its own.
  const rotation = positionals[0] === 'rotate' && positionals.length === 3 && ROTATABLE.includes(positionals[1] as Rotatable);
  const command = rotation ? 'rotate' : positionals.join(' ');
  if (values.help || !(rotation || COMMANDS.includes(command))) {
    (values.help ? output.out : output.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadConfig(env);
  const database = await resolveDatabase(config);
  const databases = await openServiceDatabases(database.url);
  const restaurants = new RestaurantAdmin(databases.intake, { allowPrivateNetworks: config.intake.callbacks.allowPrivateNetworks });
  try {
    const answer = rotation ? await rotate(databases, positionals[1] as Rotatable, positionals[2]!, values) : await run(command, values, databases, restaurants, config);
    output.out(values.json ? JSON.stringify(answer.json, null, 2) : answer.text);
    return answer.exitCode ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof DomainError) {
      output.err(`${error.code}: ${error.message}${error.details ? `\n${JSON.stringify(error.details, null, 2)}` : ''}`);
      return 1;
    }
    throw error;
  } finally {
    await databases.close();
    await database.stop();
  }
}

async function rotate(databases: ServiceDataSources, kind: Rotatable, id: string, values: Values): Promise<Answer> {
  const overlap = values['overlap-hours'] === undefined ? undefined : number(values, 'overlap-hours');
  const rotated = await rotateFromCli(databases, kind, id, overlap);
  return { json: rotated, text: describeRotation(rotated) };
}

async function run(command: string, values: Values, databases: ServiceDataSources, restaurants: RestaurantAdmin, config: AppConfig): Promise<Answer> {
  const created = (result: object): Answer => ({ json: result, text: JSON.stringify(result, null, 2) });
  const [verb, noun] = command.split(' ') as [string, string];
  if (command === 'agency create') return created(await provisionAgency(databases.dispatch, { name: required(values, 'name') }));
  if (command === 'restaurant create') {
    const agencyId = required(values, 'agency');
    if (!(await knownAgency(databases, agencyId))) throw new UsageError(`--agency ${agencyId}: no such agency`);
    return created(
      await provisionRestaurant(databases.intake, {
        agencyId,
        name: required(values, 'name'),
        address: required(values, 'address'),
        lng: number(values, 'lng'),
        lat: number(values, 'lat'),
        callbackUrl: values['callback-url'] as string | undefined,
        defaultCookingMinutes: values['cooking-minutes'] === undefined ? undefined : number(values, 'cooking-minutes'),
      }, { allowPrivateNetworks: config.intake.callbacks.allowPrivateNetworks }),
    );
  }
  if (command === 'operator invite') {
    return created(
      await provisionOperatorInvite(
        databases.dispatch,
        { agencyId: required(values, 'agency'), email: required(values, 'email'), role: required(values, 'role') },
        { inviteMs: config.auth.inviteMs },
      ),
    );
  }
  if (command === 'rider create') {
    const capacity = values.capacity === undefined ? undefined : number(values, 'capacity');
    return created(await provisionRider(databases.dispatch, { agencyId: required(values, 'agency'), name: required(values, 'name'), capacity }));
  }
  if (verb === 'list') return list(noun, values, databases, restaurants);
  if (verb === 'import') return importFile(noun as ImportKind, values, databases, restaurants);
  const disabled = noun === 'disable';
  const id = required(values, 'id');
  if (verb === 'rider') {
    const rider = await setRiderDisabled(databases.dispatch, id, disabled, { label: ADMIN_CLI });
    const handedBack = rider.handedBack.length ? `; ${rider.handedBack.length} delivery(ies) not yet picked up handed back to dispatch` : '';
    return { json: rider, text: `rider ${rider.id} (${rider.name}) ${rider.disabled ? 'disabled' : 'enabled'}${rider.changed ? '' : ' already'}${handedBack}` };
  }
  const found = isUuid(id) ? await new RestaurantsRepository(databases.intake).findById(id.toLowerCase()) : null;
  if (!found) throw new DomainError('RESTAURANT_NOT_FOUND', `no restaurant ${id}`);
  const actor = { operatorId: null, label: ADMIN_CLI };
  const restaurant = disabled ? await restaurants.disable(found.agencyId, id, actor) : await restaurants.enable(found.agencyId, id, actor);
  return { json: restaurant, text: `restaurant ${restaurant.id} (${restaurant.name}) ${restaurant.disabled ? 'disabled' : 'enabled'}` };
}

async function knownAgency(databases: ServiceDataSources, agencyId: string): Promise<boolean> {
  return isUuid(agencyId) && (await new AgenciesRepository(databases.dispatch).findById(agencyId.toLowerCase())) !== null;
}

async function list(noun: string, values: Values, databases: ServiceDataSources, restaurants: RestaurantAdmin): Promise<Answer> {
  const agencies = await new AgenciesRepository(databases.dispatch).list();
  if (noun === 'agencies') {
    const json = agencies.map((a) => ({ id: a.id, name: a.name }));
    return { json, text: table([['id', 'name'], ...json.map((a) => [a.id, a.name])]) };
  }
  const agencyId = typeof values.agency === 'string' ? values.agency.trim().toLowerCase() : undefined;
  if (agencyId !== undefined && !agencies.some((a) => a.id === agencyId)) throw new UsageError(`--agency ${values.agency}: no such agency`);
  const of = agencyId ? agencies.filter((a) => a.id === agencyId) : agencies;
  if (noun === 'restaurants') {
    const json = (await Promise.all(of.map(async (a) => (await restaurants.list(a.id)).map((r) => ({ agencyId: a.id, ...r }))))).flat();
    return { json, text: table([['id', 'agency', 'name', 'address', 'disabled'], ...json.map((r) => [r.id, r.agencyId, r.name, r.address, r.disabled])]) };
  }
  const riders = new RidersRepository(databases.dispatch);
  const json = (await Promise.all(of.map(async (a) => (await riders.findByAgency(a.id)).map((r) => ({ id: r.id, agencyId: a.id, name: r.name, capacity: r.capacity, disabled: r.disabledAt !== null }))))).flat();
  return { json, text: table([['id', 'agency', 'name', 'capacity', 'disabled'], ...json.map((r) => [r.id, r.agencyId, r.name, r.capacity, r.disabled])]) };
}

async function importFile(kind: ImportKind, values: Values, databases: ServiceDataSources, restaurants: RestaurantAdmin): Promise<Answer> {
  const agencyId = required(values, 'agency');
  if (!(await knownAgency(databases, agencyId))) throw new UsageError(`--agency ${agencyId}: no such agency`);
  const file = required(values, 'file');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--file ${file}: ${(error as Error).message}`);
  }
  const dryRun = values['dry-run'] === true;
  const result = await importCsv(databases, restaurants, { kind, agencyId: agencyId.toLowerCase(), text, dryRun, label: ADMIN_CLI });
  if (!result.ok) {
    const lines = result.errors.map((e) => `line ${e.line}${e.field ? `, ${e.field}` : ''}${e.value === null ? '' : ` ${JSON.stringify(e.value)}`}: ${e.reason}`);
    return { json: result, text: [`${file}: ${result.errors.length} problem(s), nothing written`, ...lines].join('\n'), exitCode: 1 };
  }
  const summary = dryRun ? `${file}: all ${result.rows} ${kind} valid; nothing written (--dry-run)` : `${file}: ${result.rows} ${kind} created`;
  return { json: result, text: dryRun ? summary : `${summary}\n${JSON.stringify(result.created, null, 2)}` };
}

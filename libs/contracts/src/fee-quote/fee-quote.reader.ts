import { isInt, isISO8601, isUUID } from 'class-validator';
import { jsonInputProblem } from '../common/json-input.js';
import { Fee, FeeItem } from '../common/money.js';
import { validateContract, type Validated } from '../common/validation.js';
import { FeeQuote, RouteAttempt } from './fee-quote.request.js';

/**
 * Reads a `fee.quote` reply. Every new delivery's price arrives as one, so the usual reply, exactly the fields the
 * fee service sends with every value as the contract wants it, is taken with the contract's own checks (`isUUID`,
 * `isInt`, `isISO8601`) but without its class-transformer and class-validator pass, which allocated more than the
 * rest of a delivery's dispatch. Anything else (a missing, extra or odd field) goes through that validation, for
 * the same value or the same errors. The shortcut never takes what the contract refuses, and gives the same value
 * when it takes one: a property spec holds it to that.
 */
export function readFeeQuote(reply: unknown): Validated<FeeQuote> {
  const quote = plainFeeQuote(reply);
  return quote ? { ok: true, value: quote } : validateContract(FeeQuote, reply);
}

const QUOTE_KEYS = new Set(['quoteId', 'agencyId', 'tariffVersion', 'pricedAt', 'distanceBasis', 'distanceMeters', 'durationSeconds', 'provider', 'estimated', 'detourFactor', 'factorSource', 'cached', 'attempts', 'fee', 'riderPay']);
const ATTEMPT_KEYS = new Set(['provider', 'outcome', 'ms', 'skipped', 'message']);
const FEE_KEYS = new Set(['total', 'currency', 'items']);
const ITEM_KEYS = new Set(['code', 'label', 'amount']);

type Plain = Record<string, unknown>;

const isObject = (value: unknown): value is Plain => value !== null && typeof value === 'object' && !Array.isArray(value);
/** Only known keys, so nothing the contract would drop is there to be dropped. */
const onlyKeys = (value: Plain, keys: Set<string>) => Object.keys(value).every((key) => keys.has(key));
const count = (value: unknown, min = 0): value is number => isInt(value) && (value as number) >= min;

/** The shortcut alone: the quote when the reply is the usual one, else undefined (and the contract decides). */
export function plainFeeQuote(reply: unknown): FeeQuote | undefined {
  // Text with NUL or a lone surrogate, which the contract refuses, is left to it.
  if (!isObject(reply) || !onlyKeys(reply, QUOTE_KEYS) || jsonInputProblem(reply)) return undefined;
  const q = reply;
  if (!(typeof q.quoteId === 'string' && isUUID(q.quoteId) && typeof q.agencyId === 'string' && isUUID(q.agencyId))) return undefined;
  if (!(count(q.tariffVersion, 1) && count(q.distanceMeters) && count(q.durationSeconds))) return undefined;
  if (!(typeof q.pricedAt === 'string' && isISO8601(q.pricedAt))) return undefined;
  if (!(q.distanceBasis === 'route' || q.distanceBasis === 'straight')) return undefined;
  if (!(typeof q.provider === 'string' && typeof q.estimated === 'boolean' && typeof q.cached === 'boolean')) return undefined;
  if (!(q.detourFactor === undefined || (typeof q.detourFactor === 'number' && Number.isFinite(q.detourFactor)))) return undefined;
  if (!(q.factorSource === undefined || q.factorSource === 'calibrated' || q.factorSource === 'default')) return undefined;
  const attempts = Array.isArray(q.attempts) ? q.attempts.map(plainAttempt) : undefined;
  const fee = plainFee(q.fee);
  const riderPay = plainFee(q.riderPay);
  if (!attempts || attempts.some((attempt) => attempt === undefined) || !fee || !riderPay) return undefined;
  return Object.assign(new FeeQuote(), {
    quoteId: q.quoteId,
    agencyId: q.agencyId,
    tariffVersion: q.tariffVersion,
    pricedAt: q.pricedAt,
    distanceBasis: q.distanceBasis,
    distanceMeters: q.distanceMeters,
    durationSeconds: q.durationSeconds,
    provider: q.provider,
    estimated: q.estimated,
    ...(q.detourFactor === undefined ? {} : { detourFactor: q.detourFactor }),
    ...(q.factorSource === undefined ? {} : { factorSource: q.factorSource }),
    cached: q.cached,
    attempts: attempts as RouteAttempt[],
    fee,
    riderPay,
  });
}

function plainAttempt(value: unknown): RouteAttempt | undefined {
  if (!isObject(value) || !onlyKeys(value, ATTEMPT_KEYS)) return undefined;
  const { provider, outcome, ms, skipped, message } = value;
  if (!(typeof provider === 'string' && typeof outcome === 'string' && count(ms))) return undefined;
  if (!(skipped === undefined || typeof skipped === 'boolean') || !(message === undefined || typeof message === 'string')) return undefined;
  return Object.assign(new RouteAttempt(), {
    provider,
    outcome,
    ms,
    ...(skipped === undefined ? {} : { skipped }),
    ...(message === undefined ? {} : { message }),
  });
}

function plainFee(value: unknown): Fee | undefined {
  if (!isObject(value) || !onlyKeys(value, FEE_KEYS) || !count(value.total) || value.currency !== 'KRW' || !Array.isArray(value.items)) return undefined;
  const items = value.items.map((item: unknown) =>
    isObject(item) && onlyKeys(item, ITEM_KEYS) && typeof item.code === 'string' && typeof item.label === 'string' && isInt(item.amount)
      ? Object.assign(new FeeItem(), { code: item.code, label: item.label, amount: item.amount })
      : undefined,
  );
  if (items.some((item) => item === undefined)) return undefined;
  return Object.assign(new Fee(), { total: value.total, currency: 'KRW' as const, items: items as FeeItem[] });
}

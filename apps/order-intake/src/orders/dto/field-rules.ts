import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { KOREA_BOUNDS, lngLatReasons } from '#contracts';

/*
 * One rule per field, each with one reason a restaurant's developer can act on ("is required", "must be an
 * integer of at least 1"), instead of class-validator's stacked defaults.
 */

const requiredOr = (reason: string) => (args: ValidationArguments) => (args.value === undefined ? 'is required' : reason);

/** A string of `min` to `max` characters. NUL is refused: PostgreSQL cannot store it in text or jsonb. */
export function IsText(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isText',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length >= min && value.length <= max && !value.includes('\u0000'),
        defaultMessage: requiredOr(`must be a string of ${min} to ${max} characters, without NUL`),
      },
    },
    options,
  );
}

/** An integer from `min` to `max`, e.g. an amount of KRW; the bound keeps it inside the database's integer. */
export function IsIntegerIn(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIntegerIn',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max,
        defaultMessage: requiredOr(`must be an integer from ${min} to ${max}`),
      },
    },
    options,
  );
}

/** A list of `min` to `max` entries. */
export function IsList(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isList',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => Array.isArray(value) && value.length >= min && value.length <= max,
        defaultMessage: requiredOr(`must be a list of ${min} to ${max} entries`),
      },
    },
    options,
  );
}

const inRange = (value: unknown, min: number, max: number) =>
  typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;

/** A longitude inside South Korea; the reason is the shared GeoPoint one, which suggests a swap. */
export function IsKoreanLng(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isKoreanLng',
      constraints: [KOREA_BOUNDS.minLng, KOREA_BOUNDS.maxLng],
      validator: {
        validate: (value: unknown) => inRange(value, KOREA_BOUNDS.minLng, KOREA_BOUNDS.maxLng),
        defaultMessage: (args) => (typeof args?.value === 'number' ? lngLatReasons.lng : 'must be a number'),
      },
    },
    options,
  );
}

export function IsKoreanLat(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isKoreanLat',
      constraints: [KOREA_BOUNDS.minLat, KOREA_BOUNDS.maxLat],
      validator: {
        validate: (value: unknown) => inRange(value, KOREA_BOUNDS.minLat, KOREA_BOUNDS.maxLat),
        defaultMessage: (args) => (typeof args?.value === 'number' ? lngLatReasons.lat : 'must be a number'),
      },
    },
    options,
  );
}

/**
 * A Korean phone number as restaurants' systems write it: mobile (010-1234-5678), landline (02-123-4567),
 * safe numbers (0504-1234-5678) or +82 form; digits with single dashes, 9 to 13 digits in all.
 */
export function isKoreanPhone(value: unknown): boolean {
  if (typeof value !== 'string' || !/^(?:\+82-?|0)\d+(?:-\d+)*$/.test(value)) return false;
  const digits = value.replace(/\D/g, '').length;
  return digits >= 9 && digits <= 13;
}

export function IsKoreanPhone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isKoreanPhone',
      validator: {
        validate: isKoreanPhone,
        defaultMessage: () => 'must be a Korean phone number: 9 to 13 digits, dashes allowed, e.g. 010-1234-5678',
      },
    },
    options,
  );
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * An instant in ISO 8601 with its offset (`2026-12-06T12:30:00+09:00` or `...Z`): a time without one would be
 * read in the server's zone, which the sender cannot know. Impossible dates (February 30) are refused, not rolled.
 */
export function isInstant(value: unknown): value is string {
  const m = typeof value === 'string' ? INSTANT.exec(value) : null;
  if (!m) return false;
  const [year, month, day, hour, minute, second = '0', offsetHour = '0', offsetMinute = '0'] = m.slice(1).map((part) => part ?? undefined);
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day) &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second) < 60 &&
    Number(offsetHour) < 24 &&
    Number(offsetMinute) < 60
  );
}

export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: isInstant,
        defaultMessage: () => 'must be an ISO 8601 instant with its offset, e.g. 2026-12-06T12:30:00+09:00',
      },
    },
    options,
  );
}

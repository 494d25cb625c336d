import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Long enough for any real endpoint with a query string, short enough to show in a log or a view. */
const MAX_LENGTH = 2000;

/**
 * Why a value cannot be a restaurant's callback URL, or null when it can: an absolute http or https URL with a
 * host, without a user name or password (callbacks are signed instead, and fetch refuses such URLs anyway).
 */
export function callbackUrlProblem(value: unknown): string | null {
  const reason = `must be an absolute http or https URL of at most ${MAX_LENGTH} characters`;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH || value.trim() !== value) return reason;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return reason;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return reason;
  if (url.hostname === '') return reason;
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password: callbacks are signed with your webhook secret';
  return null;
}

/** The form a valid callback URL is stored in. */
export function normalizeCallbackUrl(value: string): string {
  return new URL(value).toString();
}

/** A restaurant's callback URL; see callbackUrlProblem. */
export function IsCallbackUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCallbackUrl',
      validator: {
        validate: (value: unknown) => callbackUrlProblem(value) === null,
        defaultMessage: (args) => (args?.value === undefined ? 'is required' : callbackUrlProblem(args?.value) ?? 'is invalid'),
      },
    },
    options,
  );
}

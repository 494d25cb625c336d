import type { QueryRunner } from 'typeorm';

/**
 * Announces every agency dispatch has under `pattern`, through the outbox like a new one (the event shape of
 * `provisionAgency`), dated when the agency was created. gen_random_uuid() sits in a subquery's select list, so it
 * is drawn once per agency.
 */
export async function announceAgencies(q: QueryRunner, pattern: string): Promise<void> {
  await q.query(
    `INSERT INTO dispatch.outbox (event_id, pattern, payload)
     SELECT event_id, $1, jsonb_build_object(
              'eventId', event_id,
              'occurredAt', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'agencyId', id,
              'name', name,
              'apiKeyHash', api_key_hash)
       FROM (SELECT gen_random_uuid() AS event_id, id, name, api_key_hash, created_at FROM dispatch.agencies) AS a
      ORDER BY created_at, id`,
    [pattern],
  );
}

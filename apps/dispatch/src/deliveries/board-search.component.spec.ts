import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { agencyDeliveriesApi, orderEvent, startDispatch, type DispatchHarness } from '../../test/dispatch-harness.js';
import { DeliveryOperations } from './delivery-operations.service.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The board for a whole day: text search over order ids, the restaurant's order id, both addresses and the rider's
 * name, and the CSV export of exactly what the filters select, on the real module and PostgreSQL.
 */
describe('board search and CSV export (component, real PostgreSQL)', () => {
  let h: DispatchHarness;
  let api: Awaited<ReturnType<typeof agencyDeliveriesApi>>;
  let other: Awaited<ReturnType<typeof agencyDeliveriesApi>>;
  const mine = {
    pos: orderEvent('', { externalOrderId: 'POS-Abc-001', dropoff: { lng: 126.9237, lat: 37.5509, address: '서울 마포구 와우산로 94' } }),
    busan: orderEvent('', { externalOrderId: 'kiosk-777', dropoff: { lng: 126.98, lat: 37.57, address: '서울 종로구 삼일대로 428, "낙원상가"\n2층' } }),
    formula: orderEvent('', { restaurantName: '=HYPERLINK("http://evil")', externalOrderId: '-2+3', customerPhone: '010-9876-5432', payment: { method: 'cash', collectAmount: 21000 } }),
    carried: orderEvent('', { externalOrderId: 'carried-1' }),
  };
  const ids = (response: request.Response) => response.body.deliveries.map((d: { orderId: string }) => d.orderId).sort();

  beforeAll(async () => {
    h = await startDispatch({ withFee: false });
    api = await agencyDeliveriesApi(h);
    other = await agencyDeliveriesApi(h);
    for (const event of Object.values(mine)) await h.publish({ ...event, agencyId: api.agencyId });
    // Another agency's delivery that every search below would match.
    await h.publish(orderEvent(other.agencyId, { externalOrderId: 'POS-ABC-001', dropoff: { lng: 126.9237, lat: 37.5509, address: '서울 마포구 와우산로 94' } }));
    const { riderId } = await h.rider(api.agencyId, '박서준');
    await h.rider(other.agencyId, '박서준');
    const delivery = await h.deliveryOf(mine.carried.orderId);
    await api.post(`/${delivery.id}/assign`, { riderId }).expect(200);
    await h.deliveryOf(mine.formula.orderId);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('finds deliveries by the restaurant’s order id, in any case, and only the agency’s own', async () => {
    expect(ids(await api.get('?q=abc-0').expect(200))).toEqual([mine.pos.orderId]);
    expect(ids(await other.get('?q=abc-0').expect(200))).toHaveLength(1);
    expect(ids(await other.get('?q=abc-0').expect(200))).not.toContain(mine.pos.orderId);
  });

  it('finds a delivery by a piece of its order id', async () => {
    const piece = mine.busan.orderId.slice(9, 18).toUpperCase();
    expect(ids(await api.get(`?q=${piece}`).expect(200))).toEqual([mine.busan.orderId]);
  });

  it('finds deliveries by drop-off and by pickup address', async () => {
    expect(ids(await api.get(`?q=${encodeURIComponent('와우산')}`).expect(200))).toEqual([mine.pos.orderId]);
    expect(ids(await api.get(`?q=${encodeURIComponent('세종대로 110')}`).expect(200))).toEqual(Object.values(mine).map((e) => e.orderId).sort());
  });

  it("finds deliveries by the rider's name, never another agency's rider of the same name", async () => {
    expect(ids(await api.get(`?q=${encodeURIComponent('서준')}`).expect(200))).toEqual([mine.carried.orderId]);
    expect(ids(await other.get(`?q=${encodeURIComponent('서준')}`).expect(200))).toEqual([]);
  });

  it('takes % and _ as the characters they are, combines q with the other filters, and refuses a blank or long q', async () => {
    expect(ids(await api.get('?q=%25').expect(200))).toEqual([]);
    expect(ids(await api.get('?q=POS_Abc').expect(200))).toEqual([]);
    expect(ids(await api.get(`?q=${encodeURIComponent('세종대로')}&status=assigned`).expect(200))).toEqual([mine.carried.orderId]);
    const refused = await api.get(`?q=${encodeURIComponent('   ')}`).expect(400);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'q', reason: expect.stringContaining('1 to 100') })]);
    await api.get(`?q=${'x'.repeat(101)}`).expect(400);
  });

  it('refuses a time range that ends where or before it starts, on the board and its export', async () => {
    const range = `from=${encodeURIComponent('2026-12-06T10:00:00+09:00')}&to=${encodeURIComponent('2026-12-06T09:00:00+09:00')}`;
    for (const path of [`?${range}`, `/export.csv?${range}`]) {
      const refused = await api.get(path).expect(400);
      expect(refused.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'to', value: '2026-12-06T09:00:00+09:00', reason: 'must be after from (2026-12-06T10:00:00+09:00)' }] });
    }
    await api.get(`?from=${encodeURIComponent('2026-12-06T10:00:00+09:00')}&to=${encodeURIComponent('2026-12-06T10:00:00+09:00')}`).expect(400);
    expect(ids(await api.get(`?from=${encodeURIComponent('2000-01-01T00:00:00Z')}&to=${encodeURIComponent('2100-01-01T00:00:00Z')}`).expect(200))).toEqual(Object.values(mine).map((e) => e.orderId).sort());
  });

  it('answers the search from one trigram index written with the delivery, none on the deliveries table its steps rewrite', async () => {
    let plan = '';
    await h.dataSource.transaction(async (manager) => {
      // On a few rows a scan is cheapest; forbidding it shows whether the index can serve the predicate at all.
      await manager.query('SET LOCAL enable_seqscan = off');
      const rows: Array<{ 'QUERY PLAN': string }> = await manager.query(`EXPLAIN SELECT s.delivery_id FROM dispatch.delivery_search s WHERE s.haystack ILIKE '%abc-0%'`);
      plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('IDX_dispatch_delivery_search_trgm');
    const onDeliveries = await h.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'dispatch' AND tablename = 'deliveries' AND indexdef ILIKE '%gin_trgm_ops%'`,
    );
    expect(onDeliveries).toEqual([]);
    // A field's end and the next one's start never make a match together.
    const [row] = await h.query<{ haystack: string }>('SELECT haystack FROM dispatch.delivery_search LIMIT 1');
    expect(row!.haystack.split(String.fromCharCode(31)).length).toBeGreaterThanOrEqual(3);
  });

  it('exports what the filters select as CSV for Excel: BOM, CRLF, quoting, Hangul, names, masked phone, formula-safe', async () => {
    const response = await api.get('/export.csv').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="deliveries-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = response.body as Buffer;
    expect(bytes.subarray(0, 3)).toEqual(BOM);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    // Every record ends with CRLF; the only other line break is the one inside the quoted address, as sent.
    expect(text.replace('"서울 종로구 삼일대로 428, ""낙원상가""\n2층"', '').replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = text.split('\r\n');
    expect(lines[0]!.startsWith('배달 ID,주문 ID,식당 주문번호,상태,식당,식당 ID,기사,기사 ID,픽업 주소,배달 주소')).toBe(true);
    expect(lines.filter((line) => line !== '')).toHaveLength(1 + 4);
    expect(text).toContain('"서울 종로구 삼일대로 428, ""낙원상가""\n2층"');
    expect(text).toContain(`'=HYPERLINK(""http://evil"")`);
    expect(text).toContain(`,'-2+3,`);
    expect(text).toContain(',010-****-5432,cash,21000,');
    expect(text).not.toContain('9876');
    const carried = lines.find((line) => line.includes(mine.carried.orderId))!;
    expect(carried).toContain(',박서준,');
    expect(text).toContain('시청앞 김밥');
    expect(text).not.toContain(other.agencyId);
  });

  it('exports only what q and the filters select, and nothing of another agency', async () => {
    const csv = (await api.get(`/export.csv?q=${encodeURIComponent('와우산')}`).expect(200)).text;
    expect(csv.split('\r\n').filter((line) => line !== '')).toHaveLength(2);
    expect(csv).toContain(mine.pos.orderId);
    const theirs = (await other.get('/export.csv').expect(200)).text;
    for (const event of Object.values(mine)) expect(theirs).not.toContain(event.orderId);
    await api.get('/export.csv?status=lost').expect(400);
  });

  it('reads every page of the selection for the export, whatever its size', async () => {
    const pages: string[][] = [];
    for await (const rows of h.dispatch.get(DeliveryOperations).boardPages(api.agencyId, { limit: 1 }, { pageSize: 3 })) pages.push(rows.map((row) => row.delivery.orderId));
    expect(pages.map((page) => page.length)).toEqual([3, 1]);
    expect(pages.flat().sort()).toEqual(Object.values(mine).map((e) => e.orderId).sort());
  });
});

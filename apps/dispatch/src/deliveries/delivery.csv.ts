import { CSV_BOM, csvRecord } from '#platform';
import type { BoardRow } from './delivery-operations.service.js';
import { maskedPhone } from './delivery.views.js';

const COLUMNS: Array<[header: string, cell: (row: BoardRow) => string | number | null]> = [
  ['배달 ID', ({ delivery: d }) => d.id],
  ['주문 ID', ({ delivery: d }) => d.orderId],
  ['식당 주문번호', ({ delivery: d }) => d.externalOrderId],
  ['상태', ({ delivery: d }) => d.status],
  ['식당', ({ delivery: d }) => d.restaurantName],
  ['식당 ID', ({ delivery: d }) => d.restaurantId],
  ['기사', (row) => (row.delivery.riderId ? (row.riderName ?? null) : null)],
  ['기사 ID', ({ delivery: d }) => d.riderId],
  ['픽업 주소', ({ delivery: d }) => d.pickupAddress],
  ['배달 주소', ({ delivery: d }) => d.dropoffAddress],
  ['상세 주소', ({ delivery: d }) => d.dropoffDetail],
  ['고객 전화', ({ delivery: d }) => maskedPhone(d.customerPhone)],
  ['결제', ({ delivery: d }) => d.paymentMethod],
  ['수금액', ({ delivery: d }) => (d.paymentMethod ? (d.paymentCollectAmount ?? 0) : null)],
  ['배달료', ({ delivery: d }) => d.fee?.total ?? null],
  ['기사 수당', ({ delivery: d }) => d.fee?.riderPay ?? null],
  ['거리(m)', ({ delivery: d }) => d.fee?.distanceMeters ?? null],
  ['접수', ({ delivery: d }) => d.createdAt.toISOString()],
  ['배정', ({ delivery: d }) => d.assignedAt?.toISOString() ?? null],
  ['픽업', ({ delivery: d }) => d.pickedUpAt?.toISOString() ?? null],
  ['완료', ({ delivery: d }) => d.deliveredAt?.toISOString() ?? null],
  ['취소', ({ delivery: d }) => d.cancelledAt?.toISOString() ?? null],
  ['실패', ({ delivery: d }) => d.failedAt?.toISOString() ?? null],
  ['실패 사유', ({ delivery: d }) => d.failureReason],
];

/** The header record of the board's CSV export. */
const deliveriesCsvHeader = (): string => csvRecord(COLUMNS.map(([header]) => header));

/**
 * A delivery as one CSV record: names beside ids, the phone masked as on the board, and text that a spreadsheet
 * would run as a formula (a restaurant named `=HYPERLINK(…)`) neutralised.
 */
const deliveryCsvRecord = (row: BoardRow): string => csvRecord(COLUMNS.map(([, cell]) => cell(row)), { formulaSafe: true });

/**
 * The whole export: a BOM (so Excel reads Hangul as UTF-8), the header, then each page's records as it comes. The
 * first page is read before anything is yielded, so a failing database is still answered with an error status.
 */
export async function* deliveriesCsv(pages: AsyncIterable<BoardRow[]>): AsyncGenerator<string> {
  const iterator = pages[Symbol.asyncIterator]();
  let page = await iterator.next();
  yield CSV_BOM + deliveriesCsvHeader();
  for (; !page.done; page = await iterator.next()) yield page.value.map(deliveryCsvRecord).join('');
}

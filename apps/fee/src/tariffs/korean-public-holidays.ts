import * as gazette from '@hyunbinseo/holidays-kr/all';

/** The first year new agencies' holiday lists start with; earlier years are of no use to a new tariff. */
const FIRST_YEAR = 2025;

/**
 * Korean public holidays (관공서의 공휴일), substitute days, election days and temporary holidays included, from
 * `@hyunbinseo/holidays-kr` (one table per year, from the government's published 월력요항). A new year arrives by
 * updating that package (`npm update @hyunbinseo/holidays-kr`; its version is 5.<last year>.x), done each December
 * once the next year's calendar is published. The list only pre-fills the holiday surcharge of a newly registered
 * agency: each agency then edits its own copy (a temporary holiday declared later), so changing this list never
 * changes an existing tariff.
 */
export const KOREAN_PUBLIC_HOLIDAYS: readonly { date: string; name: string }[] = Object.values(gazette)
  .flatMap((year) => Object.entries(year as Readonly<Record<string, readonly string[]>>))
  .filter(([date]) => Number(date.slice(0, 4)) >= FIRST_YEAR)
  .flatMap(([date, names]) => names.map((name) => ({ date, name })))
  .sort((a, b) => a.date.localeCompare(b.date));

/** The last year the table covers. */
export const LAST_HOLIDAY_YEAR = Math.max(...KOREAN_PUBLIC_HOLIDAYS.map((holiday) => Number(holiday.date.slice(0, 4))));

/** The holiday dates, each once and in order (two holidays can fall on one day, as on 2025-05-05). */
export function publicHolidayDates(): string[] {
  return [...new Set(KOREAN_PUBLIC_HOLIDAYS.map((holiday) => holiday.date))];
}

/**
 * Why the table needs updating on `today`, or null: from December of its last year on, new agencies would start
 * without next year's holidays.
 */
export function holidayTableWarning(today: Date): string | null {
  const seoul = new Date(today.getTime() + 9 * 3_600_000);
  const year = seoul.getUTCFullYear();
  if (year < LAST_HOLIDAY_YEAR || (year === LAST_HOLIDAY_YEAR && seoul.getUTCMonth() < 11)) return null;
  return `the Korean public holiday table ends with ${LAST_HOLIDAY_YEAR}: new agencies get no holidays after it. Update @hyunbinseo/holidays-kr (npm update @hyunbinseo/holidays-kr) and release.`;
}

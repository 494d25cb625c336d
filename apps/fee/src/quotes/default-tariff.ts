import type { FeeItem } from '#contracts';

/**
 * The tariff every agency gets until it sets its own: 3,000 KRW up to 1.5 km, then 500 KRW for each started
 * 500 m beyond, the total rounded up to 100 KRW.
 */
export interface DistanceTariff {
  name: string;
  baseFee: number;
  baseDistanceMeters: number;
  stepMeters: number;
  stepFee: number;
  roundUpTo: number;
}

export const DEFAULT_TARIFF: DistanceTariff = {
  name: 'default',
  baseFee: 3000,
  baseDistanceMeters: 1500,
  stepMeters: 500,
  stepFee: 500,
  roundUpTo: 100,
};

export interface PricedFee {
  total: number;
  items: FeeItem[];
}

export function priceByDistance(distanceMeters: number, tariff: DistanceTariff = DEFAULT_TARIFF): PricedFee {
  const items: FeeItem[] = [{ code: 'BASE', label: `기본요금 (${tariff.baseDistanceMeters / 1000}km까지)`, amount: tariff.baseFee }];
  const beyond = Math.max(0, distanceMeters - tariff.baseDistanceMeters);
  const steps = Math.ceil(beyond / tariff.stepMeters);
  if (steps > 0) {
    items.push({ code: 'DISTANCE', label: `거리 할증 (${tariff.stepMeters}m당 ${tariff.stepFee}원 × ${steps})`, amount: steps * tariff.stepFee });
  }
  const subtotal = items.reduce((sum, item) => sum + item.amount, 0);
  const total = Math.ceil(subtotal / tariff.roundUpTo) * tariff.roundUpTo;
  if (total !== subtotal) items.push({ code: 'ROUNDING', label: `${tariff.roundUpTo}원 단위 올림`, amount: total - subtotal });
  return { total, items };
}

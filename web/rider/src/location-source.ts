import type { Position } from './protocol';

/** Where positions come from: the device's GPS, or a route walked for trying the app at a desk. */
export interface LocationSource {
  stop(): void;
}

const SEND_EVERY_MS = 3000;

/** The browser's geolocation, reported at most every few seconds. */
export function watchDevice(onPosition: (position: Position) => void, onError: (message: string) => void): LocationSource {
  if (!('geolocation' in navigator)) {
    onError('이 브라우저는 위치 정보를 지원하지 않습니다.');
    return { stop() {} };
  }
  let lastSent = 0;
  let pending: Position | undefined;
  const send = (position: Position) => {
    lastSent = Date.now();
    pending = undefined;
    onPosition(position);
  };
  const watch = navigator.geolocation.watchPosition(
    ({ coords }) => {
      const position = { lng: coords.longitude, lat: coords.latitude };
      if (Date.now() - lastSent >= SEND_EVERY_MS) send(position);
      else pending = position;
    },
    (error) => onError(error.code === error.PERMISSION_DENIED ? '위치 권한이 거부되었습니다.' : '현재 위치를 알 수 없습니다.'),
    { enableHighAccuracy: true, maximumAge: 5000, timeout: 20_000 },
  );
  // A phone standing still reports rarely: repeat the latest fix so the server keeps hearing from us.
  const timer = setInterval(() => {
    if (pending) send(pending);
  }, SEND_EVERY_MS);
  return {
    stop() {
      navigator.geolocation.clearWatch(watch);
      clearInterval(timer);
    },
  };
}

/** A loop around Seoul City Hall: Sejong-daero up to Gwanghwamun and back by Taepyeong-ro (about 1.9 km). */
const ROUTE: Position[] = [
  { lng: 126.97797, lat: 37.56654 }, // 서울시청
  { lng: 126.97912, lat: 37.56905 }, // 청계광장
  { lng: 126.97693, lat: 37.57215 }, // 광화문광장
  { lng: 126.97563, lat: 37.57255 }, // 세종문화회관
  { lng: 126.97581, lat: 37.56963 }, // 세종대로 사거리
  { lng: 126.97518, lat: 37.56585 }, // 덕수궁 대한문
  { lng: 126.97797, lat: 37.56654 },
];
const SPEED_KMH = 22;

function metersBetween(a: Position, b: Position): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

/** Walks ROUTE at a scooter's pace, one position every few seconds, round and round. */
export function simulateRoute(onPosition: (position: Position) => void): LocationSource {
  const step = (SPEED_KMH / 3.6) * (SEND_EVERY_MS / 1000);
  let leg = 0;
  let along = 0;
  const here = (): Position => {
    const from = ROUTE[leg];
    const to = ROUTE[leg + 1];
    const length = metersBetween(from, to);
    const t = length === 0 ? 0 : along / length;
    return { lng: from.lng + (to.lng - from.lng) * t, lat: from.lat + (to.lat - from.lat) * t };
  };
  onPosition(here());
  const timer = setInterval(() => {
    along += step;
    while (along >= metersBetween(ROUTE[leg], ROUTE[leg + 1])) {
      along -= metersBetween(ROUTE[leg], ROUTE[leg + 1]);
      leg = (leg + 1) % (ROUTE.length - 1);
    }
    onPosition(here());
  }, SEND_EVERY_MS);
  return { stop: () => clearInterval(timer) };
}

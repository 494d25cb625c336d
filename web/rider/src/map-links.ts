import type { Place } from './protocol';

export interface MapLink {
  app: 'kakao' | 'naver' | 'tmap';
  label: string;
  href: string;
}

/**
 * One tap to a place in the navigation app the rider uses, by each app's public URL scheme (no SDK, no key).
 * Kakao Map by its web link, which opens the app where it is installed and the web map elsewhere; Naver Map and
 * T map by their app schemes (`appname` is required by Naver: this page's origin).
 */
export function mapLinks(place: Place, name: string): MapLink[] {
  const { lat, lng } = place;
  const label = encodeURIComponent(name);
  return [
    { app: 'kakao', label: '카카오맵', href: `https://map.kakao.com/link/to/${label},${lat},${lng}` },
    { app: 'naver', label: '네이버 지도', href: `nmap://route/car?dlat=${lat}&dlng=${lng}&dname=${label}&appname=${encodeURIComponent(location.origin)}` },
    { app: 'tmap', label: 'T맵', href: `tmap://route?goalx=${lng}&goaly=${lat}&goalname=${label}` },
  ];
}

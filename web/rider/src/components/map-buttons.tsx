import { mapLinks } from '../map-links';
import type { Place } from '../protocol';

/** The place opened in Kakao Map, Naver Map or T map with one tap. */
export function MapButtons({ place, name, what }: { place: Place; name: string; what: string }) {
  return (
    <nav className="map-links" aria-label={`${what} 길안내`}>
      {mapLinks(place, name).map((link) => (
        <a key={link.app} className={`map-link ${link.app}`} href={link.href} target="_blank" rel="noreferrer">
          {link.label}
        </a>
      ))}
    </nav>
  );
}

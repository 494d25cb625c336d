import { Inject, Injectable } from '@nestjs/common';
import type { FeeGeocode, FeeGeocodeRequest } from '#contracts';
import { GeocodeFailedError, MAP_CHAIN, type MapChain } from '#maps';
import { DomainError } from '#platform';

@Injectable()
export class GeocodingService {
  constructor(@Inject(MAP_CHAIN) private readonly maps: Pick<MapChain, 'geocode'>) {}

  /**
   * Places an address through the map chain: Kakao Local, then Naver, then the geocode cache in Postgres.
   * Nothing placing it is a domain error carrying every attempt: ADDRESS_NOT_FOUND when the providers asked all
   * said they do not know it, UPSTREAM_UNAVAILABLE when they could not answer (the caller should try later).
   */
  async geocode(request: FeeGeocodeRequest): Promise<FeeGeocode> {
    try {
      const { lng, lat, provider, cached, attempts } = await this.maps.geocode(request.address);
      return { lng, lat, provider, cached, attempts };
    } catch (error) {
      if (!(error instanceof GeocodeFailedError)) throw error;
      const { attempts } = error;
      if (error.reason === 'not_found') {
        throw new DomainError('ADDRESS_NOT_FOUND', 'no map provider knows this address', { attempts });
      }
      throw new DomainError('UPSTREAM_UNAVAILABLE', 'no map provider could place the address and it is not in the geocode cache', { attempts });
    }
  }
}

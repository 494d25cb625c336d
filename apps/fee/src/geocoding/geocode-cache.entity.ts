import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An address placed once, kept so it still resolves while every map provider is down. */
@Entity({ schema: 'fee', name: 'geocode_cache' })
export class GeocodeCacheEntity {
  /** The normalised address (see `normaliseAddress` in `#maps`): trivially different spellings share it. */
  @PrimaryColumn('text', { name: 'address_key' })
  addressKey: string;

  /** The address as first placed under this key. */
  @Column('text')
  address: string;

  @Column('double precision')
  lng: number;

  @Column('double precision')
  lat: number;

  @Column('text')
  provider: string;

  @Column('timestamptz', { name: 'geocoded_at' })
  geocodedAt: Date;
}

/** class-transformer's registry of @Type decorators, which JSON schemas of nested classes need (no typings ship for it). */
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
  export const defaultMetadataStorage: MetadataStorage;
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { RestaurantCredential } from '../restaurants/restaurants.repository.js';

/** When each of a restaurant's credentials was last rotated, as `intake.credential_rotations` keeps it. */
export type LastRotations = Partial<Record<RestaurantCredential, Date>>;

/** Every rotation of a restaurant's credentials: who, when, which, and until when the replaced one worked. */
@Injectable()
export class CredentialRotationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, rotation: { restaurantId: string; credential: RestaurantCredential; rotatedBy: string; rotatedAt: Date; previousUntil: Date }): Promise<void> {
    await manager.query(`INSERT INTO intake.credential_rotations (restaurant_id, credential, rotated_by, rotated_at, previous_until) VALUES ($1, $2, $3, $4, $5)`, [
      rotation.restaurantId,
      rotation.credential,
      rotation.rotatedBy,
      rotation.rotatedAt,
      rotation.previousUntil,
    ]);
  }

  async lastOf(restaurantId: string): Promise<LastRotations> {
    const rows: Array<{ credential: RestaurantCredential; at: Date }> = await this.dataSource.query(
      `SELECT credential, max(rotated_at) AS at FROM intake.credential_rotations WHERE restaurant_id = $1 GROUP BY credential`,
      [restaurantId],
    );
    return Object.fromEntries(rows.map((row) => [row.credential, row.at]));
  }
}

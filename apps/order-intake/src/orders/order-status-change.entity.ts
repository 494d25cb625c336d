import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OrderStatus } from './order-status.js';

/** When an order reached each status; a status is reached at most once. */
@Entity({ schema: 'intake', name: 'order_status_changes' })
export class OrderStatusChangeEntity {
  @PrimaryColumn('uuid', { name: 'order_id', primaryKeyConstraintName: 'PK_intake_order_status_changes' })
  orderId: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_intake_order_status_changes' })
  status: OrderStatus;

  @Column('timestamptz')
  at: Date;
}

import { Injectable } from '@nestjs/common';
import { PATTERNS, type RestaurantAdminAction, type RestaurantAdminRequest } from '#contracts';
import { Messaging } from '#messaging';
import { currentActor } from '#platform';
import { askUpstream } from '../upstream/ask-upstream.js';

/** How long an agency's request waits for order-intake, which owns restaurants. */
const INTAKE_TIMEOUT_MS = 10_000;

/**
 * The agency's restaurants, which order-intake keeps: each request is passed on over the message transport with
 * who makes it, and intake records every change for the audit log (see RestaurantAuditConsumer).
 */
@Injectable()
export class AgencyRestaurants {
  constructor(private readonly messaging: Messaging) {}

  async ask<T>(agencyId: string, action: RestaurantAdminAction, options: { restaurantId?: string; fields?: Record<string, unknown> } = {}): Promise<T> {
    const actor = currentActor();
    const request: RestaurantAdminRequest = {
      agencyId,
      action,
      actor: { operatorId: actor?.operatorId ?? null, label: actor?.label ?? 'agency API key' },
      ...options,
    };
    return askUpstream<T>(this.messaging, PATTERNS.RESTAURANT_ADMIN, request, { timeoutMs: INTAKE_TIMEOUT_MS, service: 'order-intake' });
  }
}

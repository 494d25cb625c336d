import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { ServiceDatabaseModule } from '#database';
import { EventOutbox, Messaging, OUTBOX_SCHEMA } from '#messaging';
import { databaseCheck, HEALTH_CHECKS, HealthController, ObservabilityModule, PlatformModule } from '#platform';
import { AgenciesModule } from './agencies/agencies.module.js';
import { ClusterRedis } from './cluster/cluster-redis.js';
import { clusterRedisCheck } from './cluster/cluster.health.js';
import { ClusterModule } from './cluster/cluster.module.js';
import { CredentialsModule } from './credentials/credentials.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DeliveriesModule } from './deliveries/deliveries.module.js';
import { DISPATCH_DATABASE } from './dispatch.database.js';
import { FeeProxyModule } from './fee-proxy/fee-proxy.module.js';
import { leasesCheck } from './leases/leases.health.js';
import { AgencyLeases } from './leases/agency-leases.service.js';
import { LeasesModule } from './leases/leases.module.js';
import { DispatchWakeup } from './offers/dispatch-wakeup.js';
import { OffersModule } from './offers/offers.module.js';
import { OperatorsModule } from './operators/operators.module.js';
import { RestaurantsModule } from './restaurants/restaurants.module.js';
import { OrderEntryModule } from './order-entry/order-entry.module.js';
import { TariffsModule } from './tariffs/tariffs.module.js';
import { RiderAdminModule } from './rider-admin/rider-admin.module.js';
import { RidersGatewayModule } from './riders/riders-gateway.module.js';
import { RidersModule } from './riders/riders.module.js';

/**
 * The dispatch service: riders and their sockets, deliveries from orders, offers and assignments, and the
 * agency's read API. Consumes `order.created`, asks `fee.quote`, emits `delivery.status-changed`.
 */
@Global()
@Module({})
export class DispatchModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: DispatchModule,
      imports: [
        PlatformModule,
        ObservabilityModule.forService('dispatch', config),
        ServiceDatabaseModule.forService(DISPATCH_DATABASE, databaseUrl, config),
        AgenciesModule,
        OperatorsModule,
        RidersModule,
        DeliveriesModule,
        LeasesModule,
        OffersModule,
        RidersGatewayModule,
        RiderAdminModule,
        RestaurantsModule,
        CredentialsModule,
        FeeProxyModule,
        ...(config.dispatchCluster.engine === 'redis' ? [ClusterModule] : []),
        OrderEntryModule,
        TariffsModule,
        DashboardModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        Messaging,
        { provide: OUTBOX_SCHEMA, useValue: 'dispatch' },
        EventOutbox,
        DispatchWakeup,
        {
          provide: HEALTH_CHECKS,
          useFactory: (ds: DataSource, messaging: Messaging, leases: AgencyLeases, redis?: ClusterRedis) => [
            databaseCheck(ds),
            ...messaging.healthChecks(['dispatch', 'fee', 'intake']),
            leasesCheck(leases),
            ...(redis ? [clusterRedisCheck(redis)] : []),
          ],
          // ClusterRedis exists only with DISPATCH_CLUSTER=redis.
          inject: [DataSource, Messaging, AgencyLeases, { token: ClusterRedis, optional: true }],
        },
      ],
      exports: [APP_CONFIG, Messaging, EventOutbox, DispatchWakeup],
    };
  }
}

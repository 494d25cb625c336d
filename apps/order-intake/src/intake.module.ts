import { Global, Module, type DynamicModule } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { ServiceDatabaseModule } from '#database';
import { EventOutbox, Messaging, OUTBOX_SCHEMA } from '#messaging';
import { databaseCheck, HEALTH_CHECKS, HealthController, ObservabilityModule, PlatformModule } from '#platform';
import { HOST_RESOLVER, systemResolver, type HostResolver } from './callbacks/callback-destinations.js';
import { CallbacksModule } from './callbacks/callbacks.module.js';
import { CredentialsModule } from './credentials/credentials.module.js';
import { DeliveryUpdatesModule } from './delivery-updates/delivery-updates.module.js';
import { INTAKE_DATABASE } from './intake.database.js';
import { INTAKE_LOG } from './intake.logger.js';
import { OrderEntryModule } from './order-entry/order-entry.module.js';
import { OrdersModule } from './orders/orders.module.js';
import { RestaurantAdminModule } from './restaurant-admin/restaurant-admin.module.js';
import { TimingModule } from './timing/timing.module.js';

/** The order-intake service: restaurants' signed orders in, `order.created` out, delivery status mirrored back. */
@Global()
@Module({})
export class IntakeModule {
  /** `hostResolver` replaces the system's DNS for callback destinations (tests that play DNS rebinding). */
  static forRoot(config: AppConfig, databaseUrl: string, options: { hostResolver?: HostResolver } = {}): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        PlatformModule,
        ObservabilityModule.forService('intake', config),
        ServiceDatabaseModule.forService(INTAKE_DATABASE, databaseUrl, config),
        OrdersModule,
        OrderEntryModule,
        TimingModule,
        DeliveryUpdatesModule,
        CallbacksModule,
        RestaurantAdminModule,
        CredentialsModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: INTAKE_LOG, useFactory: (log: PinoLogger) => log, inject: [PinoLogger] },
        { provide: HOST_RESOLVER, useValue: options.hostResolver ?? systemResolver },
        Messaging,
        { provide: OUTBOX_SCHEMA, useValue: 'intake' },
        EventOutbox,
        {
          provide: HEALTH_CHECKS,
          useFactory: (ds: DataSource, messaging: Messaging) => [databaseCheck(ds), ...messaging.healthChecks(['intake', 'dispatch'])],
          inject: [DataSource, Messaging],
        },
      ],
      // Callbacks are queued by whatever changes an order's status (delivery updates, the locator), so every
      // feature module can inject CallbacksService.
      exports: [APP_CONFIG, INTAKE_LOG, HOST_RESOLVER, Messaging, EventOutbox, CallbacksModule],
    };
  }
}

import proxyaddr from 'proxy-addr';
import { readDispatchCluster, type DispatchClusterConfig } from './dispatch-cluster.js';
import { readHttpLimits, type HttpLimits } from './http-limits.js';

/**
 * The one place that reads `process.env`. Every variable is validated once at start; a bad value stops the
 * service with a message naming the variable, and secrets never appear in that message.
 */
/** Nest injection token for the validated AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export type Transport = 'tcp' | 'rmq';
export type ServiceName = 'intake' | 'dispatch' | 'fee';

export interface AppConfig {
  /** Unset: an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl?: string;
  /** Connections each service keeps to PostgreSQL. Commits wait on the disk, so more connections commit more at once. */
  databasePoolSize: number;
  /**
   * The longest one statement may run: PostgreSQL cancels it then. A connection that has not answered a statement
   * within this and DEAD_CONNECTION_GRACE_MS more is taken as dead and closed (see createServiceDataSource).
   */
  databaseStatementTimeoutMs: number;
  dataDir: string;
  embeddedPostgresPort?: number;
  transport: Transport;
  rabbitmqUrl?: string;
  /** Prepended to every queue name, so separate stacks can share one broker. */
  queuePrefix: string;
  /** Loopback host the TCP transport binds and dials. */
  rpcHost: string;
  httpPorts: Record<ServiceName, number>;
  rpcPorts: Record<ServiceName, number>;
  maps: MapsConfig;
  intake: {
    webhookToleranceSeconds: number;
    maxBodyBytes: number;
    /** How often the locator looks for address-only orders due for geocoding; also the base of its backoff. */
    locateIntervalMs: number;
    /** Cooking time of an order sent without one, from a restaurant without its own default; 0: ready on acceptance. */
    defaultCookingMinutes: number;
    /** Signed status callbacks to restaurants: see docs/webhooks.md. */
    callbacks: CallbacksConfig;
  };
  dispatch: {
    offerTimeoutSeconds: number;
    sweepIntervalMs: number;
    /** A connected rider silent this long (no message at all) is left out of matching until its next message. */
    riderHeartbeatTimeoutMs: number;
    /** A reported move faster than this from the last accepted position is refused as implausible; 0: no check. */
    riderMaxSpeedKmh: number;
    /** How often the positions riders reported since the last write are written to the database, in one statement. */
    riderPositionFlushMs: number;
    /**
     * How often each dispatch instance checks, against the database, that the riders whose sockets it holds may
     * still be connected (not disabled, token still working): the admin CLI writes the database only.
     */
    riderRecheckMs: number;
    /** The spatial index of online riders: `grid` (see GridRiderIndex for why) or `linear`, the baseline benchmarks compare. */
    riderIndex: 'grid' | 'linear';
    /** Offer policy of an agency that has not chosen one. */
    offerPolicy: 'sequential' | 'broadcast';
    /** Riders a broadcast offer goes to at once, for an agency that has not chosen. */
    broadcastSize: number;
    /** Riders asked of the spatial index per delivery, and how far from the pickup they may be. */
    candidateLimit: number;
    maxPickupMeters: number;
    /** Stacking (묶음배차) across restaurants: deliveries whose pickups are this near each other may ride together; 0: only one restaurant's. */
    stackPickupRadiusMeters: number;
    /** The planner's map-free estimates and defaults (docs/planner.md): a rider's speed (over the straight line × TURF_DETOUR_FACTOR). */
    riderSpeedKmh: number;
    /** Service at a restaurant and at the door, half on each side of the moment of pickup or drop-off. */
    pickupServiceSeconds: number;
    dropoffServiceSeconds: number;
    /** A delivery without a promise is promised this long after it arrived; beyond the overdue time it goes first. */
    promiseMinutes: number;
    overdueMinutes: number;
    /** Riders free within this are planned for; most deliveries one rider is given at once as a bundle. */
    horizonMinutes: number;
    maxBundleSize: number;
    /** A delivery still unassigned this long after it arrived is flagged for the agency to dispatch by hand. */
    manualAfterSeconds: number;
    /** An unpriced delivery is offered without its fee after this long (at once once a pricing attempt failed). */
    feePendingOfferAfterMs: number;
    /** The fee service's HTTP base URL, for the agency dashboard's same-origin proxy (`/fee/...` on dispatch). */
    feeUrl: string;
    /** The dashboard map's raster tiles (`{z}/{x}/{y}` template, `{s}` allowed) and the attribution they require. */
    dashboardTiles: { url: string; attribution: string };
    /** Rider sockets are pinged this often and closed when a ping goes unanswered this long: a dead one is noticed within their sum. */
    riderPingIntervalMs: number;
    riderPingTimeoutMs: number;
    riderKeepaliveIntervalMs: number;
    /** An offer its rider's app has not acknowledged (`offer:seen`) this long after it was made is withdrawn and passed on; 0: never. */
    offerUnseenWithdrawSeconds: number;
    /** Events sent to a rider are kept this long (at most this many per rider) to replay to an app that reconnects. */
    riderReplaySeconds: number;
    riderReplayMaxEvents: number;
    /** A rider's pickup, delivery or failure report may say it happened at most this far ahead of the server's clock. */
    riderReportMaxSkewSeconds: number;
    /** How long the proxy waits for fee before answering 504 FEE_UNAVAILABLE. */
    feeProxyTimeoutMs: number;
  };
  fee: {
    /** How often reconciliation looks for estimated fees to re-price by a real provider's road distance. */
    reconcileIntervalMs: number;
    /** Provider calls reconciliation may spend per minute, so catching up never eats the live quotes' quota. */
    reconcilePerMinute: number;
  };
  /**
   * Dispatch as several instances sharing one database (docs/clustering.md): each agency's planning rounds and
   * sweeps are owned by one instance through a lease that lasts `seconds` and is renewed every `renewMs`.
   */
  dispatchLeases: { seconds: number; renewMs: number };
  /**
   * The outbox relay: how often it polls, how long a commit's poke waits to batch events, how many events a relay
   * transaction takes, and how many publishes of one pattern may be in flight at once (different deliveries' events).
   */
  outbox: { pollIntervalMs: number; coalesceMs: number; batchSize: number; maxInFlight: number };
  /** Guessing credentials: see AuthConfig. */
  auth: AuthConfig;
  /** Load shedding, timeouts and connection caps of the services' HTTP servers. */
  http: HttpLimits;
  /** What dispatch instances share, and through which engine (docs/clustering.md). */
  dispatchCluster: DispatchClusterConfig;
  logLevel: string;
  /** Create the demo agency, restaurant and riders on start when `.data/demo.json` is missing. */
  seedDemo: boolean;
}

/** How order-intake sends restaurants their status callbacks and retries them. */
export interface CallbacksConfig {
  /** Per HTTP request; the request is aborted when it passes. */
  timeoutMs: number;
  /** How long a callback is retried, from when it was queued (or requeued), before it is given up as undeliverable. */
  maxAgeHours: number;
  /** How often the sender looks for callbacks that are due. */
  pollIntervalMs: number;
  /** The wait after the first failure; it doubles with every failure after it, up to `backoffCapMs`. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Lets callbacks reach loopback and private addresses, for tests with a local receiver; production never sets it. */
  allowPrivateNetworks: boolean;
}

/** How failed authentications (rider tokens, agency API keys) are limited, and whose X-Forwarded-For is believed. */
export interface AuthConfig {
  /** Failures one client address may have within the window before its next tries are refused. */
  failuresPerAddress: number;
  failureWindowMs: number;
  /** Failed namespace CONNECTs after which a rider socket is closed. */
  failuresPerConnection: number;
  /** Proxies (addresses, CIDRs, `loopback`, `linklocal`, `uniquelocal`) whose X-Forwarded-For names the client; empty: none. */
  trustProxy: string[];
  /** Failed sign-ins one operator account may have within the window before its next tries are refused. */
  loginFailuresPerAccount: number;
  /** An operator session ends after this long without a request… */
  sessionIdleMs: number;
  /** …and this long after sign-in, whatever it does. */
  sessionMaxMs: number;
  /** How long an operator invite can be accepted. */
  inviteMs: number;
}

export type MapProviderName = 'kakao' | 'naver' | 'turf';

/** The map adapter layer: provider keys and hosts, the chain's order, and its resilience knobs. */
export interface MapsConfig {
  /** Road distance ÷ straight line used by the Turf estimate where no calibration exists yet. */
  detourFactor: number;
  /** Chain order; always ends with `turf`, which always answers. */
  providers: MapProviderName[];
  kakao: { restApiKey?: string; mobilityBaseUrl: string; localBaseUrl: string };
  naver: { clientId?: string; clientSecret?: string; baseUrl: string };
  /** Per HTTP call; the request is aborted when it passes. */
  providerTimeoutMs: number;
  /** For a whole route or geocode through the chain, all providers included. */
  chainDeadlineMs: number;
  /** After this long without an answer, the next provider is asked too (0: never); the first answer wins. */
  hedgeAfterMs: number;
  /** In-flight calls allowed per provider; beyond it the provider is skipped as busy. */
  providerConcurrency: number;
  breaker: { errorThresholdPercentage: number; volumeThreshold: number; resetTimeoutMs: number; rollingWindowMs: number; consecutiveFailures: number };
  /** How long a rate-limited provider is left alone when it gave no Retry-After. */
  rateLimitBackoffMs: number;
  routeCache: { ttlMs: number; maxEntries: number };
  calibration: { minSamples: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback?: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  /** A raster tile URL template: http(s) or a path on this origin, with `{z}`, `{x}` and `{y}`. */
  tileUrl(name: string, fallback: string): string {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^(https?:\/\/|\/)/.test(raw) || !['{z}', '{x}', '{y}'].every((part) => raw.includes(part))) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: must be an http(s) URL or a /path with {z}, {x} and {y}`);
      return fallback;
    }
    return raw;
  }

  int(name: string, fallback: number | undefined, min: number, max: number): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: must be a number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return raw as T;
  }

  /** A comma-separated chain order; `turf` must come last and is appended when left out, since it always answers. */
  mapProviders(name: string, fallback: MapProviderName[]): MapProviderName[] {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const names = raw.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part !== '');
    const allowed: readonly string[] = ['kakao', 'naver', 'turf'];
    const unknown = names.filter((part) => !allowed.includes(part));
    if (unknown.length > 0 || names.length === 0) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: must list kakao, naver and turf, comma-separated`);
      return fallback;
    }
    if (new Set(names).size !== names.length) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: names a provider twice`);
      return fallback;
    }
    const turf = names.indexOf('turf');
    if (turf !== -1 && turf !== names.length - 1) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: turf must come last (it is the estimate that always answers)`);
      return fallback;
    }
    return (turf === -1 ? [...names, 'turf'] : names) as MapProviderName[];
  }

  /** A comma-separated list of proxies, as proxy-addr reads it (so a bad entry is caught at start, not per request). */
  trustProxy(name: string): string[] {
    const entries = (this.string(name) ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '');
    try {
      proxyaddr.compile(entries);
    } catch (error) {
      this.problems.push(`${name}=${JSON.stringify(this.string(name))}: ${(error as Error).message}; use addresses, CIDRs, loopback, linklocal or uniquelocal`);
      return [];
    }
    return entries;
  }

  /** URLs may carry passwords, so a bad one is reported without its value. */
  url(name: string, protocols: string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name}: protocol must be ${protocols.join(' or ')}, got ${parsed.protocol}`);
      }
    } catch {
      this.problems.push(`${name}: not a valid URL`);
    }
    return raw;
  }
}

const PORT = [1, 65535] as const;

function readMaps(r: Reader): MapsConfig {
  const providers = r.mapProviders('MAP_PROVIDERS', ['kakao', 'naver', 'turf']);
  const naverId = r.string('NAVER_MAPS_CLIENT_ID');
  const naverSecret = r.string('NAVER_MAPS_CLIENT_SECRET');
  if ((naverId === undefined) !== (naverSecret === undefined)) {
    r.problems.push('NAVER_MAPS_CLIENT_ID and NAVER_MAPS_CLIENT_SECRET: set both or neither');
  }
  const maps: MapsConfig = {
    detourFactor: r.number('TURF_DETOUR_FACTOR', 1.3, 1, 3),
    providers,
    kakao: {
      restApiKey: r.string('KAKAO_REST_API_KEY'),
      mobilityBaseUrl: r.url('KAKAO_MOBILITY_BASE_URL', ['http:', 'https:']) ?? 'https://apis-navi.kakaomobility.com',
      localBaseUrl: r.url('KAKAO_LOCAL_BASE_URL', ['http:', 'https:']) ?? 'https://dapi.kakao.com',
    },
    naver: {
      clientId: naverId,
      clientSecret: naverSecret,
      baseUrl: r.url('NAVER_MAPS_BASE_URL', ['http:', 'https:']) ?? 'https://maps.apigw.ntruss.com',
    },
    providerTimeoutMs: r.int('MAP_PROVIDER_TIMEOUT_MS', 1500, 10, 60_000)!,
    chainDeadlineMs: r.int('MAP_CHAIN_DEADLINE_MS', 3000, 10, 120_000)!,
    hedgeAfterMs: r.int('MAP_HEDGE_AFTER_MS', 700, 0, 120_000)!,
    providerConcurrency: r.int('MAP_PROVIDER_CONCURRENCY', 32, 1, 10_000)!,
    breaker: {
      errorThresholdPercentage: r.int('MAP_BREAKER_ERROR_PERCENT', 50, 1, 100)!,
      volumeThreshold: r.int('MAP_BREAKER_VOLUME', 5, 1, 10_000)!,
      resetTimeoutMs: r.int('MAP_BREAKER_RESET_MS', 10_000, 10, 3_600_000)!,
      rollingWindowMs: r.int('MAP_BREAKER_WINDOW_MS', 10_000, 100, 3_600_000)!,
      consecutiveFailures: r.int('MAP_BREAKER_CONSECUTIVE', 5, 0, 10_000)!,
    },
    rateLimitBackoffMs: r.int('MAP_RATE_LIMIT_BACKOFF_MS', 1000, 0, 3_600_000)!,
    routeCache: {
      ttlMs: r.int('MAP_ROUTE_CACHE_TTL_MS', 900_000, 0, 86_400_000)!,
      maxEntries: r.int('MAP_ROUTE_CACHE_MAX', 50_000, 0, 10_000_000)!,
    },
    calibration: { minSamples: r.int('MAP_CALIBRATION_MIN_SAMPLES', 10, 1, 100_000)! },
  };
  if (maps.chainDeadlineMs < maps.providerTimeoutMs) {
    r.problems.push(`MAP_CHAIN_DEADLINE_MS=${maps.chainDeadlineMs}: must be at least MAP_PROVIDER_TIMEOUT_MS (${maps.providerTimeoutMs})`);
  }
  return maps;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const r = new Reader(env);
  const transport = r.oneOf('TRANSPORT', ['tcp', 'rmq'] as const, 'tcp');
  const rabbitmqUrl = r.url('RABBITMQ_URL', ['amqp:', 'amqps:']);
  if (transport === 'rmq' && !rabbitmqUrl) r.problems.push('RABBITMQ_URL: required when TRANSPORT=rmq');

  const config: AppConfig = {
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: r.int('DATABASE_POOL_SIZE', 20, 1, 500)!,
    databaseStatementTimeoutMs: r.int('DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000)!,
    dataDir: r.string('DATA_DIR', '.data')!,
    embeddedPostgresPort: r.int('EMBEDDED_POSTGRES_PORT', undefined, ...PORT),
    transport,
    rabbitmqUrl,
    queuePrefix: r.string('RMQ_QUEUE_PREFIX', '')!,
    rpcHost: r.string('RPC_HOST', '127.0.0.1')!,
    httpPorts: {
      intake: r.int('INTAKE_PORT', 3000, ...PORT)!,
      dispatch: r.int('DISPATCH_PORT', 3001, ...PORT)!,
      fee: r.int('FEE_PORT', 3002, ...PORT)!,
    },
    rpcPorts: {
      intake: r.int('INTAKE_RPC_PORT', 4000, ...PORT)!,
      dispatch: r.int('DISPATCH_RPC_PORT', 4001, ...PORT)!,
      fee: r.int('FEE_RPC_PORT', 4002, ...PORT)!,
    },
    maps: readMaps(r),
    intake: {
      webhookToleranceSeconds: r.int('WEBHOOK_TOLERANCE_SECONDS', 300, 1, 3600)!,
      maxBodyBytes: r.int('WEBHOOK_MAX_BODY_BYTES', 64 * 1024, 1024, 1024 * 1024)!,
      locateIntervalMs: r.int('LOCATE_INTERVAL_MS', 2000, 10, 300_000)!,
      defaultCookingMinutes: r.int('DEFAULT_COOKING_MINUTES', 0, 0, 240)!,
      callbacks: {
        timeoutMs: r.int('CALLBACK_TIMEOUT_MS', 5000, 10, 120_000)!,
        maxAgeHours: r.number('CALLBACK_MAX_AGE_HOURS', 24, 0.0001, 720),
        pollIntervalMs: r.int('CALLBACK_POLL_INTERVAL_MS', 1000, 10, 60_000)!,
        backoffBaseMs: r.int('CALLBACK_BACKOFF_BASE_MS', 5000, 1, 3_600_000)!,
        backoffCapMs: r.int('CALLBACK_BACKOFF_CAP_MS', 30 * 60_000, 1, 24 * 3_600_000)!,
        allowPrivateNetworks: r.oneOf('CALLBACK_ALLOW_PRIVATE_NETWORKS', ['true', 'false'] as const, 'false') === 'true',
      },
    },
    dispatch: {
      offerTimeoutSeconds: r.number('OFFER_TIMEOUT_SECONDS', 30, 0.1, 600),
      sweepIntervalMs: r.int('DISPATCH_SWEEP_INTERVAL_MS', 1000, 10, 60_000)!,
      riderHeartbeatTimeoutMs: r.int('RIDER_HEARTBEAT_TIMEOUT_MS', 30_000, 50, 3_600_000)!,
      riderMaxSpeedKmh: r.number('RIDER_MAX_SPEED_KMH', 200, 0, 2000),
      riderPositionFlushMs: r.int('RIDER_POSITION_FLUSH_MS', 5000, 10, 3_600_000)!,
      riderRecheckMs: r.int('RIDER_RECHECK_INTERVAL_MS', 5000, 100, 600_000)!,
      riderIndex: r.oneOf('DISPATCH_RIDER_INDEX', ['grid', 'linear'] as const, 'grid'),
      offerPolicy: r.oneOf('DISPATCH_OFFER_POLICY', ['sequential', 'broadcast'] as const, 'sequential'),
      broadcastSize: r.int('DISPATCH_BROADCAST_SIZE', 3, 1, 50)!,
      candidateLimit: r.int('DISPATCH_CANDIDATES', 30, 1, 500)!,
      maxPickupMeters: r.int('DISPATCH_MAX_PICKUP_METERS', 5000, 100, 100_000)!,
      stackPickupRadiusMeters: r.int('STACK_PICKUP_RADIUS_METERS', 500, 0, 10_000)!,
      riderSpeedKmh: r.number('DISPATCH_RIDER_SPEED_KMH', 20, 1, 200),
      pickupServiceSeconds: r.int('DISPATCH_PICKUP_SERVICE_SECONDS', 120, 0, 3600)!,
      dropoffServiceSeconds: r.int('DISPATCH_DROPOFF_SERVICE_SECONDS', 120, 0, 3600)!,
      promiseMinutes: r.int('DISPATCH_PROMISE_MINUTES', 40, 1, 1440)!,
      overdueMinutes: r.int('DISPATCH_OVERDUE_MINUTES', 60, 1, 1440)!,
      horizonMinutes: r.int('DISPATCH_HORIZON_MINUTES', 20, 1, 240)!,
      maxBundleSize: r.int('DISPATCH_MAX_BUNDLE', 3, 1, 10)!,
      manualAfterSeconds: r.number('DISPATCH_MANUAL_AFTER_SECONDS', 300, 0.1, 86_400),
      feePendingOfferAfterMs: r.int('FEE_PENDING_OFFER_AFTER_MS', 3000, 0, 600_000)!,
      // Filled in below from FEE_PORT when unset: fee on this machine.
      feeUrl: r.url('FEE_URL', ['http:', 'https:']) ?? '',
      // A rider silent this long is pinged, and its connection closed without a pong within the timeout: a dead
      // connection is noticed within about their sum. Above the app's few seconds between positions, so a rider
      // on the move is not pinged for the server's sake; every rider is pinged each keepalive interval for its app's.
      riderPingIntervalMs: r.int('RIDER_PING_INTERVAL_MS', 6000, 100, 120_000)!,
      riderPingTimeoutMs: r.int('RIDER_PING_TIMEOUT_MS', 4000, 100, 120_000)!,
      riderKeepaliveIntervalMs: r.int('RIDER_KEEPALIVE_INTERVAL_MS', 20_000, 100, 300_000)!,
      offerUnseenWithdrawSeconds: r.number('OFFER_UNSEEN_WITHDRAW_SECONDS', 5, 0, 600),
      riderReplaySeconds: r.int('RIDER_REPLAY_SECONDS', 300, 1, 3600)!,
      riderReplayMaxEvents: r.int('RIDER_REPLAY_MAX_EVENTS', 100, 1, 10_000)!,
      riderReportMaxSkewSeconds: r.number('RIDER_REPORT_MAX_SKEW_SECONDS', 10, 0, 3600),
      feeProxyTimeoutMs: r.int('FEE_PROXY_TIMEOUT_MS', 5000, 10, 120_000)!,
      dashboardTiles: {
        url: r.tileUrl('DASHBOARD_TILE_URL', 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
        attribution: r.string('DASHBOARD_TILE_ATTRIBUTION', '&copy; OpenStreetMap contributors')!,
      },
    },
    fee: {
      reconcileIntervalMs: r.int('RECONCILE_INTERVAL_MS', 30_000, 10, 3_600_000)!,
      reconcilePerMinute: r.int('RECONCILE_PER_MINUTE', 30, 1, 60_000)!,
    },
    dispatchLeases: {
      seconds: r.number('DISPATCH_LEASE_SECONDS', 5, 0.2, 600),
      renewMs: r.int('DISPATCH_LEASE_RENEW_MS', 1000, 20, 60_000)!,
    },
    outbox: {
      pollIntervalMs: r.int('OUTBOX_POLL_INTERVAL_MS', 500, 10, 60_000)!,
      coalesceMs: r.int('OUTBOX_COALESCE_MS', 5, 0, 1000)!,
      // Measured with bench:dispatch: at 100 deliveries a second (700 events) 100 and 16 fell seconds behind; 200 and 32 kept up
      // with 1,000 riders but not 10,000 (consumers that group-commit answer later), where 500 and 64 keep up.
      batchSize: r.int('OUTBOX_BATCH_SIZE', 500, 1, 5000)!,
      maxInFlight: r.int('OUTBOX_MAX_IN_FLIGHT', 64, 1, 1000)!,
    },
    auth: {
      failuresPerAddress: r.int('AUTH_FAILURES_PER_ADDRESS', 10, 1, 100_000)!,
      failureWindowMs: r.int('AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400)! * 1000,
      failuresPerConnection: r.int('RIDER_CONNECT_FAILURES_PER_CONNECTION', 3, 1, 100)!,
      trustProxy: r.trustProxy('TRUST_PROXY'),
      loginFailuresPerAccount: r.int('LOGIN_FAILURES_PER_ACCOUNT', 5, 1, 1000)!,
      sessionIdleMs: r.int('OPERATOR_SESSION_IDLE_MINUTES', 30, 1, 7 * 24 * 60)! * 60_000,
      sessionMaxMs: r.int('OPERATOR_SESSION_MAX_HOURS', 12, 1, 30 * 24)! * 3_600_000,
      inviteMs: r.int('OPERATOR_INVITE_HOURS', 72, 1, 30 * 24)! * 3_600_000,
    },
    http: readHttpLimits(r),
    dispatchCluster: readDispatchCluster(r),
    seedDemo: r.oneOf('SEED_DEMO', ['true', 'false'] as const, 'true') === 'true',
    logLevel: r.oneOf('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info'),
  };

  config.dispatch.feeUrl = (config.dispatch.feeUrl || `http://127.0.0.1:${config.httpPorts.fee}`).replace(/\/+$/, '');

  const { callbacks } = config.intake;
  if (callbacks.backoffCapMs < callbacks.backoffBaseMs) {
    r.problems.push(`CALLBACK_BACKOFF_CAP_MS=${callbacks.backoffCapMs}: must be at least CALLBACK_BACKOFF_BASE_MS (${callbacks.backoffBaseMs})`);
  }

  const leases = config.dispatchLeases;
  if (leases.renewMs * 2 > leases.seconds * 1000) {
    r.problems.push(`DISPATCH_LEASE_RENEW_MS=${leases.renewMs}: must be at most half of DISPATCH_LEASE_SECONDS (${leases.seconds} s), so a lease is renewed before it runs out`);
  }

  const all = Object.values(config.httpPorts).concat(Object.values(config.rpcPorts));
  if (new Set(all).size !== all.length) r.problems.push(`ports must be distinct, got ${all.join(', ')}`);

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

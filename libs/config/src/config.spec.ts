import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const sut = loadConfig({});
    expect(sut.databaseUrl).toBeUndefined();
    expect(sut.transport).toBe('tcp');
    expect(sut.httpPorts).toEqual({ intake: 3000, dispatch: 3001, fee: 3002 });
    expect(sut.maps.detourFactor).toBe(1.3);
    expect(sut.dispatch.offerTimeoutSeconds).toBe(30);
    expect(sut.dispatch).toMatchObject({
      offerPolicy: 'sequential',
      broadcastSize: 3,
      candidateLimit: 30,
      maxPickupMeters: 5000,
      stackPickupRadiusMeters: 500,
      riderSpeedKmh: 20,
      pickupServiceSeconds: 120,
      dropoffServiceSeconds: 120,
      promiseMinutes: 40,
      overdueMinutes: 60,
      horizonMinutes: 20,
      maxBundleSize: 3,
      manualAfterSeconds: 300,
      feePendingOfferAfterMs: 3000,
    });
  });

  it('sends the dashboard\'s fee proxy to fee on this machine unless FEE_URL says otherwise, and names a bad one', () => {
    expect(loadConfig({}).dispatch).toMatchObject({ feeUrl: 'http://127.0.0.1:3002', feeProxyTimeoutMs: 5000 });
    expect(loadConfig({ FEE_PORT: '4102', FEE_RPC_PORT: '4202' }).dispatch.feeUrl).toBe('http://127.0.0.1:4102');
    expect(loadConfig({ FEE_URL: 'http://fee.internal:8080/' }).dispatch.feeUrl).toBe('http://fee.internal:8080');
    expect(() => loadConfig({ FEE_URL: 'ftp://fee' })).toThrow(/FEE_URL: protocol must be http: or https:/);
    expect(() => loadConfig({ FEE_PROXY_TIMEOUT_MS: '0' })).toThrow(/FEE_PROXY_TIMEOUT_MS="0"/);
  });

  it('leases each agency to a dispatch instance for 5 s renewed every second, and refuses a renewal slower than half the lease', () => {
    expect(loadConfig({}).dispatchLeases).toEqual({ seconds: 5, renewMs: 1000 });
    expect(loadConfig({ DISPATCH_LEASE_SECONDS: '2', DISPATCH_LEASE_RENEW_MS: '200' }).dispatchLeases).toEqual({ seconds: 2, renewMs: 200 });
    expect(() => loadConfig({ DISPATCH_LEASE_SECONDS: '2', DISPATCH_LEASE_RENEW_MS: '1500' })).toThrow(/DISPATCH_LEASE_RENEW_MS=1500: must be at most half of DISPATCH_LEASE_SECONDS/);
    expect(() => loadConfig({ DISPATCH_LEASE_SECONDS: '0' })).toThrow(/DISPATCH_LEASE_SECONDS="0"/);
  });

  it("draws the dashboard's map over OpenStreetMap's tiles unless DASHBOARD_TILE_URL says otherwise, and names a bad one", () => {
    expect(loadConfig({}).dispatch.dashboardTiles).toEqual({ url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: '&copy; OpenStreetMap contributors' });
    const own = loadConfig({ DASHBOARD_TILE_URL: 'https://{s}.tiles.example.kr/{z}/{x}/{y}.png', DASHBOARD_TILE_ATTRIBUTION: '© 예시 지도' }).dispatch.dashboardTiles;
    expect(own).toEqual({ url: 'https://{s}.tiles.example.kr/{z}/{x}/{y}.png', attribution: '© 예시 지도' });
    expect(loadConfig({ DASHBOARD_TILE_URL: '/tiles/{z}/{x}/{y}.png' }).dispatch.dashboardTiles.url).toBe('/tiles/{z}/{x}/{y}.png');
    expect(() => loadConfig({ DASHBOARD_TILE_URL: 'https://tiles.example.kr/{z}.png' })).toThrow(/DASHBOARD_TILE_URL=.*must be an http\(s\) URL or a \/path with \{z\}, \{x\} and \{y\}/);
    expect(() => loadConfig({ DASHBOARD_TILE_URL: 'javascript:alert(1)/{z}/{x}/{y}' })).toThrow(/DASHBOARD_TILE_URL/);
  });

  it('keeps status callbacks off private networks unless CALLBACK_ALLOW_PRIVATE_NETWORKS=true, and names a bad value', () => {
    expect(loadConfig({ CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' }).intake.callbacks.allowPrivateNetworks).toBe(true);
    expect(() => loadConfig({ CALLBACK_ALLOW_PRIVATE_NETWORKS: 'yes' })).toThrow(/CALLBACK_ALLOW_PRIVATE_NETWORKS="yes"/);
  });

  it('limits failed authentications to 10 a minute per address and 3 per rider connection, trusting no proxy, unless told', () => {
    expect(loadConfig({}).auth).toEqual({
      failuresPerAddress: 10,
      failureWindowMs: 60_000,
      failuresPerConnection: 3,
      trustProxy: [],
      loginFailuresPerAccount: 5,
      sessionIdleMs: 30 * 60_000,
      sessionMaxMs: 12 * 3_600_000,
      inviteMs: 72 * 3_600_000,
    });
    expect(loadConfig({ OPERATOR_SESSION_IDLE_MINUTES: '5', LOGIN_FAILURES_PER_ACCOUNT: '3' }).auth).toMatchObject({ sessionIdleMs: 300_000, loginFailuresPerAccount: 3 });
    expect(() => loadConfig({ OPERATOR_SESSION_MAX_HOURS: '0' })).toThrow(/OPERATOR_SESSION_MAX_HOURS="0"/);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8', AUTH_FAILURE_WINDOW_SECONDS: '5' }).auth).toMatchObject({ trustProxy: ['loopback', '10.0.0.0/8'], failureWindowMs: 5000 });
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY="everyone"/);
    expect(() => loadConfig({ AUTH_FAILURES_PER_ADDRESS: '0' })).toThrow(/AUTH_FAILURES_PER_ADDRESS="0"/);
  });

  it('names a bad dispatch policy setting', () => {
    expect(() => loadConfig({ DISPATCH_OFFER_POLICY: 'lottery' })).toThrow(/DISPATCH_OFFER_POLICY="lottery"/);
    expect(() => loadConfig({ STACK_PICKUP_RADIUS_METERS: '-1' })).toThrow(/STACK_PICKUP_RADIUS_METERS="-1"/);
  });

  it('gives the documented rider presence defaults and names a bad one', () => {
    expect(loadConfig({}).dispatch).toMatchObject({ riderHeartbeatTimeoutMs: 30_000, riderMaxSpeedKmh: 200, riderPositionFlushMs: 5000 });
    expect(() => loadConfig({ RIDER_HEARTBEAT_TIMEOUT_MS: '0' })).toThrow(/RIDER_HEARTBEAT_TIMEOUT_MS="0"/);
    expect(() => loadConfig({ RIDER_MAX_SPEED_KMH: 'fast' })).toThrow(/RIDER_MAX_SPEED_KMH="fast"/);
    expect(() => loadConfig({ RIDER_POSITION_FLUSH_MS: '5' })).toThrow(/RIDER_POSITION_FLUSH_MS="5"/);
  });

  it('names every bad variable at once', () => {
    const attempt = () => loadConfig({ TRANSPORT: 'kafka', INTAKE_PORT: 'eighty', TURF_DETOUR_FACTOR: '0.5' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('TRANSPORT="kafka"');
      expect(problems).toContain('INTAKE_PORT="eighty"');
      expect(problems).toContain('TURF_DETOUR_FACTOR="0.5"');
    }
  });

  it('requires RABBITMQ_URL for the rmq transport', () => {
    expect(() => loadConfig({ TRANSPORT: 'rmq' })).toThrow(/RABBITMQ_URL: required/);
  });

  it('never echoes a database password in its error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2@h/db' })).toThrow(/DATABASE_URL: protocol/);
    try {
      loadConfig({ DATABASE_URL: 'mysql://u:hunter2@h/db' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });

  it('refuses two services on one port', () => {
    expect(() => loadConfig({ FEE_PORT: '3000' })).toThrow(/ports must be distinct/);
  });

  it('gives the documented map defaults: Kakao, Naver, Turf, no keys', () => {
    const { maps } = loadConfig({});
    expect(maps.providers).toEqual(['kakao', 'naver', 'turf']);
    expect(maps.kakao).toEqual({ restApiKey: undefined, mobilityBaseUrl: 'https://apis-navi.kakaomobility.com', localBaseUrl: 'https://dapi.kakao.com' });
    expect(maps.naver).toEqual({ clientId: undefined, clientSecret: undefined, baseUrl: 'https://maps.apigw.ntruss.com' });
    expect(maps.providerTimeoutMs).toBe(1500);
    expect(maps.chainDeadlineMs).toBe(3000);
    expect(maps.providerConcurrency).toBe(32);
    expect(maps.breaker).toEqual({ errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 10_000, rollingWindowMs: 10_000, consecutiveFailures: 5 });
    expect(maps.routeCache.ttlMs).toBe(900_000);
  });

  it('reads the map order and appends turf, which always answers', () => {
    expect(loadConfig({ MAP_PROVIDERS: 'naver, kakao' }).maps.providers).toEqual(['naver', 'kakao', 'turf']);
    expect(loadConfig({ MAP_PROVIDERS: 'turf' }).maps.providers).toEqual(['turf']);
  });

  it('refuses an unknown provider, a repeated one, or turf before a real provider', () => {
    expect(() => loadConfig({ MAP_PROVIDERS: 'kakao,google' })).toThrow(/MAP_PROVIDERS="kakao,google"/);
    expect(() => loadConfig({ MAP_PROVIDERS: 'kakao,kakao' })).toThrow(/twice/);
    expect(() => loadConfig({ MAP_PROVIDERS: 'turf,kakao' })).toThrow(/turf must come last/);
  });

  it('never echoes a map key in its error', () => {
    try {
      loadConfig({ NAVER_MAPS_CLIENT_ID: 'id-s3cret', KAKAO_REST_API_KEY: 'kakao-s3cret', MAP_PROVIDER_TIMEOUT_MS: '0' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toContain('NAVER_MAPS_CLIENT_ID and NAVER_MAPS_CLIENT_SECRET');
      expect(String(error)).toContain('MAP_PROVIDER_TIMEOUT_MS');
      expect(String(error)).not.toContain('s3cret');
    }
  });

  it('refuses a chain deadline shorter than one provider call, and a base URL that is not http', () => {
    expect(() => loadConfig({ MAP_PROVIDER_TIMEOUT_MS: '2000', MAP_CHAIN_DEADLINE_MS: '1000' })).toThrow(/MAP_CHAIN_DEADLINE_MS=1000/);
    expect(() => loadConfig({ KAKAO_MOBILITY_BASE_URL: 'ftp://navi' })).toThrow(/KAKAO_MOBILITY_BASE_URL: protocol/);
  });

  it('takes an order without a cooking time as ready on acceptance unless DEFAULT_COOKING_MINUTES says otherwise', () => {
    expect(loadConfig({}).intake.defaultCookingMinutes).toBe(0);
    expect(loadConfig({ DEFAULT_COOKING_MINUTES: '15' }).intake.defaultCookingMinutes).toBe(15);
    expect(() => loadConfig({ DEFAULT_COOKING_MINUTES: '241' })).toThrow(/DEFAULT_COOKING_MINUTES="241"/);
    expect(() => loadConfig({ DEFAULT_COOKING_MINUTES: '7.5' })).toThrow(/DEFAULT_COOKING_MINUTES="7.5"/);
  });

  it('locates address-only orders every 2 s unless LOCATE_INTERVAL_MS says otherwise, and refuses a bad interval', () => {
    expect(loadConfig({}).intake.locateIntervalMs).toBe(2000);
    expect(loadConfig({ LOCATE_INTERVAL_MS: '250' }).intake.locateIntervalMs).toBe(250);
    expect(() => loadConfig({ LOCATE_INTERVAL_MS: '0' })).toThrow(/LOCATE_INTERVAL_MS="0"/);
    expect(() => loadConfig({ LOCATE_INTERVAL_MS: 'soon' })).toThrow(/LOCATE_INTERVAL_MS="soon"/);
  });

  it('gives the documented callback defaults and reads fractions of an hour for their lifetime', () => {
    expect(loadConfig({}).intake.callbacks).toEqual({
      timeoutMs: 5000,
      maxAgeHours: 24,
      pollIntervalMs: 1000,
      backoffBaseMs: 5000,
      backoffCapMs: 1_800_000,
      allowPrivateNetworks: false,
    });
    expect(loadConfig({ CALLBACK_MAX_AGE_HOURS: '0.5' }).intake.callbacks.maxAgeHours).toBe(0.5);
  });

  it('refuses bad callback settings, naming each', () => {
    expect(() => loadConfig({ CALLBACK_TIMEOUT_MS: '0' })).toThrow(/CALLBACK_TIMEOUT_MS="0"/);
    expect(() => loadConfig({ CALLBACK_MAX_AGE_HOURS: '-1' })).toThrow(/CALLBACK_MAX_AGE_HOURS="-1"/);
    expect(() => loadConfig({ CALLBACK_POLL_INTERVAL_MS: 'often' })).toThrow(/CALLBACK_POLL_INTERVAL_MS="often"/);
    expect(() => loadConfig({ CALLBACK_BACKOFF_BASE_MS: '60000', CALLBACK_BACKOFF_CAP_MS: '1000' })).toThrow(/CALLBACK_BACKOFF_CAP_MS=1000/);
  });
});

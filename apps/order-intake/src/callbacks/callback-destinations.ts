import { Inject, Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch, type RequestInit, type Response } from 'undici';
import { APP_CONFIG, type AppConfig } from '#config';
import { addressRefusal, hostRefusal, type DestinationPolicy } from './callback-destination.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name resolves to. Injected (HOST_RESOLVER) so tests can play a DNS whose answers change. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;
export const HOST_RESOLVER = Symbol('HOST_RESOLVER');
export const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** A connection not made because the address it would reach is not public. */
export class DestinationRefused extends Error {
  static readonly code = 'ERR_CALLBACK_DESTINATION_REFUSED';
  readonly code = DestinationRefused.code;
}

/** How long saving a URL waits for DNS; past it the name counts as not resolving yet. */
const SAVE_LOOKUP_TIMEOUT_MS = 3000;

/**
 * Why `url` (already a valid absolute http(s) URL) may not be saved as a callback URL, or null. Its host must be
 * public by name or literal, and every address its name resolves to must be public. A name that does not resolve
 * (yet) is accepted: a restaurant may save its URL before its DNS is live, and every send checks the address it
 * dials anyway.
 */
export async function destinationRefusal(url: string, policy: DestinationPolicy, resolve: HostResolver = systemResolver): Promise<string | null> {
  const { hostname } = new URL(url);
  const byName = hostRefusal(hostname, policy);
  if (byName !== null || isIP(hostname) !== 0 || hostname.startsWith('[')) return byName;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ResolvedAddress[]>((resolveEmpty) => (timer = setTimeout(() => resolveEmpty([]), SAVE_LOOKUP_TIMEOUT_MS)));
  const addresses = await Promise.race([resolve(hostname).catch(() => []), timeout]).finally(() => clearTimeout(timer));
  const refused = addresses.map((a) => addressRefusal(a.address, policy)).find((why) => why !== null);
  // The address itself is left out: saving must not tell anyone what an internal name resolves to.
  return refused ? `${hostname} resolves to an address that is not a public internet address` : null;
}

/** A `net.connect` lookup that fails unless every address the name has is public; it hands on only those asked for. */
function guardedLookup(policy: DestinationPolicy, resolve: HostResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.some((a) => addressRefusal(a.address, policy) !== null)) return callback(new DestinationRefused(hostname), '', 0);
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return callback(null, wanted);
        callback(null, wanted[0].address, wanted[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/**
 * An undici Agent whose every connection goes only to a public address: an IP literal is checked before dialling
 * (net.connect skips `lookup` for literals), a name through the guarded lookup, and the socket's remote address once
 * connected, before the request's first byte is written, whatever resolved it.
 */
export function guardedAgent(policy: DestinationPolicy, resolve: HostResolver, options: { connectTimeoutMs: number }): Agent {
  const connect = buildConnector({ lookup: guardedLookup(policy, resolve), timeout: options.connectTimeoutMs });
  return new Agent({
    connect: (target, callback) => {
      if (isIP(target.hostname) !== 0 && addressRefusal(target.hostname, policy) !== null) return callback(new DestinationRefused(target.hostname), null);
      connect(target, (error, socket) => {
        if (error) return callback(error, null);
        const remote = socket!.remoteAddress;
        if (remote === undefined || addressRefusal(remote, policy) !== null) {
          socket!.destroy();
          return callback(new DestinationRefused(remote ?? target.hostname), null);
        }
        callback(null, socket!);
      });
    },
  });
}

/** Where order-intake's callbacks may go: checked when a URL is saved, and on every connection a send makes. */
@Injectable()
export class CallbackDestinations {
  private readonly policy: DestinationPolicy;
  private readonly agent: Agent;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(HOST_RESOLVER) private readonly resolve: HostResolver,
  ) {
    const { allowPrivateNetworks, timeoutMs } = config.intake.callbacks;
    this.policy = { allowPrivateNetworks };
    this.agent = guardedAgent(this.policy, resolve, { connectTimeoutMs: timeoutMs });
  }

  get allowsPrivateNetworks(): boolean {
    return this.policy.allowPrivateNetworks;
  }

  /** See destinationRefusal. */
  refusal(url: string): Promise<string | null> {
    return destinationRefusal(url, this.policy, this.resolve);
  }

  /** A request that can reach only public addresses (a refused one rejects with a DestinationRefused cause). */
  fetch(url: string, init: Omit<RequestInit, 'dispatcher'>): Promise<Response> {
    return fetch(url, { ...init, dispatcher: this.agent });
  }

  /** Closes its connections; called by the sender once its last round is over. */
  close(): Promise<void> {
    return this.agent.destroy();
  }
}

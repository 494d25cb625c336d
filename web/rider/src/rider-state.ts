import type { JobsSnapshot, PendingReport } from './offline-store';
import type { Delivery, FeeUpdate, Offer, Presence, TimingUpdate } from './protocol';

/**
 * What the rider's screen shows, changed only by the reducer below: every server event and every answer goes
 * through it, so a reconnect (which re-sends presence, jobs and live offers) rebuilds the truth without a reload.
 */
export type Connection =
  | 'idle' // not started (offline by choice)
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'unauthorized'; // the token was refused: nothing retries until the rider signs in again

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'warn';
}

export interface RiderState {
  connection: Connection;
  presence: Presence | null;
  offers: Offer[];
  jobs: Delivery[];
  notices: Notice[];
  /** Server clock minus this device's, from `heartbeat`: countdowns run on the server's clock. */
  clockOffsetMs: number;
  /** The browser says it has a network (`navigator.onLine`); without one nothing is tried. */
  network: boolean;
  /** Reports made on this device the server has not answered yet, oldest first (kept in IndexedDB). */
  outbox: PendingReport[];
  /** When the server last confirmed the jobs (its `jobs` list on connecting); null before it ever did. */
  confirmedAt: string | null;
  /** Why dispatch ended the session (`session:ended`: the rider disabled, the token replaced), shown when `unauthorized`. */
  endedWhy: string | null;
}

export const initialState: RiderState = {
  connection: 'idle',
  presence: null,
  offers: [],
  jobs: [],
  notices: [],
  clockOffsetMs: 0,
  network: true,
  outbox: [],
  confirmedAt: null,
  endedWhy: null,
};

export type RiderAction =
  | { type: 'connection'; connection: Connection; why?: string }
  | { type: 'connected' }
  | { type: 'presence'; presence: Presence }
  | { type: 'jobs'; deliveries: Delivery[]; at: string }
  | { type: 'restore'; snapshot?: JobsSnapshot; outbox: PendingReport[] }
  | { type: 'network'; online: boolean }
  | { type: 'queued'; report: PendingReport }
  | { type: 'report:done'; id: number }
  | { type: 'offer'; offer: Offer }
  | { type: 'offer:gone'; offerId: string; notice?: string }
  | { type: 'delivery'; delivery: Delivery; notice?: string }
  | { type: 'delivery:gone'; deliveryId: string; notice?: string }
  | { type: 'fee'; update: FeeUpdate }
  | { type: 'timing'; update: TimingUpdate }
  | { type: 'clock'; offsetMs: number }
  | { type: 'notice'; text: string; tone?: Notice['tone'] }
  | { type: 'dismiss'; id: number };

let nextNotice = 1;
const withNotice = (state: RiderState, text: string | undefined, tone: Notice['tone'] = 'info'): RiderState =>
  text ? { ...state, notices: [...state.notices.slice(-3), { id: nextNotice++, text, tone }] } : state;

const ACTIVE = new Set(['assigned', 'picked_up']);

export function riderReducer(state: RiderState, action: RiderAction): RiderState {
  switch (action.type) {
    case 'connection':
      return { ...state, connection: action.connection, endedWhy: action.why ?? null, ...(action.connection === 'idle' ? { offers: [], presence: null } : {}) };
    case 'connected':
      // The server re-sends every offer still open right after this; one it does not send is gone.
      return { ...state, connection: 'connected', offers: [] };
    case 'presence':
      return { ...state, presence: action.presence };
    case 'jobs':
      return { ...state, jobs: action.deliveries.filter((d) => ACTIVE.has(d.status)), confirmedAt: action.at };
    case 'restore':
      // What the device kept from before a reload: shown until the server says otherwise.
      return {
        ...state,
        jobs: state.confirmedAt || !action.snapshot ? state.jobs : action.snapshot.jobs,
        confirmedAt: state.confirmedAt ?? action.snapshot?.confirmedAt ?? null,
        outbox: action.outbox,
      };
    case 'network':
      return { ...state, network: action.online };
    case 'queued':
      return { ...state, outbox: [...state.outbox, action.report] };
    case 'report:done':
      return { ...state, outbox: state.outbox.filter((report) => report.id !== action.id) };
    case 'offer': {
      const others = state.offers.filter((o) => o.offerId !== action.offer.offerId);
      // An offer for a delivery already carried (say the accept's answer was lost) is not a new offer.
      if (state.jobs.some((j) => j.id === action.offer.deliveryId)) return state;
      return { ...state, offers: [...others, action.offer] };
    }
    case 'offer:gone': {
      if (!state.offers.some((o) => o.offerId === action.offerId)) return state;
      return withNotice({ ...state, offers: state.offers.filter((o) => o.offerId !== action.offerId) }, action.notice, 'warn');
    }
    case 'delivery': {
      const { delivery } = action;
      const offers = state.offers.filter((o) => o.deliveryId !== delivery.id);
      const jobs = ACTIVE.has(delivery.status)
        ? state.jobs.some((j) => j.id === delivery.id)
          ? state.jobs.map((j) => (j.id === delivery.id ? delivery : j))
          : [...state.jobs, delivery]
        : state.jobs.filter((j) => j.id !== delivery.id);
      return withNotice({ ...state, offers, jobs }, action.notice);
    }
    case 'delivery:gone': {
      const known = state.jobs.some((j) => j.id === action.deliveryId) || state.offers.some((o) => o.deliveryId === action.deliveryId);
      const next = {
        ...state,
        offers: state.offers.filter((o) => o.deliveryId !== action.deliveryId),
        jobs: state.jobs.filter((j) => j.id !== action.deliveryId),
      };
      return known ? withNotice(next, action.notice, 'warn') : next;
    }
    case 'fee': {
      const { deliveryId, fee, riderPay, distanceMeters } = action.update;
      return {
        ...state,
        offers: state.offers.map((o) => (o.deliveryId === deliveryId ? { ...o, fee, riderPay, distanceMeters, feePending: false } : o)),
        jobs: state.jobs.map((j) => (j.id === deliveryId ? { ...j, fee, riderPay, distanceMeters } : j)),
      };
    }
    case 'timing': {
      const { deliveryId, readyAt, promisedAt, readyChange } = action.update;
      const times = { readyAt, promisedAt, readyChange };
      return {
        ...state,
        offers: state.offers.map((o) => (o.deliveryId === deliveryId ? { ...o, ...times } : o)),
        jobs: state.jobs.map((j) => (j.id === deliveryId ? { ...j, ...times } : j)),
      };
    }
    case 'clock':
      return { ...state, clockOffsetMs: action.offsetMs };
    case 'notice':
      return withNotice(state, action.text, action.tone);
    case 'dismiss':
      return { ...state, notices: state.notices.filter((n) => n.id !== action.id) };
  }
}

/**
 * The jobs as the rider should see them: the server's, with the reports still in the outbox applied, so a pickup
 * made offline shows at once and a job delivered offline is gone from the list.
 */
export function visibleJobs(state: Pick<RiderState, 'jobs' | 'outbox'>): Delivery[] {
  let jobs = state.jobs;
  for (const report of state.outbox) {
    const { deliveryId, at } = report.payload;
    if (report.event === 'delivery:pickedUp') {
      jobs = jobs.map((job) => (job.id === deliveryId && job.status === 'assigned' ? { ...job, status: 'picked_up', pickedUpAt: at } : job));
    } else {
      jobs = jobs.filter((job) => job.id !== deliveryId);
    }
  }
  return jobs;
}

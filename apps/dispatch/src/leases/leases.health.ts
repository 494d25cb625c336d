import type { HealthCheck } from '#platform';
import type { AgencyLeases } from './agency-leases.service.js';

/**
 * The agencies this instance owns (count, and each with its epoch). Down while its leases are not renewed: the
 * instance then plans no agency, and another takes them; not critical, riders and the API still work.
 */
export function leasesCheck(leases: AgencyLeases): HealthCheck {
  return {
    name: 'agency-leases',
    critical: false,
    check: async () => {
      const { current, ...status } = leases.status();
      if (!current) throw Object.assign(new Error('agency leases not renewed: this instance plans no agency'), { detail: status });
      return status;
    },
  };
}

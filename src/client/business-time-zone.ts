import { isKnownTimeZone } from '../domain/zone-time.ts';
import { UsageError } from '../errors.ts';

/**
 * PIPEFORGE_BUSINESS_TZ without the rest of the pipeline configuration: scheduling and reporting
 * need the zone of the business day, not the email-hash secret that loadPipelineConfig demands.
 */
export function businessTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  const zone = env.PIPEFORGE_BUSINESS_TZ || 'UTC';
  if (!isKnownTimeZone(zone)) throw new UsageError('PIPEFORGE_BUSINESS_TZ is not an IANA time zone such as Africa/Nairobi');
  return zone;
}

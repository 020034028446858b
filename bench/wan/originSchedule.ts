import { Agent, request } from 'undici'
import type { SchedulePlan } from './versionSchedule.ts'

/**
 * Sets an origin's schedule and starts every resource over from its first version
 * (wan/origin.ts). Sent to the origin directly, never through the link.
 */
/** For origins on TLS (the HTTP/2 contender): the bench's own control request on loopback. */
const loopbackTls = new Agent({ connect: { rejectUnauthorized: false } })

export async function resetSchedule (originUrl: string, plan: SchedulePlan): Promise<void> {
  const query = new URLSearchParams({ every: String(plan.every) })
  if (plan.everyMs !== undefined) query.set('everyMs', String(plan.everyMs))
  const res = await request(`${originUrl}/__wan/schedule?${query.toString()}`, { method: 'POST', ...(originUrl.startsWith('https:') ? { dispatcher: loopbackTls } : {}) })
  await res.body.dump()
  if (res.statusCode !== 200) throw new Error(`${originUrl}: schedule refused with ${res.statusCode}`)
}

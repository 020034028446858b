// Status classes for the `status_class` label of request counters (issue 16): five
// series per outcome instead of one per status code, enough to alert on 5xx.

export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const
export type StatusClass = typeof STATUS_CLASSES[number]

/** `2xx` for 204; anything out of range counts as `5xx`. */
export function statusClass (status: number): StatusClass {
  const c = Math.floor(status / 100)
  return c >= 1 && c <= 5 ? STATUS_CLASSES[c - 1]! : '5xx'
}

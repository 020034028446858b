export type { MetricSource, StatusPoint, StatusRecorderOptions, StatusReport, StatusResource, StatusSeries } from './statusRecorder.ts'
export { DEFAULT_STATUS_INTERVAL_MS, DEFAULT_STATUS_TOP_RESOURCES, DEFAULT_STATUS_WINDOW_MS, StatusRecorder } from './statusRecorder.ts'
export type { StatusReply, StatusRouter } from './statusPage.ts'
export { registerStatusPage, STATUS_PAGE_CSP, statusPageHtml } from './statusPage.ts'

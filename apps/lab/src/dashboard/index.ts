export { LabMetrics } from './metrics.js';
export { type Dashboard, type DashboardOptions, dashboardKinds, dashboardRoutes, startDashboard } from './server.js';
export { type TrafficHop, TrafficLog, type TrafficRates, type TrafficRecord } from './traffic-log.js';

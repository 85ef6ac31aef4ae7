// The web dashboard (issue 11): its server (static UI, login, the /k8s proxy to the API server) and the login helpers
// the CLI's `nanokube dashboard` uses. The UI itself lives in ui/ and is built by Vite in `npm run build`.
export { startDashboard, defaultAssetsDir, SESSION_COOKIE, type DashboardOptions, type RunningDashboard } from './server.js';
export { type Credentials } from './sessions.js';
export { credentialsFromKubeconfig } from './credentials.js';
export { DASHBOARD_FILE, readDashboardInfo, writeDashboardInfo, type DashboardInfo } from './info.js';

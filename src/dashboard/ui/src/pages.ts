// Pages and detail tabs added by other parts of the dashboard register here (see router.tsx): import the module that
// calls registerPage / registerDetailTab below, and it is in the app.
export {};
import './architecture';
import './pods';

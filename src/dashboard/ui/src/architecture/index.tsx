// Registers the live architecture view as a page of its own (router.tsx).
import { registerPage } from '../router';
import { ArchitecturePage } from './architecture-page';

registerPage({ path: '/architecture', nav: { label: 'Architecture (live)', section: 'Cluster' }, render: () => <ArchitecturePage /> });

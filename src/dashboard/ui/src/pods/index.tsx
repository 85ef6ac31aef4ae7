// Registers the Logs and Terminal tabs on a Pod's detail page (router.tsx).
import { registerDetailTab } from '../router';
import { PodLogs } from './pod-logs';
import { PodExec } from './pod-exec';
import './pods.css';

registerDetailTab({ id: 'logs', label: 'Logs', kinds: ['Pod'], render: (pod) => <PodLogs key={pod.metadata.uid} pod={pod} /> });
registerDetailTab({ id: 'terminal', label: 'Terminal', kinds: ['Pod'], render: (pod) => <PodExec key={pod.metadata.uid} pod={pod} /> });

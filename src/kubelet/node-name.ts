// The real node's name, as minikube's is "minikube".
export const DEFAULT_NODE_NAME = 'nanokube';

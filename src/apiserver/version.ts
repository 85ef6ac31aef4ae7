// /version: kubectl's dispatcher picks its client by `minor`, so we report the Kubernetes version we implement.
export const kubernetesVersion = { major: '1', minor: '32', patch: '2' };
export const nanokubeVersion = '0.1.0';

export function versionInfo() {
  return {
    major: kubernetesVersion.major, minor: kubernetesVersion.minor,
    gitVersion: `v${kubernetesVersion.major}.${kubernetesVersion.minor}.${kubernetesVersion.patch}+nanokube`,
    gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean',
    buildDate: '2026-11-25T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

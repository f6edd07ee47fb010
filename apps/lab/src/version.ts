/** Versions kemu reports: its own and the upstream specifications it follows. */
export const versionInfo = {
  kemu: '0.1.0',
  kubernetes: 'v1.34',
  cni: '1.1.0',
  csi: '1.12.0',
  gatewayAPI: 'v1.3',
  node: process.version,
} as const;

// @kemu/cni/plugin — the kemu-cni CNI plugin runner (touches files; not part of the pure model).
export { type CniArgs, parseCniArgs } from './args.js';
export { type CniCommand, type CniRequest, readRequest, validateAttachment, validateNetworkName } from './env.js';
export { FileIpamBackend } from './file-backend.js';
export { type DnsJSON, formatResult, parseResolvConf } from './result.js';
export { type PluginInput, type PluginOutput, runPlugin } from './run.js';
export { forwardedEnv, type PluginServerOptions, startPluginServer } from './server.js';
export { hostLocalVersions, type PluginMode, supportedVersions, versionsFor } from './versions.js';

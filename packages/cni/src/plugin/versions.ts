// CNI versions: what the plugin speaks and how results are shaped per version (SPEC.md, libcni types).

/** Versions host-local 1.1.1 supports (what `VERSION` reports in compat mode). */
export const hostLocalVersions = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'] as const;

/** Versions kemu-cni supports in spec mode: host-local's plus 1.1.0. */
export const supportedVersions = [...hostLocalVersions, '1.1.0'] as const;

/**
 * `spec` follows CNI 1.1 (1.1.0 configs, STATUS, GC, cniVersion in errors and VERSION);
 * `host-local` matches host-local 1.1.1 byte for byte (set `KEMU_CNI_COMPAT=host-local`).
 */
export type PluginMode = 'spec' | 'host-local';

/** The versions a mode accepts. */
export function versionsFor(mode: PluginMode): readonly string[] {
  return mode === 'spec' ? supportedVersions : hostLocalVersions;
}

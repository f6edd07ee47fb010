import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GrpcObject, ServiceClientConstructor } from '@grpc/grpc-js';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * How kemu decodes csi.v1 messages: the spec's snake_case names, int64 as decimal strings, enums by
 * name, every field present with its default, and which oneof member is set.
 */
export const protoLoaderOptions = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

/** kemu's own csi.proto (packages/csi/proto), found from this module in sources and in dist alike. */
export function kemuProtoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'proto', 'csi.proto');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('kemu csi.proto not found next to @kemu/csi; the package is installed without its proto/ folder');
}

/** The three CSI services of a loaded schema. */
export interface CsiServices {
  Identity: ServiceClientConstructor;
  Controller: ServiceClientConstructor;
  Node: ServiceClientConstructor;
}

const cache = new Map<string, CsiServices>();

/** Loads `csi.v1` from a .proto file (kemu's by default, or the official one). */
export function loadCsiServices(protoPath = kemuProtoPath()): CsiServices {
  const cached = cache.get(protoPath);
  if (cached) return cached;
  const definition = loadPackageDefinition(loadSync(protoPath, protoLoaderOptions));
  const v1 = (definition.csi as GrpcObject).v1 as GrpcObject;
  const services = {
    Identity: v1.Identity as ServiceClientConstructor,
    Controller: v1.Controller as ServiceClientConstructor,
    Node: v1.Node as ServiceClientConstructor,
  };
  cache.set(protoPath, services);
  return services;
}

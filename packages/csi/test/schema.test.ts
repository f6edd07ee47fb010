// kemu's csi.proto is written from the spec; this checks it against the official v1.12.0 file
// field by field (names, numbers, types, labels, enum values) when the shared spec is present.
import { loadSync } from '@grpc/proto-loader';
import { kemuProtoPath, protoLoaderOptions } from '@kemu/csi/server';
import { describe, expect, it } from 'vitest';
import { haveOfficialProto, officialProto } from './harness.js';

interface Descriptor {
  type?: {
    field?: { name: string; number: number; type: string; typeName: string; label: string }[];
    value?: { name: string; number: number }[];
  };
}

function shape(path: string): Map<string, string> {
  const definition = loadSync(path, protoLoaderOptions) as unknown as Record<string, Descriptor>;
  const out = new Map<string, string>();
  for (const [name, d] of Object.entries(definition)) {
    if (!name.startsWith('csi.v1.') || !d.type) continue;
    const fields = d.type.field?.map((f) => `${f.name}=${f.number}:${f.type}:${f.typeName}:${f.label}`);
    const values = d.type.value?.map((v) => `${v.name}=${v.number}`);
    out.set(name, JSON.stringify(fields ?? values ?? []));
  }
  return out;
}

describe('kemu csi.proto', () => {
  it('declares package csi.v1 with the Identity, Controller and Node services', () => {
    const definition = loadSync(kemuProtoPath(), protoLoaderOptions);
    expect(Object.keys(definition)).toEqual(expect.arrayContaining(['csi.v1.Identity', 'csi.v1.Controller', 'csi.v1.Node']));
  });

  it(
    haveOfficialProto
      ? 'matches every message and enum it declares in the official csi.proto v1.12.0'
      : 'has no official csi.proto to compare with here',
    () => {
      if (!haveOfficialProto) return;
      const ours = shape(kemuProtoPath());
      const official = shape(officialProto);
      const mismatched = [...ours].filter(([name, text]) => official.get(name) !== text).map(([name]) => name);
      expect(mismatched).toEqual([]);
      expect(ours.size).toBeGreaterThan(60);
    },
  );
});

// The driver suite over a real unix socket, once per schema: kemu's own csi.proto, and the
// official CSI v1.12.0 csi.proto when ../shared/spec is present (h3's describeMatrix habit).
import { describe, expect, it } from 'vitest';
import { badInputCases } from './cases/bad-input.case.js';
import { identityAndControllerCases } from './cases/identity-controller.case.js';
import { publishAndNodeCases } from './cases/publish-node.case.js';
import { haveOfficialProto, officialProto, schemas } from './harness.js';

for (const schema of schemas) {
  describe(`CSI driver through the ${schema.name}`, () => {
    identityAndControllerCases(schema.protoPath);
    publishAndNodeCases(schema.protoPath);
    badInputCases(schema.protoPath);
  });
}

describe('schemas', () => {
  it(
    haveOfficialProto
      ? 'runs the suite through the official csi.proto too'
      : 'the official csi.proto is absent here, so the suite ran through kemu schema only',
    () => {
      expect(schemas.length).toBe(haveOfficialProto ? 2 : 1);
      if (haveOfficialProto) expect(schemas[1]!.protoPath).toBe(officialProto);
    },
  );
});

import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils.js';

/**
 * A workflow history to and from the JSON that `temporal workflow show --output json` writes, as
 * the SDK's historyToJSON / historyFromJSON do. Those two take protobufjs's JSON codec from the copy
 * installed under @temporalio/common, and it refuses message types built by another copy: when npm
 * gives @temporalio/common and @temporalio/proto a copy each (because @grpc/proto-loader holds an
 * older protobufjs at the top), they fail with "type must be a Type". The codec here comes from the
 * copy @temporalio/proto itself resolves, which is right in either layout.
 */

type ProtoJson = {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
};
type ProtoModule = typeof import('@temporalio/proto');
type PatchModule = typeof import('@temporalio/proto/lib/patch-protobuf-root.js');

const require = createRequire(import.meta.url);
const protoEntry = require.resolve('@temporalio/proto');
const fromProto = createRequire(protoEntry);
const proto: ProtoModule = fromProto(protoEntry);
const protojson: ProtoJson = fromProto('protobufjs/ext/protojson');
const { patchProtobufRoot }: PatchModule = fromProto('@temporalio/proto/lib/patch-protobuf-root.js');
// The generated module's types leave out the reflection the patched root adds.
const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
const historyType = root.lookupType('temporal.api.history.v1.History');

export function historyToJson(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/** Fields a newer server adds are ignored, as the SDK's own reader ignores them. */
export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}

// The JSON header of a safetensors file: 8-byte little-endian length, then the JSON itself.
export function safetensorsHeader(bytes) {
  const length = Number(bytes.readBigUInt64LE(0));
  return JSON.parse(bytes.subarray(8, 8 + length).toString("utf8"));
}

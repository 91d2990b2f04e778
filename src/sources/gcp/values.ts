// The value type of each GCP source (Compute reads), keyed as `gcp.<field>` in the registry. The
// registry, the Facts type and the snapshot schema follow this map.
export interface GcpValues {}

// The value type of each AWS source (ELBv2, ACM, EC2 reads), keyed as `aws.<field>` in the registry. The
// registry, the Facts type and the snapshot schema follow this map.
export interface AwsValues {}

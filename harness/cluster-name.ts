/** The test cluster's name: ANTLER_CLUSTER_NAME, default `antler`. */
export function clusterName(): string {
  const name = process.env.ANTLER_CLUSTER_NAME ?? 'antler';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 40) {
    throw new Error(`ANTLER_CLUSTER_NAME="${name}" must be a DNS label of at most 40 characters`);
  }
  return name;
}

// Manifests the lab benchmarks share.

/** A Deployment of `replicas` kemu/echo pods on 8080 (no grace period: teardown is not measured). */
export function echoDeployment(name: string, replicas: number): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 0
      containers: [ { name: echo, image: kemu/echo, ports: [ { containerPort: 8080 } ] } ]
`;
}

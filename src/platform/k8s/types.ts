// Placeholder: the Kubernetes snapshot is defined by the Kubernetes suites (issue 3).
export interface K8sFacts {
  readonly source: 'live' | 'manifests';
}

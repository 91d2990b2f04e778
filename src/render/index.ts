// The renderer's public face: the manifests of Milvus's two Layer-7 guides from typed parameters, shared
// by the lab (which serves them as a cluster would) and `provision` (which applies what is missing).

export { albIngressAnnotations, renderAlbIngress } from './aws.js';
export { gcpServiceAnnotations, renderBackendConfig, renderGkeIngress, renderManagedCertificate, renderTlsSecret, tlsCertificateChain } from './gcp.js';
export { guideObjectList, renderGuide, type GuideObjects } from './guide.js';
export { ingressRule } from './ingress-rule.js';
export {
  MILVUS_TLS_DIR, milvusHelmValues, milvusTlsMount, milvusServicePorts, milvusUserConfig, milvusUserYaml, proxyContainer, proxySelector, proxyVolumes,
  renderMilvusConfigMap, renderMilvusService, renderProxyDeployment,
} from './milvus.js';
export { isK8sObject, isRecord, type K8sObject, type ObjectMeta } from './object.js';
export {
  DEFAULTS, guideNames, METRICS_PORT, MILVUS_PORT, milvusFullname, RenderError, validateParams,
  type AwsParams, type GcpCertificateMode, type GcpParams, type GuideNames, type GuideParams, type HealthCheckTiming, type MilvusSettings, type Provider, type TlsMaterial,
} from './params.js';

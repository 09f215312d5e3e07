// The built-in kinds' description (the DSL documented in schema.h) and its parser.
#include "lib/api/schema.h"

#include <cstdlib>
#include <cstdio>
#include <set>
#include <utility>

namespace k1s::api {

namespace {

struct ScalarSpelling {
  std::string_view name;
  ValueKind kind;
};
constexpr ScalarSpelling kScalars[] = {
    {"string", ValueKind::kString},         {"int32", ValueKind::kInt32},
    {"int64", ValueKind::kInt64},           {"double", ValueKind::kDouble},
    {"boolean", ValueKind::kBoolean},       {"bytes", ValueKind::kBytes},
    {"quantity", ValueKind::kQuantity},     {"int-or-string", ValueKind::kIntOrString},
    {"date-time", ValueKind::kTime},        {"date-time-micro", ValueKind::kMicroTime},
    {"any", ValueKind::kAny},
};

bool ScalarKind(std::string_view name, ValueKind* out) {
  for (const auto& s : kScalars) {
    if (s.name == name) {
      *out = s.kind;
      return true;
    }
  }
  return false;
}

// Packages searched, after the current one, for a short type name.
constexpr std::string_view kFallbackPackages[] = {
    "io.k8s.apimachinery.pkg.apis.meta.v1", "io.k8s.api.core.v1",     "io.k8s.apimachinery.pkg.api.resource",
    "io.k8s.apimachinery.pkg.util.intstr",  "io.k8s.apimachinery.pkg.runtime",
};

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    if (comma > start) out.emplace_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

SchemaField StringField(std::string name, std::string description) {
  SchemaField f;
  f.name = std::move(name);
  f.type.kind = ValueKind::kString;
  f.description = std::move(description);
  return f;
}

}  // namespace

std::string_view ScalarName(ValueKind kind) {
  for (const auto& s : kScalars) {
    if (s.kind == kind) return s.name;
  }
  return "";
}

const SchemaField* SchemaType::Field(std::string_view json_name) const {
  for (const auto& f : fields) {
    if (f.name == json_name) return &f;
  }
  return nullptr;
}

// Builds a Schema from DSL text in two passes: declarations, then type-name resolution.
class SchemaParser {
 public:
  explicit SchemaParser(Schema* schema) : s_(schema) {}

  Status Parse(std::string_view text) {
    SchemaType* current = nullptr;
    std::string package;
    size_t line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
      std::string_view trimmed = line;
      while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
      if (trimmed.empty() || trimmed.front() == '#') continue;
      auto fail = [&](std::string why) {
        return Fail(ErrorCode::kInvalid, "schema line " + std::to_string(line_no) + ": " + why + ": " +
                                             std::string(trimmed));
      };
      std::string description;
      if (size_t q = trimmed.find('"'); q != std::string_view::npos) {
        if (trimmed.back() != '"' || trimmed.size() - 1 == q) return fail("unterminated description");
        description = std::string(trimmed.substr(q + 1, trimmed.size() - q - 2));
        trimmed = trimmed.substr(0, q);
      }
      std::vector<std::string_view> w = Words(trimmed);
      bool indented = line.front() == ' ' || line.front() == '\t';
      if (indented) {
        if (current == nullptr || current->kind != ValueKind::kObject) return fail("field outside an object type");
        if (w.size() < 2) return fail("want: name TYPE");
        SchemaField f;
        std::string_view name = w[0];
        if (name.back() == '!') {
          f.required = true;
          name.remove_suffix(1);
        }
        f.name = std::string(name);
        f.description = std::move(description);
        for (size_t i = 2; i < w.size(); ++i) {
          std::string_view opt = w[i];
          if (opt.starts_with("key=")) {
            f.patch_merge_key = std::string(opt.substr(4));
          } else if (opt.starts_with("strategy=")) {
            f.patch_strategy = std::string(opt.substr(9));
          } else if (opt == "list=atomic" || opt == "list=set") {
            f.list_type = std::string(opt.substr(5));
          } else if (opt.starts_with("list=map(") && opt.back() == ')') {
            f.list_type = "map";
            f.list_map_keys = SplitComma(opt.substr(9, opt.size() - 10));
          } else {
            return fail("unknown option " + std::string(opt));
          }
        }
        if (current->Field(f.name) != nullptr) return fail("duplicate field");
        current->fields.push_back(std::move(f));
        pending_.push_back({current, current->fields.size() - 1, std::string(w[1]), line_no});
        continue;
      }
      if (w[0] == "package") {
        if (w.size() != 2) return fail("want: package NAME");
        package = std::string(w[1]);
        current = nullptr;
        continue;
      }
      if (w[0] != "kind" && w[0] != "type") return fail("unknown declaration");
      if (package.empty()) return fail("declaration before any package");
      if (w.size() < 2) return fail("missing name");
      SchemaType& t = s_->types_.emplace_back();
      t.short_name = std::string(w[1]);
      t.package = package;
      t.name = package + "." + t.short_name;
      t.description = std::move(description);
      size_t i = 2;
      if (w[0] == "kind") {
        if (w.size() < 3) return fail("want: kind NAME GROUP/VERSION");
        std::string_view gv = w[2];
        GroupVersionKind gvk;
        if (size_t slash = gv.find('/'); slash != std::string_view::npos) {
          gvk.group = std::string(gv.substr(0, slash));
          gvk.version = std::string(gv.substr(slash + 1));
        } else {
          gvk.version = std::string(gv);
        }
        gvk.kind = t.short_name;
        std::string key = gvk.group + "/" + gvk.version + "/" + gvk.kind;
        if (s_->by_gvk_.contains(key)) return fail("kind declared twice");
        s_->by_gvk_.emplace(std::move(key), &t);
        t.kinds.push_back(std::move(gvk));
        t.fields.push_back(StringField("apiVersion", "The group/version of this object's schema."));
        t.fields.push_back(StringField("kind", "The kind of object, in CamelCase."));
        i = 3;
      } else if (w.size() >= 4 && w[2] == "=") {
        if (!ScalarKind(w[3], &t.kind)) return fail("unknown scalar " + std::string(w[3]));
        i = 4;
      }
      for (; i < w.size(); ++i) {
        if (w[i] == "atomic") {
          t.atomic = true;
        } else {
          return fail("unknown option " + std::string(w[i]));
        }
      }
      if (s_->by_name_.contains(t.name)) return fail("type declared twice");
      s_->by_name_.emplace(t.name, &t);
      s_->order_.push_back(&t);
      current = &t;
    }
    for (const Pending& p : pending_) {
      auto r = Resolve(p.type_expr, p.owner->package);
      if (!r.ok()) {
        return Fail(ErrorCode::kInvalid, "schema line " + std::to_string(p.line) + ": " + r.error().message);
      }
      p.owner->fields[p.field].type = *r;
    }
    return OkStatus();
  }

 private:
  struct Pending {
    SchemaType* owner;
    size_t field;
    std::string type_expr;
    size_t line;
  };

  Result<ValueType> Resolve(std::string_view expr, const std::string& package) {
    if (expr.starts_with("[]") || expr.starts_with("{}")) {
      auto element = Resolve(expr.substr(2), package);
      if (!element.ok()) return Fail(element.error());
      const ValueType* stored = &s_->values_.emplace_back(*element);
      return ValueType{expr[0] == '[' ? ValueKind::kArray : ValueKind::kMap, nullptr, stored};
    }
    ValueKind scalar;
    if (ScalarKind(expr, &scalar)) return ValueType{scalar};
    const SchemaType* t = nullptr;
    if (expr.find('.') != std::string_view::npos) {
      t = s_->Type(expr);
    } else {
      t = s_->Type(package + "." + std::string(expr));
      for (std::string_view p : kFallbackPackages) {
        if (t != nullptr) break;
        t = s_->Type(std::string(p) + "." + std::string(expr));
      }
    }
    if (t == nullptr) return Fail(ErrorCode::kInvalid, "unknown type " + std::string(expr));
    return ValueType{t->kind, t, nullptr};
  }

  Schema* s_;
  std::vector<Pending> pending_;
};

Result<std::shared_ptr<const Schema>> Schema::Parse(std::string_view text) {
  auto schema = std::make_shared<Schema>();
  SchemaParser parser(schema.get());
  K1S_TRY(parser.Parse(text));
  return std::shared_ptr<const Schema>(std::move(schema));
}

const SchemaType* Schema::Type(std::string_view full_name) const {
  auto it = by_name_.find(full_name);
  return it == by_name_.end() ? nullptr : it->second;
}

const SchemaType* Schema::ForKind(std::string_view group, std::string_view version, std::string_view kind) const {
  std::string key;
  key.reserve(group.size() + version.size() + kind.size() + 2);
  key.append(group).append("/").append(version).append("/").append(kind);
  auto it = by_gvk_.find(key);
  return it == by_gvk_.end() ? nullptr : it->second;
}

std::vector<const SchemaType*> Schema::Reachable(const std::vector<const SchemaType*>& roots) const {
  std::vector<const SchemaType*> out;
  std::set<const SchemaType*> seen;
  std::vector<const SchemaType*> stack(roots.rbegin(), roots.rend());
  while (!stack.empty()) {
    const SchemaType* t = stack.back();
    stack.pop_back();
    if (t == nullptr || !seen.insert(t).second) continue;
    out.push_back(t);
    for (auto it = t->fields.rbegin(); it != t->fields.rend(); ++it) {
      const ValueType* v = &it->type;
      while (v->element != nullptr) v = v->element;
      if (v->named != nullptr && !seen.contains(v->named)) stack.push_back(v->named);
    }
  }
  return out;
}

std::shared_ptr<const Schema> BuiltinSchema() {
  static const std::shared_ptr<const Schema> schema = [] {
    auto parsed = Schema::Parse(BuiltinSchemaText());
    if (!parsed.ok()) {
      std::fprintf(stderr, "k1s: built-in schema does not parse: %s\n", parsed.error().message.c_str());
      std::abort();
    }
    return *std::move(parsed);
  }();
  return schema;
}

// The built-in kinds. Field names, JSON types, formats, required-ness and merge keys are the API's facts
// (as published in its OpenAPI documents); the descriptions are ours. Deprecated in-tree volume plugins
// are declared `= any` (accepted, not described).
std::string_view BuiltinSchemaText() {
  static constexpr std::string_view kText = R"dsl(
package io.k8s.api.core.v1
kind Namespace v1 "A named scope for namespaced objects; deleting it deletes everything inside."
  metadata ObjectMeta
  spec NamespaceSpec
  status NamespaceStatus
kind Pod v1 "One or more containers scheduled together onto a node, sharing network and volumes."
  metadata ObjectMeta
  spec PodSpec "Desired state of the pod."
  status PodStatus "Observed state of the pod; written by the system."
kind Service v1 "A stable virtual address and DNS name in front of the pods its selector matches."
  metadata ObjectMeta
  spec ServiceSpec
  status ServiceStatus
kind Endpoints v1 "The addresses and ports currently backing a Service (legacy form of EndpointSlice)."
  metadata ObjectMeta
  subsets []EndpointSubset list=atomic
kind ConfigMap v1 "Non-secret configuration as string or binary key/value pairs."
  binaryData {}bytes "Binary values, base64-encoded."
  data {}string "UTF-8 string values."
  immutable boolean
  metadata ObjectMeta
kind Secret v1 "Sensitive key/value data (base64 in data, plain text accepted in stringData)."
  data {}bytes "Values, base64-encoded."
  immutable boolean
  metadata ObjectMeta
  stringData {}string "Write-only plain-text values merged into data."
  type string
kind ServiceAccount v1 "An identity for processes running in pods."
  automountServiceAccountToken boolean
  imagePullSecrets []LocalObjectReference list=atomic
  metadata ObjectMeta
  secrets []ObjectReference key=name strategy=merge list=map(name)
kind Node v1 "A machine that runs pods; its status is reported by the node agent."
  metadata ObjectMeta
  spec NodeSpec
  status NodeStatus
kind Event v1 "A report of something that happened to an object (core/v1 form)."
  action string
  count int32
  eventTime MicroTime
  firstTimestamp Time
  involvedObject! ObjectReference
  lastTimestamp Time
  message string
  metadata! ObjectMeta
  reason string
  related ObjectReference
  reportingComponent string
  reportingInstance string
  series EventSeries
  source EventSource
  type string
kind LimitRange v1 "Per-namespace minimum, maximum and default resource settings."
  metadata ObjectMeta
  spec LimitRangeSpec
kind ResourceQuota v1 "Per-namespace limits on total resource consumption and object counts."
  metadata ObjectMeta
  spec ResourceQuotaSpec
  status ResourceQuotaStatus
kind PersistentVolume v1 "A piece of storage provisioned in the cluster, bound to at most one claim."
  metadata ObjectMeta
  spec PersistentVolumeSpec
  status PersistentVolumeStatus
kind PersistentVolumeClaim v1 "A request for storage that binds to a PersistentVolume."
  metadata ObjectMeta
  spec PersistentVolumeClaimSpec
  status PersistentVolumeClaimStatus
type PodTemplateSpec "The pods a controller creates: metadata plus a pod spec."
  metadata ObjectMeta
  spec PodSpec
type NamespaceSpec
  finalizers []string
type NamespaceStatus
  conditions []NamespaceCondition key=type strategy=merge list=map(type)
  phase string
type PodSpec "What the pod should run and how."
  activeDeadlineSeconds int64
  affinity Affinity
  automountServiceAccountToken boolean
  containers! []Container key=name strategy=merge list=map(name) "The containers of the pod; at least one."
  dnsConfig PodDNSConfig
  dnsPolicy string
  enableServiceLinks boolean
  ephemeralContainers []EphemeralContainer key=name strategy=merge list=map(name)
  hostAliases []HostAlias key=ip strategy=merge list=map(ip)
  hostIPC boolean
  hostNetwork boolean
  hostPID boolean
  hostUsers boolean
  hostname string
  hostnameOverride string
  imagePullSecrets []LocalObjectReference key=name strategy=merge list=map(name)
  initContainers []Container key=name strategy=merge list=map(name) "Containers run to completion, in order, before the others start."
  nodeName string "The node the pod is bound to; set by the scheduler."
  nodeSelector {}string "Labels a node must have for the pod to be scheduled there."
  os PodOS
  overhead {}Quantity
  preemptionPolicy string
  priority int32
  priorityClassName string
  readinessGates []PodReadinessGate list=atomic
  resourceClaims []PodResourceClaim key=name strategy=merge,retainKeys list=map(name)
  resources ResourceRequirements
  restartPolicy string "Always, OnFailure or Never."
  runtimeClassName string
  schedulerName string
  schedulingGates []PodSchedulingGate key=name strategy=merge list=map(name)
  schedulingGroup PodSchedulingGroup
  securityContext PodSecurityContext
  serviceAccount string
  serviceAccountName string
  setHostnameAsFQDN boolean
  shareProcessNamespace boolean
  subdomain string
  terminationGracePeriodSeconds int64
  tolerations []Toleration list=atomic
  topologySpreadConstraints []TopologySpreadConstraint key=topologyKey strategy=merge list=map(topologyKey,whenUnsatisfiable)
  volumes []Volume key=name strategy=merge,retainKeys list=map(name) "Volumes the containers can mount."
type PodStatus "What the node agent last observed about the pod."
  allocatedResources {}Quantity
  conditions []PodCondition key=type strategy=merge list=map(type)
  containerStatuses []ContainerStatus list=atomic
  ephemeralContainerStatuses []ContainerStatus list=atomic
  extendedResourceClaimStatus PodExtendedResourceClaimStatus
  hostIP string
  hostIPs []HostIP key=ip strategy=merge list=atomic
  initContainerStatuses []ContainerStatus list=atomic
  message string
  nodeAllocatableResourceClaimStatuses []NodeAllocatableResourceClaimStatus
  nominatedNodeName string
  observedGeneration int64
  phase string
  podIP string
  podIPs []PodIP key=ip strategy=merge list=map(ip)
  qosClass string
  reason string
  resize string
  resourceClaimStatuses []PodResourceClaimStatus key=name strategy=merge,retainKeys list=map(name)
  resources ResourceRequirements
  startTime Time
type ServiceSpec "How the service is exposed and which pods it selects."
  allocateLoadBalancerNodePorts boolean
  clusterIP string
  clusterIPs []string list=atomic
  externalIPs []string list=atomic
  externalName string
  externalTrafficPolicy string
  healthCheckNodePort int32
  internalTrafficPolicy string
  ipFamilies []string list=atomic
  ipFamilyPolicy string
  loadBalancerClass string
  loadBalancerIP string
  loadBalancerSourceRanges []string list=atomic
  ports []ServicePort key=port strategy=merge list=map(port,protocol) "The ports the service exposes."
  publishNotReadyAddresses boolean
  selector {}string "Routes traffic to pods whose labels match."
  sessionAffinity string
  sessionAffinityConfig SessionAffinityConfig
  trafficDistribution string
  type string "ClusterIP, NodePort, LoadBalancer or ExternalName."
type ServiceStatus
  conditions []Condition key=type strategy=merge list=map(type)
  loadBalancer LoadBalancerStatus
type EndpointSubset
  addresses []EndpointAddress list=atomic
  notReadyAddresses []EndpointAddress list=atomic
  ports []EndpointPort list=atomic
type LocalObjectReference atomic
  name string
type ObjectReference atomic "A reference to another object by kind, namespace and name."
  apiVersion string
  fieldPath string
  kind string
  name string
  namespace string
  resourceVersion string
  uid string
type NodeSpec
  configSource NodeConfigSource
  externalID string
  podCIDR string
  podCIDRs []string strategy=merge list=set
  providerID string
  taints []Taint list=atomic
  unschedulable boolean
type NodeStatus
  addresses []NodeAddress key=type strategy=merge list=map(type)
  allocatable {}Quantity
  capacity {}Quantity
  conditions []NodeCondition key=type strategy=merge list=map(type)
  config NodeConfigStatus
  daemonEndpoints NodeDaemonEndpoints
  declaredFeatures []string
  features NodeFeatures
  images []ContainerImage list=atomic
  nodeInfo NodeSystemInfo
  phase string
  runtimeHandlers []NodeRuntimeHandler
  volumesAttached []AttachedVolume list=atomic
  volumesInUse []string list=atomic
type EventSeries
  count int32
  lastObservedTime MicroTime
type EventSource
  component string
  host string
type LimitRangeSpec
  limits! []LimitRangeItem list=atomic
type ResourceQuotaSpec
  hard {}Quantity
  scopeSelector ScopeSelector
  scopes []string
type ResourceQuotaStatus
  hard {}Quantity
  used {}Quantity
type PersistentVolumeSpec
  accessModes []string list=atomic
  awsElasticBlockStore AWSElasticBlockStoreVolumeSource
  azureDisk AzureDiskVolumeSource
  azureFile AzureFilePersistentVolumeSource
  capacity {}Quantity
  cephfs CephFSPersistentVolumeSource
  cinder CinderPersistentVolumeSource
  claimRef ObjectReference
  csi CSIPersistentVolumeSource
  fc FCVolumeSource
  flexVolume FlexPersistentVolumeSource
  flocker FlockerVolumeSource
  gcePersistentDisk GCEPersistentDiskVolumeSource
  glusterfs GlusterfsPersistentVolumeSource
  hostPath HostPathVolumeSource
  iscsi ISCSIPersistentVolumeSource
  local LocalVolumeSource
  mountOptions []string list=atomic
  nfs NFSVolumeSource
  nodeAffinity VolumeNodeAffinity
  persistentVolumeReclaimPolicy string
  photonPersistentDisk PhotonPersistentDiskVolumeSource
  portworxVolume PortworxVolumeSource
  quobyte QuobyteVolumeSource
  rbd RBDPersistentVolumeSource
  scaleIO ScaleIOPersistentVolumeSource
  storageClassName string
  storageos StorageOSPersistentVolumeSource
  volumeAttributesClassName string
  volumeMode string
  vsphereVolume VsphereVirtualDiskVolumeSource
type PersistentVolumeStatus
  lastPhaseTransitionTime Time
  message string
  phase string
  reason string
type PersistentVolumeClaimSpec
  accessModes []string list=atomic
  dataSource TypedLocalObjectReference
  dataSourceRef TypedObjectReference
  resources VolumeResourceRequirements
  selector LabelSelector
  storageClassName string
  volumeAttributesClassName string
  volumeMode string
  volumeName string
type PersistentVolumeClaimStatus
  accessModes []string
  allocatedResourceStatuses {}string
  allocatedResources {}Quantity
  capacity {}Quantity
  conditions []PersistentVolumeClaimCondition key=type strategy=merge list=map(type)
  currentVolumeAttributesClassName string
  modifyVolumeStatus ModifyVolumeStatus
  phase string
type TopologySelectorTerm atomic
  matchLabelExpressions []TopologySelectorLabelRequirement list=atomic
type NamespaceCondition
  lastTransitionTime Time
  message string
  reason string
  status! string
  type! string
type Affinity "Node and pod (anti-)affinity scheduling rules."
  nodeAffinity NodeAffinity
  podAffinity PodAffinity
  podAntiAffinity PodAntiAffinity
type Container "One container of a pod: image, command, environment, ports, resources, probes."
  args []string list=atomic "Arguments to the entrypoint."
  command []string list=atomic "Replaces the image entrypoint."
  env []EnvVar key=name strategy=merge list=map(name) "Environment variables."
  envFrom []EnvFromSource list=atomic
  image string "The container image reference."
  imagePullPolicy string
  lifecycle Lifecycle
  livenessProbe Probe
  name! string "Unique among the containers of the pod."
  ports []ContainerPort key=containerPort strategy=merge list=map(containerPort,protocol) "Ports the container listens on (informational, used for named ports)."
  readinessProbe Probe
  resizePolicy []ContainerResizePolicy list=atomic
  resources ResourceRequirements "Compute resource requests and limits."
  restartPolicy string
  restartPolicyRules []ContainerRestartRule
  securityContext SecurityContext
  startupProbe Probe
  stdin boolean
  stdinOnce boolean
  terminationMessagePath string
  terminationMessagePolicy string
  tty boolean
  volumeDevices []VolumeDevice key=devicePath strategy=merge list=map(devicePath)
  volumeMounts []VolumeMount key=mountPath strategy=merge list=map(mountPath)
  workingDir string
type PodDNSConfig
  nameservers []string
  options []PodDNSConfigOption
  searches []string
type EphemeralContainer
  args []string list=atomic
  command []string list=atomic
  env []EnvVar key=name strategy=merge list=map(name)
  envFrom []EnvFromSource list=atomic
  image string
  imagePullPolicy string
  lifecycle Lifecycle
  livenessProbe Probe
  name! string
  ports []ContainerPort key=containerPort strategy=merge list=map(containerPort,protocol)
  readinessProbe Probe
  resizePolicy []ContainerResizePolicy list=atomic
  resources ResourceRequirements
  restartPolicy string
  restartPolicyRules []ContainerRestartRule
  securityContext SecurityContext
  startupProbe Probe
  stdin boolean
  stdinOnce boolean
  targetContainerName string
  terminationMessagePath string
  terminationMessagePolicy string
  tty boolean
  volumeDevices []VolumeDevice key=devicePath strategy=merge list=map(devicePath)
  volumeMounts []VolumeMount key=mountPath strategy=merge list=map(mountPath)
  workingDir string
type HostAlias
  hostnames []string
  ip! string
type PodOS
  name! string
type PodReadinessGate
  conditionType! string
type PodResourceClaim
  name! string
  resourceClaimName string
  resourceClaimTemplateName string
type ResourceRequirements "Resource requests and limits (cpu, memory, ...), as quantities."
  claims []ResourceClaim list=map(name)
  limits {}Quantity
  requests {}Quantity
type PodSchedulingGate
  name! string
type PodSchedulingGroup
  podGroupName string
type PodSecurityContext
  appArmorProfile AppArmorProfile
  fsGroup int64
  fsGroupChangePolicy string
  runAsGroup int64
  runAsNonRoot boolean
  runAsUser int64
  seLinuxChangePolicy string
  seLinuxOptions SELinuxOptions
  seccompProfile SeccompProfile
  supplementalGroups []int64
  supplementalGroupsPolicy string
  sysctls []Sysctl
  windowsOptions WindowsSecurityContextOptions
type Toleration "Lets the pod schedule onto nodes with a matching taint."
  effect string
  key string
  operator string
  tolerationSeconds int64
  value string
type TopologySpreadConstraint
  labelSelector LabelSelector
  matchLabelKeys []string
  maxSkew! int32
  minDomains int32
  nodeAffinityPolicy string
  nodeTaintsPolicy string
  topologyKey! string
  whenUnsatisfiable! string
type Volume "A named volume that containers of the pod can mount; exactly one source is set."
  awsElasticBlockStore AWSElasticBlockStoreVolumeSource
  azureDisk AzureDiskVolumeSource
  azureFile AzureFileVolumeSource
  cephfs CephFSVolumeSource
  cinder CinderVolumeSource
  configMap ConfigMapVolumeSource
  csi CSIVolumeSource
  downwardAPI DownwardAPIVolumeSource
  emptyDir EmptyDirVolumeSource
  ephemeral EphemeralVolumeSource
  fc FCVolumeSource
  flexVolume FlexVolumeSource
  flocker FlockerVolumeSource
  gcePersistentDisk GCEPersistentDiskVolumeSource
  gitRepo GitRepoVolumeSource
  glusterfs GlusterfsVolumeSource
  hostPath HostPathVolumeSource
  image ImageVolumeSource
  iscsi ISCSIVolumeSource
  name! string
  nfs NFSVolumeSource
  persistentVolumeClaim PersistentVolumeClaimVolumeSource
  photonPersistentDisk PhotonPersistentDiskVolumeSource
  portworxVolume PortworxVolumeSource
  projected ProjectedVolumeSource
  quobyte QuobyteVolumeSource
  rbd RBDVolumeSource
  scaleIO ScaleIOVolumeSource
  secret SecretVolumeSource
  storageos StorageOSVolumeSource
  vsphereVolume VsphereVirtualDiskVolumeSource
type PodCondition
  lastProbeTime Time
  lastTransitionTime Time
  message string
  observedGeneration int64
  reason string
  status! string
  type! string
type ContainerStatus
  allocatedResources {}Quantity
  allocatedResourcesStatus []ResourceStatus
  containerID string
  image! string
  imageID! string
  lastState ContainerState
  name! string
  ready! boolean
  resources ResourceRequirements
  restartCount! int32
  started boolean
  state ContainerState
  stopSignal string
  user ContainerUser
  volumeMounts []VolumeMountStatus
type PodExtendedResourceClaimStatus
  requestMappings! []ContainerExtendedResourceRequest
  resourceClaimName! string
type HostIP
  ip! string
type NodeAllocatableResourceClaimStatus
  containers []string
  resourceClaimName! string
  resources! {}Quantity
type PodIP
  ip! string
type PodResourceClaimStatus
  name! string
  resourceClaimName string
type ServicePort
  appProtocol string
  name string
  nodePort int32
  port! int32
  protocol string
  targetPort IntOrString
type SessionAffinityConfig
  clientIP ClientIPConfig
type LoadBalancerStatus
  ingress []LoadBalancerIngress list=atomic
type EndpointAddress
  hostname string
  ip! string
  nodeName string
  targetRef ObjectReference
type EndpointPort
  appProtocol string
  name string
  port! int32
  protocol string
type NodeConfigSource
  configMap ConfigMapNodeConfigSource
type Taint
  effect! string
  key! string
  timeAdded Time
  value string
type NodeAddress
  address! string
  type! string
type NodeCondition
  lastHeartbeatTime Time
  lastTransitionTime Time
  message string
  reason string
  status! string
  type! string
type NodeConfigStatus
  active NodeConfigSource
  assigned NodeConfigSource
  error string
  lastKnownGood NodeConfigSource
type NodeDaemonEndpoints
  kubeletEndpoint DaemonEndpoint
type NodeFeatures
  supplementalGroupsPolicy boolean
type ContainerImage
  names []string
  sizeBytes int64
type NodeSystemInfo
  architecture! string
  bootID! string
  containerRuntimeVersion! string
  kernelVersion! string
  kubeProxyVersion! string
  kubeletVersion! string
  machineID! string
  operatingSystem! string
  osImage! string
  swap NodeSwapStatus
  systemUUID! string
type NodeRuntimeHandler
  features NodeRuntimeHandlerFeatures
  name string
type AttachedVolume
  devicePath! string
  name! string
type LimitRangeItem
  default {}Quantity
  defaultRequest {}Quantity
  max {}Quantity
  maxLimitRequestRatio {}Quantity
  min {}Quantity
  type! string
type ScopeSelector
  matchExpressions []ScopedResourceSelectorRequirement
type AWSElasticBlockStoreVolumeSource = any
type AzureDiskVolumeSource = any
type AzureFilePersistentVolumeSource = any
type CephFSPersistentVolumeSource = any
type CinderPersistentVolumeSource = any
type CSIPersistentVolumeSource
  controllerExpandSecretRef SecretReference
  controllerPublishSecretRef SecretReference
  driver! string
  fsType string
  nodeExpandSecretRef SecretReference
  nodePublishSecretRef SecretReference
  nodeStageSecretRef SecretReference
  readOnly boolean
  volumeAttributes {}string
  volumeHandle! string
type FCVolumeSource = any
type FlexPersistentVolumeSource = any
type FlockerVolumeSource = any
type GCEPersistentDiskVolumeSource = any
type GlusterfsPersistentVolumeSource = any
type HostPathVolumeSource
  path! string
  type string
type ISCSIPersistentVolumeSource = any
type LocalVolumeSource
  fsType string
  path! string
type NFSVolumeSource
  path! string
  readOnly boolean
  server! string
type VolumeNodeAffinity
  required NodeSelector
type PhotonPersistentDiskVolumeSource = any
type PortworxVolumeSource = any
type QuobyteVolumeSource = any
type RBDPersistentVolumeSource = any
type ScaleIOPersistentVolumeSource = any
type StorageOSPersistentVolumeSource = any
type VsphereVirtualDiskVolumeSource = any
type TypedLocalObjectReference atomic
  apiGroup string
  kind string
  name! string
type TypedObjectReference
  apiGroup string
  kind string
  name! string
  namespace string
type VolumeResourceRequirements
  limits {}Quantity
  requests {}Quantity
type PersistentVolumeClaimCondition
  lastProbeTime Time
  lastTransitionTime Time
  message string
  reason string
  status! string
  type! string
type ModifyVolumeStatus
  status! string
  targetVolumeAttributesClassName string
type TopologySelectorLabelRequirement
  key! string
  values! []string
type NodeAffinity
  preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm list=atomic
  requiredDuringSchedulingIgnoredDuringExecution NodeSelector
type PodAffinity
  preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm list=atomic
  requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm list=atomic
type PodAntiAffinity
  preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm list=atomic
  requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm list=atomic
type EnvVar
  name! string
  value string
  valueFrom EnvVarSource
type EnvFromSource
  configMapRef ConfigMapEnvSource
  prefix string
  secretRef SecretEnvSource
type Lifecycle
  postStart LifecycleHandler
  preStop LifecycleHandler
  stopSignal string
type Probe "A health check run against a container."
  exec ExecAction
  failureThreshold int32
  grpc GRPCAction
  httpGet HTTPGetAction
  initialDelaySeconds int32
  periodSeconds int32
  successThreshold int32
  tcpSocket TCPSocketAction
  terminationGracePeriodSeconds int64
  timeoutSeconds int32
type ContainerPort
  containerPort! int32
  hostIP string
  hostPort int32
  name string
  protocol string
type ContainerResizePolicy
  resourceName! string
  restartPolicy! string
type ContainerRestartRule
  action! string
  exitCodes ContainerRestartRuleOnExitCodes
type SecurityContext
  allowPrivilegeEscalation boolean
  appArmorProfile AppArmorProfile
  capabilities Capabilities
  privileged boolean
  procMount string
  readOnlyRootFilesystem boolean
  runAsGroup int64
  runAsNonRoot boolean
  runAsUser int64
  seLinuxOptions SELinuxOptions
  seccompProfile SeccompProfile
  windowsOptions WindowsSecurityContextOptions
type VolumeDevice
  devicePath! string
  name! string
type VolumeMount
  mountPath! string
  mountPropagation string
  name! string
  readOnly boolean
  recursiveReadOnly string
  subPath string
  subPathExpr string
type PodDNSConfigOption
  name string
  value string
type ResourceClaim
  name! string
  request string
type AppArmorProfile
  localhostProfile string
  type! string
type SELinuxOptions
  level string
  role string
  type string
  user string
type SeccompProfile
  localhostProfile string
  type! string
type Sysctl
  name! string
  value! string
type WindowsSecurityContextOptions
  gmsaCredentialSpec string
  gmsaCredentialSpecName string
  hostProcess boolean
  runAsUserName string
type AzureFileVolumeSource = any
type CephFSVolumeSource = any
type CinderVolumeSource = any
type ConfigMapVolumeSource
  defaultMode int32
  items []KeyToPath list=atomic
  name string
  optional boolean
type CSIVolumeSource
  driver! string
  fsType string
  nodePublishSecretRef LocalObjectReference
  readOnly boolean
  volumeAttributes {}string
type DownwardAPIVolumeSource
  defaultMode int32
  items []DownwardAPIVolumeFile
type EmptyDirVolumeSource
  medium string
  sizeLimit Quantity
type EphemeralVolumeSource
  volumeClaimTemplate PersistentVolumeClaimTemplate
type FlexVolumeSource = any
type GitRepoVolumeSource = any
type GlusterfsVolumeSource = any
type ImageVolumeSource
  pullPolicy string
  reference string
type ISCSIVolumeSource = any
type PersistentVolumeClaimVolumeSource
  claimName! string
  readOnly boolean
type ProjectedVolumeSource
  defaultMode int32
  sources []VolumeProjection list=atomic
type RBDVolumeSource = any
type ScaleIOVolumeSource = any
type SecretVolumeSource
  defaultMode int32
  items []KeyToPath list=atomic
  optional boolean
  secretName string
type StorageOSVolumeSource = any
type ResourceStatus
  name! string
  resources []ResourceHealth
type ContainerState
  running ContainerStateRunning
  terminated ContainerStateTerminated
  waiting ContainerStateWaiting
type ContainerUser
  linux LinuxContainerUser
type VolumeMountStatus
  mountPath! string
  name! string
  readOnly boolean
  recursiveReadOnly string
  volumeStatus VolumeStatus
type ContainerExtendedResourceRequest
  containerName! string
  requestName! string
  resourceName! string
type ClientIPConfig
  timeoutSeconds int32
type LoadBalancerIngress
  hostname string
  ip string
  ipMode string
  ports []PortStatus
type ConfigMapNodeConfigSource
  kubeletConfigKey! string
  name! string
  namespace! string
  resourceVersion string
  uid string
type DaemonEndpoint
  Port! int32
type NodeSwapStatus
  capacity int64
type NodeRuntimeHandlerFeatures
  recursiveReadOnlyMounts boolean
  userNamespaces boolean
type ScopedResourceSelectorRequirement
  operator! string
  scopeName! string
  values []string
type SecretReference
  name string
  namespace string
type NodeSelector atomic
  nodeSelectorTerms! []NodeSelectorTerm list=atomic
type PreferredSchedulingTerm
  preference! NodeSelectorTerm
  weight! int32
type WeightedPodAffinityTerm
  podAffinityTerm! PodAffinityTerm
  weight! int32
type PodAffinityTerm
  labelSelector LabelSelector
  matchLabelKeys []string
  mismatchLabelKeys []string
  namespaceSelector LabelSelector
  namespaces []string
  topologyKey! string
type EnvVarSource
  configMapKeyRef ConfigMapKeySelector
  fieldRef ObjectFieldSelector
  fileKeyRef FileKeySelector
  resourceFieldRef ResourceFieldSelector
  secretKeyRef SecretKeySelector
type ConfigMapEnvSource
  name string
  optional boolean
type SecretEnvSource
  name string
  optional boolean
type LifecycleHandler
  exec ExecAction
  httpGet HTTPGetAction
  sleep SleepAction
  tcpSocket TCPSocketAction
type ExecAction
  command []string
type GRPCAction
  port! int32
  service string
type HTTPGetAction
  host string
  httpHeaders []HTTPHeader
  path string
  port! IntOrString
  scheme string
type TCPSocketAction
  host string
  port! IntOrString
type ContainerRestartRuleOnExitCodes
  operator! string
  values []int32
type Capabilities
  add []string list=atomic
  drop []string list=atomic
type KeyToPath
  key! string
  mode int32
  path! string
type DownwardAPIVolumeFile
  fieldRef ObjectFieldSelector
  mode int32
  path! string
  resourceFieldRef ResourceFieldSelector
type PersistentVolumeClaimTemplate
  metadata ObjectMeta
  spec! PersistentVolumeClaimSpec
type VolumeProjection
  clusterTrustBundle ClusterTrustBundleProjection
  configMap ConfigMapProjection
  downwardAPI DownwardAPIProjection
  podCertificate PodCertificateProjection
  secret SecretProjection
  serviceAccountToken ServiceAccountTokenProjection
type ResourceHealth
  health string
  message string
  resourceID! string
type ContainerStateRunning
  startedAt Time
type ContainerStateTerminated
  containerID string
  exitCode! int32
  finishedAt Time
  message string
  reason string
  signal int32
  startedAt Time
type ContainerStateWaiting
  message string
  reason string
type LinuxContainerUser
  gid! int64
  supplementalGroups []int64
  uid! int64
type VolumeStatus
  image ImageVolumeStatus
type PortStatus
  error string
  port! int32
  protocol! string
type NodeSelectorTerm atomic
  matchExpressions []NodeSelectorRequirement list=atomic
  matchFields []NodeSelectorRequirement list=atomic
type ConfigMapKeySelector atomic
  key! string
  name string
  optional boolean
type ObjectFieldSelector atomic
  apiVersion string
  fieldPath! string
type FileKeySelector
  key! string
  optional boolean
  path! string
  volumeName! string
type ResourceFieldSelector atomic
  containerName string
  divisor Quantity
  resource! string
type SecretKeySelector atomic
  key! string
  name string
  optional boolean
type SleepAction
  seconds! int64
type HTTPHeader
  name! string
  value! string
type ClusterTrustBundleProjection
  labelSelector LabelSelector
  name string
  optional boolean
  path! string
  signerName string
type ConfigMapProjection
  items []KeyToPath list=atomic
  name string
  optional boolean
type DownwardAPIProjection
  items []DownwardAPIVolumeFile
type PodCertificateProjection
  certificateChainPath string
  credentialBundlePath string
  keyPath string
  keyType! string
  maxExpirationSeconds int32
  signerName! string
  userAnnotations {}string
type SecretProjection
  items []KeyToPath list=atomic
  name string
  optional boolean
type ServiceAccountTokenProjection
  audience string
  expirationSeconds int64
  path! string
type ImageVolumeStatus
  imageRef! string
type NodeSelectorRequirement
  key! string
  operator! string
  values []string

package io.k8s.api.apps.v1
kind Deployment apps/v1 "Declarative updates of stateless pods through ReplicaSets."
  metadata ObjectMeta
  spec DeploymentSpec
  status DeploymentStatus
kind ReplicaSet apps/v1 "Keeps a given number of identical pods running."
  metadata ObjectMeta
  spec ReplicaSetSpec
  status ReplicaSetStatus
kind StatefulSet apps/v1 "Pods with stable names and storage, created and updated in order."
  metadata ObjectMeta
  spec StatefulSetSpec
  status StatefulSetStatus
kind DaemonSet apps/v1 "Runs one copy of a pod on each eligible node."
  metadata ObjectMeta
  spec DaemonSetSpec
  status DaemonSetStatus
kind ControllerRevision apps/v1 "An immutable snapshot of a StatefulSet or DaemonSet template."
  data RawExtension
  metadata ObjectMeta
  revision! int64
type DeploymentSpec "Desired state of a Deployment."
  minReadySeconds int32
  paused boolean
  progressDeadlineSeconds int32
  replicas int32 "Desired number of pods; defaults to 1."
  revisionHistoryLimit int32
  selector! LabelSelector "Which pods belong to the deployment; must match the template labels."
  strategy DeploymentStrategy strategy=retainKeys "How old pods are replaced by new ones."
  template! PodTemplateSpec "The pods to create."
type DeploymentStatus "Observed state of a Deployment."
  availableReplicas int32
  collisionCount int32
  conditions []DeploymentCondition key=type strategy=merge list=map(type)
  observedGeneration int64
  readyReplicas int32
  replicas int32
  terminatingReplicas int32
  unavailableReplicas int32
  updatedReplicas int32
type ReplicaSetSpec
  minReadySeconds int32
  replicas int32
  selector! LabelSelector
  template PodTemplateSpec
type ReplicaSetStatus
  availableReplicas int32
  conditions []ReplicaSetCondition key=type strategy=merge list=map(type)
  fullyLabeledReplicas int32
  observedGeneration int64
  readyReplicas int32
  replicas! int32
  terminatingReplicas int32
type StatefulSetSpec
  minReadySeconds int32
  ordinals StatefulSetOrdinals
  persistentVolumeClaimRetentionPolicy StatefulSetPersistentVolumeClaimRetentionPolicy
  podManagementPolicy string
  replicas int32
  revisionHistoryLimit int32
  selector! LabelSelector
  serviceName string
  template! PodTemplateSpec
  updateStrategy StatefulSetUpdateStrategy
  volumeClaimTemplates []PersistentVolumeClaim list=atomic
type StatefulSetStatus
  availableReplicas int32
  collisionCount int32
  conditions []StatefulSetCondition key=type strategy=merge list=map(type)
  currentReplicas int32
  currentRevision string
  observedGeneration int64
  readyReplicas int32
  replicas! int32
  updateRevision string
  updatedReplicas int32
type DaemonSetSpec
  minReadySeconds int32
  revisionHistoryLimit int32
  selector! LabelSelector
  template! PodTemplateSpec
  updateStrategy DaemonSetUpdateStrategy
type DaemonSetStatus
  collisionCount int32
  conditions []DaemonSetCondition key=type strategy=merge list=map(type)
  currentNumberScheduled! int32
  desiredNumberScheduled! int32
  numberAvailable int32
  numberMisscheduled! int32
  numberReady! int32
  numberUnavailable int32
  observedGeneration int64
  updatedNumberScheduled int32
type DeploymentStrategy
  rollingUpdate RollingUpdateDeployment
  type string
type DeploymentCondition
  lastTransitionTime Time
  lastUpdateTime Time
  message string
  reason string
  status! string
  type! string
type ReplicaSetCondition
  lastTransitionTime Time
  message string
  reason string
  status! string
  type! string
type StatefulSetOrdinals
  start int32
type StatefulSetPersistentVolumeClaimRetentionPolicy
  whenDeleted string
  whenScaled string
type StatefulSetUpdateStrategy
  rollingUpdate RollingUpdateStatefulSetStrategy
  type string
type StatefulSetCondition
  lastTransitionTime Time
  message string
  reason string
  status! string
  type! string
type DaemonSetUpdateStrategy
  rollingUpdate RollingUpdateDaemonSet
  type string
type DaemonSetCondition
  lastTransitionTime Time
  message string
  reason string
  status! string
  type! string
type RollingUpdateDeployment
  maxSurge IntOrString
  maxUnavailable IntOrString
type RollingUpdateStatefulSetStrategy
  maxUnavailable IntOrString
  partition int32
type RollingUpdateDaemonSet
  maxSurge IntOrString
  maxUnavailable IntOrString

package io.k8s.api.batch.v1
kind Job batch/v1 "Runs pods until a given number complete successfully."
  metadata ObjectMeta
  spec JobSpec
  status JobStatus
kind CronJob batch/v1 "Creates Jobs on a cron schedule."
  metadata ObjectMeta
  spec! CronJobSpec
  status CronJobStatus
type JobSpec
  activeDeadlineSeconds int64
  backoffLimit int32
  backoffLimitPerIndex int32
  completionMode string
  completions int32
  managedBy string
  manualSelector boolean
  maxFailedIndexes int32
  parallelism int32
  podFailurePolicy PodFailurePolicy
  podReplacementPolicy string
  selector LabelSelector
  successPolicy SuccessPolicy
  suspend boolean
  template! PodTemplateSpec
  ttlSecondsAfterFinished int32
type JobStatus
  active int32
  completedIndexes string
  completionTime Time
  conditions []JobCondition key=type strategy=merge list=atomic
  failed int32
  failedIndexes string
  ready int32
  startTime Time
  succeeded int32
  terminating int32
  uncountedTerminatedPods UncountedTerminatedPods
type CronJobSpec
  concurrencyPolicy string
  failedJobsHistoryLimit int32
  jobTemplate! JobTemplateSpec
  schedule! string
  startingDeadlineSeconds int64
  successfulJobsHistoryLimit int32
  suspend boolean
  timeZone string
type CronJobStatus
  active []ObjectReference list=atomic
  lastScheduleTime Time
  lastSuccessfulTime Time
type PodFailurePolicy
  rules! []PodFailurePolicyRule
type SuccessPolicy
  rules! []SuccessPolicyRule
type JobCondition
  lastProbeTime Time
  lastTransitionTime Time
  message string
  reason string
  status! string
  type! string
type UncountedTerminatedPods
  failed []string
  succeeded []string
type JobTemplateSpec
  metadata ObjectMeta
  spec JobSpec
type PodFailurePolicyRule
  action! string
  onExitCodes PodFailurePolicyOnExitCodesRequirement
  onPodConditions []PodFailurePolicyOnPodConditionsPattern
type SuccessPolicyRule
  succeededCount int32
  succeededIndexes string
type PodFailurePolicyOnExitCodesRequirement
  containerName string
  operator! string
  values! []int32
type PodFailurePolicyOnPodConditionsPattern
  status string
  type! string

package io.k8s.api.autoscaling.v2
kind HorizontalPodAutoscaler autoscaling/v2 "Scales a workload between bounds from observed metrics."
  metadata ObjectMeta
  spec! HorizontalPodAutoscalerSpec
  status HorizontalPodAutoscalerStatus
type HorizontalPodAutoscalerSpec
  behavior HorizontalPodAutoscalerBehavior
  maxReplicas! int32
  metrics []MetricSpec list=atomic
  minReplicas int32
  scaleTargetRef! CrossVersionObjectReference
type HorizontalPodAutoscalerStatus
  conditions []HorizontalPodAutoscalerCondition key=type strategy=merge list=map(type)
  currentMetrics []MetricStatus list=atomic
  currentReplicas int32
  desiredReplicas! int32
  lastScaleTime Time
  observedGeneration int64
type HorizontalPodAutoscalerBehavior
  scaleDown HPAScalingRules
  scaleUp HPAScalingRules
type MetricSpec
  containerResource ContainerResourceMetricSource
  external ExternalMetricSource
  object ObjectMetricSource
  pods PodsMetricSource
  resource ResourceMetricSource
  type! string
type CrossVersionObjectReference
  apiVersion string
  kind string
  name! string
type HorizontalPodAutoscalerCondition
  lastTransitionTime Time
  message string
  reason string
  status! string
  type! string
type MetricStatus
  containerResource ContainerResourceMetricStatus
  external ExternalMetricStatus
  object ObjectMetricStatus
  pods PodsMetricStatus
  resource ResourceMetricStatus
  type! string
type HPAScalingRules
  policies []HPAScalingPolicy list=atomic
  selectPolicy string
  stabilizationWindowSeconds int32
  tolerance Quantity
type ContainerResourceMetricSource
  container! string
  name! string
  target! MetricTarget
type ExternalMetricSource
  metric! MetricIdentifier
  target! MetricTarget
type ObjectMetricSource
  describedObject! CrossVersionObjectReference
  metric! MetricIdentifier
  target! MetricTarget
type PodsMetricSource
  metric! MetricIdentifier
  target! MetricTarget
type ResourceMetricSource
  name! string
  target! MetricTarget
type ContainerResourceMetricStatus
  container! string
  current! MetricValueStatus
  name! string
type ExternalMetricStatus
  current! MetricValueStatus
  metric! MetricIdentifier
type ObjectMetricStatus
  current! MetricValueStatus
  describedObject! CrossVersionObjectReference
  metric! MetricIdentifier
type PodsMetricStatus
  current! MetricValueStatus
  metric! MetricIdentifier
type ResourceMetricStatus
  current! MetricValueStatus
  name! string
type HPAScalingPolicy
  periodSeconds! int32
  type! string
  value! int32
type MetricTarget
  averageUtilization int32
  averageValue Quantity
  type! string
  value Quantity
type MetricIdentifier
  name! string
  selector LabelSelector
type MetricValueStatus
  averageUtilization int32
  averageValue Quantity
  value Quantity

package io.k8s.api.coordination.v1
kind Lease coordination.k8s.io/v1 "A lease used for heartbeats and leader election."
  metadata ObjectMeta
  spec LeaseSpec
type LeaseSpec
  acquireTime MicroTime
  holderIdentity string
  leaseDurationSeconds int32
  leaseTransitions int32
  preferredHolder string
  renewTime MicroTime
  strategy string

package io.k8s.api.discovery.v1
kind EndpointSlice discovery.k8s.io/v1 "A subset of the endpoints backing a Service."
  addressType! string
  endpoints []Endpoint list=atomic
  metadata ObjectMeta
  ports []EndpointPort list=atomic
type Endpoint
  addresses! []string
  conditions EndpointConditions
  deprecatedTopology {}string
  hints EndpointHints
  hostname string
  nodeName string
  targetRef ObjectReference
  zone string
type EndpointPort
  appProtocol string
  name string
  port int32
  protocol string
type EndpointConditions
  ready boolean
  serving boolean
  terminating boolean
type EndpointHints
  forNodes []ForNode
  forZones []ForZone
type ForNode
  name! string
type ForZone
  name! string

package io.k8s.api.events.v1
kind Event events.k8s.io/v1 "A report of something that happened to an object (events.k8s.io form)."
  action string
  deprecatedCount int32
  deprecatedFirstTimestamp Time
  deprecatedLastTimestamp Time
  deprecatedSource EventSource
  eventTime! MicroTime
  metadata ObjectMeta
  note string
  reason string
  regarding ObjectReference
  related ObjectReference
  reportingController string
  reportingInstance string
  series EventSeries
  type string
type EventSeries
  count! int32
  lastObservedTime! MicroTime

package io.k8s.api.rbac.v1
kind Role rbac.authorization.k8s.io/v1 "A set of permissions within one namespace."
  metadata ObjectMeta
  rules []PolicyRule list=atomic
kind RoleBinding rbac.authorization.k8s.io/v1 "Grants a Role or ClusterRole to subjects within one namespace."
  metadata ObjectMeta
  roleRef! RoleRef
  subjects []Subject list=atomic
kind ClusterRole rbac.authorization.k8s.io/v1 "A set of permissions, cluster-wide or reusable in namespaces."
  aggregationRule AggregationRule
  metadata ObjectMeta
  rules []PolicyRule list=atomic
kind ClusterRoleBinding rbac.authorization.k8s.io/v1 "Grants a ClusterRole to subjects across the cluster."
  metadata ObjectMeta
  roleRef! RoleRef
  subjects []Subject list=atomic
type PolicyRule
  apiGroups []string
  nonResourceURLs []string
  resourceNames []string
  resources []string
  verbs! []string
type RoleRef
  apiGroup string
  kind string
  name! string
type Subject
  apiGroup string
  kind string
  name! string
  namespace string
type AggregationRule
  clusterRoleSelectors []LabelSelector

package io.k8s.api.policy.v1
kind PodDisruptionBudget policy/v1 "Limits how many matching pods voluntary disruptions may take down at once."
  metadata ObjectMeta
  spec PodDisruptionBudgetSpec
  status PodDisruptionBudgetStatus
type PodDisruptionBudgetSpec
  maxUnavailable IntOrString
  minAvailable IntOrString
  selector LabelSelector
  unhealthyPodEvictionPolicy string
type PodDisruptionBudgetStatus
  conditions []Condition key=type strategy=merge list=map(type)
  currentHealthy int32
  desiredHealthy int32
  disruptedPods {}Time
  disruptionsAllowed int32
  expectedPods int32
  observedGeneration int64

package io.k8s.api.networking.v1
kind Ingress networking.k8s.io/v1 "HTTP routing rules from outside the cluster to services."
  metadata ObjectMeta
  spec IngressSpec
  status IngressStatus
kind IngressClass networking.k8s.io/v1 "Names the controller that implements a class of Ingresses."
  metadata ObjectMeta
  spec IngressClassSpec
kind NetworkPolicy networking.k8s.io/v1 "Allowed network traffic to and from selected pods."
  metadata ObjectMeta
  spec NetworkPolicySpec
type IngressSpec
  defaultBackend IngressBackend
  ingressClassName string
  rules []IngressRule list=atomic
  tls []IngressTLS list=atomic
type IngressStatus
  loadBalancer IngressLoadBalancerStatus
type IngressClassSpec
  controller string
  parameters IngressClassParametersReference
type NetworkPolicySpec
  egress []NetworkPolicyEgressRule list=atomic
  ingress []NetworkPolicyIngressRule list=atomic
  podSelector LabelSelector
  policyTypes []string list=atomic
type IngressBackend
  resource TypedLocalObjectReference
  service IngressServiceBackend
type IngressRule
  host string
  http HTTPIngressRuleValue
type IngressTLS
  hosts []string
  secretName string
type IngressLoadBalancerStatus
  ingress []IngressLoadBalancerIngress
type IngressClassParametersReference
  apiGroup string
  kind string
  name! string
  namespace string
  scope string
type NetworkPolicyEgressRule
  ports []NetworkPolicyPort
  to []NetworkPolicyPeer
type NetworkPolicyIngressRule
  from []NetworkPolicyPeer
  ports []NetworkPolicyPort
type IngressServiceBackend
  name! string
  port ServiceBackendPort
type HTTPIngressRuleValue
  paths! []HTTPIngressPath list=atomic
type IngressLoadBalancerIngress
  hostname string
  ip string
  ports []IngressPortStatus
type NetworkPolicyPort
  endPort int32
  port IntOrString
  protocol string
type NetworkPolicyPeer
  ipBlock IPBlock
  namespaceSelector LabelSelector
  podSelector LabelSelector
type ServiceBackendPort
  name string
  number int32
type HTTPIngressPath
  backend! IngressBackend
  path string
  pathType! string
type IngressPortStatus
  error string
  port! int32
  protocol! string
type IPBlock
  cidr! string
  except []string

package io.k8s.api.storage.v1
kind StorageClass storage.k8s.io/v1 "A class of dynamically provisioned storage."
  allowVolumeExpansion boolean
  allowedTopologies []TopologySelectorTerm list=atomic
  metadata ObjectMeta
  mountOptions []string list=atomic
  parameters {}string
  provisioner! string
  reclaimPolicy string
  volumeBindingMode string

package io.k8s.api.scheduling.v1
kind PriorityClass scheduling.k8s.io/v1 "Maps a priority class name to an integer pod priority."
  description string
  globalDefault boolean
  metadata ObjectMeta
  preemptionPolicy string
  value int32

package io.k8s.api.certificates.v1
kind CertificateSigningRequest certificates.k8s.io/v1 "A request for a certificate signed by a cluster signer."
  metadata ObjectMeta
  spec! CertificateSigningRequestSpec
  status CertificateSigningRequestStatus
type CertificateSigningRequestSpec
  expirationSeconds int32
  extra {}[]string
  groups []string
  request! bytes
  signerName! string
  uid string
  usages []string list=atomic
  username string
type CertificateSigningRequestStatus
  certificate bytes
  conditions []CertificateSigningRequestCondition list=map(type)
type CertificateSigningRequestCondition
  lastTransitionTime Time
  lastUpdateTime Time
  message string
  reason string
  status! string
  type! string

package io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1
kind CustomResourceDefinition apiextensions.k8s.io/v1 "Adds a new resource kind to the API, served from its schema."
  metadata ObjectMeta
  spec! CustomResourceDefinitionSpec
  status CustomResourceDefinitionStatus
type CustomResourceDefinitionSpec
  conversion CustomResourceConversion
  group! string
  names! CustomResourceDefinitionNames
  preserveUnknownFields boolean
  scope! string
  versions! []CustomResourceDefinitionVersion list=atomic
type CustomResourceDefinitionStatus
  acceptedNames CustomResourceDefinitionNames
  conditions []CustomResourceDefinitionCondition list=map(type)
  observedGeneration int64
  storedVersions []string
type CustomResourceConversion
  strategy! string
  webhook WebhookConversion
type CustomResourceDefinitionNames
  categories []string
  kind string
  listKind string
  plural! string
  shortNames []string
  singular string
type CustomResourceDefinitionVersion
  additionalPrinterColumns []CustomResourceColumnDefinition
  deprecated boolean
  deprecationWarning string
  name! string
  schema CustomResourceValidation
  selectableFields []SelectableField
  served! boolean
  storage! boolean
  subresources CustomResourceSubresources
type CustomResourceDefinitionCondition
  lastTransitionTime Time
  message string
  observedGeneration int64
  reason string
  status! string
  type! string
type WebhookConversion
  clientConfig WebhookClientConfig
  conversionReviewVersions! []string
type CustomResourceColumnDefinition
  description string
  format string
  jsonPath! string
  name! string
  priority int32
  type! string
type CustomResourceValidation
  openAPIV3Schema JSONSchemaProps
type SelectableField
  jsonPath! string
type CustomResourceSubresources
  scale CustomResourceSubresourceScale
  status CustomResourceSubresourceStatus
type WebhookClientConfig
  caBundle bytes
  service ServiceReference
  url string
type JSONSchemaProps "An OpenAPI v3 schema (the subset custom resources accept)."
  $ref string
  $schema string
  additionalItems JSONSchemaPropsOrBool
  additionalProperties JSONSchemaPropsOrBool
  allOf []JSONSchemaProps
  anyOf []JSONSchemaProps
  default JSON
  definitions {}JSONSchemaProps
  dependencies {}JSONSchemaPropsOrStringArray
  description string
  enum []JSON
  example JSON
  exclusiveMaximum boolean
  exclusiveMinimum boolean
  externalDocs ExternalDocumentation
  format string
  id string
  items JSONSchemaPropsOrArray
  maxItems int64
  maxLength int64
  maxProperties int64
  maximum double
  minItems int64
  minLength int64
  minProperties int64
  minimum double
  multipleOf double
  not JSONSchemaProps
  nullable boolean
  oneOf []JSONSchemaProps
  pattern string
  patternProperties {}JSONSchemaProps
  properties {}JSONSchemaProps
  required []string
  title string
  type string
  uniqueItems boolean
  x-kubernetes-embedded-resource boolean
  x-kubernetes-int-or-string boolean
  x-kubernetes-list-map-keys []string
  x-kubernetes-list-type string
  x-kubernetes-map-type string
  x-kubernetes-preserve-unknown-fields boolean
  x-kubernetes-validations []ValidationRule
type CustomResourceSubresourceScale
  labelSelectorPath string
  specReplicasPath! string
  statusReplicasPath! string
type CustomResourceSubresourceStatus
type ServiceReference
  name! string
  namespace! string
  path string
  port int32
type JSONSchemaPropsOrBool = any
type JSON = any
type JSONSchemaPropsOrStringArray = any
type ExternalDocumentation
  description string
  url string
type JSONSchemaPropsOrArray = any
type ValidationRule
  fieldPath string
  message string
  messageExpression string
  optionalOldSelf boolean
  reason string
  rule! string

package io.k8s.api.autoscaling.v1
kind HorizontalPodAutoscaler autoscaling/v1 "Scales a workload to keep its average CPU utilization near a target (a view of the stored autoscaling/v2 object)."
  metadata ObjectMeta
  spec HorizontalPodAutoscalerSpec
  status HorizontalPodAutoscalerStatus
type HorizontalPodAutoscalerSpec
  maxReplicas! int32
  minReplicas int32
  scaleTargetRef! CrossVersionObjectReference
  targetCPUUtilizationPercentage int32
type HorizontalPodAutoscalerStatus
  currentCPUUtilizationPercentage int32
  currentReplicas! int32
  desiredReplicas! int32
  lastScaleTime Time
  observedGeneration int64
type CrossVersionObjectReference
  apiVersion string
  kind! string
  name! string

package io.k8s.api.admissionregistration.v1
kind MutatingWebhookConfiguration admissionregistration.k8s.io/v1 "Webhooks that may change objects before they are stored (k1s stores them but calls no webhooks yet)."
  metadata ObjectMeta
  webhooks []MutatingWebhook key=name strategy=merge list=map(name)
kind ValidatingWebhookConfiguration admissionregistration.k8s.io/v1 "Webhooks that may refuse objects before they are stored (k1s stores them but calls no webhooks yet)."
  metadata ObjectMeta
  webhooks []ValidatingWebhook key=name strategy=merge list=map(name)
kind ValidatingAdmissionPolicy admissionregistration.k8s.io/v1 "CEL rules that validate requests, applied through bindings (k1s stores them but evaluates none yet)."
  metadata ObjectMeta
  spec ValidatingAdmissionPolicySpec
  status ValidatingAdmissionPolicyStatus
kind ValidatingAdmissionPolicyBinding admissionregistration.k8s.io/v1 "Binds a ValidatingAdmissionPolicy to the resources it checks and to its parameters."
  metadata ObjectMeta
  spec ValidatingAdmissionPolicyBindingSpec
type MutatingWebhook
  admissionReviewVersions! []string list=atomic
  clientConfig! WebhookClientConfig
  failurePolicy string
  matchConditions []MatchCondition key=name strategy=merge list=map(name)
  matchPolicy string
  name! string
  namespaceSelector LabelSelector
  objectSelector LabelSelector
  reinvocationPolicy string
  rules []RuleWithOperations list=atomic
  sideEffects! string
  timeoutSeconds int32
type ValidatingWebhook
  admissionReviewVersions! []string list=atomic
  clientConfig! WebhookClientConfig
  failurePolicy string
  matchConditions []MatchCondition key=name strategy=merge list=map(name)
  matchPolicy string
  name! string
  namespaceSelector LabelSelector
  objectSelector LabelSelector
  rules []RuleWithOperations list=atomic
  sideEffects! string
  timeoutSeconds int32
type WebhookClientConfig
  caBundle bytes
  service ServiceReference
  url string
type ServiceReference
  name! string
  namespace! string
  path string
  port int32
type RuleWithOperations
  apiGroups []string list=atomic
  apiVersions []string list=atomic
  operations []string list=atomic
  resources []string list=atomic
  scope string
type MatchCondition
  expression! string
  name! string
type ValidatingAdmissionPolicySpec
  auditAnnotations []AuditAnnotation list=atomic
  failurePolicy string
  matchConditions []MatchCondition key=name strategy=merge list=map(name)
  matchConstraints MatchResources
  paramKind ParamKind
  validations []Validation list=atomic
  variables []Variable list=atomic
type ValidatingAdmissionPolicyStatus
  conditions []Condition key=type strategy=merge list=map(type)
  observedGeneration int64
  typeChecking TypeChecking
type TypeChecking
  expressionWarnings []ExpressionWarning list=atomic
type ExpressionWarning
  fieldRef! string
  warning! string
type AuditAnnotation
  key! string
  valueExpression! string
type MatchResources atomic
  excludeResourceRules []NamedRuleWithOperations list=atomic
  matchPolicy string
  namespaceSelector LabelSelector
  objectSelector LabelSelector
  resourceRules []NamedRuleWithOperations list=atomic
type NamedRuleWithOperations atomic
  apiGroups []string list=atomic
  apiVersions []string list=atomic
  operations []string list=atomic
  resourceNames []string list=atomic
  resources []string list=atomic
  scope string
type ParamKind atomic
  apiVersion string
  kind string
type Validation
  expression! string
  message string
  messageExpression string
  reason string
type Variable
  expression! string
  name! string
type ValidatingAdmissionPolicyBindingSpec
  matchResources MatchResources
  paramRef ParamRef
  policyName string
  validationActions []string list=set
type ParamRef atomic
  name string
  namespace string
  parameterNotFoundAction string
  selector LabelSelector

package io.k8s.kube-aggregator.pkg.apis.apiregistration.v1
kind APIService apiregistration.k8s.io/v1 "Names who serves one API group/version: this server (Local) or an extension server behind a Service."
  metadata ObjectMeta
  spec APIServiceSpec
  status APIServiceStatus
type APIServiceSpec
  caBundle bytes
  group string
  groupPriorityMinimum! int32
  insecureSkipTLSVerify boolean
  service ServiceReference
  version string
  versionPriority! int32
type ServiceReference
  name string
  namespace string
  port int32
type APIServiceStatus
  conditions []APIServiceCondition key=type strategy=merge list=map(type)
type APIServiceCondition
  lastTransitionTime Time
  message string
  reason string
  status! string
  type! string

package io.k8s.api.flowcontrol.v1
kind FlowSchema flowcontrol.apiserver.k8s.io/v1 "Sorts requests into priority levels (k1s stores them; it has no priority and fairness yet)."
  metadata ObjectMeta
  spec FlowSchemaSpec
  status FlowSchemaStatus
kind PriorityLevelConfiguration flowcontrol.apiserver.k8s.io/v1 "A priority level's share of concurrency and its queuing (stored only)."
  metadata ObjectMeta
  spec PriorityLevelConfigurationSpec
  status PriorityLevelConfigurationStatus
type FlowSchemaSpec
  distinguisherMethod FlowDistinguisherMethod
  matchingPrecedence int32
  priorityLevelConfiguration! PriorityLevelConfigurationReference
  rules []PolicyRulesWithSubjects list=atomic
type FlowDistinguisherMethod
  type! string
type PriorityLevelConfigurationReference
  name! string
type PolicyRulesWithSubjects
  nonResourceRules []NonResourcePolicyRule list=atomic
  resourceRules []ResourcePolicyRule list=atomic
  subjects! []Subject list=atomic
type NonResourcePolicyRule
  nonResourceURLs! []string list=set
  verbs! []string list=set
type ResourcePolicyRule
  apiGroups! []string list=set
  clusterScope boolean
  namespaces []string list=set
  resources! []string list=set
  verbs! []string list=set
type Subject
  group GroupSubject
  kind! string
  serviceAccount ServiceAccountSubject
  user UserSubject
type GroupSubject
  name! string
type ServiceAccountSubject
  name! string
  namespace! string
type UserSubject
  name! string
type FlowSchemaStatus
  conditions []FlowSchemaCondition key=type strategy=merge list=map(type)
type FlowSchemaCondition
  lastTransitionTime Time
  message string
  reason string
  status string
  type string
type PriorityLevelConfigurationSpec
  exempt ExemptPriorityLevelConfiguration
  limited LimitedPriorityLevelConfiguration
  type! string
type ExemptPriorityLevelConfiguration
  lendablePercent int32
  nominalConcurrencyShares int32
type LimitedPriorityLevelConfiguration
  borrowingLimitPercent int32
  lendablePercent int32
  limitResponse LimitResponse
  nominalConcurrencyShares int32
type LimitResponse
  queuing QueuingConfiguration
  type! string
type QueuingConfiguration
  handSize int32
  queueLengthLimit int32
  queues int32
type PriorityLevelConfigurationStatus
  conditions []PriorityLevelConfigurationCondition key=type strategy=merge list=map(type)
type PriorityLevelConfigurationCondition
  lastTransitionTime Time
  message string
  reason string
  status string
  type string

package io.k8s.api.node.v1
kind RuntimeClass node.k8s.io/v1 "Names a container runtime configuration (a CRI handler) that pods select with runtimeClassName."
  handler! string
  metadata ObjectMeta
  overhead Overhead
  scheduling Scheduling
type Overhead
  podFixed {}Quantity
type Scheduling
  nodeSelector {}string
  tolerations []Toleration list=atomic

package io.k8s.apimachinery.pkg.apis.meta.v1
type Status
  apiVersion string
  code int32
  details StatusDetails
  kind string
  message string
  metadata ListMeta
  reason string
  status string
type DeleteOptions
  apiVersion string
  dryRun []string
  gracePeriodSeconds int64
  ignoreStoreReadErrorWithClusterBreakingPotential boolean
  kind string
  orphanDependents boolean
  preconditions Preconditions
  propagationPolicy string
type Condition "One aspect of an object state, as type, status, reason and message."
  lastTransitionTime! Time
  message! string
  observedGeneration int64
  reason! string
  status! string
  type! string
type ListMeta
  continue string
  remainingItemCount int64
  resourceVersion string
  selfLink string
  shardInfo ShardInfo
type ObjectMeta "Metadata every persisted object has: name, namespace, labels, annotations, owners, ..."
  annotations {}string "String key/value pairs for tools; not used for selection."
  creationTimestamp Time
  deletionGracePeriodSeconds int64
  deletionTimestamp Time
  finalizers []string strategy=merge list=set
  generateName string
  generation int64
  labels {}string "String key/value pairs used by selectors."
  managedFields []ManagedFieldsEntry list=atomic
  name string "Unique within a namespace; required on create unless generateName is set."
  namespace string "The namespace of a namespaced object; empty means default."
  ownerReferences []OwnerReference key=uid strategy=merge list=map(uid)
  resourceVersion string "Opaque version of the object, for optimistic concurrency and watches."
  selfLink string
  uid string
type MicroTime = date-time-micro
type Time = date-time
type StatusDetails
  causes []StatusCause
  group string
  kind string
  name string
  retryAfterSeconds int32
  uid string
type Preconditions
  resourceVersion string
  uid string
type ShardInfo
  selector! string
type ManagedFieldsEntry
  apiVersion string
  fieldsType string
  fieldsV1 FieldsV1
  manager string
  operation string
  subresource string
  time Time
type OwnerReference
  apiVersion string
  blockOwnerDeletion boolean
  controller boolean
  kind string
  name! string
  uid! string
type LabelSelector atomic "Selects objects by labels; all given terms must match."
  matchExpressions []LabelSelectorRequirement list=atomic
  matchLabels {}string
type StatusCause
  field string
  message string
  reason string
type FieldsV1 = any
type LabelSelectorRequirement
  key! string
  operator! string
  values []string

package io.k8s.apimachinery.pkg.runtime
type RawExtension = any

package io.k8s.apimachinery.pkg.api.resource
type Quantity = quantity

package io.k8s.apimachinery.pkg.util.intstr
type IntOrString = int-or-string
)dsl";
  return kText;
}

}  // namespace k1s::api

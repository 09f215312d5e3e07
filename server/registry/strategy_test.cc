#include "server/registry/strategy.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "lib/base/strings.h"

namespace k1s::registry {
namespace {

namespace json = boost::json;

ResourceInfo Res(std::string group, std::string kind) {
  ResourceInfo r;
  r.group = std::move(group);
  r.version = "v1";
  r.kind = std::move(kind);
  return r;
}
const ResourceInfo kPod = Res("", "Pod");
const ResourceInfo kDeploy = Res("apps", "Deployment");
const ResourceInfo kRs = Res("apps", "ReplicaSet");
const ResourceInfo kSts = Res("apps", "StatefulSet");
const ResourceInfo kDs = Res("apps", "DaemonSet");
const ResourceInfo kJob = Res("batch", "Job");
const ResourceInfo kCron = Res("batch", "CronJob");
const ResourceInfo kPvc = Res("", "PersistentVolumeClaim");

json::object Parse(const std::string& s) { return json::parse(s).as_object(); }

json::object Pod(const std::string& spec = R"({"containers":[{"name":"app","image":"nginx:1.27"}]})") {
  return Parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","uid":"u1"},"spec":)" +
               spec + "}");
}

json::object Workload(const std::string& kind, const std::string& extra = "", const std::string& pod_spec = "") {
  std::string ps = pod_spec.empty() ? R"({"containers":[{"name":"app","image":"nginx"}]})" : pod_spec;
  return Parse(R"({"kind":")" + kind + R"(","metadata":{"name":"w","namespace":"default","uid":"uid-1"},"spec":{)" +
               R"("selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":)" +
               ps + "}" + (extra.empty() ? "" : "," + extra) + "}}");
}

std::vector<FieldError> Check(const ResourceInfo& r, json::object& obj, const json::object* old = nullptr) {
  ApplyDefaults(r, obj);
  return Validate(r, obj, old);
}

std::string All(const std::vector<FieldError>& errs) {
  std::string out;
  for (const auto& e : errs) out += FormatFieldError(e) + "\n";
  return out;
}

bool HasError(const std::vector<FieldError>& errs, const std::string& text) {
  return All(errs).find(text) != std::string::npos;
}

const json::value& At(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* cur = &v;
  for (auto p : path) {
    if (cur->is_array()) {
      cur = &cur->as_array().at(std::stoul(std::string(p)));
    } else {
      cur = &cur->as_object().at(p);
    }
  }
  return *cur;
}

// ----- pod defaults

TEST(StrategyDefaults, PodGetsUpstreamSpecDefaults) {
  json::object pod = Pod();
  ApplyDefaults(kPod, pod);
  json::value v = pod;
  EXPECT_EQ(At(v, {"spec", "restartPolicy"}), "Always");
  EXPECT_EQ(At(v, {"spec", "dnsPolicy"}), "ClusterFirst");
  EXPECT_EQ(At(v, {"spec", "schedulerName"}), "default-scheduler");
  EXPECT_EQ(At(v, {"spec", "terminationGracePeriodSeconds"}), 30);
  EXPECT_EQ(At(v, {"spec", "securityContext"}), json::object());
  EXPECT_EQ(At(v, {"spec", "enableServiceLinks"}), true);
  EXPECT_EQ(At(v, {"spec", "serviceAccountName"}), "default");
  EXPECT_EQ(At(v, {"spec", "serviceAccount"}), "default");
  // priority and preemptionPolicy are the Priority admission plugin's (priority_admission.h), not defaults.
  EXPECT_FALSE(v.at("spec").as_object().contains("priority"));
  EXPECT_FALSE(v.at("spec").as_object().contains("preemptionPolicy"));
  EXPECT_EQ(At(v, {"status", "phase"}), "Pending");
  EXPECT_EQ(At(v, {"status", "qosClass"}), "BestEffort");
}

TEST(StrategyDefaults, PodGetsNotReadyAndUnreachableTolerations) {
  json::object pod = Pod();
  ApplyDefaults(kPod, pod);
  const auto& tols = pod["spec"].as_object()["tolerations"].as_array();
  ASSERT_EQ(tols.size(), 2u);
  EXPECT_EQ(tols[0].as_object().at("key"), "node.kubernetes.io/not-ready");
  EXPECT_EQ(tols[0].as_object().at("effect"), "NoExecute");
  EXPECT_EQ(tols[0].as_object().at("operator"), "Exists");
  EXPECT_EQ(tols[0].as_object().at("tolerationSeconds"), 300);
  EXPECT_EQ(tols[1].as_object().at("key"), "node.kubernetes.io/unreachable");
}

TEST(StrategyDefaults, ExistingTolerationsAreKeptAndNotDuplicated) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x"}],"tolerations":[{"operator":"Exists"}]})");
  ApplyDefaults(kPod, pod);
  EXPECT_EQ(pod["spec"].as_object()["tolerations"].as_array().size(), 1u);
}

TEST(StrategyDefaults, ContainerGetsTerminationMessageAndResources) {
  json::object pod = Pod();
  ApplyDefaults(kPod, pod);
  json::value v = pod;
  EXPECT_EQ(At(v, {"spec", "containers", "0", "terminationMessagePath"}), "/dev/termination-log");
  EXPECT_EQ(At(v, {"spec", "containers", "0", "terminationMessagePolicy"}), "File");
  EXPECT_EQ(At(v, {"spec", "containers", "0", "resources"}), json::object());
}

TEST(StrategyDefaults, ImagePullPolicyDependsOnTag) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"nginx:latest"},
    {"name":"c","image":"nginx:1.27"},{"name":"d","image":"localhost:5000/app"},
    {"name":"e","image":"nginx@sha256:abcd"},{"name":"f","image":"nginx","imagePullPolicy":"Never"}]})");
  ApplyDefaults(kPod, pod);
  json::value v = pod;
  EXPECT_EQ(At(v, {"spec", "containers", "0", "imagePullPolicy"}), "Always");
  EXPECT_EQ(At(v, {"spec", "containers", "1", "imagePullPolicy"}), "Always");
  EXPECT_EQ(At(v, {"spec", "containers", "2", "imagePullPolicy"}), "IfNotPresent");
  EXPECT_EQ(At(v, {"spec", "containers", "3", "imagePullPolicy"}), "Always");
  EXPECT_EQ(At(v, {"spec", "containers", "4", "imagePullPolicy"}), "IfNotPresent");
  EXPECT_EQ(At(v, {"spec", "containers", "5", "imagePullPolicy"}), "Never");
}

TEST(StrategyDefaults, ContainerPortsDefaultToTcp) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","ports":[{"containerPort":80},{"containerPort":53,"protocol":"UDP"}]}]})");
  ApplyDefaults(kPod, pod);
  json::value v = pod;
  EXPECT_EQ(At(v, {"spec", "containers", "0", "ports", "0", "protocol"}), "TCP");
  EXPECT_EQ(At(v, {"spec", "containers", "0", "ports", "1", "protocol"}), "UDP");
}

TEST(StrategyDefaults, PodRequestsDefaultToLimitsAndQuantitiesAreCanonical) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"1000m","memory":"1024Mi"},"requests":{"cpu":0.5}}}]})");
  ApplyDefaults(kPod, pod);
  json::value v = pod;
  EXPECT_EQ(At(v, {"spec", "containers", "0", "resources", "limits", "cpu"}), "1");
  EXPECT_EQ(At(v, {"spec", "containers", "0", "resources", "limits", "memory"}), "1Gi");
  EXPECT_EQ(At(v, {"spec", "containers", "0", "resources", "requests", "cpu"}), "500m");
  EXPECT_EQ(At(v, {"spec", "containers", "0", "resources", "requests", "memory"}), "1Gi");
  EXPECT_EQ(At(v, {"status", "qosClass"}), "Burstable");
}

TEST(StrategyDefaults, PodWithEqualCpuAndMemoryLimitsIsGuaranteed) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]})");
  ApplyDefaults(kPod, pod);
  EXPECT_EQ(At(json::value(pod), {"status", "qosClass"}), "Guaranteed");
}

TEST(StrategyDefaults, TinyQuantitiesRoundUpToMilli) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","resources":{"requests":{"cpu":"1n"}}}]})");
  ApplyDefaults(kPod, pod);
  EXPECT_EQ(At(json::value(pod), {"spec", "containers", "0", "resources", "requests", "cpu"}), "1m");
}

TEST(StrategyDefaults, VolumesGetSourceDefaults) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x"}],"volumes":[{"name":"scratch"},
    {"name":"s","secret":{"secretName":"s"}},{"name":"c","configMap":{"name":"c"}},{"name":"h","hostPath":{"path":"/tmp"}},
    {"name":"p","projected":{"sources":[{"serviceAccountToken":{"path":"token"}}]}}]})");
  ApplyDefaults(kPod, pod);
  json::value v = pod;
  EXPECT_EQ(At(v, {"spec", "volumes", "0", "emptyDir"}), json::object());
  EXPECT_EQ(At(v, {"spec", "volumes", "1", "secret", "defaultMode"}), 420);
  EXPECT_EQ(At(v, {"spec", "volumes", "2", "configMap", "defaultMode"}), 420);
  EXPECT_EQ(At(v, {"spec", "volumes", "3", "hostPath", "type"}), "");
  EXPECT_EQ(At(v, {"spec", "volumes", "4", "projected", "defaultMode"}), 420);
  EXPECT_EQ(At(v, {"spec", "volumes", "4", "projected", "sources", "0", "serviceAccountToken", "expirationSeconds"}), 3600);
}

TEST(StrategyDefaults, ProbesGetThresholdsAndHttpDefaults) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","livenessProbe":{"httpGet":{"port":80}}}]})");
  ApplyDefaults(kPod, pod);
  json::value v = At(json::value(pod), {"spec", "containers", "0", "livenessProbe"});
  EXPECT_EQ(At(v, {"timeoutSeconds"}), 1);
  EXPECT_EQ(At(v, {"periodSeconds"}), 10);
  EXPECT_EQ(At(v, {"successThreshold"}), 1);
  EXPECT_EQ(At(v, {"failureThreshold"}), 3);
  EXPECT_EQ(At(v, {"httpGet", "path"}), "/");
  EXPECT_EQ(At(v, {"httpGet", "scheme"}), "HTTP");
}

TEST(StrategyDefaults, HostNetworkPodsGetHostPorts) {
  json::object pod = Pod(R"({"hostNetwork":true,"containers":[{"name":"a","image":"x","ports":[{"containerPort":8080}]}]})");
  ApplyDefaults(kPod, pod);
  EXPECT_EQ(At(json::value(pod), {"spec", "containers", "0", "ports", "0", "hostPort"}), 8080);
}

TEST(StrategyDefaults, ApplyingTwiceChangesNothing) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"2"}}}]})");
  ApplyDefaults(kPod, pod);
  json::object again = pod;
  ApplyDefaults(kPod, again);
  EXPECT_EQ(pod, again);
  json::object job = Workload("Job", "", R"({"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]})");
  ApplyDefaults(kJob, job);
  json::object job2 = job;
  ApplyDefaults(kJob, job2);
  EXPECT_EQ(job, job2);
}

// ----- workload defaults

TEST(StrategyDefaults, DeploymentGetsReplicasStrategyAndLimits) {
  json::object d = Workload("Deployment");
  ApplyDefaults(kDeploy, d);
  json::value v = d;
  EXPECT_EQ(At(v, {"spec", "replicas"}), 1);
  EXPECT_EQ(At(v, {"spec", "strategy", "type"}), "RollingUpdate");
  EXPECT_EQ(At(v, {"spec", "strategy", "rollingUpdate", "maxUnavailable"}), "25%");
  EXPECT_EQ(At(v, {"spec", "strategy", "rollingUpdate", "maxSurge"}), "25%");
  EXPECT_EQ(At(v, {"spec", "revisionHistoryLimit"}), 10);
  EXPECT_EQ(At(v, {"spec", "progressDeadlineSeconds"}), 600);
}

TEST(StrategyDefaults, TemplatesGetPodSpecDefaultsButNotPodOnlyOnes) {
  json::object d = Workload("Deployment");
  ApplyDefaults(kDeploy, d);
  json::value spec = At(json::value(d), {"spec", "template", "spec"});
  EXPECT_EQ(At(spec, {"restartPolicy"}), "Always");
  EXPECT_EQ(At(spec, {"dnsPolicy"}), "ClusterFirst");
  EXPECT_EQ(At(spec, {"containers", "0", "imagePullPolicy"}), "Always");
  EXPECT_FALSE(spec.as_object().contains("enableServiceLinks"));
  EXPECT_FALSE(spec.as_object().contains("serviceAccountName"));
  EXPECT_FALSE(spec.as_object().contains("tolerations"));
  EXPECT_FALSE(spec.as_object().contains("priority"));
}

TEST(StrategyDefaults, RecreateDeploymentGetsNoRollingUpdate) {
  json::object d = Workload("Deployment", R"("strategy":{"type":"Recreate"})");
  ApplyDefaults(kDeploy, d);
  EXPECT_FALSE(d["spec"].as_object()["strategy"].as_object().contains("rollingUpdate"));
}

TEST(StrategyDefaults, ReplicaSetGetsOneReplica) {
  json::object rs = Workload("ReplicaSet");
  ApplyDefaults(kRs, rs);
  EXPECT_EQ(At(json::value(rs), {"spec", "replicas"}), 1);
}

TEST(StrategyDefaults, StatefulSetGetsPolicyStrategyAndRetention) {
  json::object s = Workload("StatefulSet", R"("volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"]}}])");
  ApplyDefaults(kSts, s);
  json::value v = s;
  EXPECT_EQ(At(v, {"spec", "podManagementPolicy"}), "OrderedReady");
  EXPECT_EQ(At(v, {"spec", "updateStrategy", "type"}), "RollingUpdate");
  EXPECT_EQ(At(v, {"spec", "updateStrategy", "rollingUpdate", "partition"}), 0);
  EXPECT_EQ(At(v, {"spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"}), "Retain");
  EXPECT_EQ(At(v, {"spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"}), "Retain");
  EXPECT_EQ(At(v, {"spec", "replicas"}), 1);
  EXPECT_EQ(At(v, {"spec", "revisionHistoryLimit"}), 10);
  EXPECT_EQ(At(v, {"spec", "volumeClaimTemplates", "0", "spec", "volumeMode"}), "Filesystem");
  EXPECT_EQ(At(v, {"spec", "volumeClaimTemplates", "0", "status", "phase"}), "Pending");
}

TEST(StrategyDefaults, DaemonSetGetsRollingUpdateOfOne) {
  json::object ds = Workload("DaemonSet");
  ApplyDefaults(kDs, ds);
  json::value v = ds;
  EXPECT_EQ(At(v, {"spec", "updateStrategy", "type"}), "RollingUpdate");
  EXPECT_EQ(At(v, {"spec", "updateStrategy", "rollingUpdate", "maxUnavailable"}), 1);
  EXPECT_EQ(At(v, {"spec", "updateStrategy", "rollingUpdate", "maxSurge"}), 0);
  EXPECT_EQ(At(v, {"spec", "revisionHistoryLimit"}), 10);
}

TEST(StrategyDefaults, JobGetsCountsPoliciesAndAGeneratedSelector) {
  json::object job = Parse(R"({"kind":"Job","metadata":{"name":"pi","namespace":"default","uid":"uid-9"},
    "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}})");
  ApplyDefaults(kJob, job);
  json::value v = job;
  EXPECT_EQ(At(v, {"spec", "completions"}), 1);
  EXPECT_EQ(At(v, {"spec", "parallelism"}), 1);
  EXPECT_EQ(At(v, {"spec", "backoffLimit"}), 6);
  EXPECT_EQ(At(v, {"spec", "completionMode"}), "NonIndexed");
  EXPECT_EQ(At(v, {"spec", "suspend"}), false);
  EXPECT_EQ(At(v, {"spec", "manualSelector"}), false);
  EXPECT_EQ(At(v, {"spec", "podReplacementPolicy"}), "TerminatingOrFailed");
  EXPECT_EQ(At(v, {"spec", "selector", "matchLabels", "batch.kubernetes.io/controller-uid"}), "uid-9");
  EXPECT_EQ(At(v, {"spec", "template", "metadata", "labels", "job-name"}), "pi");
  EXPECT_EQ(At(v, {"spec", "template", "metadata", "labels", "batch.kubernetes.io/job-name"}), "pi");
  EXPECT_EQ(At(v, {"spec", "template", "metadata", "labels", "controller-uid"}), "uid-9");
  EXPECT_EQ(At(v, {"metadata", "labels", "job-name"}), "pi");
  EXPECT_TRUE(Validate(kJob, job, nullptr).empty()) << All(Validate(kJob, job, nullptr));
}

TEST(StrategyDefaults, JobWithOnlyParallelismKeepsCompletionsUnset) {
  json::object job = Workload("Job", R"("parallelism":3)", R"({"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]})");
  ApplyDefaults(kJob, job);
  EXPECT_FALSE(job["spec"].as_object().contains("completions"));
  EXPECT_EQ(At(json::value(job), {"spec", "parallelism"}), 3);
}

TEST(StrategyDefaults, JobWithPodFailurePolicyReplacesOnlyFailedPods) {
  json::object job = Workload("Job", R"("podFailurePolicy":{"rules":[]})", R"({"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]})");
  ApplyDefaults(kJob, job);
  EXPECT_EQ(At(json::value(job), {"spec", "podReplacementPolicy"}), "Failed");
}

TEST(StrategyDefaults, CronJobGetsPolicyHistoryAndTemplateDefaults) {
  json::object cj = Parse(R"({"kind":"CronJob","metadata":{"name":"c","namespace":"default"},"spec":{"schedule":"*/5 * * * *",
    "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"a","image":"busybox"}]}}}}}})");
  ApplyDefaults(kCron, cj);
  json::value v = cj;
  EXPECT_EQ(At(v, {"spec", "concurrencyPolicy"}), "Allow");
  EXPECT_EQ(At(v, {"spec", "suspend"}), false);
  EXPECT_EQ(At(v, {"spec", "successfulJobsHistoryLimit"}), 3);
  EXPECT_EQ(At(v, {"spec", "failedJobsHistoryLimit"}), 1);
  EXPECT_EQ(At(v, {"spec", "jobTemplate", "spec", "template", "spec", "dnsPolicy"}), "ClusterFirst");
  EXPECT_FALSE(At(v, {"spec", "jobTemplate", "spec"}).as_object().contains("backoffLimit"));
  EXPECT_TRUE(Validate(kCron, cj, nullptr).empty()) << All(Validate(kCron, cj, nullptr));
}

TEST(StrategyDefaults, PvcGetsFilesystemModeAndPendingPhase) {
  json::object pvc = Parse(R"({"kind":"PersistentVolumeClaim","metadata":{"name":"d"},"spec":{"accessModes":["ReadWriteOnce"],
    "resources":{"requests":{"storage":"1024Mi"}}}})");
  ApplyDefaults(kPvc, pvc);
  json::value v = pvc;
  EXPECT_EQ(At(v, {"spec", "volumeMode"}), "Filesystem");
  EXPECT_EQ(At(v, {"status", "phase"}), "Pending");
  EXPECT_EQ(At(v, {"spec", "resources", "requests", "storage"}), "1Gi");
}

// ----- use-after-free regressions: an insert into a full json::object moves its storage, so a
// reference into it taken before the insert dangles (caught by AddressSanitizer).

// Adds filler keys until o is full: the next insert of a new key into o must reallocate it.
void FillToCapacity(json::object& o) {
  for (int i = 0; o.size() < o.capacity(); ++i) o["x-filler-" + std::to_string(i)] = i;
}

// A guard for newer Boost.JSON (boostorg/json#906): 1.81's operator[] reserves room even when looking up
// the existing "containerPort", so with 1.81 the later insert of "hostPort" does not move the storage.
TEST(StrategyDefaults, HostPortCopiedFromAFullPortObject) {
  json::object pod = Pod(
      R"({"hostNetwork":true,"containers":[{"name":"a","image":"x","ports":[{"containerPort":8080,"protocol":"TCP"}]}]})");
  json::object& port = pod["spec"].as_object()["containers"].as_array()[0].as_object()["ports"].as_array()[0].as_object();
  FillToCapacity(port);
  ApplyDefaults(kPod, pod);
  EXPECT_EQ(At(json::value(pod), {"spec", "containers", "0", "ports", "0", "hostPort"}), 8080);
}

// The stale read happens inside the (uninstrumented) Boost.JSON library, so ASan sees it only because
// freed memory is scribbled over (see __asan_default_options at the end of this file).
TEST(StrategyDefaults, NodeAllocatableCopiedFromAFullStatus) {
  json::object node = Parse(R"({"kind":"Node","metadata":{"name":"n"},"status":{"capacity":{"cpu":"4","memory":"8Gi","pods":"110"}}})");
  FillToCapacity(node["status"].as_object());
  ApplyDefaults(Res("", "Node"), node);
  json::value v = node;
  EXPECT_EQ(At(v, {"status", "allocatable"}), At(v, {"status", "capacity"}));
  EXPECT_EQ(At(v, {"status", "allocatable", "memory"}), "8Gi");
}

TEST(StrategyDefaults, UnknownKindsAreUntouched) {
  json::object obj = Parse(R"({"kind":"Widget","spec":{"containers":[{"name":"a"}]}})");
  json::object before = obj;
  ResourceInfo crd = Res("example.com", "Widget");
  ApplyDefaults(crd, obj);
  EXPECT_EQ(obj, before);
  json::object bad = Parse(R"({"metadata":{"labels":{"bad key!":"x"}}})");
  EXPECT_TRUE(Validate(crd, bad, nullptr).empty());
}

// ----- pod validation

TEST(StrategyValidation, DefaultedPodIsValid) {
  json::object pod = Pod();
  EXPECT_TRUE(Check(kPod, pod).empty()) << All(Check(kPod, pod));
}

TEST(StrategyValidation, PodWithoutContainersIsRejected) {
  json::object pod = Pod(R"({"containers":[]})");
  EXPECT_EQ(All(Check(kPod, pod)), "spec.containers: Required value\n");
  json::object none = Pod("{}");
  EXPECT_TRUE(HasError(Check(kPod, none), "spec.containers: Required value"));
}

TEST(StrategyValidation, ContainerNamesAreRequiredLabelsAndUnique) {
  json::object pod = Pod(R"({"containers":[{"image":"x"},{"name":"Web_1","image":"x"},{"name":"a","image":"x"},{"name":"a","image":"x"}],
    "initContainers":[{"name":"a","image":"x"}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.containers[0].name: Required value"));
  EXPECT_TRUE(HasError(errs, "spec.containers[1].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of"));
  EXPECT_TRUE(HasError(errs, "spec.containers[3].name: Duplicate value: \"a\""));
  EXPECT_TRUE(HasError(errs, "spec.initContainers[0].name: Duplicate value: \"a\""));
}

TEST(StrategyValidation, ImageIsRequiredAndUntrimmedImagesRejectedInPods) {
  json::object pod = Pod(R"({"containers":[{"name":"a"},{"name":"b","image":" nginx"}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.containers[0].image: Required value"));
  EXPECT_TRUE(HasError(errs, "spec.containers[1].image: Invalid value: \" nginx\": must not have leading or trailing whitespace"));
  json::object d = Workload("Deployment", "", R"({"containers":[{"name":"a"}]})");
  EXPECT_TRUE(HasError(Check(kDeploy, d), "spec.template.spec.containers[0].image: Required value"));
}

TEST(StrategyValidation, ContainerPortsAreInRangeWithUniqueNames) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","ports":[{"containerPort":0},{"containerPort":70000},
    {"containerPort":80,"name":"http"},{"containerPort":81,"name":"http"},{"containerPort":82,"name":"HTTP"},
    {"containerPort":83,"protocol":"ICMP"},{"containerPort":84,"hostPort":99999}]}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[0].containerPort: Required value"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[3].name: Duplicate value: \"http\""));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[4].name: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[5].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\""));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[6].hostPort: Invalid value: 99999: must be between 1 and 65535, inclusive"));
}

TEST(StrategyValidation, ContainerPortNamesAreIanaServiceNamesWithUpstreamsWording) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","ports":[{"containerPort":80,"name":"a--b"},
    {"containerPort":81,"name":"-ab"},{"containerPort":82,"name":"8080"},{"containerPort":83,"name":"abcdefghijklmnop"}]}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[0].name: Invalid value: \"a--b\": must not contain consecutive hyphens\n"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[1].name: Invalid value: \"-ab\": must not begin or end with a hyphen\n"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[2].name: Invalid value: \"8080\": must contain at least one letter (a-z)"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].ports[3].name: Invalid value: \"abcdefghijklmnop\": must be no more than 15 characters"));
}

TEST(StrategyValidation, ConfigMapsAndSecretsHoldAtMostOneMebibyte) {
  const ResourceInfo cm_kind = Res("", "ConfigMap");
  const ResourceInfo secret_kind = Res("", "Secret");
  std::string half(512 * 1024, 'x');
  json::object fits{{"metadata", json::object{{"name", "c"}}}, {"data", json::object{{"a", half}, {"b", half}}}};
  EXPECT_TRUE(Check(cm_kind, fits).empty()) << All(Check(cm_kind, fits));
  // data and binaryData (counted decoded) together: one byte over.
  json::object over{{"metadata", json::object{{"name", "c"}}},
                    {"data", json::object{{"a", half}, {"b", half}}},
                    {"binaryData", json::object{{"c", "eA=="}}}};
  EXPECT_EQ(All(Check(cm_kind, over)), "[]: Too long: may not be more than 1048576 bytes\n");
  json::object secret{{"metadata", json::object{{"name", "s"}}},
                      {"data", json::object{{"a", Base64Encode(half + "y")}, {"b", Base64Encode(half)}}}};
  EXPECT_EQ(All(Check(secret_kind, secret)), "data: Too long: may not be more than 1048576 bytes\n");
  json::object secret_fits{{"metadata", json::object{{"name", "s"}}},
                           {"data", json::object{{"a", Base64Encode(half)}, {"b", Base64Encode(half)}}}};
  EXPECT_TRUE(Check(secret_kind, secret_fits).empty()) << All(Check(secret_kind, secret_fits));
}

TEST(StrategyValidation, DuplicateHostPortsAreRejected) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","ports":[{"containerPort":80,"hostPort":8080},{"containerPort":81,"hostPort":8080}]}]})");
  EXPECT_TRUE(HasError(Check(kPod, pod), "spec.containers[0].ports[1].hostPort: Duplicate value: \"TCP//8080\""));
}

TEST(StrategyValidation, EnumsListTheSupportedValues) {
  json::object pod = Pod(R"({"restartPolicy":"Sometimes","dnsPolicy":"Google","containers":[{"name":"a","image":"x","imagePullPolicy":"Maybe"}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""));
  EXPECT_TRUE(HasError(errs, "spec.dnsPolicy: Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].imagePullPolicy: Unsupported value: \"Maybe\": supported values: \"Always\", \"IfNotPresent\", \"Never\""));
}

TEST(StrategyValidation, DnsPolicyNoneNeedsDnsConfig) {
  json::object pod = Pod(R"({"dnsPolicy":"None","containers":[{"name":"a","image":"x"}]})");
  EXPECT_TRUE(HasError(Check(kPod, pod), "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"));
}

TEST(StrategyValidation, ResourceQuantitiesMustParseAndBeNonNegative) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"lots","memory":"-1Gi"},"requests":{"gpu":"1"}}}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.containers[0].resources.limits[cpu]: Invalid value: \"lots\": quantities must match the regular expression"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].resources.limits[memory]: Invalid value: \"-1Gi\": must be greater than or equal to 0"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource for containers"));
}

TEST(StrategyValidation, RequestsMustNotExceedLimits) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"1"},"requests":{"cpu":"1500m"}}}]})");
  EXPECT_EQ(All(Check(kPod, pod)), "spec.containers[0].resources.requests: Invalid value: \"1500m\": must be less than or equal to cpu limit of 1\n");
}

TEST(StrategyValidation, ExtendedResourcesMustBeWholeAndEqualToLimits) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","resources":{"limits":{"nvidia.com/gpu":"2"},"requests":{"nvidia.com/gpu":"1500m"}}}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: \"1500m\": must be an integer"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].resources.requests: Invalid value: \"1500m\": must be equal to nvidia.com/gpu limit of 2"));
}

TEST(StrategyValidation, EnvVarNamesAreRequiredAndPrintable) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x","env":[{"value":"x"},{"name":"A=B"},{"name":"my.var-1"}]}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.containers[0].env[0].name: Required value"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].env[1].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='"));
  EXPECT_FALSE(HasError(errs, "env[2]"));
}

TEST(StrategyValidation, VolumeNamesAreUniqueAndMountsReferToVolumes) {
  json::object pod = Pod(R"({"volumes":[{"name":"data"},{"name":"data"},{"name":"Bad"}],"containers":[{"name":"a","image":"x",
    "volumeMounts":[{"name":"data","mountPath":"/d"},{"name":"missing","mountPath":"/m"},{"name":"data","mountPath":"/d"},{"name":"data"}]}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.volumes[1].name: Duplicate value: \"data\""));
  EXPECT_TRUE(HasError(errs, "spec.volumes[2].name: Invalid value: \"Bad\""));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].volumeMounts[1].name: Not found: \"missing\""));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].volumeMounts[2].mountPath: Invalid value: \"/d\": must be unique"));
  EXPECT_TRUE(HasError(errs, "spec.containers[0].volumeMounts[3].mountPath: Required value"));
  EXPECT_FALSE(HasError(errs, "volumeMounts[0]"));
}

TEST(StrategyValidation, VolumeSourcesNeedTheirNames) {
  json::object pod = Pod(R"({"volumes":[{"name":"c","configMap":{}},{"name":"two","emptyDir":{},"hostPath":{"path":"/x"}}],"containers":[{"name":"a","image":"x"}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.volumes[0].configMap.name: Required value"));
  EXPECT_TRUE(HasError(errs, "spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type"));
}

TEST(StrategyValidation, MetadataLabelsAndAnnotationsFollowUpstreamRules) {
  json::object pod = Pod();
  pod["metadata"].as_object()["labels"] = json::object{{"app", "bad value!"}, {"a/b/c", "x"}, {"-x", "ok"}};
  pod["metadata"].as_object()["annotations"] = json::object{{"Example.com/Note", "fine"}, {"bad key", "x"}};
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "metadata.labels: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
  EXPECT_TRUE(HasError(errs, "metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of"));
  EXPECT_TRUE(HasError(errs, "metadata.labels: Invalid value: \"-x\": name part must consist of alphanumeric characters"));
  EXPECT_TRUE(HasError(errs, "metadata.annotations: Invalid value: \"bad key\": name part must consist"));
  EXPECT_FALSE(HasError(errs, "Example.com"));
}

TEST(StrategyValidation, LabelKeyPrefixMustBeASubdomain) {
  json::object pod = Pod();
  pod["metadata"].as_object()["labels"] = json::object{{"Bad_Prefix/name", "x"}, {"/name", "y"}};
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "metadata.labels: Invalid value: \"Bad_Prefix/name\": prefix part a lowercase RFC 1123 subdomain"));
  EXPECT_TRUE(HasError(errs, "metadata.labels: Invalid value: \"/name\": prefix part must be non-empty"));
}

TEST(StrategyValidation, HugeAnnotationsAreTooLong) {
  json::object pod = Pod();
  pod["metadata"].as_object()["annotations"] = json::object{{"big", std::string(300 * 1024, 'x')}};
  EXPECT_TRUE(HasError(Check(kPod, pod), "metadata.annotations: Too long: may not be more than 262144 bytes"));
}

TEST(StrategyValidation, TolerationsFollowOperatorRules) {
  json::object pod = Pod(R"({"containers":[{"name":"a","image":"x"}],"tolerations":[{"operator":"Equal","value":"x"},
    {"key":"k","operator":"Exists","value":"v"},{"key":"k","operator":"Maybe"},{"key":"k","effect":"NoSchedule","tolerationSeconds":5}]})");
  auto errs = Check(kPod, pod);
  EXPECT_TRUE(HasError(errs, "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty"));
  EXPECT_TRUE(HasError(errs, "spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'"));
  EXPECT_TRUE(HasError(errs, "spec.tolerations[2].operator: Unsupported value: \"Maybe\": supported values: \"Equal\", \"Exists\""));
  EXPECT_TRUE(HasError(errs, "spec.tolerations[3].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"));
}

TEST(StrategyValidation, ActiveDeadlineMustBePositive) {
  json::object pod = Pod(R"({"activeDeadlineSeconds":0,"containers":[{"name":"a","image":"x"}]})");
  EXPECT_TRUE(HasError(Check(kPod, pod), "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"));
}

TEST(StrategyValidation, MalformedShapesGiveFieldErrorsNotCrashes) {
  for (const char* spec : {R"("oops")", R"({"containers":"nginx"})", R"({"containers":["nginx"]})",
                           R"({"containers":[{"name":5,"image":["x"],"ports":"80","env":{},"resources":"big"}]})",
                           R"({"containers":[{"name":"a","image":"x","resources":{"limits":[1]}}],"volumes":[7]})",
                           R"({"containers":[{"name":"a","image":"x","ports":[{"containerPort":"80"}]}],"tolerations":{}})"}) {
    json::object pod = Pod(spec);
    auto errs = Check(kPod, pod);
    EXPECT_FALSE(errs.empty()) << spec;
  }
  json::object pod = Pod(R"({"containers":"nginx"})");
  EXPECT_TRUE(HasError(Check(kPod, pod), "spec.containers: Invalid value: \"nginx\": must be of type array"));
  for (const ResourceInfo* r : {&kDeploy, &kRs, &kSts, &kDs, &kJob, &kCron, &kPvc}) {
    for (const char* body : {R"({"spec":"x"})", R"({"spec":{"template":"x","selector":"y","jobTemplate":7,"updateStrategy":1,"strategy":"z"}})",
                             R"({"metadata":"m","spec":{"template":{"metadata":{"labels":"l"},"spec":{"containers":[1]}}}})"}) {
      json::object obj = Parse(body);
      EXPECT_FALSE(Check(*r, obj).empty()) << r->kind << " " << body;
    }
  }
}

// ----- pod updates

TEST(StrategyValidation, PodImageMayChangeOnUpdate) {
  json::object old = Pod();
  ApplyDefaults(kPod, old);
  json::object pod = old;
  pod["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "nginx:1.28";
  EXPECT_TRUE(Check(kPod, pod, &old).empty()) << All(Check(kPod, pod, &old));
}

TEST(StrategyValidation, PodSpecIsOtherwiseImmutable) {
  json::object old = Pod();
  ApplyDefaults(kPod, old);
  json::object pod = old;
  pod["spec"].as_object()["containers"].as_array()[0].as_object()["ports"] = json::array{json::object{{"containerPort", 80}}};
  auto errs = Check(kPod, pod, &old);
  ASSERT_EQ(errs.size(), 1u) << All(errs);
  EXPECT_EQ(errs[0].field, "spec");
  EXPECT_EQ(errs[0].reason, "FieldValueForbidden");
  EXPECT_EQ(errs[0].message.rfind(
                "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
                "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
                "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
                0),
            0u);
}

TEST(StrategyValidation, PodTolerationsMayOnlyBeAdded) {
  json::object old = Pod(R"({"containers":[{"name":"a","image":"x"}],"tolerations":[{"key":"k","operator":"Exists"}]})");
  ApplyDefaults(kPod, old);
  json::object added = old;
  added["spec"].as_object()["tolerations"].as_array().push_back(json::object{{"key", "z"}, {"operator", "Exists"}});
  EXPECT_TRUE(Check(kPod, added, &old).empty()) << All(Check(kPod, added, &old));
  json::object removed = old;
  removed["spec"].as_object()["tolerations"].as_array().erase(removed["spec"].as_object()["tolerations"].as_array().begin());
  EXPECT_TRUE(HasError(Check(kPod, removed, &old), "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"));
}

TEST(StrategyValidation, PodActiveDeadlineMayOnlyShrink) {
  json::object old = Pod(R"({"activeDeadlineSeconds":100,"containers":[{"name":"a","image":"x"}]})");
  ApplyDefaults(kPod, old);
  json::object lower = old;
  lower["spec"].as_object()["activeDeadlineSeconds"] = 50;
  EXPECT_TRUE(Check(kPod, lower, &old).empty()) << All(Check(kPod, lower, &old));
  json::object higher = old;
  higher["spec"].as_object()["activeDeadlineSeconds"] = 200;
  EXPECT_TRUE(HasError(Check(kPod, higher, &old), "spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value"));
}

// ----- workloads

TEST(StrategyValidation, DefaultedWorkloadsAreValid) {
  for (auto [r, kind] : {std::pair{&kDeploy, "Deployment"}, {&kRs, "ReplicaSet"}, {&kSts, "StatefulSet"}, {&kDs, "DaemonSet"}}) {
    json::object w = Workload(kind);
    EXPECT_TRUE(Check(*r, w).empty()) << kind << "\n" << All(Check(*r, w));
  }
}

TEST(StrategyValidation, WorkloadSelectorMustMatchTemplateLabels) {
  for (auto [r, kind] : {std::pair{&kDeploy, "Deployment"}, {&kRs, "ReplicaSet"}, {&kSts, "StatefulSet"}, {&kDs, "DaemonSet"}}) {
    json::object w = Workload(kind);
    w["spec"].as_object()["selector"] = json::object{{"matchLabels", json::object{{"app", "other"}}}};
    EXPECT_TRUE(HasError(Check(*r, w), "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"))
        << kind << "\n" << All(Check(*r, w));
  }
}

TEST(StrategyValidation, WorkloadSelectorIsRequiredAndNonEmpty) {
  json::object d = Workload("Deployment");
  d["spec"].as_object().erase("selector");
  auto errs = Check(kDeploy, d);
  EXPECT_TRUE(HasError(errs, "spec.selector: Required value"));
  EXPECT_TRUE(HasError(errs, "`selector` does not match template `labels`"));
  json::object empty = Workload("Deployment");
  empty["spec"].as_object()["selector"] = json::object();
  EXPECT_TRUE(HasError(Check(kDeploy, empty), "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"));
  json::object sts = Workload("StatefulSet");
  sts["spec"].as_object()["selector"] = json::object();
  EXPECT_TRUE(HasError(Check(kSts, sts), "empty selector is invalid for statefulset"));
}

TEST(StrategyValidation, SelectorExpressionsAreChecked) {
  json::object d = Workload("Deployment");
  d["spec"].as_object()["selector"] = json::parse(R"({"matchExpressions":[{"key":"app","operator":"In","values":["web","api"]}]})");
  EXPECT_TRUE(Check(kDeploy, d).empty()) << All(Check(kDeploy, d));
  json::object bad = Workload("Deployment");
  bad["spec"].as_object()["selector"] = json::parse(R"({"matchExpressions":[{"key":"app","operator":"In"},{"key":"x","operator":"Near"}]})");
  auto errs = Check(kDeploy, bad);
  EXPECT_TRUE(HasError(errs, "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"));
  EXPECT_TRUE(HasError(errs, "spec.selector.matchExpressions[1].operator: Invalid value: \"Near\": not a valid selector operator"));
}

TEST(StrategyValidation, ReplicasMustBeNonNegative) {
  json::object d = Workload("Deployment", R"("replicas":-1)");
  EXPECT_TRUE(HasError(Check(kDeploy, d), "spec.replicas: Invalid value: -1: must be greater than or equal to 0"));
}

TEST(StrategyValidation, WorkloadTemplatesMustRestartAlways) {
  json::object d = Workload("Deployment", "", R"({"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]})");
  EXPECT_TRUE(HasError(Check(kDeploy, d), "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""));
  json::object ds = Workload("DaemonSet", "", R"({"restartPolicy":"OnFailure","containers":[{"name":"a","image":"x"}]})");
  EXPECT_TRUE(HasError(Check(kDs, ds), "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""));
}

TEST(StrategyValidation, TemplateLabelsAreValidatedAtUpstreamsPath) {
  json::object d = Workload("Deployment");
  d["spec"].as_object()["template"].as_object()["metadata"].as_object()["labels"].as_object()["x"] = "bad value";
  EXPECT_TRUE(HasError(Check(kDeploy, d), "spec.template.labels: Invalid value: \"bad value\""));
}

TEST(StrategyValidation, DeploymentStrategyValuesAreChecked) {
  json::object bad = Workload("Deployment", R"("strategy":{"type":"Blue"})");
  EXPECT_TRUE(HasError(Check(kDeploy, bad), "spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"Blue\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", \"RollingUpdate\""));
  json::object zero = Workload("Deployment", R"("strategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":0}})");
  EXPECT_TRUE(HasError(Check(kDeploy, zero), "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"));
  json::object pct = Workload("Deployment", R"("strategy":{"rollingUpdate":{"maxUnavailable":"150%","maxSurge":"x%"}})");
  auto errs = Check(kDeploy, pct);
  EXPECT_TRUE(HasError(errs, "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%"));
  EXPECT_TRUE(HasError(errs, "spec.strategy.rollingUpdate.maxSurge: Invalid value: x%: a valid percent string must be a numeric string followed by an ending '%'"));
  json::object recreate = Workload("Deployment", R"("strategy":{"type":"Recreate","rollingUpdate":{}})");
  EXPECT_TRUE(HasError(Check(kDeploy, recreate), "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"));
}

TEST(StrategyValidation, ProgressDeadlineMustExceedMinReady) {
  json::object d = Workload("Deployment", R"("minReadySeconds":700)");
  EXPECT_TRUE(HasError(Check(kDeploy, d), "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"));
}

TEST(StrategyValidation, StatefulSetPoliciesAreChecked) {
  json::object s = Workload("StatefulSet", R"("podManagementPolicy":"Random","updateStrategy":{"type":"Sometimes"})");
  auto errs = Check(kSts, s);
  EXPECT_TRUE(HasError(errs, "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"));
  EXPECT_TRUE(HasError(errs, "spec.updateStrategy: Invalid value: \"Sometimes\": must be 'RollingUpdate' or 'OnDelete'"));
  json::object p = Workload("StatefulSet", R"("persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Keep"})");
  EXPECT_TRUE(HasError(Check(kSts, p), "spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: \"Keep\": supported values: \"Retain\", \"Delete\""));
}

TEST(StrategyValidation, DaemonSetRollingUpdateNeedsExactlyOneNonZero) {
  json::object both = Workload("DaemonSet", R"("updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":1}})");
  EXPECT_TRUE(HasError(Check(kDs, both), "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"));
  json::object none = Workload("DaemonSet", R"("updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":0}})");
  EXPECT_TRUE(HasError(Check(kDs, none), "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"));
  json::object bad = Workload("DaemonSet", R"("updateStrategy":{"type":"Whenever"})");
  EXPECT_TRUE(HasError(Check(kDs, bad), "spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:\"Whenever\""));
}

TEST(StrategyValidation, WorkloadSelectorsAreImmutable) {
  for (auto [r, kind] : {std::pair{&kDeploy, "Deployment"}, {&kRs, "ReplicaSet"}, {&kDs, "DaemonSet"}}) {
    json::object old = Workload(kind);
    ApplyDefaults(*r, old);
    json::object w = old;
    w["spec"].as_object()["selector"] = json::object{{"matchLabels", json::object{{"app", "web"}, {"tier", "x"}}}};
    w["spec"].as_object()["template"].as_object()["metadata"].as_object()["labels"].as_object()["tier"] = "x";
    EXPECT_EQ(All(Check(*r, w, &old)),
              "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"x\"}, "
              "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable\n")
        << kind;
    json::object scaled = old;
    scaled["spec"].as_object()["replicas"] = 5;
    EXPECT_TRUE(Check(*r, scaled, &old).empty()) << kind;
  }
}

TEST(StrategyValidation, StatefulSetSpecIsImmutableExceptListedFields) {
  json::object old = Workload("StatefulSet", R"("serviceName":"web")");
  ApplyDefaults(kSts, old);
  json::object scaled = old;
  scaled["spec"].as_object()["replicas"] = 3;
  scaled["spec"].as_object()["template"].as_object()["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "nginx:2";
  EXPECT_TRUE(Check(kSts, scaled, &old).empty()) << All(Check(kSts, scaled, &old));
  json::object renamed = old;
  renamed["spec"].as_object()["serviceName"] = "other";
  EXPECT_TRUE(HasError(Check(kSts, renamed, &old), "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
}

// ----- jobs and cronjobs

TEST(StrategyValidation, JobTemplatesMustNotRestartAlways) {
  json::object job = Parse(R"({"kind":"Job","metadata":{"name":"j","uid":"u"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}})");
  EXPECT_TRUE(HasError(Check(kJob, job), "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""));
}

TEST(StrategyValidation, JobCountsMustBeNonNegative) {
  json::object job = Parse(R"({"kind":"Job","metadata":{"name":"j","uid":"u"},"spec":{"parallelism":-1,"completions":-2,"backoffLimit":-3,
    "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}})");
  auto errs = Check(kJob, job);
  EXPECT_TRUE(HasError(errs, "spec.parallelism: Invalid value: -1: must be greater than or equal to 0"));
  EXPECT_TRUE(HasError(errs, "spec.completions: Invalid value: -2: must be greater than or equal to 0"));
  EXPECT_TRUE(HasError(errs, "spec.backoffLimit: Invalid value: -3: must be greater than or equal to 0"));
}

TEST(StrategyValidation, JobCompletionModeIsAnEnumAndIndexedNeedsCompletions) {
  json::object job = Parse(R"({"kind":"Job","metadata":{"name":"j","uid":"u"},"spec":{"completionMode":"Sorted",
    "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}})");
  EXPECT_TRUE(HasError(Check(kJob, job), "spec.completionMode: Unsupported value: \"Sorted\": supported values: \"NonIndexed\", \"Indexed\""));
  json::object indexed = Parse(R"({"kind":"Job","metadata":{"name":"j","uid":"u"},"spec":{"completionMode":"Indexed","parallelism":2,
    "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}})");
  EXPECT_TRUE(HasError(Check(kJob, indexed), "spec.completions: Required value: when completion mode is Indexed"));
}

TEST(StrategyValidation, JobSelectorMustBeTheGeneratedOne) {
  json::object job = Parse(R"({"kind":"Job","metadata":{"name":"j","uid":"u"},"spec":{"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"other"}},
    "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}})");
  auto errs = Check(kJob, job);
  EXPECT_TRUE(HasError(errs, "`selector` not auto-generated"));
  EXPECT_TRUE(HasError(errs, "`selector` does not match template `labels`"));
  json::object manual = Parse(R"({"kind":"Job","metadata":{"name":"j","uid":"u"},"spec":{"manualSelector":true,"selector":{"matchLabels":{"app":"x"}},
    "template":{"metadata":{"labels":{"app":"x"}},"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}})");
  EXPECT_TRUE(Check(kJob, manual).empty()) << All(Check(kJob, manual));
}

TEST(StrategyValidation, JobSelectorAndTemplateAreImmutable) {
  json::object old = Workload("Job", "", R"({"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]})");
  old["spec"].as_object().erase("selector");
  old["spec"].as_object()["template"].as_object()["metadata"].as_object().erase("labels");
  ApplyDefaults(kJob, old);
  ASSERT_TRUE(Validate(kJob, old, nullptr).empty()) << All(Validate(kJob, old, nullptr));
  json::object changed = old;
  changed["spec"].as_object()["template"].as_object()["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "y";
  EXPECT_TRUE(HasError(Check(kJob, changed, &old), "spec.template: Invalid value: core.PodTemplateSpec"));
  EXPECT_TRUE(HasError(Check(kJob, changed, &old), "field is immutable"));
  json::object completions = old;
  completions["spec"].as_object()["completions"] = 4;
  EXPECT_TRUE(HasError(Check(kJob, completions, &old), "spec.completions: Invalid value: 4: field is immutable"));
  json::object suspended = old;
  suspended["spec"].as_object()["suspend"] = true;
  suspended["spec"].as_object()["template"].as_object()["spec"].as_object()["nodeSelector"] = json::object{{"zone", "a"}};
  EXPECT_TRUE(Check(kJob, suspended, &old).empty()) << All(Check(kJob, suspended, &old));
}

TEST(StrategyValidation, CronJobScheduleIsRequiredAndParsed) {
  auto cron = [](const std::string& schedule_field) {
    return Parse(R"({"kind":"CronJob","metadata":{"name":"c"},"spec":{)" + schedule_field +
                 R"("jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}}}})");
  };
  json::object none = cron("");
  EXPECT_TRUE(HasError(Check(kCron, none), "spec.schedule: Required value"));
  json::object bad = cron(R"("schedule":"* * *",)");
  EXPECT_TRUE(HasError(Check(kCron, bad), "spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]"));
  json::object tz = cron(R"("schedule":"CRON_TZ=UTC 0 * * * *",)");
  EXPECT_TRUE(HasError(Check(kCron, tz), "spec.schedule: Invalid value: \"CRON_TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  json::object hourly = cron(R"("schedule":"@hourly",)");
  EXPECT_TRUE(Check(kCron, hourly).empty()) << All(Check(kCron, hourly));
  json::object policy = cron(R"("schedule":"@daily","concurrencyPolicy":"Sometimes",)");
  EXPECT_TRUE(HasError(Check(kCron, policy), "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""));
  json::object always = Parse(R"({"kind":"CronJob","metadata":{"name":"c"},"spec":{"schedule":"@daily",
    "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}}}})");
  EXPECT_TRUE(HasError(Check(kCron, always), "spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""));
}

TEST(StrategyValidation, CronJobTimeZoneIsChecked) {
  auto cron = [](const std::string& tz) {
    return Parse(R"({"kind":"CronJob","metadata":{"name":"c"},"spec":{"schedule":"0 0 * * *","timeZone":)" + tz +
                 R"(,"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}}}})");
  };
  json::object empty = cron(R"("")");
  EXPECT_TRUE(HasError(Check(kCron, empty), "spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string"));
  json::object local = cron(R"("Local")");
  EXPECT_TRUE(HasError(Check(kCron, local), "spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
  json::object weird = cron(R"("../etc/passwd")");
  EXPECT_TRUE(HasError(Check(kCron, weird), "spec.timeZone: Invalid value: \"../etc/passwd\": unknown time zone ../etc/passwd"));
  json::object utc = cron(R"("UTC")");
  EXPECT_TRUE(Check(kCron, utc).empty()) << All(Check(kCron, utc));
}

TEST(CronSchedule, AcceptsStandardExpressionsAndDescriptors) {
  for (const char* s : {"* * * * *", "*/5 * * * *", "0 0 1 1 *", "0 9-17 * * mon-fri", "30 2 * JAN,jul sun", "0 0 ? * *",
                        "5,10,15 * * * *", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
                        "@every 1h30m", "@every 10s", "  0   0  *  *  *  "}) {
    EXPECT_EQ(ValidateCronSchedule(s), "") << s;
  }
}

TEST(CronSchedule, ReportsTheParsersMessages) {
  EXPECT_EQ(ValidateCronSchedule(""), "empty spec string");
  EXPECT_EQ(ValidateCronSchedule("* * * * * *"), "expected exactly 5 fields, found 6: [* * * * * *]");
  EXPECT_EQ(ValidateCronSchedule("60 * * * *"), "end of range (60) above maximum (59): 60");
  EXPECT_EQ(ValidateCronSchedule("* * 0 * *"), "beginning of range (0) below minimum (1): 0");
  EXPECT_EQ(ValidateCronSchedule("* * * * 7"), "end of range (7) above maximum (6): 7");
  EXPECT_EQ(ValidateCronSchedule("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1");
  EXPECT_EQ(ValidateCronSchedule("*/0 * * * *"), "step of range should be a positive number: */0");
  EXPECT_EQ(ValidateCronSchedule("x * * * *"), "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(ValidateCronSchedule("1-2-3 * * * *"), "too many hyphens: 1-2-3");
  EXPECT_EQ(ValidateCronSchedule("*/2/3 * * * *"), "too many slashes: */2/3");
  EXPECT_EQ(ValidateCronSchedule("@fortnightly"), "unrecognized descriptor: @fortnightly");
  EXPECT_EQ(ValidateCronSchedule("@every 5"), "failed to parse duration @every 5: time: missing unit in duration \"5\"");
  EXPECT_EQ(ValidateCronSchedule("@every 5x"), "failed to parse duration @every 5x: time: unknown unit \"x\" in duration \"5x\"");
}

// ----- PVCs

TEST(StrategyValidation, PvcNeedsAccessModesAndStorage) {
  json::object pvc = Parse(R"({"kind":"PersistentVolumeClaim","metadata":{"name":"d"},"spec":{}})");
  auto errs = Check(kPvc, pvc);
  EXPECT_TRUE(HasError(errs, "spec.accessModes: Required value: at least 1 access mode is required"));
  EXPECT_TRUE(HasError(errs, "spec.resources[storage]: Required value"));
  json::object bad = Parse(R"({"kind":"PersistentVolumeClaim","metadata":{"name":"d"},"spec":{"accessModes":["ReadWriteSometimes"],
    "resources":{"requests":{"storage":"0"}},"volumeMode":"Tape"}})");
  errs = Check(kPvc, bad);
  EXPECT_TRUE(HasError(errs, "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\""));
  EXPECT_TRUE(HasError(errs, "spec.resources[storage]: Invalid value: \"0\": must be greater than zero"));
  EXPECT_TRUE(HasError(errs, "spec.volumeMode: Unsupported value: \"Tape\": supported values: \"Block\", \"Filesystem\""));
}

TEST(StrategyValidation, BoundPvcMayOnlyGrowItsStorageRequest) {
  json::object old = Parse(R"({"kind":"PersistentVolumeClaim","metadata":{"name":"d"},"spec":{"accessModes":["ReadWriteOnce"],
    "resources":{"requests":{"storage":"1Gi"}}},"status":{"phase":"Bound"}})");
  ApplyDefaults(kPvc, old);
  json::object grown = old;
  grown["spec"].as_object()["resources"].as_object()["requests"].as_object()["storage"] = "2Gi";
  grown["spec"].as_object()["volumeName"] = "pv-1";
  EXPECT_TRUE(Check(kPvc, grown, &old).empty()) << All(Check(kPvc, grown, &old));
  json::object shrunk = old;
  shrunk["spec"].as_object()["resources"].as_object()["requests"].as_object()["storage"] = "512Mi";
  EXPECT_TRUE(HasError(Check(kPvc, shrunk, &old), "spec.resources.requests.storage: Forbidden: field can not be less than previous value"));
  json::object modes = old;
  modes["spec"].as_object()["accessModes"] = json::array{"ReadWriteMany"};
  EXPECT_TRUE(HasError(Check(kPvc, modes, &old), "spec: Forbidden: spec is immutable after creation except resources.requests for bound claims"));
}

TEST(StrategyValidation, OtherBuiltinKindsValidateOnlyMetadata) {
  ResourceInfo cm = Res("", "ConfigMap");
  json::object ok = Parse(R"({"metadata":{"name":"c","labels":{"a":"b"}},"data":{"k":"v"}})");
  EXPECT_TRUE(Check(cm, ok).empty());
  json::object bad = Parse(R"({"metadata":{"name":"c","labels":{"a":"b c"}}})");
  EXPECT_TRUE(HasError(Check(cm, bad), "metadata.labels: Invalid value: \"b c\""));
}

}  // namespace
}  // namespace k1s::registry

#if defined(__SANITIZE_ADDRESS__)
// Scribble over freed memory, so that a read of freed memory inside an uninstrumented library (Boost.JSON
// copying a value) yields garbage and the test fails instead of reading the stale, intact bytes.
extern "C" const char* __asan_default_options() { return "max_free_fill_size=4096:free_fill_byte=190"; }
#endif

namespace k1s::registry {
namespace {

TEST(StrategyDefaults, HorizontalPodAutoscalerGetsMinReplicasAndTheDefaultCpuMetric) {
  json::object hpa = json::parse(R"({"metadata":{"name":"h"},"spec":{"maxReplicas":3,
      "scaleTargetRef":{"kind":"Deployment","name":"web"},"behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}}})")
                         .as_object();
  ResourceInfo r;
  r.group = "autoscaling";
  r.version = "v2";
  r.kind = "HorizontalPodAutoscaler";
  ApplyDefaults(r, hpa);
  const auto& spec = hpa.at("spec").as_object();
  EXPECT_EQ(spec.at("minReplicas"), 1);
  EXPECT_EQ(json::serialize(spec.at("metrics")),
            R"([{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}])");
  EXPECT_EQ(json::serialize(spec.at("behavior")),
            R"({"scaleDown":{"stabilizationWindowSeconds":60,"selectPolicy":"Max","policies":[{"type":"Percent",)"
            R"("value":100,"periodSeconds":15}]},"scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max",)"
            R"("policies":[{"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]}})");
}

TEST(StrategyValidate, RuntimeClassHandlerMustBeADnsLabel) {
  ResourceInfo r;
  r.group = "node.k8s.io";
  r.version = "v1";
  r.kind = "RuntimeClass";
  json::object ok = json::parse(R"({"metadata":{"name":"g"},"handler":"runsc"})").as_object();
  EXPECT_TRUE(Validate(r, ok, nullptr).empty());
  json::object bad = json::parse(R"({"metadata":{"name":"g"},"handler":"Run_SC"})").as_object();
  auto errs = Validate(r, bad, nullptr);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].field, "handler");
}

TEST(StrategyValidate, WebhooksNeedSideEffectsReviewVersionsAndOneClientConfig) {
  ResourceInfo r;
  r.group = "admissionregistration.k8s.io";
  r.version = "v1";
  r.kind = "ValidatingWebhookConfiguration";
  json::object obj = json::parse(R"({"metadata":{"name":"v"},"webhooks":[{"name":"a.b.c","clientConfig":{}}]})").as_object();
  ApplyDefaults(r, obj);
  EXPECT_EQ(obj.at("webhooks").at(0).at("failurePolicy"), "Fail");
  EXPECT_EQ(obj.at("webhooks").at(0).at("timeoutSeconds"), 10);
  std::vector<std::string> fields;
  for (const auto& e : Validate(r, obj, nullptr)) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"webhooks[0].admissionReviewVersions", "webhooks[0].sideEffects",
                                              "webhooks[0].clientConfig"}));
}

}  // namespace
}  // namespace k1s::registry

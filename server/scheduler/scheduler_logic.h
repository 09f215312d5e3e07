// The scheduler's decisions as pure functions: a snapshot of nodes and their assigned pods, the default
// kube-scheduler 1.32 filter and score plugins, host selection, the FitError message and preemption.
// Owned by server/scheduler (the lead wires it into the scheduling loop). No I/O, no globals: a Snapshot
// is a value owned by one scheduler thread, updated incrementally (AddPod/RemovePod/UpsertNode); every
// function here only reads it except those updaters.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/base/result.h"

namespace k1s::scheduler {

namespace json = boost::json;

using Labels = std::map<std::string, std::string, std::less<>>;

inline constexpr int64_t kMaxNodeScore = 100;
inline constexpr int64_t kDefaultMilliCpuRequest = 100;                // non-zero request used by scoring
inline constexpr int64_t kDefaultMemoryRequest = 200LL * 1024 * 1024;  // 200Mi

// Reasons, worded as upstream prints them in FailedScheduling events.
inline constexpr std::string_view kReasonUnschedulable = "node(s) were unschedulable";
inline constexpr std::string_view kReasonNodeName = "node(s) didn't match the requested node name";
inline constexpr std::string_view kReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
inline constexpr std::string_view kReasonNodeAffinityConflict = "pod affinity terms conflict";
inline constexpr std::string_view kReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";
inline constexpr std::string_view kReasonTooManyPods = "Too many pods";
inline constexpr std::string_view kReasonPodAffinity = "node(s) didn't match pod affinity rules";
inline constexpr std::string_view kReasonPodAntiAffinity = "node(s) didn't match pod anti-affinity rules";
inline constexpr std::string_view kReasonExistingAntiAffinity =
    "node(s) didn't satisfy existing pods anti-affinity rules";
inline constexpr std::string_view kReasonSpread = "node(s) didn't match pod topology spread constraints";
inline constexpr std::string_view kReasonSpreadMissingLabel =
    "node(s) didn't match pod topology spread constraints (missing required label)";
inline constexpr std::string_view kReasonPreemptionNotHelpful = "Preemption is not helpful for scheduling";
inline constexpr std::string_view kReasonNoVictims = "No preemption victims found for incoming pod";
inline constexpr std::string_view kNoNodesAvailable = "no nodes available to schedule pods";

// ---- Selectors ----------------------------------------------------------------------------------------

struct Requirement {
  enum class Op { kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };
  std::string key;
  Op op = Op::kIn;
  std::vector<std::string> values;
  int64_t number = 0;  // Gt/Lt operand
  bool Matches(const Labels& labels) const;
};

// A metav1.LabelSelector in JSON form (matchLabels + matchExpressions In/NotIn/Exists/DoesNotExist).
// An absent (null) selector matches nothing; an empty one ({}) matches everything, as upstream.
class Selector {
 public:
  // v may be nullptr or null: Nothing(). kInvalid with the offending field otherwise.
  static Result<Selector> FromJson(const json::value* v);
  static Selector Everything() { return Selector(false); }
  static Selector Nothing() { return Selector(true); }
  bool Matches(const Labels& labels) const;
  bool MatchesNothing() const { return nothing_; }
  void Add(Requirement r) { reqs_.push_back(std::move(r)); }

 private:
  explicit Selector(bool nothing) : nothing_(nothing) {}
  bool nothing_ = true;
  std::vector<Requirement> reqs_;
};

// One v1.NodeSelectorTerm: matchExpressions (In/NotIn/Exists/DoesNotExist/Gt/Lt on labels) AND matchFields
// (metadata.name In/NotIn). A term with neither, or with an invalid requirement, matches no node.
struct NodeSelectorTerm {
  std::vector<Requirement> expressions;
  std::vector<Requirement> fields;  // key is always "metadata.name"
  bool valid = true;
  bool Matches(std::string_view node_name, const Labels& node_labels) const;
};
NodeSelectorTerm ParseNodeSelectorTerm(const json::value& term);
// Terms are ORed; an empty list matches nothing.
bool MatchesAnyTerm(const std::vector<NodeSelectorTerm>& terms, std::string_view node_name,
                    const Labels& node_labels);

// ---- Parsed pods and nodes ----------------------------------------------------------------------------

struct Resources {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  std::map<std::string, int64_t, std::less<>> scalar;  // extended resources, hugepages-*
  int64_t Scalar(std::string_view name) const;
  void Add(const Resources& other);
  void Sub(const Resources& other);
  void SetMax(const Resources& other);
  bool IsZero() const;
};

struct Toleration {
  std::string key, op, value, effect;  // op "" means Equal
  bool Tolerates(std::string_view taint_key, std::string_view taint_value, std::string_view taint_effect) const;
};
struct Taint {
  std::string key, value, effect;
};
struct HostPort {
  std::string ip;        // "0.0.0.0" when unset
  std::string protocol;  // "TCP" when unset
  int32_t port = 0;
};

struct PodAffinityTerm {
  Selector selector = Selector::Nothing();
  std::vector<std::string> namespaces;  // explicit list
  std::optional<Selector> namespace_selector;
  std::string topology_key;
  // Does an existing pod (namespace, labels) match this term of a pod in owner_namespace?
  bool Matches(std::string_view ns, const Labels& labels, std::string_view owner_namespace,
               const std::map<std::string, Labels, std::less<>>& namespace_labels) const;
};
struct WeightedPodAffinityTerm {
  int32_t weight = 0;
  PodAffinityTerm term;
};
struct PreferredNodeTerm {
  int32_t weight = 0;
  NodeSelectorTerm term;
};
struct SpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  bool do_not_schedule = true;  // whenUnsatisfiable
  Selector selector = Selector::Nothing();
  int32_t min_domains = 1;
  bool honor_node_affinity = true;  // nodeAffinityPolicy (default Honor)
  bool honor_taints = false;        // nodeTaintsPolicy (default Ignore)
};

// A pod as the scheduler sees it, parsed once.
struct PodInfo {
  json::object pod;
  std::string ns, name, uid, node_name, nominated_node_name, start_time;
  Labels labels;
  int32_t priority = 0;
  bool preemption_never = false;
  bool terminating = false;  // metadata.deletionTimestamp set
  bool terminal = false;     // status.phase Succeeded/Failed
  Resources requests;        // max(init, sum(containers)) + overhead, as NodeResourcesFit counts
  int64_t nonzero_milli_cpu = 0, nonzero_memory = 0;  // the same with 100m/200Mi for missing requests
  std::vector<HostPort> host_ports;
  std::vector<Toleration> tolerations;
  Labels node_selector;
  bool has_required_node_affinity = false;
  std::vector<NodeSelectorTerm> required_node_terms;
  std::vector<PreferredNodeTerm> preferred_node_terms;
  std::vector<PodAffinityTerm> required_affinity, required_anti_affinity;
  std::vector<WeightedPodAffinityTerm> preferred_affinity, preferred_anti_affinity;
  std::vector<SpreadConstraint> spread_constraints;
  std::vector<std::string> images;  // normalized, init containers then containers

  std::string Key() const { return ns + "/" + name; }
  bool HasAffinity() const {
    return !required_affinity.empty() || !required_anti_affinity.empty() || !preferred_affinity.empty() ||
           !preferred_anti_affinity.empty();
  }
};
using PodInfoPtr = std::shared_ptr<const PodInfo>;

// kInvalid for a malformed quantity, selector or port.
Result<PodInfoPtr> ParsePod(const json::object& pod);
// "nginx" -> "docker.io/library/nginx:latest"; digests and explicit registries kept.
std::string NormalizeImageName(std::string_view image);

// One node and the non-terminal pods bound to it, with the sums the filters need.
struct NodeInfo {
  json::object node;
  std::string name;
  Labels labels;
  std::vector<Taint> taints;  // spec.taints plus not-ready/unreachable NoSchedule from the Ready condition
  bool unschedulable = false;
  Resources allocatable;
  int64_t allowed_pods = 0;
  std::unordered_map<std::string, int64_t> image_sizes;  // normalized image name -> bytes

  std::vector<PodInfoPtr> pods;
  Resources requested;
  int64_t nonzero_milli_cpu = 0, nonzero_memory = 0;
  std::vector<HostPort> used_ports;  // one entry per pod port, duplicates kept
  int pods_with_affinity = 0;
  int pods_with_required_anti_affinity = 0;
};

// kInvalid when the node has no name or a malformed quantity.
Result<NodeInfo> MakeNodeInfo(const json::object& node);
void AddPod(NodeInfo& node, PodInfoPtr pod);
// Removes the pod with this uid (or namespace/name when uid is empty); false when it was not there.
bool RemovePod(NodeInfo& node, const PodInfo& pod);

struct Snapshot {
  std::vector<NodeInfo> nodes;                            // sorted by name
  std::unordered_map<std::string, size_t> index;          // name -> position in nodes
  std::unordered_map<std::string, int> image_node_count;  // normalized image -> nodes that have it
  // Pods bound to nodes the snapshot does not have yet; attached when the node arrives.
  std::unordered_map<std::string, std::vector<PodInfoPtr>> orphans;
  // Optional: namespace labels, for pod affinity namespaceSelector.
  std::map<std::string, Labels, std::less<>> namespace_labels;

  const NodeInfo* Find(std::string_view name) const;
  NodeInfo* Find(std::string_view name);
};

// Pods without spec.nodeName and terminal pods are skipped; kInvalid on a malformed object.
Result<Snapshot> BuildSnapshot(const std::vector<json::object>& nodes, const std::vector<json::object>& pods);
// Incremental updates. AddPod ignores unbound and terminal pods (and replaces a pod with the same uid).
Status AddPod(Snapshot& snapshot, const json::object& pod);
Status RemovePod(Snapshot& snapshot, const json::object& pod);
Status UpsertNode(Snapshot& snapshot, const json::object& node);
void RemoveNode(Snapshot& snapshot, std::string_view name);

// ---- Filters ------------------------------------------------------------------------------------------

enum class Code { kSuccess, kUnschedulable, kUnschedulableAndUnresolvable };

struct FilterStatus {
  Code code = Code::kSuccess;
  std::vector<std::string> reasons;
  std::string plugin;
  bool ok() const { return code == Code::kSuccess; }
};

// Per-pod state computed once before filtering (upstream's PreFilter): inter-pod affinity and topology
// spread counts over the whole snapshot. Topology counts are key -> value -> count.
using TopologyCounts = std::unordered_map<std::string, std::unordered_map<std::string, int64_t>>;
struct SpreadState {
  std::vector<const SpreadConstraint*> constraints;         // DoNotSchedule ones
  std::vector<std::unordered_map<std::string, int64_t>> counts;  // per constraint: value -> matching pods
  std::vector<int64_t> min_counts;                          // per constraint; INT32_MAX when no domain
};
struct CycleState {
  bool affinity_active = false;  // the pod has required (anti-)affinity or existing pods have anti-affinity
  TopologyCounts existing_anti_affinity, affinity, anti_affinity;
  SpreadState spread;
  // NodeAffinity PreFilter: the node names matchFields restricts the pod to (empty optional: all nodes).
  std::optional<std::vector<std::string>> node_names;
};

Result<CycleState> PreFilter(const PodInfo& pod, const Snapshot& snapshot);

FilterStatus FilterNodeUnschedulable(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterNodeName(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterTaintToleration(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterNodeAffinity(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterNodePorts(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterNodeResourcesFit(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterPodTopologySpread(const CycleState& state, const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterInterPodAffinity(const CycleState& state, const PodInfo& pod, const NodeInfo& node);
// All of the above in upstream's order; the first failure wins.
FilterStatus RunFilters(const CycleState& state, const PodInfo& pod, const NodeInfo& node);

// ---- Scores -------------------------------------------------------------------------------------------

enum ScorePlugin {
  kScoreTaintToleration,
  kScoreNodeAffinity,
  kScoreNodeResourcesFit,
  kScorePodTopologySpread,
  kScoreInterPodAffinity,
  kScoreBalancedAllocation,
  kScoreImageLocality,
  kNumScorePlugins
};
// Default kube-scheduler weights; 0 disables a plugin.
struct ScoreWeights {
  std::array<int64_t, kNumScorePlugins> weight = {3, 2, 1, 2, 2, 1, 1};
};

// Per-node raw scores of the plugins that need no normalization (0-100).
int64_t ScoreLeastAllocated(const PodInfo& pod, const NodeInfo& node);
int64_t ScoreBalancedAllocation(const PodInfo& pod, const NodeInfo& node);
int64_t ScoreImageLocality(const PodInfo& pod, const NodeInfo& node, const Snapshot& snapshot);
// Raw scores before normalization.
int64_t RawScoreNodeAffinity(const PodInfo& pod, const NodeInfo& node);      // sum of matching weights
int64_t RawScoreTaintToleration(const PodInfo& pod, const NodeInfo& node);  // untolerated PreferNoSchedule
// upstream's DefaultNormalizeScore: scale to 0..100 by the maximum, optionally reversed.
void NormalizeScores(std::vector<int64_t>& scores, bool reverse);

struct NodeScore {
  std::string node;
  int64_t total = 0;                                // weighted sum
  std::array<int64_t, kNumScorePlugins> plugin{};   // normalized 0-100, before weights
};
// Scores feasible nodes with every plugin (normalized) and the weighted sum.
std::vector<NodeScore> ScoreNodes(const PodInfo& pod, const Snapshot& snapshot,
                                  const std::vector<const NodeInfo*>& feasible,
                                  const ScoreWeights& weights = {});

// ---- Schedule and preemption --------------------------------------------------------------------------

struct ScheduleOptions {
  ScoreWeights weights;
  // Ties between the best-scored nodes: nullptr picks the first by node name (deterministic);
  // otherwise uniformly at random like upstream's reservoir sampling.
  std::mt19937_64* rng = nullptr;
  bool preemption = true;  // run DefaultPreemption when nothing fits
};

struct ScheduleResult {
  std::string node_name;  // the chosen node; empty when the pod fits nowhere
  // When unschedulable: upstream's FitError text ("0/3 nodes are available: ... preemption: ...").
  std::string message;
  std::map<std::string, FilterStatus> node_status;  // why each rejected node was rejected
  std::vector<NodeScore> scores;                    // feasible nodes (empty when only one fits)
  // Preemption: the node the pod is nominated to and the pods to evict there.
  std::string nominated_node;
  std::vector<PodInfoPtr> victims;
};

// upstream's FitError.Error(): "0/N nodes are available: <prefilter msg or sorted reason histogram>."
std::string FitErrorMessage(size_t num_nodes, const std::map<std::string, FilterStatus>& node_status,
                            std::string_view prefilter_message = {});

Result<ScheduleResult> Schedule(const json::object& pod, const Snapshot& snapshot,
                                const ScheduleOptions& options = {});
Result<ScheduleResult> Schedule(const PodInfo& pod, const Snapshot& snapshot, const ScheduleOptions& options = {});

struct PreemptionResult {
  std::string nominated_node;       // empty when preemption cannot help
  std::vector<PodInfoPtr> victims;  // highest priority first
  std::string message;              // "preemption: ..." text appended to the FitError ("" on success)
};
// DefaultPreemption for a pod that fit nowhere; node_status is the filter diagnosis (nodes absent from it
// count as UnschedulableAndUnresolvable).
PreemptionResult Preempt(const PodInfo& pod, const Snapshot& snapshot,
                         const std::map<std::string, FilterStatus>& node_status);

}  // namespace k1s::scheduler

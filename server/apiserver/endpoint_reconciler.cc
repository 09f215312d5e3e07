#include "server/apiserver/endpoint_reconciler.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/api/meta.h"
#include "lib/base/log.h"
#include "lib/net/server_pki.h"

namespace k1s::apiserver {

namespace {

constexpr char kLog[] = "endpoint-reconciler";
constexpr char kNamespace[] = "default";
constexpr char kName[] = "kubernetes";
constexpr char kSkipMirrorLabel[] = "endpointslice.kubernetes.io/skip-mirror";
constexpr char kServiceNameLabel[] = "kubernetes.io/service-name";
constexpr char kFieldManager[] = "kube-apiserver";

bool IsIpv6(const std::string& ip) { return ip.find(':') != std::string::npos; }

json::array Ports(int port) {
  return json::array{json::object{{"name", "https"}, {"port", port}, {"protocol", "TCP"}}};
}

const json::value* FieldOf(const json::object& o, std::string_view k) { return o.if_contains(k); }
bool SameField(const json::object& a, const json::object& b, std::string_view k) {
  const json::value* x = FieldOf(a, k);
  const json::value* y = FieldOf(b, k);
  if (x == nullptr || y == nullptr) return x == y;
  return *x == *y;
}

// The source address the kernel picks for the default route (connecting a UDP socket sends nothing).
std::string DefaultRouteIpv4() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(53);
  ::inet_pton(AF_INET, "192.0.2.1", &to.sin_addr);  // TEST-NET-1: any address off-link will do
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
    sockaddr_in local{};
    socklen_t len = sizeof local;
    char buf[INET_ADDRSTRLEN] = {};
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
        (ntohl(local.sin_addr.s_addr) >> 24) != 127 && local.sin_addr.s_addr != 0 &&
        ::inet_ntop(AF_INET, &local.sin_addr, buf, sizeof buf)) {
      out = buf;
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

std::string AdvertiseAddress(const std::string& advertise_address, const std::string& bind_address) {
  if (!advertise_address.empty()) return advertise_address;
  if (!bind_address.empty() && bind_address != "0.0.0.0" && bind_address != "::" && bind_address != "[::]") {
    return bind_address;
  }
  if (std::string ip = DefaultRouteIpv4(); !ip.empty()) return ip;
  for (const auto& ip : net::HostAddresses()) {
    if (!IsIpv6(ip)) return ip;
  }
  return "127.0.0.1";
}

json::object DesiredEndpoints(const std::string& ip, int port) {
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "Endpoints"},
      {"metadata", json::object{{"name", kName}, {"namespace", kNamespace},
                                {"labels", json::object{{kSkipMirrorLabel, "true"}}}}},
      {"subsets", json::array{json::object{{"addresses", json::array{json::object{{"ip", ip}}}},
                                           {"ports", Ports(port)}}}}};
}

json::object DesiredEndpointSlice(const std::string& ip, int port) {
  return json::object{
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata", json::object{{"name", kName}, {"namespace", kNamespace},
                                {"labels", json::object{{kServiceNameLabel, kName}}}}},
      {"addressType", IsIpv6(ip) ? "IPv6" : "IPv4"},
      {"endpoints", json::array{json::object{{"addresses", json::array{json::value(ip)}},
                                             {"conditions", json::object{{"ready", true}}}}}},
      {"ports", Ports(port)}};
}

std::optional<json::object> RepairEndpoints(const json::object& current, const json::object& desired) {
  json::object next = current;
  bool changed = false;
  if (!SameField(current, desired, "subsets")) {
    next["subsets"] = desired.at("subsets");
    changed = true;
  }
  auto labels = api::Labels(current);
  if (auto it = labels.find(kSkipMirrorLabel); it == labels.end() || it->second != "true") {
    json::object& meta = api::Metadata(next);
    json::value& l = meta["labels"];
    if (!l.is_object()) l = json::object();
    l.as_object()[kSkipMirrorLabel] = "true";
    changed = true;
  }
  if (!changed) return std::nullopt;
  return next;
}

std::optional<json::object> RepairEndpointSlice(const json::object& current, const json::object& desired) {
  json::object next = current;
  bool changed = false;
  for (const char* f : {"addressType", "endpoints", "ports"}) {
    if (SameField(current, desired, f)) continue;
    next[f] = desired.at(f);
    changed = true;
  }
  const json::value& want_labels = desired.at("metadata").as_object().at("labels");
  const json::object* meta = FieldOf(current, "metadata") ? FieldOf(current, "metadata")->if_object() : nullptr;
  const json::value* labels = meta ? meta->if_contains("labels") : nullptr;
  if (labels == nullptr || *labels != want_labels) {
    api::Metadata(next)["labels"] = want_labels;
    changed = true;
  }
  if (!changed) return std::nullopt;
  return next;
}

EndpointReconciler::EndpointReconciler(registry::Registry& registry, EndpointReconcilerOptions options)
    : registry_(registry), options_(std::move(options)) {}

EndpointReconciler::~EndpointReconciler() { Stop(); }

Status EndpointReconciler::Start() {
  K1S_LOG(kInfo, kLog) << "the kubernetes service's endpoint is " << options_.ip << ":" << options_.port;
  Status first = ReconcileOnce();
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  return first;
}

void EndpointReconciler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EndpointReconciler::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, options_.interval, [this] { return stop_; })) {
    lock.unlock();
    (void)ReconcileOnce();
    lock.lock();
  }
}

Status EndpointReconciler::ReconcileOnce() {
  Status a = ReconcileEndpoints();
  if (!a.ok()) {
    K1S_LOG(kWarn, kLog) << "endpoints default/kubernetes: " << a.error().message;
  }
  Status b = ReconcileSlice();
  if (!b.ok()) {
    K1S_LOG(kWarn, kLog) << "endpointslice default/kubernetes: " << b.error().message;
  }
  return a.ok() ? b : a;
}

Status EndpointReconciler::ReconcileEndpoints() {
  const registry::ResourceInfo* r = registry_.Find("", "v1", "endpoints");
  if (r == nullptr) return OkStatus();
  registry::WriteOptions wo;
  wo.field_manager = kFieldManager;
  json::object desired = DesiredEndpoints(options_.ip, options_.port);
  auto current = registry_.Get(*r, kNamespace, kName);
  if (!current.ok()) {
    if (current.error().code != ErrorCode::kNotFound) return Fail(current.error());
    auto created = registry_.Create(*r, kNamespace, std::move(desired), wo);
    if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) return Fail(created.error());
    if (created.ok()) {
      K1S_LOG(kInfo, kLog) << "created endpoints default/kubernetes";
    }
    return OkStatus();
  }
  auto next = RepairEndpoints(*current, desired);
  if (!next) return OkStatus();
  K1S_LOG(kWarn, kLog) << "resetting endpoints default/kubernetes to " << options_.ip << ":" << options_.port;
  auto updated = registry_.Update(*r, kNamespace, kName, std::move(*next), wo);
  if (!updated.ok() && updated.error().code != ErrorCode::kConflict) return Fail(updated.error());
  return OkStatus();  // a conflict: the next pass looks again
}

Status EndpointReconciler::ReconcileSlice() {
  const registry::ResourceInfo* r = registry_.Find("discovery.k8s.io", "v1", "endpointslices");
  if (r == nullptr) return OkStatus();
  registry::WriteOptions wo;
  wo.field_manager = kFieldManager;
  json::object desired = DesiredEndpointSlice(options_.ip, options_.port);
  auto current = registry_.Get(*r, kNamespace, kName);
  if (current.ok() && !SameField(*current, desired, "addressType")) {
    // addressType is immutable: replace the slice, as upstream does.
    auto gone = registry_.Delete(*r, kNamespace, kName, {});
    if (!gone.ok() && gone.error().code != ErrorCode::kNotFound) return Fail(gone.error());
    current = Fail(ErrorCode::kNotFound, "replaced");
  }
  if (!current.ok()) {
    if (current.error().code != ErrorCode::kNotFound) return Fail(current.error());
    auto created = registry_.Create(*r, kNamespace, std::move(desired), wo);
    if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) return Fail(created.error());
    if (created.ok()) {
      K1S_LOG(kInfo, kLog) << "created endpointslice default/kubernetes";
    }
    return OkStatus();
  }
  auto next = RepairEndpointSlice(*current, desired);
  if (!next) return OkStatus();
  K1S_LOG(kWarn, kLog) << "resetting endpointslice default/kubernetes to " << options_.ip << ":" << options_.port;
  auto updated = registry_.Update(*r, kNamespace, kName, std::move(*next), wo);
  if (!updated.ok() && updated.error().code != ErrorCode::kConflict) return Fail(updated.error());
  return OkStatus();
}

}  // namespace k1s::apiserver

#include "server/controllers/serviceaccount/serviceaccount_logic.h"

#include "lib/api/meta.h"

namespace k1s::controllers::serviceaccount {

namespace {
constexpr const char* kDescription =
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the "
    "internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of "
    "Kubernetes clusters.";
}  // namespace

bool NamespaceIsActive(const json::object& ns) {
  if (!api::MetaString(ns, "deletionTimestamp").empty()) return false;
  auto status = ns.find("status");
  if (status == ns.end() || !status->value().is_object()) return true;
  auto phase = status->value().as_object().find("phase");
  return phase == status->value().as_object().end() || !phase->value().is_string() ||
         phase->value().as_string() != "Terminating";
}

json::object DefaultServiceAccount(const std::string& ns) {
  return json::object{{"apiVersion", "v1"},
                      {"kind", "ServiceAccount"},
                      {"metadata", json::object{{"name", kDefaultServiceAccount}, {"namespace", ns}}}};
}

json::object RootCaConfigMap(const std::string& ns, const std::string& ca_pem) {
  return json::object{{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", json::object{{"name", kRootCaConfigMap},
                                                {"namespace", ns},
                                                {"annotations", json::object{{kDescriptionAnnotation, kDescription}}}}},
                      {"data", json::object{{kRootCaKey, ca_pem}}}};
}

std::optional<json::object> RootCaConfigMapUpdate(const json::object& current, const std::string& ca_pem) {
  json::object data{{kRootCaKey, ca_pem}};
  std::string annotation;
  const json::object* md = nullptr;
  if (auto m = current.find("metadata"); m != current.end() && m->value().is_object()) md = &m->value().as_object();
  if (md) {
    if (auto a = md->find("annotations"); a != md->end() && a->value().is_object()) {
      auto d = a->value().as_object().find(kDescriptionAnnotation);
      if (d != a->value().as_object().end() && d->value().is_string()) annotation = d->value().as_string();
    }
  }
  auto cur_data = current.find("data");
  bool data_ok = cur_data != current.end() && cur_data->value() == data;
  if (data_ok && annotation == kDescription) return std::nullopt;
  json::object next = current;
  next["data"] = std::move(data);
  next.erase("binaryData");
  json::object& meta = api::Metadata(next);
  json::value& ann = meta["annotations"];
  if (!ann.is_object()) ann = json::object();
  ann.as_object()[kDescriptionAnnotation] = kDescription;
  return next;
}

}  // namespace k1s::controllers::serviceaccount

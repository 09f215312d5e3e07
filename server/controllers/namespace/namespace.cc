#include "server/controllers/namespace/namespace.h"

#include "lib/api/meta.h"
#include "lib/base/log.h"
#include "server/controllers/namespace/namespace_logic.h"

namespace k1s::controllers::namespaces {

namespace {

constexpr const char* kLog = "namespace";

// A resource the server does not serve (any more) has nothing to delete.
bool NotServed(const Error& e) {
  return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kMethodNotAllowed;
}

}  // namespace

NamespaceController::NamespaceController(const ControllerContext& ctx, std::vector<client::Resource> resources,
                                         std::chrono::milliseconds recheck)
    : ctx_(ctx),
      recheck_(recheck),
      namespaces_(ctx.informers.For(client::kNamespaces)),
      queue_(client::WorkQueueOptions{.name = "namespace"}) {
  for (auto& r : resources) {
    if (r.namespaced) resources_.push_back(std::move(r));
  }
  auto add = [this](const client::ObjectPtr& o) {
    if (IsBeingDeleted(*o)) queue_.Add(api::MetaString(*o, "name"));
  };
  namespaces_.AddEventHandler({add, [add](const client::ObjectPtr&, const client::ObjectPtr& o) { add(o); }, nullptr});
}

NamespaceController::~NamespaceController() { Stop(); }

void NamespaceController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    while (!namespaces_.WaitForSync(std::chrono::milliseconds(200))) {
      if (queue_.ShuttingDown()) return;
    }
    client::RunWorkers(queue_, workers < 1 ? 1 : workers, [this](const std::string& key) { return Reconcile(key); });
  });
}

void NamespaceController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Status NamespaceController::Reconcile(const std::string& name) {
  client::ObjectPtr cached = namespaces_.Get(name);
  if (!cached || !IsBeingDeleted(*cached)) return OkStatus();
  // The cache may be behind a finalize this controller already did: read the live object.
  auto live = ctx_.client.Get(client::kNamespaces, "", name);
  if (!live.ok()) return client::IsNotFound(live.error()) ? OkStatus() : Fail(live.error());
  json::object nsobj = std::move(*live);
  if (!IsBeingDeleted(nsobj) || !HasKubernetesFinalizer(nsobj)) return OkStatus();

  ContentSummary summary;
  client::DeleteOptions background;
  background.propagation_policy = "Background";
  for (const auto& r : resources_) {
    auto list = ctx_.client.List(r, name);
    if (!list.ok()) {
      if (!NotServed(list.error())) summary.failures.push_back(r.GroupResource() + ": " + list.error().message);
      continue;
    }
    for (const auto& item : list->items) {
      std::string item_name = api::MetaString(item, "name");
      bool gone = false;
      if (api::MetaString(item, "deletionTimestamp").empty()) {
        client::DeleteOptions opts = background;
        opts.precondition_uid = api::MetaString(item, "uid");
        auto d = ctx_.client.Delete(r, name, item_name, opts, &gone);
        if (!d.ok()) {
          if (client::IsNotFound(d.error())) continue;
          if (!client::IsConflict(d.error())) {
            summary.failures.push_back(r.GroupResource() + " " + item_name + ": " + d.error().message);
          }
        }
      }
      if (gone) continue;
      ++summary.remaining[r.GroupResource()];
      auto md = item.find("metadata");
      if (md != item.end() && md->value().is_object()) {
        auto fins = md->value().as_object().find("finalizers");
        if (fins != md->value().as_object().end() && fins->value().is_array()) {
          for (const auto& f : fins->value().as_array()) {
            if (f.is_string()) ++summary.finalizers[std::string(f.as_string())];
          }
        }
      }
    }
  }

  if (auto status = StatusWithDeletionConditions(nsobj, summary, api::NowRfc3339())) {
    auto written = ctx_.client.UpdateStatus(client::kNamespaces, "", name, std::move(*status));
    if (!written.ok()) {
      if (client::IsNotFound(written.error())) return OkStatus();
      return Fail(written.error());
    }
    nsobj = std::move(*written);
  }
  if (!summary.failures.empty()) {
    return Fail(ErrorCode::kInternal, "deleting the content of namespace " + name + ": " + summary.failures.front());
  }
  if (!summary.remaining.empty()) {
    K1S_LOG(kDebug, kLog) << "namespace " << name << ": content still being deleted";
    queue_.AddAfter(name, recheck_);
    return OkStatus();
  }
  auto fin = ctx_.client.Update(client::kNamespaces, "", name, WithoutKubernetesFinalizer(std::move(nsobj)), {},
                                "finalize");
  if (!fin.ok()) return client::IsNotFound(fin.error()) ? OkStatus() : Fail(fin.error());
  K1S_LOG(kInfo, kLog) << "namespace " << name << " is empty: finalized";
  return OkStatus();
}

}  // namespace k1s::controllers::namespaces

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "lib/api/meta.h"
#include "lib/client/fake_client.h"
#include "server/controllers/namespace/namespace.h"
#include "server/controllers/namespace/namespace_logic.h"

namespace k1s::controllers::namespaces {
namespace {

using std::chrono::milliseconds;

bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

json::object TerminatingNamespace(const std::string& name) {
  return json::object{{"apiVersion", "v1"},
                      {"kind", "Namespace"},
                      // The metadata finalizer stands for the server keeping a namespace whose
                      // spec.finalizers is not empty (the fake only knows metadata finalizers).
                      {"metadata", json::object{{"name", name}, {"uid", "ns-uid"},
                                                {"deletionTimestamp", "2026-01-01T00:00:00Z"},
                                                {"finalizers", json::array{"test/spec-finalizers"}}}},
                      {"spec", json::object{{"finalizers", json::array{"kubernetes"}}}},
                      {"status", json::object{{"phase", "Terminating"}}}};
}

const json::object* Condition(const json::object& ns, const std::string& type) {
  for (const auto& c : ns.at("status").at("conditions").as_array()) {
    if (c.at("type") == type.c_str()) return &c.as_object();
  }
  return nullptr;
}

TEST(NamespaceLogic, FinalizeBodyDropsOnlyTheKubernetesFinalizer) {
  json::object ns = TerminatingNamespace("a");
  ns["spec"].as_object()["finalizers"].as_array().push_back("example.com/other");
  EXPECT_TRUE(HasKubernetesFinalizer(ns));
  json::object out = WithoutKubernetesFinalizer(ns);
  EXPECT_FALSE(HasKubernetesFinalizer(out));
  EXPECT_EQ(out.at("spec").at("finalizers").as_array().size(), 1u);
}

TEST(NamespaceLogic, RemainingContentIsReportedInConditions) {
  ContentSummary s;
  s.remaining["pods"] = 2;
  s.finalizers["example.com/keep"] = 1;
  auto ns = StatusWithDeletionConditions(TerminatingNamespace("a"), s, "2026-01-01T00:00:01Z");
  ASSERT_TRUE(ns.has_value());
  EXPECT_EQ(Condition(*ns, "NamespaceContentRemaining")->at("status"), "True");
  EXPECT_EQ(Condition(*ns, "NamespaceFinalizersRemaining")->at("status"), "True");
  EXPECT_EQ(Condition(*ns, "NamespaceDeletionContentFailure")->at("status"), "False");
  // The same summary again changes nothing, even at a later time.
  EXPECT_FALSE(StatusWithDeletionConditions(*ns, s, "2026-01-01T00:00:09Z").has_value());
  auto done = StatusWithDeletionConditions(*ns, ContentSummary{}, "2026-01-01T00:00:10Z");
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(Condition(*done, "NamespaceContentRemaining")->at("lastTransitionTime"), "2026-01-01T00:00:10Z");
  EXPECT_EQ(Condition(*done, "NamespaceDeletionDiscoveryFailure")->at("lastTransitionTime"), "2026-01-01T00:00:01Z");
}

// The fake has no namespaces/finalize: this client plays the API server's part (spec.finalizers
// replaced; a deleted namespace with no finalizers left is removed).
class FinalizingClient final : public client::Client {
 public:
  explicit FinalizingClient(client::FakeClient& f) : f_(f) {}
  using Client::Create;
  using Client::Delete;
  using Client::List;
  using Client::Patch;
  using Client::Update;
  Result<json::object> Get(const client::Resource& r, const std::string& ns, const std::string& n) override {
    return f_.Get(r, ns, n);
  }
  Result<client::ObjectList> List(const client::Resource& r, const std::string& ns,
                                  const client::ListOptions& o) override {
    return f_.List(r, ns, o);
  }
  Result<std::unique_ptr<client::Watch>> Watch(const client::Resource& r, const std::string& ns,
                                               const client::ListOptions& o) override {
    return f_.Watch(r, ns, o);
  }
  Result<json::object> Create(const client::Resource& r, const std::string& ns, json::object obj,
                              const client::WriteOptions& o) override {
    return f_.Create(r, ns, std::move(obj), o);
  }
  Result<json::object> Update(const client::Resource& r, const std::string& ns, const std::string& n, json::object obj,
                              const client::WriteOptions& o, const std::string& sub) override {
    if (r == client::kNamespaces && sub == "finalize") {
      ++finalizes;
      K1S_ASSIGN_OR_RETURN(json::object cur, f_.Get(r, ns, n));
      cur["spec"] = obj.at("spec");
      if (cur.at("spec").at("finalizers").as_array().empty()) cur["metadata"].as_object().erase("finalizers");
      return f_.Update(r, ns, n, cur, o, "");
    }
    return f_.Update(r, ns, n, std::move(obj), o, sub);
  }
  Result<json::object> Patch(const client::Resource& r, const std::string& ns, const std::string& n,
                             client::PatchType t, const json::value& p, const client::WriteOptions& o,
                             const std::string& sub) override {
    return f_.Patch(r, ns, n, t, p, o, sub);
  }
  Result<json::object> Delete(const client::Resource& r, const std::string& ns, const std::string& n,
                              const client::DeleteOptions& o, bool* gone) override {
    return f_.Delete(r, ns, n, o, gone);
  }
  Result<client::ObjectList> DeleteCollection(const client::Resource& r, const std::string& ns,
                                              const client::ListOptions& l, const client::DeleteOptions& o) override {
    return f_.DeleteCollection(r, ns, l, o);
  }
  Result<json::object> Post(const client::Resource& r, const std::string& ns, const std::string& n,
                            const std::string& sub, const json::object& body) override {
    return f_.Post(r, ns, n, sub, body);
  }
  std::atomic<int> finalizes{0};

 private:
  client::FakeClient& f_;
};

struct Harness {
  client::FakeClient fake;
  FinalizingClient api{fake};
  client::SharedInformerFactory informers{api, client::InformerOptions{.poll_interval = milliseconds(20)}};
  client::EventRecorder events{api, "test"};
  ControllerContext ctx{api, informers, events};
};

json::object ConfigMap(const std::string& ns, const std::string& name, json::array finalizers = {}) {
  json::object md{{"name", name}, {"namespace", ns}};
  if (!finalizers.empty()) md["finalizers"] = std::move(finalizers);
  return json::object{{"metadata", std::move(md)}, {"data", json::object{{"k", "v"}}}};
}

TEST(NamespaceController, DeletesTheContentThenFinalizesTheNamespace) {
  Harness h;
  ASSERT_TRUE(h.fake.Create(client::kConfigMaps, "doomed", ConfigMap("doomed", "a")).ok());
  ASSERT_TRUE(h.fake.Create(client::kSecrets, "doomed", ConfigMap("doomed", "s")).ok());
  ASSERT_TRUE(h.fake.Create(client::kConfigMaps, "other", ConfigMap("other", "b")).ok());
  NamespaceController c(h.ctx, {client::kConfigMaps, client::kSecrets, client::kNodes}, milliseconds(20));
  h.informers.Start();
  c.Start(1);
  h.fake.Seed(client::kNamespaces, TerminatingNamespace("doomed"));
  ASSERT_TRUE(Eventually([&] { return !h.fake.Get(client::kNamespaces, "", "doomed").ok(); }));
  EXPECT_TRUE(h.fake.List(client::kConfigMaps, "doomed")->items.empty());
  EXPECT_TRUE(h.fake.List(client::kSecrets, "doomed")->items.empty());
  EXPECT_TRUE(h.fake.Get(client::kConfigMaps, "other", "b").ok());
  c.Stop();
}

TEST(NamespaceController, WaitsForObjectsWithFinalizersBeforeFinalizing) {
  Harness h;
  ASSERT_TRUE(h.fake.Create(client::kConfigMaps, "doomed", ConfigMap("doomed", "held", {"example.com/hold"})).ok());
  NamespaceController c(h.ctx, {client::kConfigMaps}, milliseconds(20));
  h.informers.Start();
  c.Start(1);
  h.fake.Seed(client::kNamespaces, TerminatingNamespace("doomed"));
  ASSERT_TRUE(Eventually([&] {
    auto ns = h.fake.Get(client::kNamespaces, "", "doomed");
    return ns.ok() && ns->at("status").as_object().contains("conditions") &&
           Condition(*ns, "NamespaceFinalizersRemaining")->at("status") == "True";
  }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(h.api.finalizes.load(), 0);
  ASSERT_TRUE(h.fake.Get(client::kNamespaces, "", "doomed").ok());
  // The finalizer's owner lets go: the object goes, then the namespace.
  auto held = h.fake.Get(client::kConfigMaps, "doomed", "held");
  ASSERT_TRUE(held.ok());
  json::object released = *held;
  released["metadata"].as_object().erase("finalizers");
  ASSERT_TRUE(h.fake.Update(client::kConfigMaps, "doomed", "held", released).ok());
  ASSERT_TRUE(Eventually([&] { return !h.fake.Get(client::kNamespaces, "", "doomed").ok(); }));
  c.Stop();
}

TEST(NamespaceController, ActiveNamespacesAreLeftAlone) {
  Harness h;
  ASSERT_TRUE(h.fake.Create(client::kNamespaces, "", json::object{{"metadata", json::object{{"name", "live"}}}}).ok());
  ASSERT_TRUE(h.fake.Create(client::kConfigMaps, "live", ConfigMap("live", "a")).ok());
  NamespaceController c(h.ctx, {client::kConfigMaps});
  h.informers.Start();
  ASSERT_TRUE(h.informers.WaitForSync(milliseconds(2000)));
  ASSERT_TRUE(c.Reconcile("live").ok());
  EXPECT_TRUE(h.fake.Get(client::kConfigMaps, "live", "a").ok());
}

}  // namespace
}  // namespace k1s::controllers::namespaces

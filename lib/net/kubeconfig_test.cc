#include "lib/net/kubeconfig.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "lib/base/files.h"
#include "lib/base/process.h"
#include "lib/base/strings.h"
#include "lib/net/pki.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::net {
namespace {

struct Admin {
  CertBundle ca, admin;
};

Admin MakeAdmin() {
  Admin out;
  auto ca = CreateSelfSignedCa("ca", 10);
  EXPECT_TRUE(ca.ok());
  out.ca = *ca;
  CertRequest req;
  req.common_name = "system:admin";
  req.organizations = {"system:masters"};
  req.usage = CertUsage::kClient;
  auto admin = IssueCertificate(out.ca, req);
  EXPECT_TRUE(admin.ok());
  out.admin = *admin;
  return out;
}

std::string Decoded(const YAML::Node& node) {
  std::string out;
  EXPECT_TRUE(Base64Decode(node.as<std::string>(), &out));
  return out;
}

TEST(KubeconfigTest, RenderedKubeconfigIsYamlWithTheBase64Data) {
  Admin a = MakeAdmin();
  std::string yaml = RenderKubeconfig("https://127.0.0.1:6443", a.ca.cert_pem, a.admin.cert_pem, a.admin.key_pem);
  EXPECT_NE(yaml.find("certificate-authority-data: " + Base64Encode(a.ca.cert_pem)), std::string::npos);
  EXPECT_NE(yaml.find("name: default\n"), std::string::npos);  // plain, exactly like k3s
  try {
    YAML::Node doc = YAML::Load(yaml);
    EXPECT_EQ(doc["apiVersion"].as<std::string>(), "v1");
    EXPECT_EQ(doc["kind"].as<std::string>(), "Config");
    EXPECT_EQ(doc["current-context"].as<std::string>(), "default");
    EXPECT_EQ(doc["clusters"][0]["name"].as<std::string>(), "default");
    EXPECT_EQ(doc["clusters"][0]["cluster"]["server"].as<std::string>(), "https://127.0.0.1:6443");
    EXPECT_EQ(Decoded(doc["clusters"][0]["cluster"]["certificate-authority-data"]), a.ca.cert_pem);
    EXPECT_EQ(doc["contexts"][0]["context"]["cluster"].as<std::string>(), "default");
    EXPECT_EQ(doc["contexts"][0]["context"]["user"].as<std::string>(), "default");
    EXPECT_EQ(doc["users"][0]["name"].as<std::string>(), "default");
    EXPECT_EQ(Decoded(doc["users"][0]["user"]["client-certificate-data"]), a.admin.cert_pem);
    EXPECT_EQ(Decoded(doc["users"][0]["user"]["client-key-data"]), a.admin.key_pem);
  } catch (const YAML::Exception& e) {
    FAIL() << "kubeconfig is not YAML: " << e.what() << "\n" << yaml;
  }
}

TEST(KubeconfigTest, UnusualNamesStaySingleYamlScalars) {
  Admin a = MakeAdmin();
  std::string yaml = RenderKubeconfig("https://[::1]:6443", a.ca.cert_pem, a.admin.cert_pem, a.admin.key_pem,
                                      "my cluster: \"prod\"", "@admin");
  try {
    YAML::Node doc = YAML::Load(yaml);
    EXPECT_EQ(doc["clusters"][0]["cluster"]["server"].as<std::string>(), "https://[::1]:6443");
    EXPECT_EQ(doc["clusters"][0]["name"].as<std::string>(), "my cluster: \"prod\"");
    EXPECT_EQ(doc["current-context"].as<std::string>(), "my cluster: \"prod\"");
    EXPECT_EQ(doc["contexts"][0]["context"]["user"].as<std::string>(), "@admin");
    EXPECT_EQ(doc["users"][0]["name"].as<std::string>(), "@admin");
  } catch (const YAML::Exception& e) {
    FAIL() << "kubeconfig is not YAML: " << e.what() << "\n" << yaml;
  }
}

TEST(KubeconfigTest, WriteCreatesParentsAndAppliesTheModeEvenOverAnOldFile) {
  testutil::TempDir dir;
  std::string path = dir.File("etc/k1s/k1s.yaml");
  ASSERT_TRUE(WriteKubeconfig(path, "old", 0600).ok());
  ASSERT_TRUE(WriteKubeconfig(path, "new", 0644).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(*ReadFile(path), "new");
}

TEST(KubeconfigTest, RealKubectlReadsOurKubeconfig) {
  if (FindInPath("kubectl").empty()) GTEST_SKIP() << "kubectl not installed";
  testutil::TempDir dir;
  Admin a = MakeAdmin();
  std::string path = dir.File("etc/k1s/k1s.yaml");
  ASSERT_TRUE(WriteKubeconfig(path, RenderKubeconfig("https://127.0.0.1:6443", a.ca.cert_pem, a.admin.cert_pem,
                                                     a.admin.key_pem),
                              0600)
                  .ok());
  std::string out = dir.File("out.txt");
  std::string cmd = "kubectl config view --kubeconfig " + path +
                    " --raw -o jsonpath='{.clusters[0].cluster.server} {.current-context} "
                    "{.users[0].user.client-key-data}' > " +
                    out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(*ReadFile(out), "https://127.0.0.1:6443 default " + Base64Encode(a.admin.key_pem));
}

}  // namespace
}  // namespace k1s::net

// The certificates, keys and join token `k1s server` keeps under <data-dir>/server/ (k3s's layout):
// created on first start, reused on later starts; a leaf certificate is re-issued by the same CA when
// its names change (a new --tls-san), it no longer verifies, or it is within 90 days of expiry.
// Called once from the server's start-up wiring on the main thread; two processes must not share a
// data dir.
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.h"
#include "lib/net/pki.h"

namespace k1s::net {

inline constexpr int kCaValidityDays = 3650;   // like k3s: ten years
inline constexpr int kLeafValidityDays = 365;  // like k3s: one year
inline constexpr int kRenewWithinDays = 90;    // like k3s: renewed on start when this close to expiry

struct ServerPkiOptions {
  std::string data_dir;                       // required
  std::vector<std::string> tls_sans;          // --tls-san: IP addresses or DNS names
  std::string service_cidr = "10.43.0.0/16";  // --service-cidr; "v4,v6" for dual stack
  std::string cluster_domain = "cluster.local";
  std::string advertise_address;              // --advertise-address (an IP), optional
  std::string node_name;                      // empty: this host's name
  std::string token;                          // --token, short or full form; empty: random on first start
  bool add_host_addresses = true;             // this host's non-loopback addresses as serving SANs
};

struct ServerPkiPaths {
  std::string tls_dir;                        // <data-dir>/server/tls
  std::string server_ca_cert, server_ca_key;  // server-ca.{crt,key}: signs serving certificates
  std::string client_ca_cert, client_ca_key;  // client-ca.{crt,key}: signs client certificates
  std::string serving_cert, serving_key;      // serving-kube-apiserver.{crt,key}
  std::string admin_cert, admin_key;          // client-admin.{crt,key}: CN system:admin, O system:masters
  std::string service_key, service_pub;       // service.{key,pub}: service-account token signing
  std::string token;                          // <data-dir>/server/token
  std::string node_token;                     // <data-dir>/server/node-token, a symlink to token (k3s)
};
ServerPkiPaths ServerPkiPathsFor(const std::string& data_dir);

struct ServerPki {
  ServerPkiPaths paths;
  CertBundle server_ca, client_ca, serving, admin;
  std::string service_key_pem, service_pub_pem;
  std::string token;                 // K10<sha256 of server-ca.crt's bytes>::server:<secret>
  std::vector<std::string> written;  // files created or replaced by this call; empty on a plain restart
};

// Creates what is missing, re-issues what is stale, and returns everything. Errors (kInvalid) when
// --token differs from the stored token or pins another CA, when a CA certificate exists without
// its key, or when a key does not belong to its CA certificate: those need a person, not a new CA.
Result<ServerPki> EnsureServerPki(const ServerPkiOptions& options);

// The serving certificate's request: CN kube-apiserver; DNS localhost, kubernetes, kubernetes.default,
// kubernetes.default.svc, kubernetes.default.svc.<cluster-domain>, the node name; IPs 127.0.0.1, ::1,
// the first IP of each service CIDR, the host's addresses, the advertise address; plus every --tls-san.
// Sorted and without duplicates, IPs in canonical text.
Result<CertRequest> ServingCertRequest(const ServerPkiOptions& options);

// The first address of a CIDR, the kubernetes Service's IP: "10.43.0.0/16" -> "10.43.0.1",
// "2001:cafe:43::/112" -> "2001:cafe:43::1". Host bits in the input are ignored. kInvalid for text
// that is not a CIDR or a prefix too long to hold a host.
Result<std::string> FirstServiceIp(const std::string& cidr);

// This host's addresses except loopback and IPv6 link-local, of interfaces that are up.
std::vector<std::string> HostAddresses();

}  // namespace k1s::net

#!/usr/bin/env python3
"""Starts the real `k1s server --disable-agent` on a free port and a temp data dir and drives it with the
real kubectl, the way a user does: discovery, namespaces, apply (create, unchanged, configured), get with
tables and selectors, watch, patch, replace conflicts, delete, error messages, restart keeping data."""
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

K1S = os.environ.get("K1S_BIN", "build/test/cmd/k1s")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, data_dir, kubeconfig, extra_args=()):
        self.data_dir, self.kubeconfig = data_dir, kubeconfig
        self.port = free_port()
        self.log_path = os.path.join(os.path.dirname(kubeconfig), "server.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("K1S_")}
        offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [K1S, "server", "--disable-agent", "--config", "/dev/null", "--bind-address", "127.0.0.1",
             "--https-listen-port", str(self.port), "--data-dir", data_dir, "--write-kubeconfig", kubeconfig,
             *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                with open(self.log_path) as f:
                    raise RuntimeError("k1s server exited: " + f.read())
            with open(self.log_path) as f:
                f.seek(offset)
                if "ready in" in f.read():  # this run's line, not an earlier run's
                    return
            time.sleep(0.05)
        with open(self.log_path) as f:
            raise RuntimeError("k1s server did not become ready: " + f.read())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.close()
        return self.proc.returncode


class ApiServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="k1s-api-")
        cls.dir = cls.tmp.name
        cls.kubeconfig = os.path.join(cls.dir, "kc.yaml")
        cls.server = Server(os.path.join(cls.dir, "data"), cls.kubeconfig)

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop()
        cls.tmp.cleanup()

    def kubectl(self, *args, input=None, ok=True):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, KUBECACHEDIR=os.path.join(self.dir, "cache"))
        r = subprocess.run(["kubectl", *args], capture_output=True, text=True, input=input, env=env, timeout=60)
        if ok:
            self.assertEqual(r.returncode, 0, "kubectl %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def test_version_and_health(self):
        r = self.kubectl("version", "-o", "json")
        self.assertIn('"minor": "32"', r.stdout)
        self.assertEqual(self.kubectl("get", "--raw", "/healthz").stdout, "ok")
        self.assertIn("readyz check passed", self.kubectl("get", "--raw", "/readyz?verbose").stdout)

    def test_system_namespaces_exist(self):
        out = self.kubectl("get", "namespaces").stdout
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.assertIn(ns, out)
        self.assertIn("STATUS", out.splitlines()[0])

    def test_aggregated_and_legacy_discovery(self):
        import json as _json
        r = self.kubectl("get", "--raw", "/apis")
        self.assertIn('"APIGroupList"', r.stdout)  # plain Accept: the legacy document
        out = subprocess.run(
            ["curl", "-sS", "--cacert", os.path.join(self.dir, "data/server/tls/server-ca.crt"),
             "--cert", os.path.join(self.dir, "data/server/tls/client-admin.crt"),
             "--key", os.path.join(self.dir, "data/server/tls/client-admin.key"),
             "-H", "Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
             "-D", "-", "https://127.0.0.1:%d/apis" % self.server.port], capture_output=True, text=True)
        text = out.stdout.replace("\r\n", "\n")  # universal newlines may or may not have converted
        self.assertIn("\n\n", text, out.stderr)
        head, body = text.split("\n\n", 1)
        self.assertIn("as=APIGroupDiscoveryList", head)
        doc = _json.loads(body)
        self.assertEqual(doc["apiVersion"], "apidiscovery.k8s.io/v2")
        apps = [g for g in doc["items"] if g["metadata"]["name"] == "apps"][0]
        deploy = [x for x in apps["versions"][0]["resources"] if x["resource"] == "deployments"][0]
        self.assertEqual(deploy["scope"], "Namespaced")
        self.assertEqual(deploy["shortNames"], ["deploy"])

    def test_api_resources_lists_short_names(self):
        out = self.kubectl("api-resources").stdout
        self.assertRegex(out, r"configmaps\s+cm\s+v1\s+true\s+ConfigMap")
        self.assertRegex(out, r"namespaces\s+ns\s+v1\s+false\s+Namespace")

    def test_apply_twice_then_changed_then_delete(self):
        manifest = """apiVersion: v1
kind: Namespace
metadata:
  name: apply-ns
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: apply-ns
  labels: {app: web}
data:
  key: value
"""
        out = self.kubectl("apply", "-f", "-", input=manifest).stdout
        self.assertIn("namespace/apply-ns created", out)
        self.assertIn("configmap/web-config created", out)
        out = self.kubectl("apply", "-f", "-", input=manifest).stdout
        self.assertIn("configmap/web-config unchanged", out)
        out = self.kubectl("apply", "-f", "-", input=manifest.replace("key: value", "key: changed")).stdout
        self.assertIn("configmap/web-config configured", out)
        got = self.kubectl("get", "cm", "web-config", "-n", "apply-ns", "-o", "jsonpath={.data.key}").stdout
        self.assertEqual(got, "changed")
        table = self.kubectl("get", "cm", "-n", "apply-ns").stdout
        self.assertRegex(table, r"NAME\s+DATA\s+AGE")
        self.assertRegex(table, r"web-config\s+1\s+\d+s")
        self.assertIn("web-config", self.kubectl("get", "cm", "-A", "-l", "app=web").stdout)
        self.assertNotIn("web-config", self.kubectl("get", "cm", "-A", "-l", "app=db").stdout)
        self.assertIn('configmap "web-config" deleted', self.kubectl("delete", "cm", "web-config", "-n", "apply-ns").stdout)
        r = self.kubectl("get", "cm", "web-config", "-n", "apply-ns", ok=False)
        self.assertIn('Error from server (NotFound): configmaps "web-config" not found', r.stderr)
        self.kubectl("delete", "ns", "apply-ns")

    def test_error_messages_match_kubernetes(self):
        r = self.kubectl("apply", "-f", "-", ok=False,
                         input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name, namespace: default}\n")
        self.assertIn('The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"', r.stderr)
        r = self.kubectl("apply", "-f", "-", ok=False,
                         input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: nowhere}\n")
        self.assertIn('namespaces "nowhere" not found', r.stderr)
        cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup, namespace: default}\n"
        self.kubectl("create", "-f", "-", input=cm)
        r = self.kubectl("create", "-f", "-", input=cm, ok=False)
        self.assertIn('Error from server (AlreadyExists): error when creating "STDIN": configmaps "dup" already exists',
                      r.stderr)
        r = self.kubectl("delete", "ns", "default", ok=False)
        self.assertIn("this namespace may not be deleted", r.stderr)

    def test_replace_with_stale_version_is_a_conflict(self):
        self.kubectl("create", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cas, namespace: default}\ndata: {a: '1'}\n")
        stale = self.kubectl("get", "cm", "cas", "-o", "yaml").stdout
        self.kubectl("patch", "cm", "cas", "--type", "merge", "-p", '{"data":{"a":"2"}}')
        r = self.kubectl("replace", "-f", "-", input=stale, ok=False)
        self.assertIn('Operation cannot be fulfilled on configmaps "cas": the object has been modified', r.stderr)
        self.assertEqual(self.kubectl("get", "cm", "cas", "-o", "jsonpath={.data.a}").stdout, "2")

    def test_get_watch_receives_events(self):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, KUBECACHEDIR=os.path.join(self.dir, "cache"))
        self.kubectl("create", "namespace", "--dry-run=client", "-o", "yaml", "watch-ns")  # client-only sanity
        self.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata: {name: watch-ns}\n")
        w = subprocess.Popen(["kubectl", "get", "cm", "-n", "watch-ns", "-w", "--output-watch-events"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        time.sleep(1)
        self.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w1, namespace: watch-ns}\n")
        self.kubectl("delete", "cm", "w1", "-n", "watch-ns")
        time.sleep(1)
        w.terminate()
        out, _ = w.communicate(timeout=10)
        self.assertRegex(out, r"ADDED\s+w1")
        self.assertRegex(out, r"DELETED\s+w1")

    def test_json_patch_and_other_kinds(self):
        deploy = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
"""
        self.assertIn("deployment.apps/web created", self.kubectl("apply", "-f", "-", input=deploy).stdout)
        self.assertEqual(self.kubectl("get", "deploy", "web", "-o", "jsonpath={.metadata.generation}").stdout, "1")
        self.kubectl("patch", "deploy", "web", "--type", "json", "-p", '[{"op":"replace","path":"/spec/replicas","value":3}]')
        self.assertEqual(self.kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.metadata.generation}").stdout, "3 2")
        self.kubectl("label", "deploy", "web", "tier=front")  # metadata only: generation stays
        self.assertEqual(self.kubectl("get", "deploy", "web", "-o", "jsonpath={.metadata.generation}").stdout, "2")
        r = self.kubectl("patch", "deploy", "web", "--type", "json", "-p", '[{"op":"remove","path":"/nope"}]', ok=False)
        self.assertIn("does not exist", r.stderr)
        self.assertIn("web", self.kubectl("get", "all").stdout)
        self.kubectl("delete", "deploy", "web")

    def test_imperative_creates_send_protobuf(self):
        self.assertIn("namespace/imp created", self.kubectl("create", "namespace", "imp").stdout)
        self.kubectl("create", "configmap", "c1", "-n", "imp", "--from-literal=a=b")
        self.kubectl("create", "secret", "generic", "s1", "-n", "imp", "--from-literal=k=v")
        self.kubectl("create", "serviceaccount", "robot", "-n", "imp")
        self.kubectl("create", "deployment", "web", "-n", "imp", "--image=nginx", "--replicas=2")
        self.assertEqual(self.kubectl("get", "cm", "c1", "-n", "imp", "-o", "jsonpath={.data.a}").stdout, "b")
        self.assertEqual(self.kubectl("get", "secret", "s1", "-n", "imp", "-o", "jsonpath={.data.k}").stdout, "dg==")
        self.assertEqual(self.kubectl("get", "deploy", "web", "-n", "imp", "-o", "jsonpath={.spec.replicas}").stdout, "2")
        r = self.kubectl("create", "configmap", "c1", "-n", "imp", ok=False)
        self.assertIn('configmaps "c1" already exists', r.stderr)
        self.kubectl("delete", "namespace", "imp")
        self.assertIn("No resources found", self.kubectl("get", "cm", "-n", "imp").stderr)

    def test_services_get_cluster_ips_and_node_ports(self):
        out = self.kubectl("get", "svc", "kubernetes", "-n", "default").stdout
        self.assertRegex(out, r"kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443/TCP")
        svc = """apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""
        self.kubectl("apply", "-f", "-", input=svc)
        ip = self.kubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}").stdout
        self.assertRegex(ip, r"^10\.43\.\d+\.\d+$")
        node_port = int(self.kubectl("get", "svc", "web", "-o", "jsonpath={.spec.ports[0].nodePort}").stdout)
        self.assertTrue(30000 <= node_port <= 32767)
        self.assertEqual(self.kubectl("get", "svc", "web", "-o", "jsonpath={.spec.ports[0].protocol}").stdout, "TCP")
        # Apply again: the allocation is kept; changing clusterIP is refused.
        self.kubectl("apply", "-f", "-", input=svc.replace("port: 80,", "port: 81,"))
        self.assertEqual(self.kubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}").stdout, ip)
        r = self.kubectl("patch", "svc", "web", "--type", "merge", "-p", '{"spec":{"clusterIP":"10.43.9.9"}}', ok=False)
        self.assertIn("may not change once set", r.stderr)
        # A taken IP and a missing port are Invalid with the field named.
        r = self.kubectl("apply", "-f", "-", ok=False,
                         input="apiVersion: v1\nkind: Service\nmetadata: {name: dup, namespace: default}\nspec:\n  clusterIP: %s\n  ports: [{port: 80}]\n" % ip)
        self.assertIn("provided IP is already allocated", r.stderr)
        r = self.kubectl("apply", "-f", "-", ok=False,
                         input="apiVersion: v1\nkind: Service\nmetadata: {name: noports, namespace: default}\nspec: {}\n")
        self.assertIn('The Service "noports" is invalid', r.stderr)
        self.assertIn("spec.ports: Required value", r.stderr)
        # Deleting frees the IP: a new Service may take it.
        self.kubectl("delete", "svc", "web")
        self.kubectl("apply", "-f", "-",
                     input="apiVersion: v1\nkind: Service\nmetadata: {name: reuse, namespace: default}\nspec:\n  clusterIP: %s\n  ports: [{port: 80}]\n" % ip)
        self.kubectl("delete", "svc", "reuse")

    def test_finalizers_hold_deletion_until_removed(self):
        self.kubectl("apply", "-f", "-",
                     input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: default, finalizers: [example.com/hold]}\n")
        self.kubectl("delete", "cm", "held", "--wait=false")
        ts = self.kubectl("get", "cm", "held", "-o", "jsonpath={.metadata.deletionTimestamp}").stdout
        self.assertRegex(ts, r"^\d{4}-\d\d-\d\dT")
        self.kubectl("patch", "cm", "held", "--type", "json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
        r = self.kubectl("get", "cm", "held", ok=False)
        self.assertIn('configmaps "held" not found', r.stderr)

    def test_delete_by_label_selector(self):
        for i in range(3):
            self.kubectl("apply", "-f", "-",
                         input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sel%d, namespace: default, labels: {batch: x%d}}\n" % (i, i % 2))
        out = self.kubectl("delete", "cm", "-l", "batch=x0").stdout
        self.assertIn('configmap "sel0" deleted', out)
        self.assertIn('configmap "sel2" deleted', out)
        self.assertIn("sel1", self.kubectl("get", "cm").stdout)
        self.kubectl("delete", "cm", "sel1")

    def test_zz_restart_keeps_objects_and_versions(self):
        self.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep, namespace: default}\ndata: {a: b}\n")
        rv = self.kubectl("get", "cm", "keep", "-o", "jsonpath={.metadata.resourceVersion}").stdout
        self.assertEqual(self.server.stop(), 0)
        type(self).server = Server(os.path.join(self.dir, "data"), self.kubeconfig)
        self.assertEqual(self.kubectl("get", "cm", "keep", "-o", "jsonpath={.metadata.resourceVersion}").stdout, rv)


class AnonymousTest(unittest.TestCase):
    def test_anonymous_requests_are_forbidden_but_health_is_public(self):
        tmp = tempfile.TemporaryDirectory(prefix="k1s-anon-")
        server = Server(os.path.join(tmp.name, "data"), os.path.join(tmp.name, "kc.yaml"))
        try:
            base = "https://127.0.0.1:%d" % server.port
            ca = os.path.join(tmp.name, "data", "server", "tls", "server-ca.crt")
            r = subprocess.run(["curl", "-sS", "--cacert", ca, base + "/api/v1/namespaces"], capture_output=True, text=True)
            self.assertIn('"reason":"Forbidden"', r.stdout)
            self.assertIn("system:anonymous", r.stdout)
            r = subprocess.run(["curl", "-sS", "--cacert", ca, base + "/livez"], capture_output=True, text=True)
            self.assertEqual(r.stdout, "ok")
        finally:
            server.stop()
            tmp.cleanup()


class RequestHandlingTest(unittest.TestCase):
    """Raw HTTPS requests the way curl or a client library sends them: body media types (YAML, JSON
    without a Content-Type, 415 for others), apiVersion/kind checks, query parameters converted as
    upstream converts them (timeout, limit, timeoutSeconds, fieldManager), the deprecated watch paths."""

    @classmethod
    def setUpClass(cls):
        import ssl
        cls.tmp = tempfile.TemporaryDirectory(prefix="k1s-req-")
        cls.dir = cls.tmp.name
        cls.server = Server(os.path.join(cls.dir, "data"), os.path.join(cls.dir, "kc.yaml"))
        tls = os.path.join(cls.dir, "data", "server", "tls")
        cls.ctx = ssl.create_default_context(cafile=os.path.join(tls, "server-ca.crt"))
        cls.ctx.load_cert_chain(os.path.join(tls, "client-admin.crt"), os.path.join(tls, "client-admin.key"))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def request(self, method, path, body=None, content_type=None, timeout=30):
        import http.client
        import json as _json
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, context=self.ctx, timeout=timeout)
        headers = {"Accept": "application/json"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        data = body.encode() if isinstance(body, str) else body
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read().decode()
        conn.close()
        try:
            doc = _json.loads(text)
        except ValueError:
            doc = None
        return r.status, r, doc, text

    def assertStatus(self, got, code, reason, message=None):
        status, _, doc, text = got
        self.assertEqual(status, code, text)
        self.assertEqual(doc["kind"], "Status", text)
        self.assertEqual(doc["reason"], reason, text)
        self.assertEqual(doc["code"], code, text)
        if message is not None:
            self.assertEqual(doc["message"], message, text)
        return doc

    CM = "/api/v1/namespaces/default/configmaps"

    def test_yaml_bodies_create_and_update(self):
        body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  key: value\n"
        status, _, doc, text = self.request("POST", self.CM, body, "application/yaml")
        self.assertEqual(status, 201, text)
        self.assertEqual(doc["data"], {"key": "value"})
        rv = doc["metadata"]["resourceVersion"]
        update = body.replace("key: value", "key: changed") + "  other: 'yes'\n"
        update = update.replace("name: from-yaml", "name: from-yaml\n  resourceVersion: '%s'" % rv)
        status, _, doc, text = self.request("PUT", self.CM + "/from-yaml", update, "application/yaml; charset=utf-8")
        self.assertEqual(status, 200, text)
        self.assertEqual(doc["data"], {"key": "changed", "other": "yes"})
        doc = self.assertStatus(self.request("POST", self.CM, "metadata: {name: [x\n", "application/yaml"), 400, "BadRequest")
        self.assertTrue(doc["message"].startswith(
            "the object provided is unrecognized (must be of type ConfigMap): error converting YAML to JSON: yaml: line "),
            doc["message"])

    def test_json_without_content_type_is_accepted(self):
        status, _, doc, text = self.request("POST", self.CM, '{"metadata":{"name":"no-type"}}')
        self.assertEqual(status, 201, text)
        self.assertEqual(doc["kind"], "ConfigMap")

    def test_unsupported_media_types_are_415(self):
        self.assertStatus(self.request("POST", self.CM, '{"metadata":{"name":"plain"}}', "text/plain"), 415,
                          "UnsupportedMediaType",
                          "the body of the request was in an unknown format - accepted media types include: "
                          "application/json, application/yaml, application/vnd.kubernetes.protobuf")
        self.assertEqual(self.request("GET", self.CM + "/plain")[0], 404)
        self.request("POST", self.CM, '{"metadata":{"name":"patched"}}', "application/json")
        self.assertStatus(self.request("PATCH", self.CM + "/patched", '{"data":{"a":"b"}}', "application/json"), 415,
                          "UnsupportedMediaType",
                          "the body of the request was in an unknown format - accepted media types include: "
                          "application/json-patch+json, application/merge-patch+json, "
                          "application/strategic-merge-patch+json, application/apply-patch+yaml")
        status, _, doc, text = self.request("PATCH", self.CM + "/patched", '{"data":{"a":"b"}}',
                                            "application/merge-patch+json; charset=utf-8")
        self.assertEqual(status, 200, text)

    def test_body_api_version_and_kind_must_match_the_url(self):
        self.assertStatus(
            self.request("POST", self.CM, '{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x1"}}',
                         "application/json"), 400, "BadRequest",
            'ConfigMap in version "v1" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for '
            'version "apps/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"')
        self.assertStatus(
            self.request("POST", self.CM, '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x2"}}',
                         "application/json"), 400, "BadRequest",
            'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): '
            'unknown conversion')
        self.assertStatus(
            self.request("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
                         '{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"x3"}}',
                         "application/json"), 400, "BadRequest",
            "the API version in the data (autoscaling/v2) does not match the expected API version (autoscaling/v1)")
        status, _, doc, text = self.request("POST", self.CM, '{"metadata":{"name":"defaulted"}}', "application/json")
        self.assertEqual(status, 201, text)
        self.assertEqual((doc["apiVersion"], doc["kind"]), ("v1", "ConfigMap"))

    def test_request_timeout_parameter(self):
        self.assertStatus(self.request("GET", self.CM + "?timeout=soon"), 400, "BadRequest",
                          'invalid timeout specified in the request URL - time: invalid duration "soon"')
        self.assertStatus(self.request("GET", "/version?timeout=5"), 400, "BadRequest",
                          'invalid timeout specified in the request URL - time: missing unit in duration "5"')
        self.assertEqual(self.request("GET", self.CM + "?timeout=32s")[0], 200)
        # A list that waits for a revision the store has not reached gives up at the request's deadline.
        started = time.time()
        self.assertStatus(self.request("GET", self.CM + "?resourceVersion=99999999&timeout=1s"), 504, "Timeout",
                          "Timeout: request did not complete within requested timeout - context deadline exceeded")
        self.assertLess(time.time() - started, 2.9)

    def test_unparsable_list_parameters_are_400(self):
        self.assertStatus(self.request("GET", self.CM + "?limit=abc"), 400, "BadRequest",
                          'strconv.ParseInt: parsing "abc": invalid syntax')
        self.assertStatus(self.request("GET", self.CM + "?watch=true&timeoutSeconds=ten"), 400, "BadRequest",
                          'strconv.ParseInt: parsing "ten": invalid syntax')
        self.assertStatus(self.request("DELETE", self.CM + "?limit=1x"), 400, "BadRequest",
                          'strconv.ParseInt: parsing "1x": invalid syntax')
        self.assertEqual(self.request("GET", self.CM + "?limit=%205")[0], 200)

    def test_field_manager_is_at_most_128_bytes(self):
        doc = self.assertStatus(
            self.request("POST", self.CM + "?fieldManager=" + "m" * 129, '{"metadata":{"name":"fm"}}',
                         "application/json"), 422, "Invalid",
            'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes')
        self.assertEqual(doc["details"]["causes"][0]["field"], "fieldManager")
        status, _, doc, text = self.request("POST", self.CM + "?fieldManager=" + "m" * 128, '{"metadata":{"name":"fm"}}',
                                            "application/json")
        self.assertEqual(status, 201, text)
        self.assertStatus(self.request("PATCH", self.CM + "/fm", '{"metadata":{"name":"fm"}}',
                                       "application/apply-patch+yaml"), 422, "Invalid",
                          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for '
                          'apply patch')

    def read_watch(self, path):
        status, r, _, text = self.request("GET", path, timeout=30)
        self.assertEqual(status, 200, text)
        import json as _json
        return [_json.loads(line) for line in text.splitlines() if line.strip()]

    def test_deprecated_watch_paths_are_watches(self):
        self.request("POST", self.CM, '{"metadata":{"name":"watched"}}', "application/json")
        events = self.read_watch("/api/v1/watch/namespaces/default/configmaps?timeoutSeconds=1")
        self.assertIn(("ADDED", "watched"), [(e["type"], e["object"]["metadata"]["name"]) for e in events])
        events = self.read_watch("/api/v1/watch/namespaces/default/configmaps/watched?timeoutSeconds=1")
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in events], [("ADDED", "watched")])
        events = self.read_watch("/api/v1/watch/configmaps?timeoutSeconds=1")
        self.assertIn("watched", [e["object"]["metadata"]["name"] for e in events])
        events = self.read_watch("/api/v1/watch/namespaces/default?timeoutSeconds=1")
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in events], [("ADDED", "default")])
        events = self.read_watch("/apis/apps/v1/watch/namespaces/default/deployments?timeoutSeconds=1")
        self.assertEqual(events, [])
        self.assertEqual(self.request("POST", "/api/v1/watch/namespaces/default/configmaps", "{}", "application/json")[0],
                         405)


if __name__ == "__main__":
    unittest.main(verbosity=2)

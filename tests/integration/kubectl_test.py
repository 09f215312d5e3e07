#!/usr/bin/env python3
"""Drives the real kubectl (/usr/bin/kubectl, 1.32) against one `k1s server --disable-agent` the way users do:
apply/diff/replace/create/edit of a multi-kind manifest, `get` tables per kind, output formats, selectors,
paging and watches, label/annotate/patch/scale/delete, discovery, imperative generators, auth and the
error messages kubectl prints against real Kubernetes (see /work/shared/research/kubectl-api.md §4, §7).

Assertions are on what the user sees: stdout, stderr and exit codes. Each test works in its own namespace.
Where k1s differs from upstream, the test keeps asserting the upstream behaviour and is marked
@unittest.expectedFailure with a comment naming the gap.

Run: cp build/test/cmd/k1s /tmp/k1s-it && K1S_BIN=/tmp/k1s-it python3 tests/integration/kubectl_test.py -v
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from apiserver_test import Server  # noqa: E402  (same helper: free port, temp data dir, waits for "ready in")

# Every kind of the tier-1 proof list in one multi-document manifest; __NS__ is the test's namespace.
MANIFEST = """apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: __NS__, labels: {app: web}}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: sec, namespace: __NS__}
type: Opaque
data: {password: aHVudGVyMg==}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: __NS__, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27", ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: __NS__}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: __NS__, labels: {app: solo}}
spec:
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: __NS__}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["true"]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick, namespace: __NS__}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox, command: [date]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: __NS__}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: "postgres:16"}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: __NS__}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: a, image: busybox, command: [sleep, "3600"]}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: __NS__}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: __NS__}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: __NS__}
subjects: [{kind: ServiceAccount, name: default, namespace: __NS__}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: __NS__}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: __NS__}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
"""

# What `kubectl apply` prints per document of MANIFEST (after the namespace line).
APPLIED = ["configmap/cfg", "secret/sec", "deployment.apps/web", "service/web", "pod/solo", "job.batch/once",
           "cronjob.batch/tick", "statefulset.apps/db", "daemonset.apps/agent", "ingress.networking.k8s.io/web",
           "role.rbac.authorization.k8s.io/reader", "rolebinding.rbac.authorization.k8s.io/reader",
           "poddisruptionbudget.policy/web", "horizontalpodautoscaler.autoscaling/web"]

# Kinds beyond MANIFEST, for their tables; __CL__ names the cluster-scoped ones. (No LimitRange: see LimitRangeTest.)
MORE_KINDS = """apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: __NS__}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs1, namespace: __NS__}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs1}}
  template:
    metadata: {labels: {app: rs1}}
    spec: {containers: [{name: c, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: ep1, namespace: __NS__}
subsets:
- addresses: [{ip: 10.42.0.5}]
  ports: [{port: 80}]
---
apiVersion: v1
kind: Event
metadata: {name: ev1, namespace: __NS__}
involvedObject: {kind: Pod, name: p1, namespace: __NS__}
reason: Testing
message: hello there
type: Normal
source: {component: tester}
count: 1
firstTimestamp: "2025-01-01T00:00:00Z"
lastTimestamp: "2025-01-01T00:00:00Z"
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: l1, namespace: __NS__}
spec: {holderIdentity: me}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np1, namespace: __NS__}
spec:
  podSelector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: q1, namespace: __NS__}
spec: {hard: {pods: "10"}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: es1, namespace: __NS__, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints: [{addresses: [10.42.0.5]}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvc1, namespace: __NS__}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: __CL__}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: __CL__}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: __CL__}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: __CL__}
provisioner: example.com/none
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: __CL__}
spec: {controller: example.com/ingress}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: __CL__}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /tmp/pv}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: __CL__}
value: 1000
---
apiVersion: v1
kind: Node
metadata: {name: __CL__, labels: {node-role.kubernetes.io/control-plane: "true"}}
"""

NAME_MSG = ('a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', '
            'and must start and end with an alphanumeric character')


def header(out):
    """The column titles of the first table in `out`, split on runs of 2+ spaces (titles may hold one space)."""
    return re.split(r"\s{2,}", out.splitlines()[0].strip())


class KubectlTest(unittest.TestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="k1s-kubectl-")
        cls.dir = cls.tmp.name
        cls.kubeconfig = os.path.join(cls.dir, "kc.yaml")
        cls.server = Server(os.path.join(cls.dir, "data"), cls.kubeconfig)

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.ns = ("t-" + self._testMethodName[5:].replace("_", "-"))[:60].strip("-")
        self.kubectl("create", "namespace", self.ns)

    def tearDown(self):
        self.kubectl("delete", "namespace", self.ns, "--ignore-not-found", "--wait=false", ok=None)

    # ---- helpers ----------------------------------------------------------------------------------------------
    def env(self, **extra):
        return dict(os.environ, KUBECONFIG=self.kubeconfig, KUBECACHEDIR=os.path.join(self.dir, "cache"), **extra)

    def kubectl(self, *args, input=None, ok=True, rc=None, env=None):
        """Runs kubectl; ok=True asserts exit 0, ok=False asserts a non-zero exit, ok=None checks nothing;
        rc=N asserts that exact exit code."""
        r = subprocess.run(["kubectl", *args], capture_output=True, text=True, input=input,
                           env=env or self.env(), timeout=60)
        what = "kubectl %s\nstdout: %s\nstderr: %s" % (" ".join(args), r.stdout, r.stderr)
        if rc is not None:
            self.assertEqual(r.returncode, rc, what)
        elif ok is True:
            self.assertEqual(r.returncode, 0, what)
        elif ok is False:
            self.assertNotEqual(r.returncode, 0, what)
        return r

    def k(self, *args, **kw):
        """kubectl in the test's namespace (the flag goes first: args may end with `-- command`)."""
        return self.kubectl("-n", self.ns, *args, **kw)

    def manifest(self, text=MANIFEST):
        return text.replace("__NS__", self.ns)

    def write(self, name, text):
        path = os.path.join(self.dir, "%s-%s" % (self.ns, name))
        with open(path, "w") as f:
            f.write(text)
        return path

    def jsonpath(self, *args):
        return self.k("get", *args[:-1], "-o", "jsonpath=" + args[-1]).stdout

    def apply_manifest(self):
        out = self.kubectl("apply", "-f", "-", input=self.manifest()).stdout
        for obj in APPLIED:
            self.assertIn(obj + " created", out)
        return out

    def watch(self, args, action, expect, timeout=20):
        """Starts `kubectl <args>` (a watch), waits for its first output, runs action(), then waits until the
        output matches every regex in `expect` (or the timeout); returns the output seen."""
        out_path = os.path.join(self.dir, "%s-watch.out" % self.ns)
        with open(out_path, "w") as out_file:
            w = subprocess.Popen(["kubectl", *args], stdout=out_file, stderr=subprocess.STDOUT, env=self.env())
        try:
            deadline = time.time() + timeout
            text = ""
            while time.time() < deadline and not text.strip():
                time.sleep(0.1)
                with open(out_path) as f:
                    text = f.read()
            self.assertTrue(text.strip(), "watch printed nothing")
            time.sleep(1.0)  # the list (or GET) is printed before the watch request is sent
            action()
            while time.time() < deadline:
                with open(out_path) as f:
                    text = f.read()
                if all(re.search(e, text) for e in expect):
                    break
                time.sleep(0.1)
        finally:
            w.terminate()
            w.wait(timeout=10)
        return text

    # ---- apply / diff / replace / create / edit -----------------------------------------------------------------
    def test_apply_multi_document_manifest_twice(self):
        self.apply_manifest()
        out = self.kubectl("apply", "-f", "-", input=self.manifest()).stdout
        for obj in APPLIED:
            if obj.startswith("poddisruptionbudget"):
                # PDB spec.selector has patchStrategy=replace, so kubectl's client-side 3-way patch is never
                # empty (-v=8 shows it PATCHing {"spec":{"selector":...}}): "configured" against any server.
                self.assertRegex(out, re.escape(obj) + " (unchanged|configured)")
            else:
                self.assertIn(obj + " unchanged", out)
        # Same manifest: nothing to diff, exit 0 and no output.
        r = self.kubectl("diff", "-f", "-", input=self.manifest(), rc=0)
        self.assertEqual(r.stdout, "")

    def test_apply_changed_manifest_and_diff(self):
        self.apply_manifest()
        changed = self.manifest().replace('data: {a: "1"}', 'data: {a: "2"}').replace("nginx:1.27", "nginx:1.28")
        r = self.kubectl("diff", "-f", "-", input=changed, rc=1)  # 1 = differences found
        self.assertIn('-  a: "1"', r.stdout)
        self.assertIn('+  a: "2"', r.stdout)
        self.assertIn("+      - image: nginx:1.28", r.stdout)
        self.assertEqual(self.jsonpath("cm", "cfg", "{.data.a}"), "1")  # diff is a dry run
        out = self.kubectl("apply", "-f", "-", input=changed).stdout
        self.assertIn("configmap/cfg configured", out)
        self.assertIn("deployment.apps/web configured", out)
        self.assertIn("service/web unchanged", out)
        self.assertEqual(self.jsonpath("cm", "cfg", "{.data.a}"), "2")
        self.assertEqual(self.jsonpath("deploy", "web", "{.spec.template.spec.containers[0].image} {.metadata.generation}"),
                         "nginx:1.28 2")
        self.kubectl("diff", "-f", "-", input=changed, rc=0)
        # A new object diffs as all-added.
        r = self.kubectl("diff", "-f", "-", rc=1, input=self.manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: brandnew, namespace: __NS__}\ndata: {x: z}\n"))
        self.assertIn("+  x: z", r.stdout)
        self.k("get", "cm", "brandnew", ok=False)

    def test_configmap_has_no_generation(self):
        # Upstream only kinds with a spec (deployments, ...) get a metadata.generation.
        self.k("create", "configmap", "plain", "--from-literal=a=1")
        self.assertEqual(self.jsonpath("cm", "plain", "{.metadata.generation}"), "")
        r = self.kubectl("diff", "-f", "-", rc=1, input=self.manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain, namespace: __NS__}\ndata: {a: '2'}\n"))
        self.assertNotRegex(r.stdout, r"\n[-+ ]\s+generation:")

    def test_replace(self):
        self.k("create", "configmap", "cfg", "--from-literal=a=1")
        live = self.k("get", "cm", "cfg", "-o", "yaml").stdout
        path = self.write("cfg.yaml", live.replace("a: \"1\"", "a: \"9\""))
        self.assertIn("configmap/cfg replaced", self.kubectl("replace", "-f", path).stdout)
        self.assertEqual(self.jsonpath("cm", "cfg", "{.data.a}"), "9")
        # The file still carries the old resourceVersion: a conflict, worded as upstream.
        r = self.kubectl("replace", "-f", path, rc=1)
        self.assertIn('Error from server (Conflict): error when replacing "%s": Operation cannot be fulfilled on '
                      'configmaps "cfg": the object has been modified; please apply your changes to the latest '
                      'version and try again' % path, r.stderr)
        # Without a resourceVersion the update is unconditional.
        r = self.kubectl("replace", "-f", "-", input=self.manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: __NS__}\ndata: {a: replaced}\n"))
        self.assertIn("configmap/cfg replaced", r.stdout)
        self.assertEqual(self.jsonpath("cm", "cfg", "{.data.a}"), "replaced")
        r = self.kubectl("replace", "-f", "-", rc=1, input=self.manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ghost, namespace: __NS__}\n"))
        self.assertIn('Error from server (NotFound): error when replacing "STDIN": configmaps "ghost" not found', r.stderr)

    def test_create_from_file_twice(self):
        path = self.write("twice.yaml", self.manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: twice, namespace: __NS__}\ndata: {a: b}\n"))
        self.assertIn("configmap/twice created", self.kubectl("create", "-f", path).stdout)
        r = self.kubectl("create", "-f", path, rc=1)
        self.assertIn('Error from server (AlreadyExists): error when creating "%s": configmaps "twice" already exists'
                      % path, r.stderr)
        gen = self.manifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-, namespace: __NS__}\n")
        first = self.kubectl("create", "-f", "-", input=gen).stdout
        self.assertRegex(first, r"^configmap/gen-[a-z0-9]{5} created\n$")
        second = self.kubectl("create", "-f", "-", "-o", "name", input=gen).stdout
        self.assertRegex(second, r"^configmap/gen-[a-z0-9]{5}\n$")
        self.assertNotEqual(first.split()[0], second.strip())

    def test_list_round_trip(self):
        self.k("create", "configmap", "l1", "--from-literal=a=1")
        self.k("create", "configmap", "l2")
        listed = self.k("get", "cm", "l1", "l2", "-o", "yaml").stdout
        self.assertTrue(listed.startswith("apiVersion: v1\nitems:\n"), listed)
        self.assertIn("\nkind: List\n", listed)
        changed = listed.replace('a: "1"', 'a: "2"')
        r = self.kubectl("apply", "-f", "-", input=changed)
        self.assertEqual(r.stdout, "configmap/l1 configured\nconfigmap/l2 configured\n")
        self.assertIn("Warning: resource configmaps/l1 is missing the kubectl.kubernetes.io/last-applied-configuration "
                      "annotation", r.stderr)
        self.assertEqual(self.jsonpath("cm", "l1", "{.data.a}"), "2")
        r = self.kubectl("replace", "-f", "-", input=changed, rc=1)  # the List still carries the old versions
        self.assertIn('Operation cannot be fulfilled on configmaps "l1"', r.stderr)
        self.assertIn('Operation cannot be fulfilled on configmaps "l2"', r.stderr)
        r = self.kubectl("create", "-f", "-", input=self.manifest(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
            "  metadata: {name: l3, namespace: __NS__}\n"))
        self.assertEqual(r.stdout, "configmap/l3 created\n")

    def test_edit_with_editor_script(self):
        self.k("create", "configmap", "cfg", "--from-literal=a=1")
        editor = self.write("editor.sh", "#!/bin/sh\nsed -i 's/^  a: .*/  a: edited/' \"$1\"\n")
        os.chmod(editor, 0o755)
        r = self.k("edit", "cm", "cfg", env=self.env(KUBE_EDITOR=editor))
        self.assertIn("configmap/cfg edited", r.stdout)
        self.assertEqual(self.jsonpath("cm", "cfg", "{.data.a}"), "edited")
        noop = self.write("noop.sh", "#!/bin/sh\ntrue\n")
        os.chmod(noop, 0o755)
        r = self.k("edit", "cm", "cfg", env=self.env(EDITOR=noop, KUBE_EDITOR=""))
        self.assertIn("Edit cancelled, no changes made.", r.stderr)

    # ---- get: tables, formats, selectors, paging, watch ---------------------------------------------------------
    def test_get_tables_have_upstream_columns(self):
        self.apply_manifest()
        tables = {
            "pods": ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            "deployments": ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            "services": ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
            "configmaps": ["NAME", "DATA", "AGE"],
            "secrets": ["NAME", "TYPE", "DATA", "AGE"],
            "jobs": ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
            "cronjobs": ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
            "statefulsets": ["NAME", "READY", "AGE"],
            "daemonsets": ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
            "ingresses": ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
            "roles": ["NAME", "CREATED AT"],
            "rolebindings": ["NAME", "ROLE", "AGE"],
            "poddisruptionbudgets": ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"],
            "horizontalpodautoscalers": ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
        }
        for kind, cols in tables.items():
            with self.subTest(kind=kind):
                self.assertEqual(header(self.k("get", kind).stdout), cols)
        wide = {
            "pods": tables["pods"] + ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
            "deployments": tables["deployments"] + ["CONTAINERS", "IMAGES", "SELECTOR"],
            "services": tables["services"] + ["SELECTOR"],
            "statefulsets": tables["statefulsets"] + ["CONTAINERS", "IMAGES"],
            "daemonsets": tables["daemonsets"] + ["CONTAINERS", "IMAGES", "SELECTOR"],
            "jobs": tables["jobs"] + ["CONTAINERS", "IMAGES", "SELECTOR"],
            "cronjobs": tables["cronjobs"] + ["CONTAINERS", "IMAGES", "SELECTOR"],
            "rolebindings": tables["rolebindings"] + ["USERS", "GROUPS", "SERVICEACCOUNTS"],
        }
        for kind, cols in wide.items():
            with self.subTest(kind=kind, output="wide"):
                self.assertEqual(header(self.k("get", kind, "-o", "wide").stdout), cols)
        # Cells that do not depend on controllers.
        self.assertRegex(self.k("get", "pods").stdout, r"\nsolo\s+0/1\s+Pending\s+0\s+\d+s")
        self.assertRegex(self.k("get", "svc").stdout, r"\nweb\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+80/TCP\s+\d+s")
        self.assertRegex(self.k("get", "cm", "cfg").stdout, r"\ncfg\s+1\s+\d+s")
        self.assertRegex(self.k("get", "secret", "sec").stdout, r"\nsec\s+Opaque\s+1\s+\d+s")
        self.assertRegex(self.k("get", "cj").stdout, r"\ntick\s+\*/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s")
        self.assertRegex(self.k("get", "ing").stdout, r"\nweb\s+<none>\s+web\.example\.com\s+80\s+\d+s")
        self.assertRegex(self.k("get", "rolebinding", "-o", "wide").stdout,
                         r"\nreader\s+Role/reader\s+\d+s\s+%s:default" % self.ns)
        self.assertRegex(self.k("get", "pdb").stdout, r"\nweb\s+1\s+N/A\s+\d+\s+\d+s")
        self.assertRegex(self.k("get", "hpa").stdout, r"\nweb\s+Deployment/web\s+cpu: <unknown>/80%\s+1\s+5\s+\d+\s+\d+s")
        self.assertRegex(self.k("get", "deploy", "-o", "wide").stdout, r"\nweb\s.*\snginx\s+nginx:1\.27\s+app=web\n")
        self.assertEqual(header(self.kubectl("get", "namespaces").stdout), ["NAME", "STATUS", "AGE"])
        self.assertRegex(self.kubectl("get", "ns", self.ns).stdout, r"\n%s\s+Active\s+\d+s" % self.ns)

    def test_get_tables_of_more_kinds(self):
        ns, cl = self.ns, "x" + self.ns  # cluster-scoped names are per test too
        for kind, name in (("clusterrole", cl), ("clusterrolebinding", cl), ("storageclass", cl), ("ingressclass", cl),
                           ("pv", cl), ("priorityclass", cl), ("node", cl)):
            self.addCleanup(self.kubectl, "delete", kind, name, "--ignore-not-found", "--wait=false", ok=None)
        self.kubectl("apply", "-f", "-", input=MORE_KINDS.replace("__NS__", ns).replace("__CL__", cl))
        tables = {
            "serviceaccounts": ["NAME", "SECRETS", "AGE"],
            "replicasets": ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
            "endpoints": ["NAME", "ENDPOINTS", "AGE"],
            "events": ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
            "leases": ["NAME", "HOLDER", "AGE"],
            "networkpolicies": ["NAME", "POD-SELECTOR", "AGE"],
            "resourcequotas": ["NAME", "AGE", "REQUEST", "LIMIT"],
            "endpointslices": ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
            "persistentvolumeclaims": ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                                       "VOLUMEATTRIBUTESCLASS", "AGE"],
        }
        for kind, cols in tables.items():
            with self.subTest(kind=kind):
                self.assertEqual(header(self.k("get", kind).stdout), cols)
        cluster = {
            "clusterroles": ["NAME", "CREATED AT"],
            "clusterrolebindings": ["NAME", "ROLE", "AGE"],
            "storageclasses": ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"],
            "ingressclasses": ["NAME", "CONTROLLER", "PARAMETERS", "AGE"],
            "persistentvolumes": ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
                                  "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"],
            "priorityclasses": ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"],
            "nodes": ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
        }
        for kind, cols in cluster.items():
            with self.subTest(kind=kind):
                self.assertEqual(header(self.kubectl("get", kind, cl).stdout), cols)
        self.assertEqual(header(self.kubectl("get", "nodes", cl, "-o", "wide").stdout),
                         cluster["nodes"] + ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"])
        self.assertEqual(header(self.k("get", "rs", "-o", "wide").stdout),
                         tables["replicasets"] + ["CONTAINERS", "IMAGES", "SELECTOR"])
        self.assertRegex(self.k("get", "endpoints").stdout, r"\nep1\s+10\.42\.0\.5:80\s+\d+s")
        self.assertRegex(self.k("get", "events").stdout, r"\n\d+d\s+Normal\s+Testing\s+pod/p1\s+hello there\n")
        self.assertRegex(self.k("get", "leases").stdout, r"\nl1\s+me\s+\d+s")
        self.assertRegex(self.k("get", "netpol").stdout, r"\nnp1\s+app=web\s+\d+s")
        self.assertRegex(self.k("get", "endpointslices").stdout, r"\nes1\s+IPv4\s+80\s+10\.42\.0\.5\s+\d+s")
        self.assertRegex(self.kubectl("get", "clusterrolebinding", cl).stdout, r"\n%s\s+ClusterRole/%s\s+\d+s" % (cl, cl))
        self.assertRegex(self.kubectl("get", "sc", cl).stdout,
                         r"\n%s\s+example\.com/none\s+Delete\s+Immediate\s+false\s+\d+s" % cl)
        self.assertRegex(self.kubectl("get", "pv", cl).stdout, r"\n%s\s+1Gi\s+RWO\s+Retain\s+" % cl)
        self.assertRegex(self.kubectl("get", "pc", cl).stdout, r"\n%s\s+1000\s+false\s+\d+s" % cl)

    def test_secret_string_data_is_merged_into_data(self):
        # Upstream merges stringData into data (base64) on write and never returns stringData (the
        # last-applied annotation still quotes it, as upstream's does).
        self.kubectl("apply", "-f", "-", input=self.manifest(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: sd, namespace: __NS__}\nstringData: {password: hunter2}\n"))
        self.assertRegex(self.k("get", "secret", "sd").stdout, r"\nsd\s+Opaque\s+1\s+\d+s")
        self.assertEqual(self.jsonpath("secret", "sd", "{.data.password}"), "aHVudGVyMg==")
        self.assertNotIn("stringData", json.loads(self.k("get", "secret", "sd", "-o", "json").stdout))

    def test_get_all_and_all_namespaces(self):
        self.apply_manifest()
        out = self.k("get", "all").stdout
        for obj in ("pod/solo", "service/web", "deployment.apps/web", "statefulset.apps/db", "daemonset.apps/agent",
                    "job.batch/once", "cronjob.batch/tick", "horizontalpodautoscaler.autoscaling/web"):
            self.assertRegex(out, r"(?m)^%s\s" % re.escape(obj))
        self.assertNotIn("configmap", out)  # not in category "all"
        out = self.kubectl("get", "pods", "-A").stdout
        self.assertEqual(header(out), ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"])
        self.assertRegex(out, r"\n%s\s+solo\s+0/1\s+Pending" % self.ns)
        out = self.kubectl("get", "svc", "--all-namespaces").stdout
        self.assertRegex(out, r"\ndefault\s+kubernetes\s+ClusterIP\s+10\.43\.0\.1\s")
        self.assertRegex(out, r"\n%s\s+web\s+ClusterIP" % self.ns)
        r = self.kubectl("get", "foos", rc=1)
        self.assertIn('error: the server doesn\'t have a resource type "foos"', r.stderr)
        r = self.k("get", "cm", "nope", rc=1)
        self.assertIn('Error from server (NotFound): configmaps "nope" not found', r.stderr)

    def test_label_and_field_selectors(self):
        for name, labels in (("a", "app: web, tier: fe"), ("b", "app: web, tier: be"), ("c", "app: db"), ("d", "x: z")):
            self.kubectl("apply", "-f", "-", input=self.manifest(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: __NS__, labels: {%s}}\n" % (name, labels)))

        def names(*sel):
            return self.k("get", "cm", *sel, "-o", "name").stdout.split()

        self.assertEqual(names("-l", "app=web"), ["configmap/a", "configmap/b"])
        self.assertEqual(names("-l", "app==web,tier!=fe"), ["configmap/b"])
        self.assertEqual(names("-l", "app in (web,db)"), ["configmap/a", "configmap/b", "configmap/c"])
        self.assertEqual(names("-l", "app notin (web)", "--field-selector", "metadata.name!=kube-root-ca.crt"),
                         ["configmap/c", "configmap/d"])
        self.assertEqual(names("-l", "!app", "--field-selector", "metadata.name!=kube-root-ca.crt"), ["configmap/d"])
        self.assertEqual(names("-l", "tier"), ["configmap/a", "configmap/b"])
        self.assertEqual(names("--field-selector", "metadata.name=c"), ["configmap/c"])
        out = self.kubectl("get", "cm", "-A", "-l", "app=db", "--field-selector", "metadata.namespace=" + self.ns).stdout
        self.assertEqual(header(out), ["NAMESPACE", "NAME", "DATA", "AGE"])
        self.assertRegex(out, r"\n%s\s+c\s+0\s+\d+s" % self.ns)
        out = self.k("get", "cm", "a", "c", "--show-labels", "-L", "tier").stdout
        self.assertEqual(header(out), ["NAME", "DATA", "AGE", "TIER", "LABELS"])
        self.assertRegex(out, r"\na\s+0\s+\d+s\s+fe\s+app=web,tier=fe\n")
        self.assertRegex(out, r"\nc\s+0\s+\d+s\s+app=db\n")
        r = self.k("get", "cm", "-l", "app=none")
        self.assertIn("No resources found in %s namespace." % self.ns, r.stderr)
        # Per-kind field selectors.
        self.kubectl("apply", "-f", "-", input=self.manifest(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: __NS__}\nspec:\n  containers: [{name: c, image: busybox}]\n"))
        self.assertEqual(self.k("get", "pods", "--field-selector", "status.phase=Pending", "-o", "name").stdout, "pod/p\n")
        self.assertEqual(self.k("get", "pods", "--field-selector", "status.phase=Running", "-o", "name").stdout, "")
        self.k("create", "secret", "generic", "s", "--from-literal=k=v")
        self.assertIn("secret/s", self.k("get", "secrets", "--field-selector", "type=Opaque", "-o", "name").stdout)
        r = self.k("get", "cm", "--field-selector", "data.a=1", rc=1)
        self.assertIn("Error from server (BadRequest)", r.stderr)

    def test_unknown_field_selector_message(self):
        r = self.k("get", "cm", "--field-selector", "data.a=1", rc=1)
        self.assertIn('Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label '
                      'selector "", field selector "data.a=1": "data.a" is not a known field selector: only '
                      '"metadata.name", "metadata.namespace"', r.stderr)

    def test_output_formats_sort_and_paging(self):
        for name, k in (("c1", "3"), ("c2", "2"), ("c3", "1"), ("c4", "5"), ("c5", "4")):
            self.k("create", "configmap", name, "--from-literal=k=" + k)
        one = json.loads(self.k("get", "cm", "c1", "-o", "json").stdout)
        self.assertEqual((one["kind"], one["apiVersion"], one["data"]), ("ConfigMap", "v1", {"k": "3"}))
        self.assertEqual(one["metadata"]["namespace"], self.ns)
        lst = json.loads(self.k("get", "cm", "-l", "!nope", "--field-selector", "metadata.name!=kube-root-ca.crt",
                                "-o", "json").stdout)
        self.assertEqual(lst["kind"], "List")
        self.assertEqual([i["metadata"]["name"] for i in lst["items"]], ["c1", "c2", "c3", "c4", "c5"])
        self.assertEqual({i["kind"] for i in lst["items"]}, {"ConfigMap"})
        y = self.k("get", "cm", "c2", "-o", "yaml").stdout
        self.assertTrue(y.startswith("apiVersion: v1\ndata:\n  k: \"2\"\nkind: ConfigMap\nmetadata:\n"), y)
        self.assertRegex(y, r"\n  resourceVersion: \"\d+\"\n")
        self.assertRegex(y, r"\n  uid: [0-9a-f-]{36}\n")
        self.assertRegex(y, r"\n  creationTimestamp: \"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\"\n")
        self.assertEqual(self.k("get", "cm", "c1", "c3", "-o", "name").stdout, "configmap/c1\nconfigmap/c3\n")
        self.assertEqual(self.k("get", "cm", "-o", "jsonpath={range .items[?(@.data.k)]}{.metadata.name}={.data.k} {end}").stdout,
                         "c1=3 c2=2 c3=1 c4=5 c5=4 ")
        out = self.k("get", "cm", "--field-selector", "metadata.name!=kube-root-ca.crt",
                     "-o", "custom-columns=NAME:.metadata.name,VALUE:.data.k,NS:.metadata.namespace").stdout
        self.assertEqual(header(out), ["NAME", "VALUE", "NS"])
        self.assertRegex(out, r"\nc4\s+5\s+%s\n" % self.ns)
        out = self.k("get", "cm", "--field-selector", "metadata.name!=kube-root-ca.crt", "--sort-by=.data.k",
                     "-o", "custom-columns=NAME:.metadata.name").stdout
        self.assertEqual(out.split(), ["NAME", "c3", "c2", "c1", "c5", "c4"])
        out = self.k("get", "cm", "--field-selector", "metadata.name!=kube-root-ca.crt", "--sort-by=.data.k").stdout
        self.assertEqual([line.split()[0] for line in out.splitlines()], ["NAME", "c3", "c2", "c1", "c5", "c4"])
        # --chunk-size=2: three pages, one table with one header; -v=6 shows the continue requests.
        r = self.k("get", "cm", "--field-selector", "metadata.name!=kube-root-ca.crt", "--chunk-size=2", "-v=6")
        self.assertEqual([line.split()[0] for line in r.stdout.splitlines()], ["NAME", "c1", "c2", "c3", "c4", "c5"])
        self.assertEqual(len(re.findall(r"configmaps\?continue=[^ &]+&fieldSelector=[^ ]*limit=2 200", r.stderr)), 2,
                         r.stderr)
        out = self.k("get", "cm", "--chunk-size=2", "-o", "name", "--field-selector", "metadata.name!=kube-root-ca.crt").stdout
        self.assertEqual(out.split(), ["configmap/c%d" % i for i in range(1, 6)])

    def test_get_watch_reports_events(self):
        self.k("create", "configmap", "w0")
        out = self.watch(["get", "cm", "-n", self.ns, "-w", "--output-watch-events"],
                         lambda: (self.k("create", "configmap", "w1", "--from-literal=a=b"),
                                  self.k("label", "cm", "w1", "x=y"),
                                  self.k("delete", "cm", "w1")),
                         [r"DELETED\s+w1"])
        self.assertEqual(header(out), ["EVENT", "NAME", "DATA", "AGE"])
        self.assertRegex(out, r"ADDED\s+w0\s+0\s")
        self.assertRegex(out, r"ADDED\s+w1\s+1\s")
        self.assertRegex(out, r"MODIFIED\s+w1\s+1\s")
        self.assertRegex(out, r"DELETED\s+w1\s+1\s")
        # Watching one object: the current state, then each change (kubectl drops the synthetic first event).
        out = self.watch(["get", "cm", "w0", "-n", self.ns, "-w", "-o", "jsonpath={.metadata.name}:{.data.a}{\"\\n\"}"],
                         lambda: self.k("patch", "cm", "w0", "--type", "merge", "-p", '{"data":{"a":"x"}}'),
                         [r"w0:x"])
        self.assertEqual(out.split(), ["w0:", "w0:x"])
        # A table watch of a deployment sees the scale.
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=2")
        out = self.watch(["get", "deploy", "web", "-n", self.ns, "-w"],
                         lambda: self.k("scale", "deploy", "web", "--replicas=5"), [r"web\s+\d+/5\s"])
        self.assertEqual(header(out), ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"])
        self.assertRegex(out, r"web\s+\d+/2\s")
        self.assertRegex(out, r"web\s+\d+/5\s")

    # ---- label / annotate / patch / scale -----------------------------------------------------------------------
    def test_label_and_annotate(self):
        self.k("create", "configmap", "cfg")
        self.assertEqual(self.k("label", "cm", "cfg", "app=web").stdout, "configmap/cfg labeled\n")
        self.assertEqual(self.k("label", "cm", "cfg", "app=web").stdout, "configmap/cfg not labeled\n")
        r = self.k("label", "cm", "cfg", "app=db", rc=1)
        self.assertIn("error: 'app' already has a value (web), and --overwrite is false", r.stderr)
        self.assertEqual(self.k("label", "cm", "cfg", "app=db", "--overwrite").stdout, "configmap/cfg labeled\n")
        self.assertEqual(self.jsonpath("cm", "cfg", "{.metadata.labels.app}"), "db")
        self.assertEqual(self.k("label", "cm", "cfg", "app-").stdout, "configmap/cfg unlabeled\n")
        self.assertEqual(self.jsonpath("cm", "cfg", "{.metadata.labels.app}"), "")
        self.assertEqual(self.k("annotate", "cm", "cfg", "note=one").stdout, "configmap/cfg annotated\n")
        r = self.k("annotate", "cm", "cfg", "note=two", rc=1)
        self.assertIn("error: --overwrite is false but found the following declared annotation(s): "
                      "'note' already has a value (one)", r.stderr)
        self.k("annotate", "cm", "cfg", "note=two", "--overwrite")
        self.assertEqual(self.jsonpath("cm", "cfg", "{.metadata.annotations.note}"), "two")
        # By selector: one PATCH per object.
        self.k("create", "configmap", "other")
        self.k("label", "cm", "cfg", "other", "grp=g")
        out = self.k("label", "cm", "-l", "grp=g", "tier=fe").stdout
        self.assertEqual(sorted(out.splitlines()), ["configmap/cfg labeled", "configmap/other labeled"])
        # --resource-version makes the patch conditional.
        r = self.k("label", "cm", "cfg", "z=1", "--resource-version=1", rc=1)
        self.assertIn('Error from server (Conflict): Operation cannot be fulfilled on configmaps "cfg": the object has '
                      'been modified; please apply your changes to the latest version and try again', r.stderr)

    def test_patch_types(self):
        self.kubectl("apply", "-f", "-", input=self.manifest(MANIFEST.split("---\n")[2]))  # the Deployment
        container = '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"%s"}]}}}}'
        first = "{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports}"
        # strategic (default): containers merge by name, so the port stays.
        r = self.k("patch", "deploy", "web", "-p", container % "nginx:1.28")
        self.assertEqual(r.stdout, "deployment.apps/web patched\n")
        self.assertEqual(self.jsonpath("deploy", "web", first), 'nginx:1.28 [{"containerPort":80,"protocol":"TCP"}]')
        # merge: the list is replaced, the port goes.
        self.k("patch", "deploy", "web", "--type", "merge", "-p", container % "nginx:1.29")
        self.assertEqual(self.jsonpath("deploy", "web", first), "nginx:1.29 ")
        # json: RFC 6902.
        self.k("patch", "deploy", "web", "--type", "json", "-p", '[{"op":"replace","path":"/spec/replicas","value":4},'
               '{"op":"add","path":"/metadata/labels/patched","value":"yes"}]')
        self.assertEqual(self.jsonpath("deploy", "web", "{.spec.replicas} {.metadata.labels.patched}"), "4 yes")
        r = self.k("patch", "deploy", "web", "--type", "json", "-p", '[{"op":"test","path":"/spec/replicas","value":9}]',
                   rc=1)
        self.assertIn("is invalid", r.stderr)  # 422; the detail text comes from the JSON-patch library
        self.assertEqual(self.jsonpath("deploy", "web", "{.spec.replicas}"), "4")
        # set image is a strategic patch with a $setElementOrder directive.
        self.assertEqual(self.k("set", "image", "deploy/web", "nginx=nginx:1.30").stdout,
                         "deployment.apps/web image updated\n")
        self.assertEqual(self.jsonpath("deploy", "web", "{.spec.template.spec.containers[*].image}"), "nginx:1.30")
        # A patch that makes the object invalid is refused with the field named.
        r = self.k("patch", "deploy", "web", "--type", "merge", "-p", '{"spec":{"replicas":-1}}', rc=1)
        self.assertIn('The Deployment "web" is invalid: spec.replicas: Invalid value: -1: '
                      'must be greater than or equal to 0', r.stderr)
        r = self.k("patch", "cm", "nope", "-p", "{}", rc=1)
        self.assertIn('Error from server (NotFound): configmaps "nope" not found', r.stderr)

    def test_removing_last_label_drops_the_map(self):
        self.k("create", "configmap", "cfg")
        self.k("label", "cm", "cfg", "app=web")
        self.k("label", "cm", "cfg", "app-")
        self.assertEqual(self.jsonpath("cm", "cfg", "{.metadata.labels}"), "")
        self.assertNotIn("labels", self.k("get", "cm", "cfg", "-o", "yaml").stdout)

    def test_noop_patch_reports_no_change(self):
        self.k("create", "configmap", "cfg", "--from-literal=a=1")
        rv = self.jsonpath("cm", "cfg", "{.metadata.resourceVersion}")
        r = self.k("patch", "cm", "cfg", "--type", "merge", "-p", '{"data":{"a":"1"}}')
        self.assertEqual(r.stdout, "configmap/cfg patched (no change)\n")
        self.assertEqual(self.jsonpath("cm", "cfg", "{.metadata.resourceVersion}"), rv)

    def test_scale(self):
        self.kubectl("apply", "-f", "-", input=self.manifest(MANIFEST))
        self.assertEqual(self.k("scale", "deployment", "web", "--replicas=3").stdout, "deployment.apps/web scaled\n")
        self.assertEqual(self.jsonpath("deploy", "web", "{.spec.replicas}"), "3")
        self.assertEqual(self.k("scale", "sts", "db", "--replicas=2").stdout, "statefulset.apps/db scaled\n")
        self.assertEqual(self.jsonpath("sts", "db", "{.spec.replicas}"), "2")
        # --current-replicas: GET scale, then a PUT with its resourceVersion (no Content-Type).
        self.k("scale", "deploy", "web", "--current-replicas=3", "--replicas=4")
        self.assertEqual(self.jsonpath("deploy", "web", "{.spec.replicas}"), "4")
        r = self.k("scale", "deploy", "web", "--current-replicas=3", "--replicas=5", rc=1)
        self.assertIn("error: Expected replicas to be 3, was 4", r.stderr)
        s = json.loads(self.k("get", "deploy", "web", "--subresource=scale", "-o", "json").stdout)
        self.assertEqual((s["kind"], s["apiVersion"], s["spec"]["replicas"]), ("Scale", "autoscaling/v1", 4))
        self.assertEqual(s["status"]["selector"], "app=web")
        r = self.k("scale", "deploy", "nope", "--replicas=1", rc=1)
        self.assertIn('deployments.apps "nope" not found', r.stderr)

    # Upstream's Scale printer (1.27+): NAME DESIRED AVAILABLE.
    def test_get_scale_subresource_table(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        out = self.k("get", "deploy", "web", "--subresource=scale").stdout
        self.assertEqual(header(out), ["NAME", "DESIRED", "AVAILABLE"])
        self.assertRegex(out, r"\nweb\s+3\s+\d+\n")

    # ---- delete -----------------------------------------------------------------------------------------------------
    def test_delete_variants(self):
        for i in range(1, 6):
            self.kubectl("apply", "-f", "-", input=self.manifest(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d, namespace: __NS__, labels: {grp: g%d}}\n" % (i, i % 2)))
        r = self.k("delete", "cm", "c1", "--dry-run=server")
        self.assertEqual(r.stdout, 'configmap "c1" deleted (server dry run)\n')
        self.assertEqual(self.k("get", "cm", "c1", "-o", "name").stdout, "configmap/c1\n")
        self.assertEqual(self.k("delete", "cm", "c1").stdout, 'configmap "c1" deleted\n')
        path = self.write("c2.yaml", self.manifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c2, namespace: __NS__}\n"))
        self.assertEqual(self.kubectl("delete", "-f", path).stdout, 'configmap "c2" deleted\n')
        out = self.k("delete", "cm", "-l", "grp=g1").stdout  # c3, c5
        self.assertEqual(sorted(out.splitlines()), ['configmap "c3" deleted', 'configmap "c5" deleted'])
        out = self.k("delete", "cm", "--all").stdout
        self.assertIn('configmap "c4" deleted', out)
        self.assertEqual(self.k("get", "cm", "-o", "name", "--field-selector", "metadata.name!=kube-root-ca.crt").stdout, "")
        r = self.k("delete", "cm", "nope", rc=1)
        self.assertIn('Error from server (NotFound): configmaps "nope" not found', r.stderr)
        r = self.k("delete", "cm", "nope", "--ignore-not-found")
        self.assertEqual(r.stdout + r.stderr, "")
        # A whole manifest: one line per object, "<resource>[.<group>] "<name>" deleted".
        self.apply_manifest()
        out = self.kubectl("delete", "-f", "-", "--timeout=60s", input=self.manifest()).stdout
        for obj in APPLIED:
            kind, name = obj.split("/")
            self.assertIn('%s "%s" deleted' % (kind, name), out)
        r = self.k("get", "deploy,svc,sts,ds,jobs,cronjobs,ingresses,roles,rolebindings,pdb,hpa,secrets", "-o", "name")
        self.assertEqual(r.stdout, "")  # (pods of the workloads are the garbage collector's, asynchronously)
        self.k("get", "pod", "solo", rc=1)
        # An unscheduled pod has nothing to wait for: it goes at once, even with the default grace period.
        self.k("run", "p", "--image=busybox")
        self.assertEqual(self.k("delete", "pod", "p", "--timeout=30s").stdout, 'pod "p" deleted\n')
        self.k("get", "pod", "p", rc=1)

    def test_namespace_deletion_removes_its_objects(self):
        ns = self.ns + "-x"
        self.kubectl("create", "namespace", ns)
        self.addCleanup(self.kubectl, "delete", "namespace", ns, "--ignore-not-found", "--wait=false", ok=None)
        self.kubectl("apply", "-f", "-", input=MANIFEST.replace("__NS__", ns))
        self.assertIn('namespace "%s" deleted' % ns, self.kubectl("delete", "namespace", ns, "--timeout=60s").stdout)
        r = self.kubectl("get", "namespace", ns, rc=1)
        self.assertIn('Error from server (NotFound): namespaces "%s" not found' % ns, r.stderr)
        self.kubectl("create", "namespace", ns)
        r = self.kubectl("get", "deploy,svc,pods,secrets,sts,ds,jobs,cronjobs,ingresses,roles,rolebindings,pdb,hpa", "-n", ns)
        self.assertEqual(r.stdout, "")
        self.assertIn("No resources found in %s namespace." % ns, r.stderr)
        self.assertNotIn("cfg", self.kubectl("get", "cm", "-n", ns, "-o", "name").stdout)

    # ---- discovery ------------------------------------------------------------------------------------------------
    def test_api_resources(self):
        out = self.kubectl("api-resources").stdout
        self.assertEqual(header(out), ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"])
        names = [line.split()[0] for line in out.splitlines()[1:]]
        self.assertFalse([n for n in names if "/" in n], "subresources must not be listed")
        for row in (r"pods\s+po\s+v1\s+true\s+Pod", r"services\s+svc\s+v1\s+true\s+Service",
                    r"namespaces\s+ns\s+v1\s+false\s+Namespace", r"nodes\s+no\s+v1\s+false\s+Node",
                    r"serviceaccounts\s+sa\s+v1\s+true\s+ServiceAccount", r"secrets\s+v1\s+true\s+Secret",
                    r"deployments\s+deploy\s+apps/v1\s+true\s+Deployment",
                    r"statefulsets\s+sts\s+apps/v1\s+true\s+StatefulSet",
                    r"daemonsets\s+ds\s+apps/v1\s+true\s+DaemonSet", r"replicasets\s+rs\s+apps/v1\s+true\s+ReplicaSet",
                    r"cronjobs\s+cj\s+batch/v1\s+true\s+CronJob", r"jobs\s+batch/v1\s+true\s+Job",
                    r"ingresses\s+ing\s+networking\.k8s\.io/v1\s+true\s+Ingress",
                    r"poddisruptionbudgets\s+pdb\s+policy/v1\s+true\s+PodDisruptionBudget",
                    r"horizontalpodautoscalers\s+hpa\s+autoscaling/v2\s+true\s+HorizontalPodAutoscaler",
                    r"customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io/v1\s+false",
                    r"clusterroles\s+rbac\.authorization\.k8s\.io/v1\s+false\s+ClusterRole",
                    r"priorityclasses\s+pc\s+scheduling\.k8s\.io/v1\s+false\s+PriorityClass"):
            self.assertRegex(out, r"(?m)^" + row)
        out = self.kubectl("api-resources", "--api-group=apps", "-o", "wide").stdout
        self.assertEqual(header(out), ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"])
        self.assertRegex(out, r"deployments\s+deploy\s+apps/v1\s+true\s+Deployment\s+"
                              r"create,delete,deletecollection,get,list,patch,update,watch\s+all")
        out = self.kubectl("api-resources", "--namespaced=false", "-o", "name").stdout.split()
        self.assertIn("namespaces", out)
        self.assertIn("clusterroles.rbac.authorization.k8s.io", out)
        self.assertNotIn("pods", out)
        # Short names resolve in get.
        for short in ("po", "svc", "deploy", "cm", "sts", "ds", "cj", "ing", "pdb", "hpa", "sa", "rs"):
            self.k("get", short)

    def test_api_versions(self):
        out = self.kubectl("api-versions").stdout.split()
        self.assertEqual(out, sorted(out))
        for gv in ("v1", "apps/v1", "batch/v1", "autoscaling/v2", "networking.k8s.io/v1", "policy/v1",
                   "rbac.authorization.k8s.io/v1", "apiextensions.k8s.io/v1", "coordination.k8s.io/v1",
                   "discovery.k8s.io/v1", "events.k8s.io/v1", "scheduling.k8s.io/v1", "storage.k8s.io/v1",
                   "certificates.k8s.io/v1"):
            self.assertIn(gv, out)

    # A 1.32 apiserver serves all of these (kubectl autoscale needs autoscaling/v1).
    def test_api_versions_include_all_upstream_groups(self):
        out = self.kubectl("api-versions").stdout.split()
        for gv in ("authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1",
                   "admissionregistration.k8s.io/v1", "apiregistration.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1",
                   "node.k8s.io/v1"):
            with self.subTest(gv=gv):
                self.assertIn(gv, out)

    def test_explain(self):  # needs the OpenAPI v3 documents (tier 3 #31)
        out = self.kubectl("explain", "pods.spec.containers").stdout
        self.assertRegex(out, r"KIND:\s+Pod\n")
        self.assertRegex(out, r"VERSION:\s+v1\n")
        self.assertIn("FIELD: containers <[]Container>", out)
        self.assertRegex(out, r"\n  image\s+<string>")
        out = self.kubectl("explain", "deploy.spec.replicas").stdout
        self.assertIn("FIELD: replicas <integer>", out)

    # ---- imperative generators (typed clients: protobuf bodies) -----------------------------------------------------
    def test_imperative_generators(self):
        self.assertEqual(self.k("create", "configmap", "c1", "--from-literal=a=b", "--from-literal=c=d").stdout,
                         "configmap/c1 created\n")
        self.assertEqual(self.jsonpath("cm", "c1", "{.data.a}{.data.c}"), "bd")
        self.assertEqual(self.k("create", "secret", "generic", "s1", "--from-literal=k=v").stdout, "secret/s1 created\n")
        self.assertEqual(self.jsonpath("secret", "s1", "{.data.k} {.type}"), "dg== Opaque")
        self.assertEqual(self.k("create", "secret", "docker-registry", "d1", "--docker-username=u", "--docker-password=p",
                                "--docker-server=r.example.com").stdout, "secret/d1 created\n")
        self.assertEqual(self.jsonpath("secret", "d1", "{.type}"), "kubernetes.io/dockerconfigjson")
        tls = os.path.join(self.dir, "data", "server", "tls")
        self.k("create", "secret", "tls", "t1", "--cert", os.path.join(tls, "client-admin.crt"),
               "--key", os.path.join(tls, "client-admin.key"))
        self.assertEqual(self.jsonpath("secret", "t1", "{.type}"), "kubernetes.io/tls")
        self.assertEqual(self.k("create", "serviceaccount", "robot").stdout, "serviceaccount/robot created\n")
        self.assertEqual(self.k("create", "deployment", "web", "--image=nginx", "--replicas=2", "--port=80").stdout,
                         "deployment.apps/web created\n")
        self.assertEqual(self.jsonpath("deploy", "web", "{.spec.replicas} {.spec.selector.matchLabels.app} "
                                       "{.spec.template.spec.containers[0].ports[0].containerPort}"), "2 web 80")
        self.assertEqual(self.k("run", "p1", "--image=busybox", "--restart=Never", "--labels=app=p1").stdout,
                         "pod/p1 created\n")
        self.assertEqual(self.k("expose", "deploy", "web", "--port=80", "--name=web2").stdout, "service/web2 exposed\n")
        self.assertEqual(self.jsonpath("svc", "web2", "{.spec.selector.app} {.spec.ports[0].port}"), "web 80")
        self.assertEqual(self.kubectl("create", "namespace", self.ns + "-2").stdout, "namespace/%s-2 created\n" % self.ns)
        self.kubectl("delete", "namespace", self.ns + "-2", "--wait=false")
        # client dry run sends nothing; server dry run validates without persisting.
        self.assertIn("name: dry", self.k("create", "configmap", "dry", "--dry-run=client", "-o", "yaml").stdout)
        self.assertEqual(self.k("create", "configmap", "dry", "--dry-run=server", "-o", "name").stdout, "configmap/dry\n")
        self.k("get", "cm", "dry", rc=1)
        r = self.k("create", "configmap", "c1", rc=1)
        self.assertIn('error: failed to create configmap: configmaps "c1" already exists', r.stderr)

    def generator(self, args, expect, cluster_name=None):
        if cluster_name:
            self.addCleanup(self.kubectl, "delete", args[1], cluster_name, "--ignore-not-found", ok=None)
        r = self.k("create", *args)
        self.assertEqual(r.stdout, expect)

    # The typed clients behind these generators send protobuf bodies (kubectl-api.md §2.2).
    def test_imperative_create_service_clusterip(self):
        self.generator(["service", "clusterip", "web", "--tcp=80:8080"], "service/web created\n")
        self.assertEqual(self.jsonpath("svc", "web", "{.spec.ports[0].port} {.spec.ports[0].targetPort}"), "80 8080")

    def test_imperative_create_job(self):
        self.generator(["job", "j1", "--image=busybox", "--", "true"], "job.batch/j1 created\n")
        self.assertEqual(self.jsonpath("job", "j1", "{.spec.template.spec.containers[0].image} "
                                       "{.spec.template.spec.containers[0].command} {.spec.template.spec.restartPolicy}"),
                         'busybox ["true"] Never')

    def test_imperative_create_cronjob(self):
        self.generator(["cronjob", "cj1", "--image=busybox", "--schedule=*/1 * * * *", "--", "date"],
                       "cronjob.batch/cj1 created\n")
        self.assertEqual(self.jsonpath("cj", "cj1", "{.spec.schedule}"), "*/1 * * * *")

    def test_imperative_create_role(self):
        self.generator(["role", "r1", "--verb=get,list", "--resource=pods"], "role.rbac.authorization.k8s.io/r1 created\n")
        self.assertEqual(self.jsonpath("role", "r1", "{.rules[0].verbs} {.rules[0].resources}"), '["get","list"] ["pods"]')

    def test_imperative_create_rolebinding(self):
        self.generator(["rolebinding", "rb1", "--role=r1", "--serviceaccount=%s:robot" % self.ns],
                       "rolebinding.rbac.authorization.k8s.io/rb1 created\n")

    def test_imperative_create_clusterrole(self):
        name = "cr-" + self.ns
        self.generator(["clusterrole", name, "--verb=get", "--resource=nodes"],
                       "clusterrole.rbac.authorization.k8s.io/%s created\n" % name, cluster_name=name)

    def test_imperative_create_clusterrolebinding(self):
        name = "crb-" + self.ns
        self.generator(["clusterrolebinding", name, "--clusterrole=view", "--user=alice"],
                       "clusterrolebinding.rbac.authorization.k8s.io/%s created\n" % name, cluster_name=name)

    def test_imperative_create_quota(self):
        self.generator(["quota", "q1", "--hard=pods=10,requests.cpu=1"], "resourcequota/q1 created\n")
        self.assertEqual(self.jsonpath("quota", "q1", "{.spec.hard.pods} {.spec.hard.requests\\.cpu}"), "10 1")

    def test_imperative_create_priorityclass(self):
        name = "pc-" + self.ns
        self.generator(["priorityclass", name, "--value=1000"], "priorityclass.scheduling.k8s.io/%s created\n" % name,
                       cluster_name=name)

    def test_imperative_create_poddisruptionbudget(self):
        self.generator(["poddisruptionbudget", "pdb1", "--selector=app=web", "--min-available=1"],
                       "poddisruptionbudget.policy/pdb1 created\n")
        self.assertEqual(self.jsonpath("pdb", "pdb1", "{.spec.minAvailable} {.spec.selector.matchLabels.app}"), "1 web")

    def test_imperative_create_ingress(self):
        self.generator(["ingress", "ing1", "--rule=foo.com/bar=svc1:8080"], "ingress.networking.k8s.io/ing1 created\n")
        self.assertEqual(self.jsonpath("ing", "ing1", "{.spec.rules[0].host} {.spec.rules[0].http.paths[0].path} "
                                       "{.spec.rules[0].http.paths[0].backend.service.port.number}"), "foo.com /bar 8080")

    def test_imperative_create_token(self):
        self.k("create", "serviceaccount", "robot")
        out = self.k("create", "token", "robot").stdout
        self.assertRegex(out, r"^eyJ[\w-]+\.[\w-]+\.[\w-]+$")  # kubectl prints the bare token, no newline

    # kubectl autoscale POSTs a protobuf autoscaling/v1 HorizontalPodAutoscaler (stored as v2).
    def test_autoscale(self):
        self.k("create", "deployment", "web", "--image=nginx")
        self.assertEqual(self.k("autoscale", "deploy", "web", "--max=3").stdout,
                         "horizontalpodautoscaler.autoscaling/web autoscaled\n")

    # ---- auth ---------------------------------------------------------------------------------------------------
    def test_auth_can_i(self):
        self.assertEqual(self.k("auth", "can-i", "create", "pods").stdout, "yes\n")
        self.assertEqual(self.kubectl("auth", "can-i", "*", "*").stdout, "yes\n")
        out = self.k("auth", "can-i", "--list").stdout
        self.assertRegex(out, r"\*\.\*\s+\[\]\s+\[\]\s+\[\*\]")

    def test_auth_whoami(self):
        out = self.kubectl("auth", "whoami").stdout
        self.assertRegex(out, r"Username\s+system:admin")
        self.assertRegex(out, r"Groups\s+\[system:masters system:authenticated\]")

    def test_impersonation_is_authorized_as_the_impersonated_user(self):
        # bob has no RBAC grant: refused, with the upstream wording.
        r = self.k("get", "pods", "--as=bob", rc=1)
        self.assertIn('Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in '
                      'API group "" in the namespace "%s"' % self.ns, r.stderr)
        r = self.k("auth", "can-i", "create", "pods", "--as=bob", rc=1)
        self.assertEqual(r.stdout, "no\n")
        self.assertEqual(self.k("auth", "can-i", "create", "pods", "--as=bob", "--as-group=system:masters").stdout,
                         "yes\n")

    # ---- server-side apply (tier 3) --------------------------------------------------------------------------------
    def test_server_side_apply(self):  # tier 3 #30
        cm = self.manifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: __NS__}\ndata: {a: '1'}\n")
        self.assertEqual(self.kubectl("apply", "--server-side", "-f", "-", input=cm).stdout, "configmap/ssa serverside-applied\n")
        self.assertEqual(self.kubectl("apply", "--server-side", "-f", "-", input=cm).stdout, "configmap/ssa serverside-applied\n")
        other = cm.replace("'1'", "'2'")
        r = self.kubectl("apply", "--server-side", "--field-manager=other", "-f", "-", input=other, rc=1)
        self.assertIn("error: Apply failed with 1 conflict: conflict with \"kubectl\": .data.a\n", r.stderr)
        self.assertIn("--force-conflicts", r.stderr)
        self.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-", input=other)
        self.assertEqual(self.jsonpath("cm", "ssa", "{.data.a}"), "2")
        mf = self.k("get", "cm", "ssa", "-o", "yaml", "--show-managed-fields").stdout
        self.assertIn("manager: other", mf)
        self.assertIn("operation: Apply", mf)

    # ---- error messages (kubectl-api.md §4) ------------------------------------------------------------------------
    def test_error_messages(self):
        r = self.kubectl("apply", "-f", "-", rc=1, input=self.manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name, namespace: __NS__}\n"))
        self.assertIn('The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ' + NAME_MSG,
                      r.stderr)
        r = self.k("run", "Bad_Pod", "--image=busybox", rc=1)
        self.assertIn('The Pod "Bad_Pod" is invalid: metadata.name: Invalid value: "Bad_Pod": ' + NAME_MSG, r.stderr)
        r = self.kubectl("apply", "-f", "-", rc=1,
                         input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: nope}\n")
        self.assertIn('Error from server (NotFound): error when creating "STDIN": namespaces "nope" not found', r.stderr)
        r = self.kubectl("create", "configmap", "x", "-n", "nope", rc=1)
        self.assertIn('error: failed to create configmap: namespaces "nope" not found', r.stderr)
        r = self.kubectl("apply", "-f", "-", rc=1, input=self.manifest(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: noimg, namespace: __NS__}\nspec:\n  containers: [{name: c}]\n"))
        self.assertIn('The Pod "noimg" is invalid: spec.containers[0].image: Required value', r.stderr)
        r = self.kubectl("apply", "-f", "-", rc=1, input=self.manifest(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: two, namespace: __NS__}\nspec:\n  containers: [{image: ''}]\n"))
        self.assertIn('The Pod "two" is invalid: \n* spec.containers[0].name: Required value\n'
                      '* spec.containers[0].image: Required value', r.stderr)
        r = self.kubectl("apply", "-f", "-", rc=1, input=self.manifest(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: mism, namespace: __NS__}\nspec:\n"
            "  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: b}}\n"
            "    spec: {containers: [{name: c, image: i}]}\n"))
        self.assertIn('The Deployment "mism" is invalid: spec.template.metadata.labels: Invalid value: '
                      'map[string]string{"app":"b"}: `selector` does not match template `labels`', r.stderr)
        self.k("get", "deploy", "mism", rc=1)
        # --dry-run=server: validated, reported, not persisted.
        r = self.kubectl("apply", "--dry-run=server", "-f", "-", input=self.manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry, namespace: __NS__}\n"))
        self.assertEqual(r.stdout, "configmap/dry created (server dry run)\n")
        r = self.k("get", "cm", "dry", rc=1)
        self.assertIn('configmaps "dry" not found', r.stderr)
        r = self.kubectl("create", "--dry-run=server", "-f", "-", rc=1, input=self.manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Dry_Bad, namespace: __NS__}\n"))
        self.assertIn('The ConfigMap "Dry_Bad" is invalid: metadata.name: Invalid value: "Dry_Bad"', r.stderr)
        # Immutable fields.
        self.k("create", "deployment", "imm", "--image=nginx")
        r = self.k("patch", "deploy", "imm", "--type", "merge", "-p", '{"spec":{"selector":{"matchLabels":{"app":"other"}}}}',
                   rc=1)
        self.assertIn('The Deployment "imm" is invalid: ', r.stderr)
        self.assertIn("field is immutable", r.stderr)

    def test_unknown_field_is_rejected_with_strict_validation(self):  # server-side fieldValidation (tier 1 #11)
        bogus = self.manifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bogus, namespace: __NS__}\n"
                              "bogusField: 1\ndata: {a: b}\n")
        r = self.kubectl("create", "--validate=strict", "-f", "-", input=bogus, rc=1)
        self.assertIn('Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot '
                      'be handled as a ConfigMap: strict decoding error: unknown field "bogusField"', r.stderr)
        r = self.kubectl("create", "--validate=warn", "-f", "-", input=bogus)
        self.assertIn('Warning: unknown field "bogusField"', r.stderr)
        self.assertIn("configmap/bogus created", r.stdout)
        self.assertNotIn("bogusField", self.k("get", "cm", "bogus", "-o", "yaml").stdout)  # dropped, not stored
        r = self.kubectl("apply", "--validate=false", "-f", "-", input=bogus.replace("name: bogus", "name: lax"))
        self.assertEqual(r.stdout + r.stderr, "configmap/lax created\n")
        # Nested fields are named by path, on create and on the apply PATCH of an existing object.
        deploy = self.manifest(MANIFEST.split("---\n")[2])
        r = self.kubectl("apply", "-f", "-", rc=1, input=deploy.replace("  replicas: 2\n", "  replicas: 2\n  bogus: 1\n"))
        self.assertIn('Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot '
                      'be handled as a Deployment: strict decoding error: unknown field "spec.bogus"', r.stderr)
        self.kubectl("apply", "-f", "-", input=deploy)
        r = self.kubectl("apply", "-f", "-", rc=1, input=deploy.replace("  replicas: 2\n", "  replicas: 2\n  bogus: 1\n"))
        self.assertIn('Error from server (BadRequest)', r.stderr)
        self.assertIn('strict decoding error: unknown field "spec.bogus"', r.stderr)

    # YAML `x: y` is the bool true: upstream's typed decode refuses it with the BadRequest below.
    def test_wrongly_typed_value_is_rejected(self):
        r = self.kubectl("apply", "-f", "-", rc=1, input=self.manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typed, namespace: __NS__}\ndata: {x: y}\n"))
        self.assertIn('Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be '
                      'handled as a ConfigMap: json: cannot unmarshal bool into Go struct field ConfigMap.data of type '
                      'string', r.stderr)

    def test_wrongly_typed_replicas_are_rejected_on_create_and_patch(self):
        deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: typed, namespace: __NS__}\n"
                  "spec:\n  replicas: %s\n  selector: {matchLabels: {app: typed}}\n"
                  "  template:\n    metadata: {labels: {app: typed}}\n"
                  "    spec: {containers: [{name: c, image: busybox}]}\n")
        r = self.kubectl("create", "-f", "-", rc=1, input=self.manifest(deploy % "three"))
        self.assertIn('Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be '
                      'handled as a Deployment: json: cannot unmarshal string into Go struct field '
                      'DeploymentSpec.spec.replicas of type int32', r.stderr)
        r = self.kubectl("create", "-f", "-", rc=1, input=self.manifest(deploy % "1.5"))
        self.assertIn('json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
                      r.stderr)
        self.kubectl("create", "-f", "-", input=self.manifest(deploy % "1"))
        # A merge patch: the patched object is decoded (422 Invalid naming the patched object).
        r = self.k("patch", "deployment", "typed", "--type=merge", "-p", '{"spec":{"replicas":"three"}}', rc=1)
        self.assertIn('The request is invalid: patch: Invalid value: "{', r.stderr)
        self.assertIn('": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
                      r.stderr)
        # A strategic merge patch: the patched map is converted (the converter's wording, the patch printed).
        r = self.k("patch", "deployment", "typed", "-p", '{"spec":{"replicas":"three"}}', rc=1)
        self.assertIn('The request is invalid: patch: Invalid value: "map[spec:map[replicas:three]]": unrecognized '
                      'type: int32', r.stderr)
        self.assertEqual(self.jsonpath("deployment", "typed", "{.spec.replicas}"), "1")

    def test_container_port_as_a_string_is_rejected(self):
        pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: typed, namespace: __NS__}\n"
               "spec: {containers: [{name: c, image: busybox, ports: [{containerPort: '80'}]}]}\n")
        r = self.kubectl("apply", "-f", "-", rc=1, input=self.manifest(pod))
        self.assertIn('Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be '
                      'handled as a Pod: json: cannot unmarshal string into Go struct field '
                      'ContainerPort.spec.containers.ports.containerPort of type int32', r.stderr)
        # IntOrString and Quantity take both strings and numbers.
        ok = pod.replace("'80'", "80, name: web").replace("ports:", "resources: {limits: {cpu: 1, memory: 64Mi}}, "
                                                          "readinessProbe: {tcpSocket: {port: web}}, ports:")
        self.kubectl("apply", "-f", "-", input=self.manifest(ok))

    # ---- namespace defaults (controllers) ----------------------------------------------------------------------------
    def test_new_namespace_gets_default_serviceaccount_and_root_ca(self):
        deadline = time.time() + 3
        while time.time() < deadline:
            sa = self.k("get", "sa", "-o", "name").stdout
            cm = self.k("get", "cm", "-o", "name").stdout
            if "serviceaccount/default" in sa and "configmap/kube-root-ca.crt" in cm:
                break
            time.sleep(0.3)
        self.assertIn("serviceaccount/default", sa)
        self.assertIn("configmap/kube-root-ca.crt", cm)
        self.assertRegex(self.k("get", "sa").stdout, r"NAME\s+SECRETS\s+AGE\ndefault\s+0\s+\d+s")


class LimitRangeTest(unittest.TestCase):
    """Its own server: creating a LimitRange with defaults once crashed the ASan build (a pointer kept across an
    insert in DefaultLimitRange); a crash must not take the shared server of KubectlTest down with it."""

    def test_limitrange_defaults(self):
        tmp = tempfile.TemporaryDirectory(prefix="k1s-limits-")
        kubeconfig = os.path.join(tmp.name, "kc.yaml")
        server = Server(os.path.join(tmp.name, "data"), kubeconfig)
        env = dict(os.environ, KUBECONFIG=kubeconfig, KUBECACHEDIR=os.path.join(tmp.name, "cache"))
        try:
            lr = ("apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr1, namespace: default}\nspec:\n"
                  "  limits: [{type: Container, default: {cpu: 500m, memory: 128Mi}}]\n")
            r = subprocess.run(["kubectl", "apply", "-f", "-"], input=lr, capture_output=True, text=True, env=env,
                               timeout=60)
            self.assertEqual(r.stdout, "limitrange/lr1 created\n", r.stderr)
            r = subprocess.run(["kubectl", "get", "limits", "lr1", "-o", "jsonpath={.spec.limits[0].defaultRequest}"],
                               capture_output=True, text=True, env=env, timeout=60)
            self.assertEqual(json.loads(r.stdout), {"cpu": "500m", "memory": "128Mi"})
        finally:
            if server.proc.poll() is None:
                server.stop()
            else:
                server.log.close()
            tmp.cleanup()


class RbacEscalationTest(unittest.TestCase):
    """RBAC privilege-escalation prevention, driven as the impersonated user alice (groups
    [system:authenticated]): a Role may be written only with every permission in it held (or `escalate` on
    roles), a RoleBinding only with every permission of its role held (or `bind` on that role)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="k1s-escalation-")
        cls.kubeconfig = os.path.join(cls.tmp.name, "kc.yaml")
        cls.server = Server(os.path.join(cls.tmp.name, "data"), cls.kubeconfig)

    @classmethod
    def tearDownClass(cls):
        if cls.server.proc.poll() is None:
            cls.server.stop()
        else:
            cls.server.log.close()
        cls.tmp.cleanup()

    def kubectl(self, *args, input=None, rc=0):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, KUBECACHEDIR=os.path.join(self.tmp.name, "cache"))
        r = subprocess.run(["kubectl", *args], input=input, capture_output=True, text=True, env=env, timeout=60)
        if rc is not None:
            self.assertEqual(r.returncode, rc,
                             "kubectl %s\nstdout: %s\nstderr: %s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def alice(self, *args, input=None, rc=0):
        return self.kubectl("--as=alice", *args, input=input, rc=rc)

    def wait_until_alice_can(self, verb, resource, ns):
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.alice("auth", "can-i", verb, resource, "-n", ns, rc=None).stdout == "yes\n":
                return
            time.sleep(0.2)
        self.fail("alice never got %s %s in %s" % (verb, resource, ns))

    def grant_alice(self, ns, name, rules):
        self.kubectl("apply", "-f", "-", input=(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: %s, namespace: %s}\nrules: %s\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: %s, namespace: %s}\n"
            "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: %s}\n"
            "subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]\n") % (name, ns, rules, name, ns, name))

    @staticmethod
    def role(ns, name, rules):
        return ("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: %s, namespace: %s}\n"
                "rules: %s\n") % (name, ns, rules)

    @staticmethod
    def binding(ns, name, role):
        return ("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: %s, namespace: %s}\n"
                "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: %s}\n"
                "subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: carol}]\n") % (name, ns, role)

    def test_a_role_needs_its_permissions_held_or_escalate(self):
        ns = "esc-roles"
        self.kubectl("create", "namespace", ns)
        self.grant_alice(ns, "role-admin", "[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], "
                                           "verbs: [create, get, update, patch]}, "
                                           "{apiGroups: [''], resources: [pods], verbs: [get, list]}]")
        self.wait_until_alice_can("create", "roles", ns)
        # What alice holds she may grant.
        self.alice("create", "-f", "-", input=self.role(ns, "pod-reader", "[{apiGroups: [''], resources: [pods], verbs: [get]}]"))
        # Secrets she cannot read: refused, naming every missing permission.
        secrets = self.role(ns, "secret-reader", "[{apiGroups: [''], resources: [secrets, pods], verbs: [get, list, watch]}]")
        r = self.alice("create", "-f", "-", input=secrets, rc=1)
        self.assertIn('Error from server (Forbidden): error when creating "STDIN": roles.rbac.authorization.k8s.io '
                      '"secret-reader" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to '
                      'grant RBAC permissions not currently held:\n'
                      '{APIGroups:[""], Resources:["pods"], Verbs:["watch"]}\n'
                      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "watch"]}\n', r.stderr)
        # Widening an existing role is an update of it (kubectl apply patches): refused the same way.
        r = self.alice("apply", "-f", "-", rc=1, input=self.role(
            ns, "pod-reader", "[{apiGroups: [''], resources: [pods, secrets], verbs: [get]}]"))
        self.assertIn('roles.rbac.authorization.k8s.io "pod-reader" is forbidden: user "alice" '
                      '(groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
                      '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}', r.stderr)
        # With escalate on roles she may.
        self.grant_alice(ns, "escalator", "[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate]}]")
        self.wait_until_alice_can("escalate", "roles", ns)
        self.assertEqual(self.alice("create", "-f", "-", input=secrets).stdout,
                         "role.rbac.authorization.k8s.io/secret-reader created\n")

    def test_a_binding_needs_its_roles_permissions_held_or_bind(self):
        ns = "esc-bindings"
        self.kubectl("create", "namespace", ns)
        self.kubectl("apply", "-f", "-", input=self.role(ns, "secret-reader",
                                                         "[{apiGroups: [''], resources: [secrets], verbs: [get]}]"))
        self.kubectl("apply", "-f", "-", input=self.role(ns, "pod-reader",
                                                         "[{apiGroups: [''], resources: [pods], verbs: [get]}]"))
        self.grant_alice(ns, "binder", "[{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], "
                                       "verbs: [create, get]}, {apiGroups: [''], resources: [pods], verbs: [get]}]")
        self.wait_until_alice_can("create", "rolebindings", ns)
        self.alice("create", "-f", "-", input=self.binding(ns, "read-pods", "pod-reader"))
        r = self.alice("create", "-f", "-", input=self.binding(ns, "read-secrets", "secret-reader"), rc=1)
        self.assertIn('Error from server (Forbidden): error when creating "STDIN": rolebindings.rbac.authorization.k8s.io '
                      '"read-secrets" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to '
                      'grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
                      r.stderr)
        r = self.alice("create", "-f", "-", input=self.binding(ns, "read-nothing", "no-such-role"), rc=1)
        self.assertIn('Error from server (NotFound): error when creating "STDIN": roles.rbac.authorization.k8s.io '
                      '"no-such-role" not found', r.stderr)
        # bind on that one role is enough.
        self.grant_alice(ns, "secret-binder", "[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], "
                                              "resourceNames: [secret-reader], verbs: [bind]}]")
        deadline = time.time() + 10
        while True:
            r = self.alice("create", "-f", "-", input=self.binding(ns, "read-secrets", "secret-reader"), rc=None)
            if r.returncode == 0 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(r.stdout, "rolebinding.rbac.authorization.k8s.io/read-secrets created\n", r.stderr)


class InputHardeningTest(unittest.TestCase):
    """Values that once crashed or slipped past the server, driven through kubectl on a server of its own: a
    string targetPort of 20 digits (accepted, then the endpoints controller aborted the process on every start),
    Service names that are not DNS-1035 labels, ConfigMaps and Secrets over 1 MiB, DeleteOptions values upstream
    refuses, and a JSON patch with a huge array index."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="k1s-hardening-")
        cls.kubeconfig = os.path.join(cls.tmp.name, "kc.yaml")
        cls.server = Server(os.path.join(cls.tmp.name, "data"), cls.kubeconfig)

    @classmethod
    def tearDownClass(cls):
        if cls.server.proc.poll() is None:
            cls.server.stop()
        else:
            cls.server.log.close()
        cls.tmp.cleanup()

    def kubectl(self, *args, input=None, rc=0):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, KUBECACHEDIR=os.path.join(self.tmp.name, "cache"))
        r = subprocess.run(["kubectl", *args], input=input, capture_output=True, text=True, env=env, timeout=60)
        if rc is not None:
            self.assertEqual(r.returncode, rc,
                             "kubectl %s\nstdout: %s\nstderr: %s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def assert_server_alive(self):
        self.assertIsNone(self.server.proc.poll(), "the server exited")
        self.assertEqual(self.kubectl("get", "--raw", "/readyz").stdout, "ok")

    def test_a_service_with_a_huge_numeric_string_target_port_is_invalid(self):
        svc = ("apiVersion: v1\nkind: Service\nmetadata: {name: bad-target, namespace: default}\n"
               "spec:\n  selector: {app: x}\n  ports: [{port: 80, targetPort: \"99999999999999999999\"}]\n")
        r = self.kubectl("create", "-f", "-", input=svc, rc=1)
        self.assertIn('The Service "bad-target" is invalid: \n'
                      '* spec.ports[0].targetPort: Invalid value: "99999999999999999999": must be no more than 15 '
                      'characters\n'
                      '* spec.ports[0].targetPort: Invalid value: "99999999999999999999": must contain at least one '
                      'letter (a-z)\n', r.stderr)
        r = self.kubectl("create", "-f", "-", input=svc.replace('"99999999999999999999"', "70000"), rc=1)
        self.assertIn('The Service "bad-target" is invalid: spec.ports[0].targetPort: Invalid value: 70000: must be '
                      'between 1 and 65535, inclusive', r.stderr)
        # A named target port is fine, and the server is still up.
        ok = svc.replace('"99999999999999999999"', "http")
        self.assertEqual(self.kubectl("create", "-f", "-", input=ok).stdout, "service/bad-target created\n")
        self.assert_server_alive()

    def test_service_names_must_be_dns1035_labels(self):
        r = self.kubectl("create", "service", "clusterip", "9svc", "--tcp=80", rc=1)
        self.assertIn('Service "9svc" is invalid: metadata.name: Invalid value: "9svc": a DNS-1035 label must '
                      "consist of lower case alphanumeric characters or '-', start with an alphabetic character, and "
                      "end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation "
                      "is '[a-z]([-a-z0-9]*[a-z0-9])?')", r.stderr)
        self.assertEqual(self.kubectl("create", "service", "clusterip", "svc9", "--tcp=80").stdout,
                         "service/svc9 created\n")
        # Other kinds keep their own rules: a ConfigMap name may start with a digit.
        self.assertEqual(self.kubectl("create", "configmap", "9cm").stdout, "configmap/9cm created\n")

    def test_configmaps_and_secrets_over_one_mebibyte_are_invalid(self):
        big = os.path.join(self.tmp.name, "big.txt")
        with open(big, "w") as f:
            f.write("x" * (1024 * 1024 + 1))
        r = self.kubectl("create", "configmap", "big", "--from-file=" + big, rc=1)
        self.assertIn('ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes', r.stderr)
        r = self.kubectl("create", "secret", "generic", "big", "--from-file=" + big, rc=1)
        self.assertIn('Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes', r.stderr)
        fits = os.path.join(self.tmp.name, "fits.txt")
        with open(fits, "w") as f:
            f.write("x" * (1024 * 1024 - 64))
        self.assertEqual(self.kubectl("create", "configmap", "fits", "--from-file=" + fits).stdout,
                         "configmap/fits created\n")
        self.assert_server_alive()

    def test_unsupported_delete_options_are_refused_and_nothing_is_deleted(self):
        self.kubectl("create", "configmap", "keep")
        r = self.kubectl("delete", "--raw", "/api/v1/namespaces/default/configmaps/keep?dryRun=bogus", rc=1)
        self.assertIn('The DeleteOptions "" is invalid: dryRun: Unsupported value: []string{"bogus"}: supported '
                      'values: "All"', r.stderr)
        r = self.kubectl("delete", "--raw", "/api/v1/namespaces/default/configmaps/keep?propagationPolicy=Sideways",
                         rc=1)
        self.assertIn("propagationPolicy: Unsupported value", r.stderr)
        # The same values in a DeleteOptions body.
        body = os.path.join(self.tmp.name, "delete-options.json")
        with open(body, "w") as f:
            json.dump({"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["Bogus"],
                       "propagationPolicy": "Sideways"}, f)
        r = self.kubectl("delete", "--raw", "/api/v1/namespaces/default/configmaps/keep", "-f", body, rc=1)
        self.assertIn('The DeleteOptions "" is invalid: \n'
                      '* propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", '
                      '"Background", "Orphan", "nil"\n'
                      '* dryRun: Unsupported value: []string{"Bogus"}: supported values: "All"\n', r.stderr)
        self.kubectl("get", "configmap", "keep")

    def test_a_json_patch_with_a_huge_array_index_is_a_client_error(self):
        self.kubectl("create", "deployment", "web", "--image=nginx")
        r = self.kubectl("patch", "deployment", "web", "--type=json", "-p",
                         '[{"op":"replace","path":"/spec/template/spec/containers/99999999999999999999/image",'
                         '"value":"x"}]', rc=1)
        self.assertNotIn("internal error", r.stderr)
        self.assertIn("The request is invalid: ", r.stderr)  # a 422, as upstream answers a patch that cannot apply
        self.assert_server_alive()


class OpenApiV2Test(unittest.TestCase):
    """GET /openapi/v2: the Swagger 2.0 document kubectl fetches as protobuf for `explain
    --output=plaintext-openapiv2`, client-side validation of `kind: List` manifests and strategic-merge patch
    computation, and as JSON for anyone else."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="k1s-openapiv2-")
        cls.kubeconfig = os.path.join(cls.tmp.name, "kc.yaml")
        cls.server = Server(os.path.join(cls.tmp.name, "data"), cls.kubeconfig)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def kubectl(self, *args, input=None):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, KUBECACHEDIR=os.path.join(self.tmp.name, "cache"))
        r = subprocess.run(["kubectl", *args], input=input, capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(r.returncode, 0, "kubectl %s\nstdout: %s\nstderr: %s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def test_explain_openapiv2_prints_the_field_tree_and_the_json_document_has_kinds(self):
        out = self.kubectl("explain", "--output=plaintext-openapiv2", "pods.spec.containers").stdout
        # The layout upstream prints: KIND/VERSION, RESOURCE with its type, DESCRIPTION, then FIELDS.
        self.assertTrue(out.startswith("KIND:     Pod\nVERSION:  v1\n\nRESOURCE: containers <[]Object>\n\n"
                                       "DESCRIPTION:\n"), out)
        self.assertIn("\nFIELDS:\n", out)
        fields = out.split("\nFIELDS:\n", 1)[1]
        self.assertIn("   name\t<string> -required-\n", fields)
        for line in ("   image\t<string>\n", "   args\t<[]string>\n", "   ports\t<[]Object>\n",
                     "   env\t<[]Object>\n", "   resources\t<Object>\n"):
            self.assertIn(line, fields)
        top = self.kubectl("explain", "--output=plaintext-openapiv2", "deployments").stdout
        self.assertTrue(top.startswith("KIND:     Deployment\nVERSION:  apps/v1\n\nDESCRIPTION:\n"), top)
        self.assertIn("   spec\t<Object>\n", top)

        doc = json.loads(self.kubectl("get", "--raw", "/openapi/v2").stdout)
        self.assertEqual(doc["swagger"], "2.0")
        self.assertEqual(doc["info"]["title"], "Kubernetes")
        self.assertTrue(doc["info"]["version"].startswith("v1.32."), doc["info"])
        deploy = doc["definitions"]["io.k8s.api.apps.v1.Deployment"]
        self.assertEqual(deploy["x-kubernetes-group-version-kind"],
                         [{"group": "apps", "kind": "Deployment", "version": "v1"}])
        self.assertEqual(deploy["properties"]["metadata"]["$ref"],
                         "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
        containers = doc["definitions"]["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
        self.assertEqual(containers["x-kubernetes-patch-merge-key"], "name")
        self.assertEqual(containers["x-kubernetes-patch-strategy"], "merge")

if __name__ == "__main__":
    unittest.main(verbosity=2)

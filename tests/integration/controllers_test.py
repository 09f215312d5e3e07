#!/usr/bin/env python3
"""Starts the real `k1s server --disable-agent` and the real simulated agent (`k1s agent --simulate 3`) and
drives the control loops with the real kubectl, the way users do: nodes, deployments (create, scale, image
update, history, undo), garbage collection, jobs, cronjobs, daemonsets, statefulsets, services and
endpoints, scheduling failures, taints, namespace lifecycle, service accounts and root CA configmaps, events,
resource quotas (admission and usage).

Run: K1S_BIN=/path/to/k1s python3 tests/integration/controllers_test.py -v
"""
import importlib.util
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import unittest

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("k1s_apiserver_test", os.path.join(_here, "apiserver_test.py"))
_apiserver_test = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_apiserver_test)
Server = _apiserver_test.Server
K1S = _apiserver_test.K1S

WAIT = "180s"  # kubectl --timeout for waits (the binary may be an AddressSanitizer build)
POLL_TIMEOUT = 180.0
CRON_NS = "ct-cron"


class Agent:
    """`k1s agent --simulate N` joined to the server with its token."""

    def __init__(self, server, data_dir, nodes=3, name=None):
        with open(os.path.join(server.data_dir, "server", "token")) as f:
            token = f.read().strip()
        self.log_path = os.path.join(os.path.dirname(server.kubeconfig), "agent%s.log" % ("-" + name if name else ""))
        self.log = open(self.log_path, "a")
        env = {k: v for k, v in os.environ.items() if not k.startswith("K1S_")}
        self.proc = subprocess.Popen(
            [K1S, "agent", "--config", "/dev/null", "--server", "https://127.0.0.1:%d" % server.port,
             "--token", token, "--simulate", str(nodes), "--data-dir", data_dir] +
            (["--node-name", name] if name else []),
            stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class ControllersTest(unittest.TestCase):
    server = None
    agent = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="k1s-ctl-")
        cls.dir = cls.tmp.name
        cls.kubeconfig = os.path.join(cls.dir, "kc.yaml")
        try:
            cls.server = Server(os.path.join(cls.dir, "data"), cls.kubeconfig)
            cls.agent = Agent(cls.server, os.path.join(cls.dir, "agent"))
            # Wait until the three simulated nodes are registered and Ready.
            deadline = time.time() + POLL_TIMEOUT
            while True:
                if cls.agent.proc.poll() is not None:
                    with open(cls.agent.log_path) as f:
                        raise RuntimeError("k1s agent exited: " + f.read())
                r = cls._kubectl_raw("get", "nodes", "-o", "json")
                if r.returncode == 0:
                    items = json.loads(r.stdout)["items"]
                    ready = [n for n in items if any(c["type"] == "Ready" and c["status"] == "True"
                                                     for c in n.get("status", {}).get("conditions", []))]
                    if len(ready) == 3:
                        cls.nodes = sorted(n["metadata"]["name"] for n in items)
                        break
                if time.time() > deadline:
                    with open(cls.agent.log_path) as f:
                        raise RuntimeError("simulated nodes not Ready: " + r.stdout + r.stderr + f.read())
                time.sleep(0.2)
            # The CronJob is created now and checked by the last test, so the wait for the next minute
            # boundary overlaps with the other tests instead of adding up to a minute on its own.
            cls._kubectl_raw("create", "namespace", CRON_NS)
            r = cls._kubectl_raw("create", "cronjob", "tick", "-n", CRON_NS, "--image=busybox",
                                 "--schedule=*/1 * * * *", "--", "true")
            if r.returncode != 0:
                raise RuntimeError("create cronjob: " + r.stdout + r.stderr)
            cls.cron_created = time.time()
        except BaseException:
            cls._stop_all()
            raise

    @classmethod
    def _stop_all(cls):
        if cls.agent:
            cls.agent.stop()
            cls.agent = None
        if cls.server:
            cls.server.stop()
            cls.server = None
        cls.tmp.cleanup()

    @classmethod
    def tearDownClass(cls):
        cls._stop_all()

    # ---- helpers --------------------------------------------------------------------------------------

    @classmethod
    def _kubectl_raw(cls, *args, input=None, timeout=240):
        env = dict(os.environ, KUBECONFIG=cls.kubeconfig, KUBECACHEDIR=os.path.join(cls.dir, "cache"))
        return subprocess.run(["/usr/bin/kubectl", *args], capture_output=True, text=True, input=input,
                              env=env, timeout=timeout)

    def kubectl(self, *args, input=None, ok=True):
        r = self._kubectl_raw(*args, input=input)
        if ok:
            self.assertEqual(r.returncode, 0, "kubectl %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def k(self, *args, **kw):
        """kubectl in this test's namespace."""
        return self.kubectl("-n", self.ns, *args, **kw)

    def get_json(self, *args):
        return json.loads(self.k("get", *args, "-o", "json").stdout)

    def poll(self, fn, what, timeout=POLL_TIMEOUT, interval=0.25):
        """Calls fn() until it returns a truthy value; fails with `what` and the last value otherwise."""
        deadline = time.time() + timeout
        last = None
        while True:
            last = fn()
            if last:
                return last
            if time.time() > deadline:
                self.fail("timed out waiting for %s (last: %r)" % (what, last))
            time.sleep(interval)

    def pods(self, selector=None):
        args = ["pods"] + (["-l", selector] if selector else [])
        return [p for p in self.get_json(*args)["items"] if not p["metadata"].get("deletionTimestamp")]

    def all_pods(self, selector=None):
        args = ["pods"] + (["-l", selector] if selector else [])
        return self.get_json(*args)["items"]

    def running(self, pods):
        return [p for p in pods if p.get("status", {}).get("phase") == "Running"]

    def setUp(self):
        self.ns = "ct-" + re.sub(r"[^a-z0-9]+", "-", self._testMethodName.lower().replace("test_", ""))[:50]
        self.ns = self.ns.strip("-")
        self.kubectl("create", "namespace", self.ns)

    def tearDown(self):
        self._kubectl_raw("delete", "namespace", self.ns, "--wait=false", "--ignore-not-found")

    # ---- nodes ----------------------------------------------------------------------------------------

    def test_nodes_ready(self):
        self.kubectl("wait", "--for=condition=Ready", "node", "--all", "--timeout=" + WAIT)
        out = self.kubectl("get", "nodes").stdout
        lines = out.splitlines()
        self.assertRegex(lines[0], r"NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION")
        rows = [l.split() for l in lines[1:]]
        self.assertEqual(len(rows), 3, out)
        for row in rows:
            self.assertRegex(row[0], r"-sim-[0-2]$", out)
            self.assertEqual(row[1], "Ready", out)
        self.assertEqual([n[-6:] for n in self.nodes], ["-sim-0", "-sim-1", "-sim-2"])

    # ---- deployments ----------------------------------------------------------------------------------

    def test_deployment_runs_three_pods(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("wait", "--for=jsonpath={.status.phase}=Running", "pod", "-l", "app=web", "--timeout=" + WAIT)
        pods = self.pods("app=web")
        self.assertEqual(len(pods), 3)
        self.assertEqual(len(self.running(pods)), 3)
        for p in pods:
            self.assertIn(p["spec"]["nodeName"], self.nodes)
            self.assertTrue(p["status"].get("podIP"), p["status"])
        out = self.k("get", "deployment", "web").stdout
        self.assertRegex(out, r"web\s+3/3\s+3\s+3\s")

    def test_deployment_scale_up_and_down(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("scale", "deployment/web", "--replicas=5")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.poll(lambda: len(self.running(self.pods("app=web"))) == 5, "5 running pods")
        self.assertEqual(self.get_json("deployment", "web")["status"].get("readyReplicas"), 5)
        self.k("scale", "deployment/web", "--replicas=1")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.poll(lambda: len(self.all_pods("app=web")) == 1, "scale down to 1 pod")
        st = self.get_json("deployment", "web")["status"]
        self.assertEqual((st.get("replicas"), st.get("readyReplicas")), (1, 1), st)

    def test_deployment_set_image_and_history(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("set", "image", "deployment/web", "nginx=nginx:1.27")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.poll(lambda: sorted(p["spec"]["containers"][0]["image"] for p in self.all_pods("app=web"))
                  == ["nginx:1.27"] * 3, "all pods on nginx:1.27")
        hist = self.k("rollout", "history", "deployment/web").stdout
        self.assertRegex(hist, r"(?m)^1\s")
        self.assertRegex(hist, r"(?m)^2\s")
        self.assertEqual(len([l for l in hist.splitlines() if re.match(r"^\d+\s", l)]), 2, hist)
        rs = self.get_json("replicasets", "-l", "app=web")["items"]
        self.assertEqual(len(rs), 2)
        revs = sorted(r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] for r in rs)
        self.assertEqual(revs, ["1", "2"])

    def test_deployment_rollout_undo_reuses_old_replicaset(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        first = self.get_json("replicasets", "-l", "app=web")["items"][0]["metadata"]["name"]
        self.k("set", "image", "deployment/web", "nginx=nginx:1.27")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.assertIn("rolled back", self.k("rollout", "undo", "deployment/web").stdout)
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        d = self.get_json("deployment", "web")
        self.assertEqual(d["spec"]["template"]["spec"]["containers"][0]["image"], "nginx")
        self.assertEqual(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3")
        self.poll(lambda: sorted(p["spec"]["containers"][0]["image"] for p in self.all_pods("app=web"))
                  == ["nginx"] * 3, "all pods back on nginx")
        hist = self.k("rollout", "history", "deployment/web").stdout
        revs = [l.split()[0] for l in hist.splitlines() if re.match(r"^\d+\s", l)]
        # upstream: the revision-1 ReplicaSet is scaled back up and renumbered 3, so history is 2, 3
        rs = {r["metadata"]["name"]: r for r in self.get_json("replicasets", "-l", "app=web")["items"]}
        self.assertEqual(len(rs), 2, sorted(rs))
        self.assertEqual(rs[first]["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3")
        self.assertEqual(revs, ["2", "3"], hist)

    def test_deleting_deployment_garbage_collects_replicasets_and_pods(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        rs = self.get_json("replicasets", "-l", "app=web")["items"]
        self.assertEqual(len(rs), 1)
        owner = rs[0]["metadata"]["ownerReferences"][0]
        self.assertEqual((owner["kind"], owner["name"], owner.get("controller")), ("Deployment", "web", True))
        for p in self.pods("app=web"):
            self.assertEqual(p["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet")
        self.k("delete", "deployment", "web")  # default: background cascading deletion
        self.poll(lambda: not self.get_json("replicasets")["items"], "replica sets garbage collected")
        self.poll(lambda: not self.all_pods(), "pods garbage collected")

    # ---- jobs -----------------------------------------------------------------------------------------

    def test_job_completes(self):
        self.k("create", "job", "x", "--image=busybox", "--", "true")
        self.k("wait", "--for=condition=complete", "job/x", "--timeout=" + WAIT)
        job = self.get_json("job", "x")
        self.assertEqual(job["status"].get("succeeded"), 1, job["status"])
        self.assertIn("completionTime", job["status"])
        pods = self.all_pods("job-name=x")
        self.assertEqual(len(pods), 1)
        self.assertEqual(pods[0]["status"]["phase"], "Succeeded")
        self.assertRegex(self.k("get", "job", "x").stdout, r"x\s+Complete\s+1/1\s")

    def test_zz_cronjob_creates_job(self):
        # Created in setUpClass with schedule "*/1 * * * *"; a job is due at the first minute boundary
        # after creation, so at most ~60 s after setUpClass (most of which the other tests have used).
        def jobs():
            r = self._kubectl_raw("get", "jobs", "-n", CRON_NS, "-o", "json")
            return r.returncode == 0 and json.loads(r.stdout)["items"]
        remaining = max(10.0, 75.0 - (time.time() - self.cron_created))
        items = self.poll(jobs, "a Job from cronjob/tick", timeout=remaining + 30, interval=0.5)
        job = items[0]
        self.assertTrue(job["metadata"]["name"].startswith("tick-"), job["metadata"]["name"])
        owner = job["metadata"]["ownerReferences"][0]
        self.assertEqual((owner["kind"], owner["name"]), ("CronJob", "tick"))
        self.kubectl("wait", "-n", CRON_NS, "--for=condition=complete", "job/" + job["metadata"]["name"],
                     "--timeout=" + WAIT)
        cj = json.loads(self.kubectl("get", "cronjob", "tick", "-n", CRON_NS, "-o", "json").stdout)
        self.assertIn("lastScheduleTime", cj.get("status", {}), cj.get("status"))

    # ---- daemonsets / statefulsets --------------------------------------------------------------------

    def test_daemonset_one_pod_per_node(self):
        self.k("apply", "-f", "-", input="""apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sleep", "infinity"]
""")
        self.k("rollout", "status", "daemonset/agent", "--timeout=" + WAIT)
        pods = self.poll(lambda: (lambda ps: len(self.running(ps)) == 3 and ps)(self.pods("app=agent")),
                         "3 running daemon pods")
        self.assertEqual(len(pods), 3)
        self.assertEqual(sorted(p["spec"]["nodeName"] for p in pods), self.nodes)
        st = self.get_json("daemonset", "agent")["status"]
        self.assertEqual((st.get("desiredNumberScheduled"), st.get("numberReady")), (3, 3), st)

    def test_statefulset_ordered_pods(self):
        self.k("apply", "-f", "-", input="""apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector: {app: sts}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels: {app: sts}
  template:
    metadata:
      labels: {app: sts}
    spec:
      containers:
      - name: nginx
        image: nginx
""")
        self.k("rollout", "status", "statefulset/web", "--timeout=" + WAIT)
        pods = {p["metadata"]["name"]: p for p in self.pods("app=sts")}
        self.assertEqual(sorted(pods), ["web-0", "web-1"])
        for p in pods.values():
            self.assertEqual(p["status"]["phase"], "Running")
        # OrderedReady: web-1 is created only once web-0 is Running and Ready.
        ready0 = [c for c in pods["web-0"]["status"]["conditions"] if c["type"] == "Ready"][0]
        self.assertLessEqual(ready0["lastTransitionTime"], pods["web-1"]["metadata"]["creationTimestamp"])
        creates = [e for e in self.get_json("events")["items"]
                   if e["reason"] == "SuccessfulCreate" and e["involvedObject"]["kind"] == "StatefulSet"]
        msgs = sorted(e["message"] for e in creates)
        self.assertEqual(msgs, ["create Pod web-0 in StatefulSet web successful",
                                "create Pod web-1 in StatefulSet web successful"])
        self.assertEqual(pods["web-0"]["spec"].get("hostname"), "web-0")
        self.assertEqual(pods["web-0"]["spec"].get("subdomain"), "web")

    # ---- services -------------------------------------------------------------------------------------

    def test_service_endpoints_and_endpointslice(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3", "--port=80")
        self.k("expose", "deployment", "web", "--port=80")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        pod_ips = self.poll(lambda: (lambda ips: len(ips) == 3 and sorted(ips))(
            [p["status"].get("podIP") for p in self.running(self.pods("app=web")) if p["status"].get("podIP")]),
            "3 pod IPs")

        def ep_ips():
            r = self.k("get", "endpoints", "web", "-o", "json", ok=False)
            if r.returncode != 0:
                return None
            subsets = json.loads(r.stdout).get("subsets") or []
            ips = sorted(a["ip"] for s in subsets for a in s.get("addresses", []))
            return ips == pod_ips and ips
        self.poll(ep_ips, "Endpoints web with the pod IPs %s" % pod_ips)
        ep = self.get_json("endpoints", "web")
        self.assertEqual(ep["subsets"][0]["ports"][0]["port"], 80)

        def slice_ips():
            items = self.get_json("endpointslices", "-l", "kubernetes.io/service-name=web")["items"]
            ips = sorted(a for s in items for e in (s.get("endpoints") or []) for a in e["addresses"]
                         if e.get("conditions", {}).get("ready"))
            return ips == pod_ips and items
        slices = self.poll(slice_ips, "EndpointSlice for web")
        self.assertEqual(slices[0]["addressType"], "IPv4")
        self.assertEqual(slices[0]["metadata"]["labels"].get("endpointslice.kubernetes.io/managed-by"),
                         "endpointslice-controller.k8s.io")
        out = self.k("get", "endpoints", "web").stdout
        self.assertIn(":80", out)

    # ---- scheduling -----------------------------------------------------------------------------------

    def test_unschedulable_pod_stays_pending_with_event(self):
        self.k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata:
  name: lost
spec:
  nodeSelector: {disk: nonexistent}
  containers:
  - name: c
    image: nginx
""")
        want = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."
        out = self.poll(lambda: (lambda d: "FailedScheduling" in d and d)(self.k("describe", "pod", "lost").stdout),
                        "FailedScheduling event")
        self.assertIn(want, out)
        # upstream appends the preemption diagnosis
        self.assertIn("preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", out)
        pod = self.get_json("pod", "lost")
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertNotIn("nodeName", pod["spec"])
        cond = [c for c in pod["status"].get("conditions", []) if c["type"] == "PodScheduled"][0]
        self.assertEqual((cond["status"], cond.get("reason")), ("False", "Unschedulable"))

    def test_taint_keeps_pods_off_node(self):
        n0 = self.nodes[0]
        self.kubectl("taint", "node", n0, "k=v:NoSchedule")
        self.addCleanup(self._kubectl_raw, "taint", "node", n0, "k=v:NoSchedule-")
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        pods = self.pods("app=web")
        self.assertEqual(len(pods), 3)
        used = {p["spec"]["nodeName"] for p in pods}
        self.assertNotIn(n0, used)
        self.assertTrue(used <= set(self.nodes[1:]), used)
        # a pod tolerating the taint may land anywhere, including the tainted node
        self.k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata:
  name: tolerant
spec:
  nodeName: %s
  tolerations: [{key: k, operator: Equal, value: v, effect: NoSchedule}]
  containers: [{name: c, image: nginx}]
""" % n0)
        self.k("wait", "--for=condition=Ready", "pod/tolerant", "--timeout=" + WAIT)

    # ---- namespaces -----------------------------------------------------------------------------------

    def test_namespace_deletion_empties_it(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=2")
        self.k("create", "configmap", "cfg", "--from-literal=a=b")
        self.k("create", "job", "j", "--image=busybox", "--", "true")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.kubectl("delete", "namespace", self.ns, "--wait=false")
        self.kubectl("wait", "--for=delete", "namespace/" + self.ns, "--timeout=" + WAIT)
        r = self.kubectl("get", "namespace", self.ns, ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('namespaces "%s" not found' % self.ns, r.stderr)
        for kind in ("pods", "deployments", "replicasets", "configmaps", "jobs"):
            out = self.kubectl("get", kind, "-n", self.ns, "-o", "name").stdout
            self.assertEqual(out.strip(), "", kind)

    def test_new_namespace_gets_default_serviceaccount_and_root_ca(self):
        self.poll(lambda: self.k("get", "serviceaccount", "default", ok=False).returncode == 0,
                  "serviceaccount default")
        self.poll(lambda: self.k("get", "configmap", "kube-root-ca.crt", ok=False).returncode == 0,
                  "configmap kube-root-ca.crt")
        cm = self.get_json("configmap", "kube-root-ca.crt")
        self.assertIn("-----BEGIN CERTIFICATE-----", cm["data"]["ca.crt"])
        with open(os.path.join(self.server.data_dir, "server", "tls", "server-ca.crt")) as f:
            self.assertIn(cm["data"]["ca.crt"].strip().splitlines()[1], f.read())
        self.assertRegex(self.k("get", "sa").stdout, r"(?m)^default\s+0\s")

    # ---- events ---------------------------------------------------------------------------------------

    def test_events_show_scheduled_and_successful_create(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=2")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)

        def events():
            out = self.k("get", "events").stdout
            return "Scheduled" in out and "SuccessfulCreate" in out and "ScalingReplicaSet" in out and out
        out = self.poll(events, "Scheduled, SuccessfulCreate and ScalingReplicaSet events")
        self.assertRegex(out.splitlines()[0], r"LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE")
        self.assertRegex(out, r"Normal\s+Scheduled\s+pod/web-\S+\s+Successfully assigned %s/web-\S+ to \S+-sim-\d"
                         % self.ns)
        self.assertRegex(out, r"Normal\s+SuccessfulCreate\s+replicaset/web-\S+\s+Created pod: web-")
        self.assertRegex(out, r"Normal\s+ScalingReplicaSet\s+deployment/web\s+Scaled up replica set web-\S+")

    def test_scaling_replicaset_events_say_from_and_to(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("scale", "deployment/web", "--replicas=1")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        rs = self.get_json("replicasets", "-l", "app=web")["items"][0]["metadata"]["name"]

        def messages():
            return sorted(e["message"] for e in self.get_json("events")["items"] if e["reason"] == "ScalingReplicaSet")
        msgs = self.poll(lambda: (lambda m: len(m) >= 2 and m)(messages()), "two ScalingReplicaSet events")
        self.assertEqual(msgs, ["Scaled down replica set %s from 3 to 1" % rs,
                                "Scaled up replica set %s from 0 to 3" % rs])


    # ---- resource quotas --------------------------------------------------------------------------

    def quota_used(self, name="q"):
        return self.get_json("resourcequota", name).get("status", {}).get("used")

    def wait_quota(self, expected, name="q"):
        """Waits until status.used of the quota is `expected` (a dict of strings)."""
        return self.poll(lambda: self.quota_used(name) == expected and expected,
                         "quota %s used == %r (now %r)" % (name, expected, self.quota_used(name)))

    def test_quota_limits_pods_and_frees_on_delete(self):
        self.k("create", "quota", "q", "--hard=pods=2")
        self.wait_quota({"pods": "0"})
        self.k("run", "p1", "--image=nginx", "--restart=Never")
        self.k("run", "p2", "--image=nginx", "--restart=Never")
        r = self.k("run", "p3", "--image=nginx", "--restart=Never", ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stderr.strip(), 'Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: q, '
                                           'requested: pods=1, used: pods=2, limited: pods=2')
        out = self.k("get", "quota").stdout
        self.assertRegex(out.splitlines()[0], r"^NAME\s+AGE\s+REQUEST\s+LIMIT\s*$")
        self.assertRegex(out.splitlines()[1], r"^q\s+\S+\s+pods: 2/2\s*$")
        self.k("delete", "pod", "p1", "--timeout=" + WAIT)
        self.wait_quota({"pods": "1"})
        self.k("run", "p3", "--image=nginx", "--restart=Never")
        self.assertEqual(self.quota_used(), {"pods": "2"})

    def test_quota_requires_and_sums_compute_requests(self):
        self.k("create", "quota", "q", "--hard=pods=5,requests.cpu=1,limits.memory=1Gi")
        self.wait_quota({"pods": "0", "requests.cpu": "0", "limits.memory": "0"})
        r = self.k("run", "x", "--image=nginx", "--restart=Never", ok=False)
        self.assertEqual(r.stderr.strip(), 'Error from server (Forbidden): pods "x" is forbidden: failed quota: q: '
                                           'must specify limits.memory for: x; requests.cpu for: x')
        pod = """apiVersion: v1
kind: Pod
metadata: {name: %s}
spec:
  containers:
  - name: c
    image: nginx
    resources:
      requests: {cpu: 600m, memory: 64Mi}
      limits: {memory: 512Mi}
"""
        self.k("create", "-f", "-", input=pod % "a")
        self.assertEqual(self.quota_used(), {"pods": "1", "requests.cpu": "600m", "limits.memory": "512Mi"})
        r = self.k("create", "-f", "-", input=pod % "b", ok=False)
        self.assertEqual(r.stderr.strip(),
                         'Error from server (Forbidden): error when creating "STDIN": pods "b" is forbidden: '
                         'exceeded quota: q, requested: requests.cpu=600m, used: requests.cpu=600m, '
                         'limited: requests.cpu=1')
        out = self.k("get", "quota", "q").stdout.splitlines()
        self.assertRegex(out[1], r"^q\s+\S+\s+pods: 1/5, requests.cpu: 600m/1\s+limits.memory: 512Mi/1Gi\s*$")
        desc = self.k("describe", "quota", "q").stdout
        self.assertRegex(desc, r"(?m)^Name:\s+q$")
        self.assertRegex(desc, r"(?m)^Namespace:\s+%s$" % self.ns)
        self.assertRegex(desc, r"(?m)^Resource\s+Used\s+Hard$")
        self.assertRegex(desc, r"(?m)^limits.memory\s+512Mi\s+1Gi$")
        self.assertRegex(desc, r"(?m)^pods\s+1\s+5$")
        self.assertRegex(desc, r"(?m)^requests.cpu\s+600m\s+1$")

    def test_quota_deployment_over_quota_fails_create(self):
        self.k("create", "quota", "q", "--hard=pods=2")
        self.wait_quota({"pods": "0"})
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.poll(lambda: len(self.pods("app=web")) == 2, "two pods of web")

        def failure():
            for rs in self.get_json("replicasets", "-l", "app=web")["items"]:
                for c in rs.get("status", {}).get("conditions", []):
                    if c["type"] == "ReplicaFailure" and c["status"] == "True":
                        return c
        cond = self.poll(failure, "ReplicaFailure condition")
        self.assertEqual(cond["reason"], "FailedCreate")
        self.assertIn("exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2", cond["message"])

        def event():
            for e in self.get_json("events")["items"]:
                if e["reason"] == "FailedCreate":
                    return e
        e = self.poll(event, "FailedCreate event")
        self.assertEqual(e["type"], "Warning")
        self.assertRegex(e["message"], r'^Error creating: pods "web-[a-z0-9]+-[a-z0-9]+" is forbidden: exceeded quota: '
                                       r'q, requested: pods=1, used: pods=2, limited: pods=2$')
        self.assertEqual(len(self.pods("app=web")), 2)
        # Raising the quota lets the ReplicaSet finish.
        self.k("patch", "quota", "q", "-p", '{"spec":{"hard":{"pods":"3"}}}')
        self.poll(lambda: len(self.pods("app=web")) == 3, "three pods of web")

    def test_quota_counts_objects_and_service_ports(self):
        self.k("create", "configmap", "pre", "--from-literal=a=b")
        self.k("create", "quota", "q",
               "--hard=count/deployments.apps=1,configmaps=10,services=2,services.nodeports=1")
        configmaps = len(self.k("get", "configmaps", "-o", "name").stdout.split())
        self.wait_quota({"count/deployments.apps": "0", "configmaps": str(configmaps), "services": "0",
                         "services.nodeports": "0"})
        self.k("create", "deployment", "a", "--image=nginx")
        r = self.k("create", "deployment", "b", "--image=nginx", ok=False)
        self.assertEqual(r.stderr.strip(),
                         'error: failed to create deployment: deployments.apps "b" is forbidden: exceeded quota: q, '
                         'requested: count/deployments.apps=1, used: count/deployments.apps=1, '
                         'limited: count/deployments.apps=1')
        self.k("create", "service", "nodeport", "np", "--tcp=80:80")
        self.k("create", "service", "clusterip", "c", "--tcp=80:80")
        r = self.k("patch", "service", "c", "-p", '{"spec":{"type":"NodePort"}}', ok=False)
        self.assertEqual(r.stderr.strip(),
                         'Error from server (Forbidden): services "c" is forbidden: exceeded quota: q, '
                         'requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1')
        r = self.k("create", "service", "clusterip", "d", "--tcp=80:80", ok=False)
        self.assertIn('services "d" is forbidden: exceeded quota: q, requested: services=1, used: services=2, '
                      'limited: services=2', r.stderr)
        self.k("delete", "deployment", "a")
        self.k("delete", "service", "np")
        self.wait_quota({"count/deployments.apps": "0", "configmaps": str(configmaps), "services": "1",
                         "services.nodeports": "0"})
        self.k("create", "deployment", "b", "--image=nginx")
        self.k("patch", "service", "c", "-p", '{"spec":{"type":"NodePort"}}')
        self.assertEqual(self.quota_used()["services.nodeports"], "1")

    # ---- disruption budgets ---------------------------------------------------------------------------

    def evict(self, pod):
        """POST pods/<pod>/eviction (policy/v1) as kubectl drain does; the completed process."""
        body = json.dumps({"apiVersion": "policy/v1", "kind": "Eviction",
                           "metadata": {"name": pod, "namespace": self.ns}})
        return self.kubectl("create", "--raw", "/api/v1/namespaces/%s/pods/%s/eviction" % (self.ns, pod),
                            "-f", "-", input=body, ok=False)

    def pdb_row(self, name):
        out = self.k("get", "pdb", name).stdout
        self.assertRegex(out.splitlines()[0], r"NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE")
        return out.splitlines()[1].split()[:4]

    def test_pdb_min_available_allows_one_disruption_and_eviction_honours_it(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("create", "pdb", "web", "--selector=app=web", "--min-available=2")
        self.poll(lambda: self.pdb_row("web") == ["web", "2", "N/A", "1"], "ALLOWED DISRUPTIONS 1")
        pdb = self.get_json("pdb", "web")
        st = pdb["status"]
        self.assertEqual((st["expectedPods"], st["currentHealthy"], st["desiredHealthy"], st["disruptionsAllowed"]),
                         (3, 3, 2, 1), st)
        self.assertEqual(st["observedGeneration"], pdb["metadata"]["generation"])
        cond = [c for c in st["conditions"] if c["type"] == "DisruptionAllowed"][0]
        self.assertEqual((cond["status"], cond["reason"]), ("True", "SufficientPods"))
        self.assertRegex(self.k("describe", "pdb", "web").stdout, r"Allowed disruptions:\s+1")

        # One eviction is allowed; the replacement pod brings the budget back to one.
        victim = sorted(p["metadata"]["name"] for p in self.pods("app=web"))[0]
        r = self.evict(victim)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.poll(lambda: victim not in [p["metadata"]["name"] for p in self.all_pods("app=web")], "evicted pod gone")
        self.poll(lambda: self.pdb_row("web") == ["web", "2", "N/A", "1"] and len(self.running(self.pods("app=web"))) == 3,
                  "a replacement pod and one disruption allowed again")

        # A budget that needs every pod refuses evictions with 429, for the API and for kubectl drain.
        self.k("patch", "pdb", "web", "--type=merge", "-p", '{"spec":{"minAvailable":3}}')
        self.poll(lambda: self.pdb_row("web") == ["web", "3", "N/A", "0"], "ALLOWED DISRUPTIONS 0")
        pdb = self.get_json("pdb", "web")
        self.assertEqual(pdb["status"]["observedGeneration"], pdb["metadata"]["generation"])
        cond = [c for c in pdb["status"]["conditions"] if c["type"] == "DisruptionAllowed"][0]
        self.assertEqual((cond["status"], cond["reason"]), ("False", "InsufficientPods"))
        pod = self.pods("app=web")[0]
        r = self.evict(pod["metadata"]["name"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's "
                      "disruption budget.", r.stderr)
        node = pod["spec"]["nodeName"]
        self.addCleanup(self._kubectl_raw, "uncordon", node)
        r = self.kubectl("drain", node, "--pod-selector=app=web", "--ignore-daemonsets", "--timeout=8s", ok=False)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("Cannot evict pod as it would violate the pod's disruption budget.", r.stdout + r.stderr)
        self.assertEqual(len(self.pods("app=web")), 3)

    def test_pdb_max_unavailable_percent_counts_against_the_deployment_scale(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=4")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("create", "pdb", "web", "--selector=app=web", "--max-unavailable=30%")
        # ceil(30% of 4) = 2 may be unavailable: 2 must stay healthy, so 2 disruptions are allowed
        self.poll(lambda: self.pdb_row("web") == ["web", "N/A", "30%", "2"], "ALLOWED DISRUPTIONS 2")
        st = self.get_json("pdb", "web")["status"]
        self.assertEqual((st["expectedPods"], st["desiredHealthy"]), (4, 2), st)

    # ---- horizontal pod autoscalers -------------------------------------------------------------------

    def test_hpa_scales_up_to_min_replicas_and_reports_missing_metrics(self):
        self.k("create", "deployment", "web", "--image=nginx", "--replicas=1")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        self.k("apply", "-f", "-", input="""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
""")
        self.poll(lambda: self.get_json("deployment", "web")["spec"]["replicas"] == 3, "deployment scaled to 3")
        self.k("rollout", "status", "deployment/web", "--timeout=" + WAIT)
        st = self.get_json("hpa", "web")["status"]
        self.assertEqual(st["desiredReplicas"], 3, st)
        self.assertIn("lastScaleTime", st)
        # The next sync (15 s on) finds the target within bounds and no metrics API.
        inner = ("failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from "
                 "resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)")
        out = self.poll(lambda: (lambda d: "FailedComputeMetricsReplicas" in d and d)(
            self.k("describe", "hpa", "web").stdout), "FailedComputeMetricsReplicas event", interval=1)
        self.assertRegex(out, r"AbleToScale\s+True\s+SucceededGetScale\s+the HPA controller was able to get the "
                              r"target's current scale")
        self.assertRegex(out, r"ScalingActive\s+False\s+FailedGetResourceMetric\s+the HPA was unable to compute the "
                              r"replica count: " + re.escape(inner))
        self.assertRegex(out, r"Normal\s+SuccessfulRescale\s+.*horizontal-pod-autoscaler\s+New size: 3; reason: "
                              r"Current number of replicas below Spec.MinReplicas")
        self.assertRegex(out, r"Warning\s+FailedGetResourceMetric\s+.*horizontal-pod-autoscaler\s+" + re.escape(inner))
        self.assertRegex(out, r"Warning\s+FailedComputeMetricsReplicas\s+.*horizontal-pod-autoscaler\s+invalid metrics "
                              r"\(1 invalid out of 1\), first error is: failed to get cpu resource metric value: ")
        self.assertRegex(self.k("get", "hpa", "web").stdout,
                         r"(?m)^web\s+Deployment/web\s+cpu: <unknown>/50%\s+3\s+5\s+3\s")
        st = self.get_json("hpa", "web")["status"]
        self.assertEqual((st["currentReplicas"], st["desiredReplicas"]), (3, 3), st)
        self.assertEqual(self.get_json("deployment", "web")["spec"]["replicas"], 3)

    # ---- priority classes and preemption --------------------------------------------------------------

    def test_priority_class_sets_pod_priority(self):
        self.kubectl("create", "priorityclass", "high", "--value=1000")
        self.addCleanup(self._kubectl_raw, "delete", "priorityclass", "high", "--ignore-not-found")
        self.assertRegex(self.kubectl("get", "priorityclass", "high").stdout,
                         r"\nhigh\s+1000\s+false\s+\S+\s+PreemptLowerPriority\n")
        pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n%s  containers: [{name: c, image: nginx}]\n"
        self.k("apply", "-f", "-", input=pod % ("p", "  priorityClassName: high\n"))
        spec = self.get_json("pod", "p")["spec"]
        self.assertEqual((spec["priority"], spec["preemptionPolicy"]), (1000, "PreemptLowerPriority"))
        self.k("run", "plain", "--image=nginx")
        spec = self.get_json("pod", "plain")["spec"]
        self.assertEqual((spec["priority"], spec.get("priorityClassName")), (0, None))
        # An unknown class, or a priority that disagrees with the class, is refused by admission.
        r = self.k("create", "-f", "-", input=pod % ("x", "  priorityClassName: nope\n"), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('Error from server (Forbidden): error when creating "STDIN": pods "x" is forbidden: '
                      'no PriorityClass with name nope was found', r.stderr)
        r = self.k("create", "-f", "-", input=pod % ("given", "  priorityClassName: high\n  priority: 5\n"),
                   ok=False)
        self.assertIn('pods "given" is forbidden: the integer value of priority (5) must not be provided in pod spec; '
                      'priority admission controller computed 1000 from the given PriorityClass name', r.stderr)
        # The built-in classes exist, are reserved and cannot be deleted.
        out = self.kubectl("get", "priorityclasses").stdout
        self.assertRegex(out, r"\nsystem-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority\n")
        self.assertRegex(out, r"\nsystem-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority\n")
        r = self.kubectl("delete", "priorityclass", "system-node-critical", ok=False)
        self.assertIn('Error from server (Forbidden): priorityclasses.scheduling.k8s.io "system-node-critical" is '
                      'forbidden: this is a system priority class and cannot be deleted', r.stderr)
        self.k("apply", "-f", "-", input=pod % ("crit", "  priorityClassName: system-node-critical\n"))
        self.assertEqual(self.get_json("pod", "crit")["spec"]["priority"], 2000001000)
        r = self.kubectl("create", "priorityclass", "system-mine", "--value=10", ok=False)
        self.assertIn("metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system "
                      "use only. error: system-mine is not a known system priority class", r.stderr)
        r = self.kubectl("create", "priorityclass", "huge", "--value=2000000000", ok=False)
        self.assertIn("value: Forbidden: maximum allowed value of a user defined priority is 1000000000", r.stderr)
        r = self.kubectl("patch", "priorityclass", "high", "-p", '{"value":5}', ok=False)
        self.assertIn("value: Forbidden: may not be changed in an update.", r.stderr)
        # One global default, which pods without a class then take.
        self.kubectl("create", "priorityclass", "ct-default", "--value=7", "--global-default")
        self.addCleanup(self._kubectl_raw, "delete", "priorityclass", "ct-default", "--ignore-not-found")
        r = self.kubectl("create", "priorityclass", "ct-default2", "--value=8", "--global-default", ok=False)
        self.assertIn('failed to create priorityclass: priorityclasses.scheduling.k8s.io "ct-default2" is forbidden: '
                      'PriorityClass ct-default is already marked as default. Only one default can exist', r.stderr)
        self.k("run", "defaulted", "--image=nginx")
        spec = self.get_json("pod", "defaulted")["spec"]
        self.kubectl("delete", "priorityclass", "ct-default")
        self.assertEqual((spec["priority"], spec["priorityClassName"]), (7, "ct-default"))

    def test_priority_preemption_makes_room_for_a_higher_priority_pod(self):
        for name, value in (("ct-low", 10), ("ct-urgent", 100000)):
            self.kubectl("create", "priorityclass", name, "--value=%d" % value)
            self.addCleanup(self._kubectl_raw, "delete", "priorityclass", name, "--ignore-not-found")
        # Each simulated node has 4 CPUs: one 3-CPU filler per node leaves no room for a 2-CPU pod.
        self.k("apply", "-f", "-", input="""apiVersion: apps/v1
kind: Deployment
metadata: {name: filler}
spec:
  replicas: 3
  selector: {matchLabels: {app: filler}}
  template:
    metadata: {labels: {app: filler}}
    spec:
      priorityClassName: ct-low
      containers: [{name: c, image: nginx, resources: {requests: {cpu: "3"}}}]
""")
        self.k("rollout", "status", "deployment/filler", "--timeout=" + WAIT)
        fillers = self.running(self.pods("app=filler"))
        self.assertEqual(sorted(p["spec"]["nodeName"] for p in fillers), self.nodes)
        self.assertEqual({p["spec"]["priority"] for p in fillers}, {10})
        self.k("apply", "-f", "-", input="""apiVersion: v1
kind: Pod
metadata: {name: urgent}
spec:
  priorityClassName: ct-urgent
  containers: [{name: c, image: nginx, resources: {requests: {cpu: "2"}}}]
""")
        self.k("wait", "--for=jsonpath={.status.phase}=Running", "pod/urgent", "--timeout=" + WAIT)
        urgent = self.get_json("pod", "urgent")
        self.assertEqual(urgent["spec"]["priority"], 100000)
        node, uid = urgent["spec"]["nodeName"], urgent["metadata"]["uid"]
        events = self.poll(lambda: (lambda out: "Preempted" in out and out)(self.k("get", "events").stdout),
                           "a Preempted event")
        self.assertRegex(events, r"Normal\s+Preempted\s+pod/filler-\S+\s+Preempted by pod %s on node %s"
                         % (re.escape(uid), re.escape(node)))
        # The victim's replacement has nowhere to go: it may not preempt the higher-priority pod.
        self.poll(lambda: [p for p in self.pods("app=filler") if p["status"].get("phase") == "Pending"],
                  "a pending replacement filler")
        # Free the CPUs for the tests that follow.
        self.k("delete", "deployment", "filler")
        self.k("delete", "pod", "urgent")
        self.poll(lambda: not self.all_pods(), "all pods gone")

    # ---- the kubernetes service -----------------------------------------------------------------------

    def test_kubernetes_service_endpoints_name_the_api_server(self):
        port = self.server.port
        ep = json.loads(self.kubectl("get", "endpoints", "kubernetes", "-n", "default", "-o", "json").stdout)
        self.assertEqual(ep["subsets"], [{"addresses": [{"ip": "127.0.0.1"}],
                                          "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}])
        self.assertEqual(ep["metadata"]["labels"], {"endpointslice.kubernetes.io/skip-mirror": "true"})
        self.assertRegex(self.kubectl("get", "endpoints", "kubernetes", "-n", "default").stdout,
                         r"\nkubernetes\s+127\.0\.0\.1:%d\s+\d+" % port)
        es = json.loads(self.kubectl("get", "endpointslice", "kubernetes", "-n", "default", "-o", "json").stdout)
        self.assertEqual(es["addressType"], "IPv4")
        self.assertEqual(es["metadata"]["labels"], {"kubernetes.io/service-name": "kubernetes"})
        self.assertEqual(es["endpoints"], [{"addresses": ["127.0.0.1"], "conditions": {"ready": True}}])
        self.assertEqual(es["ports"], [{"name": "https", "port": port, "protocol": "TCP"}])
        self.assertRegex(self.kubectl("get", "endpointslice", "kubernetes", "-n", "default").stdout,
                         r"\nkubernetes\s+IPv4\s+%d\s+127\.0\.0\.1\s+\d+" % port)
        self.assertRegex(self.kubectl("describe", "service", "kubernetes", "-n", "default").stdout,
                         r"Endpoints:\s+127\.0\.0\.1:%d\n" % port)
        # The API server puts them back (within its 10 s reconcile interval).
        self.kubectl("delete", "endpointslice", "kubernetes", "-n", "default")
        self.poll(lambda: self._kubectl_raw("get", "endpointslice", "kubernetes", "-n", "default").returncode == 0,
                  "the kubernetes EndpointSlice recreated", timeout=30)


class NodeLifecycleTest(unittest.TestCase):
    """A node whose agent stops goes NotReady, is tainted, and loses the pods that tolerate the taint for
    a short time only; the control loops run under leader election. Its own server, with a short
    node-monitor grace period (the simulator renews leases every 10 s)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="k1s-nl-")
        cls.dir = cls.tmp.name
        cls.kubeconfig = os.path.join(cls.dir, "kc.yaml")
        cls.server = Server(os.path.join(cls.dir, "data"), cls.kubeconfig, extra_args=(
            "--kube-controller-manager-arg", "node-monitor-grace-period=20s",
            "--kube-controller-manager-arg", "node-monitor-period=1s"))
        cls.keep = Agent(cls.server, os.path.join(cls.dir, "keep"), nodes=1, name="keep")
        cls.lost = Agent(cls.server, os.path.join(cls.dir, "lost"), nodes=1, name="lost")

    @classmethod
    def tearDownClass(cls):
        cls.keep.stop()
        cls.lost.stop()
        cls.server.stop()
        cls.tmp.cleanup()

    def kubectl(self, *args, input=None, ok=True):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, KUBECACHEDIR=os.path.join(self.dir, "cache"))
        r = subprocess.run(["/usr/bin/kubectl", *args], capture_output=True, text=True, input=input, env=env,
                           timeout=240)
        if ok:
            self.assertEqual(r.returncode, 0, "kubectl %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def poll(self, fn, what, timeout=POLL_TIMEOUT):
        deadline = time.time() + timeout
        while True:
            last = fn()
            if last:
                return last
            if time.time() > deadline:
                self.fail("timed out waiting for %s (last: %r)" % (what, last))
            time.sleep(0.25)

    def test_node_goes_not_ready_and_its_pods_are_evicted(self):
        self.poll(lambda: self.kubectl("get", "node", "keep-sim-0", "lost-sim-0", ok=False).returncode == 0,
                  "both simulated nodes registered")
        self.kubectl("wait", "--for=condition=Ready", "node/keep-sim-0", "node/lost-sim-0", "--timeout=" + WAIT)
        # The controllers and the scheduler each hold their Lease.
        leases = self.kubectl("get", "lease", "-n", "kube-system", "-o",
                              "jsonpath={range .items[*]}{.metadata.name}={.spec.holderIdentity}{\"\\n\"}{end}").stdout
        holders = dict(line.split("=", 1) for line in leases.split())
        self.assertIn("kube-controller-manager", holders)
        self.assertIn("kube-scheduler", holders)
        self.assertRegex(holders["kube-controller-manager"], r"^.+_[0-9a-f]{16}$")
        # Two pods on the node that will be lost: one tolerates unreachable for 2 s, one has the
        # default 300 s tolerations; a deployment's pod (2 s) on it is replaced on the other node.
        manifest = ""
        for name, seconds in (("short", 2), ("default", None)):
            tol = ("  tolerations:\n  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, "
                   "tolerationSeconds: %d}\n  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, "
                   "tolerationSeconds: %d}\n" % (seconds, seconds)) if seconds else ""
            manifest += ("---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: default}\nspec:\n"
                         "  nodeSelector: {kubernetes.io/hostname: lost-sim-0}\n%s"
                         "  containers: [{name: c, image: nginx}]\n" % (name, tol))
        self.kubectl("apply", "-f", "-", input=manifest)
        self.kubectl("wait", "--for=condition=Ready", "pod/short", "pod/default", "--timeout=" + WAIT)
        tolerations = json.loads(self.kubectl("get", "pod", "default", "-o", "json").stdout)["spec"]["tolerations"]
        self.assertIn({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                       "tolerationSeconds": 300}, tolerations)

        self.assertEqual(self.lost.stop(), 0)
        t0 = time.time()

        def unknown():
            node = json.loads(self.kubectl("get", "node", "lost-sim-0", "-o", "json").stdout)
            ready = [c for c in node["status"].get("conditions", []) if c["type"] == "Ready"]
            taints = {(t["key"], t["effect"]) for t in node["spec"].get("taints", [])}
            return ready and ready[0]["status"] == "Unknown" and \
                ("node.kubernetes.io/unreachable", "NoExecute") in taints and node
        node = self.poll(unknown, "lost-sim-0 Unknown with the unreachable:NoExecute taint")
        elapsed = time.time() - t0
        self.assertGreater(elapsed, 5, "NotReady long before the grace period")
        ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"][0]
        self.assertEqual(ready["reason"], "NodeStatusUnknown")
        self.assertEqual(ready["message"], "Kubelet stopped posting node status.")
        self.assertRegex(self.kubectl("get", "node", "lost-sim-0").stdout, r"\nlost-sim-0\s+NotReady\s")
        self.kubectl("get", "node", "keep-sim-0", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")

        # The 2 s pod is evicted: deleted gracefully, so with no kubelet to finish it, it stays Terminating
        # (as upstream: only a returning node or its deletion ends it). The 300 s one stays, not Ready.
        def terminating():
            r = self.kubectl("get", "pod", "short", "-o", "json", ok=False)
            return r.returncode != 0 or bool(json.loads(r.stdout)["metadata"].get("deletionTimestamp"))
        self.poll(terminating, "pod/short evicted")
        self.assertIn("Terminating", self.kubectl("get", "pod", "short", ok=False).stdout)
        pod = json.loads(self.kubectl("get", "pod", "default", "-o", "json").stdout)
        self.assertFalse(pod["metadata"].get("deletionTimestamp"))
        conds = {c["type"]: c["status"] for c in pod["status"].get("conditions", [])}
        self.assertEqual(conds.get("Ready"), "False")
        events = self.kubectl("get", "events", "-n", "default", "--field-selector", "involvedObject.name=short").stdout
        self.assertIn("TaintManagerEviction", events)
        node_events = self.kubectl("get", "events", "-A", "--field-selector", "involvedObject.name=lost-sim-0").stdout
        self.assertIn("NodeNotReady", node_events)


if __name__ == "__main__":
    unittest.main()
